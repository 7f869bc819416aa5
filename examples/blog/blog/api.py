"""A read-only JSON API under ``/api``, whose errors are JSON too.

The blueprint's 404, 405 and 500 handlers answer JSON for errors its views raise
and, as microflask hands routing errors to the blueprint whose prefix holds
the URL, for any URL under ``/api`` that matches no rule or not the method:
an API client never gets the blog's HTML error page.
"""

from __future__ import annotations

import sqlite3
import typing as t

from werkzeug.exceptions import HTTPException

from microflask import Blueprint, abort, jsonify

from .db import MAX_ID, get_db

if t.TYPE_CHECKING:
    from werkzeug.wrappers import Response

bp = Blueprint("api", __name__, url_prefix="/api")

_POST_COLUMNS = (
    "SELECT p.id, title, body, created, username AS author"
    " FROM post p JOIN user u ON p.author_id = u.id"
)


def _as_dict(row: sqlite3.Row) -> dict[str, t.Any]:
    return {key: row[key] for key in row.keys()}


@bp.get("/posts")
def list_posts() -> dict[str, t.Any]:
    """Return every post, newest first."""
    rows = get_db().execute(f"{_POST_COLUMNS} ORDER BY created DESC, p.id DESC").fetchall()
    return {"posts": [_as_dict(row) for row in rows]}


@bp.get(f"/posts/<int(max={MAX_ID}):id>")
def show_post(id: int) -> dict[str, t.Any]:
    """Return the post *id*; a JSON 404 if there is none."""
    row = get_db().execute(f"{_POST_COLUMNS} WHERE p.id = ?", (id,)).fetchone()
    if row is None:
        abort(404, f"Post {id} does not exist.")
    return _as_dict(row)


@bp.errorhandler(404)
@bp.errorhandler(405)
@bp.errorhandler(500)
def json_error(error: HTTPException) -> Response:
    """Answer *error* as JSON, with its status and headers (a 405's Allow).

    A 500's description is Werkzeug's generic one, never the exception's.
    """
    response = jsonify(status=error.code, error=error.name, message=error.description)
    response.status_code = error.code or 500
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response
