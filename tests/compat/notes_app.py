"""A notes app built from Flask's extensions, run on microflask by the bridge.

It is written as a Flask user would write it, except for the first lines: the
bridge goes in before any extension is imported. Pages log users in
(Flask-Login) and take notes through a form with a CSRF token (Flask-WTF);
an API under ``/api`` answers a single-page front end on
``http://spa.example`` (Flask-CORS) with JWTs (Flask-JWT-Extended); notes
live in SQLite (Flask-SQLAlchemy) whose schema Flask-Migrate manages; one
view is cached (Flask-Caching) and one rate-limited (Flask-Limiter).
"""

from __future__ import annotations

import os
import typing as t

import microflask

microflask.install_as_flask()

# ruff: noqa: E402 -- the extensions must come after the bridge
from flask import Blueprint, Flask, jsonify, redirect, request, url_for
from flask_caching import Cache
from flask_cors import CORS
from flask_jwt_extended import JWTManager, create_access_token, get_jwt_identity, jwt_required
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user  # type: ignore[import-untyped]
from flask_migrate import Migrate  # type: ignore[import-untyped]
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm  # type: ignore[import-untyped]
from flask_wtf.csrf import CSRFProtect  # type: ignore[import-untyped]
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from wtforms import PasswordField, StringField  # type: ignore[import-untyped]
from wtforms.validators import DataRequired  # type: ignore[import-untyped]

SPA_ORIGIN = "http://spa.example"
USERS = {"ada": "lovelace"}


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
cache = Cache()
limiter = Limiter(get_remote_address)
jwt = JWTManager()


class Note(db.Model):  # type: ignore[name-defined,misc]
    id: Mapped[int] = mapped_column(primary_key=True)
    author: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(200))


class User(UserMixin):  # type: ignore[misc]
    def __init__(self, name: str) -> None:
        self.id = name


@login_manager.user_loader  # type: ignore[untyped-decorator]
def load_user(user_id: str) -> User | None:
    return User(user_id) if user_id in USERS else None


class LoginForm(FlaskForm):  # type: ignore[misc]
    name = StringField(validators=[DataRequired()])
    password = PasswordField(validators=[DataRequired()])


class NoteForm(FlaskForm):  # type: ignore[misc]
    text = StringField(validators=[DataRequired()])


pages = Blueprint("pages", __name__)
api = Blueprint("api", __name__, url_prefix="/api")


@pages.route("/login", methods=["GET", "POST"])
def login() -> t.Any:
    form = LoginForm()
    if form.validate_on_submit() and USERS.get(form.name.data) == form.password.data:
        login_user(User(form.name.data))
        return redirect(url_for("pages.notes"))
    return f"<form method=post>{form.csrf_token}{form.name}{form.password}</form>"


@pages.route("/notes", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
def notes() -> t.Any:
    form = NoteForm()
    if form.validate_on_submit():
        db.session.add(Note(author=current_user.id, text=form.text.data))
        db.session.commit()
        return redirect(url_for("pages.notes"))
    listed = "".join(f"<li>{n.text}</li>" for n in db.session.scalars(db.select(Note)))
    return f"<p>{current_user.id}</p><ul>{listed}</ul><form method=post>{form.csrf_token}</form>"


@pages.get("/stats")
@cache.cached(timeout=300, response_hit_indication=True)
def stats() -> dict[str, int]:
    return {"notes": db.session.query(Note).count()}


@pages.get("/search")
@limiter.limit("2 per minute")
def search() -> str:
    return f"results for {request.args.get('q', '')!r}"


@api.post("/token")
def token() -> t.Any:
    body = request.get_json()
    if USERS.get(body.get("name")) != body.get("password"):
        return jsonify(error="bad credentials"), 401
    return jsonify(access_token=create_access_token(identity=body["name"]))


@api.route("/notes", methods=["GET", "POST"])
@jwt_required()  # type: ignore[untyped-decorator]
def api_notes() -> t.Any:
    if request.method == "POST":
        note = Note(author=get_jwt_identity(), text=request.get_json()["text"])
        db.session.add(note)
        db.session.commit()
        return jsonify(id=note.id, author=note.author), 201
    return jsonify([n.text for n in db.session.scalars(db.select(Note))])


def create_app(database: str | None = None) -> Flask:
    """Return the app, its notes in the SQLite file *database*."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="notes test secret",
        JWT_SECRET_KEY="notes jwt secret that is long enough for HS256",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{database or os.environ['NOTES_DATABASE']}",
        CACHE_TYPE="SimpleCache",
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=True,
    )
    db.init_app(app)
    migrate.init_app(app, db)
    login_manager.init_app(app)
    login_manager.login_view = "pages.login"
    csrf.init_app(app)
    csrf.exempt(api)  # the API authenticates with a JWT header, not cookies
    cache.init_app(app)
    limiter.init_app(app)
    jwt.init_app(app)
    CORS(app, resources={r"/api/*": {"origins": [SPA_ORIGIN]}})
    app.register_blueprint(pages)
    app.register_blueprint(api)
    return app
