"""The blog itself: list every post, and let authors write, edit and delete."""

from __future__ import annotations

import sqlite3
import typing as t

from microflask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from .auth import login_required
from .db import get_db

bp = Blueprint("blog", __name__)


@bp.route("/")
def index() -> str:
    """Show every post, newest first."""
    posts = (
        get_db()
        .execute(
            "SELECT p.id, title, body, created, author_id, username"
            " FROM post p JOIN user u ON p.author_id = u.id"
            " ORDER BY created DESC, p.id DESC"
        )
        .fetchall()
    )
    return render_template("blog/index.html", posts=posts)


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


def _read_post_form() -> tuple[str, str, str | None]:
    """Return the form's title and body, and an error if the title is empty."""
    title = request.form.get("title", "").strip()
    body = request.form.get("body", "")
    return title, body, None if title else "Title is required."


@bp.route("/create", methods=("GET", "POST"))
@login_required
def create() -> t.Any:
    """Show the new-post form; on POST save the post."""
    if request.method == "POST":
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


@bp.route("/<int:id>/update", methods=("GET", "POST"))
@login_required
def update(id: int) -> t.Any:
    """Show the edit form for our post *id*; on POST save the changes."""
    post = get_post(id)
    if request.method == "POST":
        title, body, error = _read_post_form()
        if error is None:
            db = get_db()
            db.execute("UPDATE post SET title = ?, body = ? WHERE id = ?", (title, body, id))
            db.commit()
            flash("Saved.")
            return redirect(url_for("blog.index"))
        flash(error, "error")
    return render_template("blog/update.html", post=post)


@bp.route("/<int:id>/delete", methods=("POST",))
@login_required
def delete(id: int) -> t.Any:
    """Delete our post *id*."""
    get_post(id)
    db = get_db()
    db.execute("DELETE FROM post WHERE id = ?", (id,))
    db.commit()
    flash("Deleted.")
    return redirect(url_for("blog.index"))
