"""Registration, logging in and out, and the ``login_required`` decorator."""

from __future__ import annotations

import functools
import sqlite3
import typing as t

from werkzeug.security import check_password_hash, generate_password_hash

from microflask import (
    Blueprint,
    flash,
    g,
    redirect,
    redirect_back,
    render_template,
    request,
    session,
    url_for,
)

from .db import get_db
from .forms import form_submitted

if t.TYPE_CHECKING:
    from werkzeug.wrappers import Response

bp = Blueprint("auth", __name__, url_prefix="/auth")

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

#: The longest username: the welcome flash, in the session cookie, holds it.
MAX_USERNAME = 80


def login_required(view: F) -> F:
    """Send anonymous users to log in, then back here, instead of running *view*.

    The wrapper is marked ``login_required``, so the handler of forms
    refused for their token sends such users to log in too.
    """

    @functools.wraps(view)
    def wrapped_view(**kwargs: t.Any) -> t.Any:
        if g.user is None:
            return login_redirect()
        return view(**kwargs)

    wrapped_view.login_required = True  # type: ignore[attr-defined]
    return t.cast(F, wrapped_view)


def login_redirect() -> Response:
    """Redirect to the login page, which comes back to this page after."""
    flash("Please log in first.")
    return redirect(url_for("auth.login", next=request.path))


@bp.before_app_request
def load_logged_in_user() -> None:
    """Put the logged-in user's row, or None, on ``g.user``."""
    user_id = session.get("user_id")
    g.user = None
    if user_id is not None:
        g.user = get_db().execute("SELECT * FROM user WHERE id = ?", (user_id,)).fetchone()


def _read_credentials() -> tuple[str, str, str | None]:
    """Return the form's username and password, and an error if one is empty."""
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    error = None
    if not username:
        error = "Username is required."
    elif not password:
        error = "Password is required."
    return username, password, error


@bp.route("/register", methods=("GET", "POST"))
def register() -> t.Any:
    """Show the sign-up form; on POST create the user and go to login."""
    if form_submitted():
        username, password, error = _read_credentials()
        if error is None and len(username) > MAX_USERNAME:
            error = f"The username is too long: {MAX_USERNAME} characters at most."
        if error is None:
            try:
                db = get_db()
                db.execute(
                    "INSERT INTO user (username, password) VALUES (?, ?)",
                    (username, generate_password_hash(password)),
                )
                db.commit()
            except sqlite3.IntegrityError:
                error = f"User {username} is already registered."
            else:
                flash("Registered. Please log in.")
                return redirect(url_for("auth.login"))
        flash(error, "error")
    return render_template("auth/register.html")


@bp.route("/login", methods=("GET", "POST"))
def login() -> t.Any:
    """Show the login form; on POST check the password and start a session.

    Then go to the ``next`` page if it is on this site, else to the index.
    """
    if form_submitted():
        username, password, error = _read_credentials()
        user = get_db().execute("SELECT * FROM user WHERE username = ?", (username,)).fetchone()
        if error is None and (user is None or not check_password_hash(user["password"], password)):
            error = "Incorrect username or password."
        if error is None:
            session.clear()
            session["user_id"] = user["id"]
            flash(f"Welcome, {user['username']}.")
            return redirect_back("index")
        flash(error, "error")
    return render_template("auth/login.html")


@bp.route("/logout", methods=("POST",))
def logout() -> t.Any:
    """End the session; a POST, so another site cannot log users out."""
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("index"))
