"""The blog itself: list every post, and let authors write, edit and delete."""

from __future__ import annotations

import math
import sqlite3
import typing as t

from microflask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_block,
    render_template,
    request,
    url_for,
)

from .auth import login_required
from .db import MAX_ID, get_db
from .forms import form_submitted

if t.TYPE_CHECKING:
    from microflask import Response

bp = Blueprint("blog", __name__)


#: The request header asking for the posts' part of the index only, and the
#: response header that says an answer is that part.
FRAGMENT_HEADER = "X-Fragment"


@bp.route("/")
def index() -> Response:
    """Show a page of posts, newest first.

    Asked with ``X-Fragment: posts`` (by ``static/fragments.js``), answer
    the ``posts`` block only, so the page swaps its list without a reload.
    """
    page = _page_number()
    per_page = current_app.config["POSTS_PER_PAGE"]
    db = get_db()
    pages = max(1, math.ceil(db.execute("SELECT COUNT(*) FROM post").fetchone()[0] / per_page))
    if page > pages:
        abort(404, f"There is no page {page} of posts; the last is page {pages}.")
    posts = db.execute(
        "SELECT p.id, title, body, created, author_id, username"
        " FROM post p JOIN user u ON p.author_id = u.id"
        " ORDER BY created DESC, p.id DESC LIMIT ? OFFSET ?",
        (per_page, (page - 1) * per_page),
    ).fetchall()
    context = {"posts": posts, "page": page, "pages": pages}
    if request.headers.get(FRAGMENT_HEADER) == "posts":
        response = make_response(render_block("blog/index.html", "posts", **context))
        response.headers[FRAGMENT_HEADER] = "posts"
    else:
        response = make_response(render_template("blog/index.html", **context))
    # One URL, two answers: a cache must not give the fragment for the page.
    response.vary.add(FRAGMENT_HEADER)
    return response


def _page_number() -> int:
    """Return the ``page`` query argument; 400 if it is not a number from 1."""
    raw = request.args.get("page", "1")
    digits = raw.lstrip("0")
    if not (raw.isascii() and raw.isdigit()) or not digits:
        abort(400, f"The page must be a whole number from 1, not {raw!r}.")
    if len(digits) > 18:  # int() refuses 4300 digits; no blog has that many pages
        abort(404, "There is no such page of posts.")
    return int(digits)


def get_post(id: int, check_author: bool = True) -> sqlite3.Row:
    """Return the post *id*; 404 if it does not exist, 403 if it is not ours."""
    post: sqlite3.Row | None = (
        get_db()
        .execute(
            "SELECT p.id, title, body, created, author_id, username"
            " FROM post p JOIN user u ON p.author_id = u.id WHERE p.id = ?",
            (id,),
        )
        .fetchone()
    )
    if post is None:
        abort(404, f"Post {id} does not exist.")
    if check_author and post["author_id"] != g.user["id"]:
        abort(403)
    return post


#: The longest title: it goes into the flash, so into the session cookie.
MAX_TITLE = 200


def _read_post_form() -> tuple[str, str, str | None]:
    """Return the form's title and body, and an error if the title is bad."""
    title = request.form.get("title", "").strip()
    body = request.form.get("body", "")
    error = None
    if not title:
        error = "Title is required."
    elif len(title) > MAX_TITLE:
        error = f"The title is too long: {MAX_TITLE} characters at most."
    return title, body, error


@bp.route("/create", methods=("GET", "POST"))
@login_required
def create() -> t.Any:
    """Show the new-post form; on POST save the post."""
    if form_submitted():
        title, body, error = _read_post_form()
        if error is None:
            db = get_db()
            db.execute(
                "INSERT INTO post (title, body, author_id) VALUES (?, ?, ?)",
                (title, body, g.user["id"]),
            )
            db.commit()
            flash(f"Published “{title}”.")
            return redirect(url_for("blog.index"))
        flash(error, "error")
    return render_template("blog/create.html")


@bp.route(f"/<int(max={MAX_ID}):id>/update", methods=("GET", "POST"))
@login_required
def update(id: int) -> t.Any:
    """Show the edit form for our post *id*; on POST save the changes."""
    post = get_post(id)
    if form_submitted():
        title, body, error = _read_post_form()
        if error is None:
            db = get_db()
            db.execute("UPDATE post SET title = ?, body = ? WHERE id = ?", (title, body, id))
            db.commit()
            flash("Saved.")
            return redirect(url_for("blog.index"))
        flash(error, "error")
    return render_template("blog/update.html", post=post)


@bp.route(f"/<int(max={MAX_ID}):id>/delete", methods=("POST",))
@login_required
def delete(id: int) -> t.Any:
    """Delete our post *id*."""
    get_post(id)
    db = get_db()
    db.execute("DELETE FROM post WHERE id = ?", (id,))
    db.commit()
    flash("Deleted.")
    return redirect(url_for("blog.index"))
