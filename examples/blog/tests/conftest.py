"""Fixtures for the blog's tests: an app on a fresh SQLite file, and login helpers.

``tests`` is a package, so pytest puts the folder above it on ``sys.path`` and
the tests import ``blog`` without installing it. microflask's pytest plugin
turns the ``app`` fixture into ``client``, ``runner`` and ``live_server``.
"""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

import pytest
from blog import create_app
from blog.db import get_db, init_db
from werkzeug.security import generate_password_hash

from microflask import Microflask
from microflask.testing import MicroflaskClient

if t.TYPE_CHECKING:
    from werkzeug.test import TestResponse

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(tmp_path: Path) -> Microflask:
    """Return the blog on a new database: users 'test' and 'other', one post by 'test'."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "DATABASE": str(tmp_path / "blog.sqlite")}
    )
    with app.app_context():
        init_db()
        db = get_db()
        db.executemany(
            "INSERT INTO user (username, password) VALUES (?, ?)",
            [(name, _cheap_hash(name)) for name in ("test", "other")],
        )
        db.execute(
            "INSERT INTO post (title, body, author_id, created)"
            " VALUES ('First post', 'Written by the test fixture.', 1, '2025-01-01 00:00:00')"
        )
        db.commit()
    return app


def add_posts(app: Microflask, count: int) -> None:
    """Add *count* posts by 'test', each newer: 'Post 1' is the oldest."""
    with app.app_context():
        db = get_db()
        db.executemany(
            "INSERT INTO post (title, body, author_id, created)"
            " VALUES (?, 'More text.', 1, datetime('2025-02-01', ? || ' minutes'))",
            [(f"Post {n}", n) for n in range(1, count + 1)],
        )
        db.commit()


def _cheap_hash(password: str) -> str:
    """Hash *password* fast; the app's default (scrypt) takes a third of a second."""
    return generate_password_hash(password, method="pbkdf2:sha256:1000")


class Forms:
    """Fill in the app's forms like a browser: with the CSRF token they carry."""

    def __init__(self, client: MicroflaskClient) -> None:
        self.client = client

    def token(self, path: str) -> str:
        """Return the CSRF token of the form on the page at *path*."""
        match = _TOKEN.search(self.client.get(path).text)
        if match is None:
            raise AssertionError(f"No csrf_token field on {path!r}.")
        return match.group(1)

    def submit(self, path: str, action: str | None = None, **data: str) -> TestResponse:
        """Post *data* and the token from the page at *path* to *action* (or *path*)."""
        token = self.token(path)
        return self.client.post(action or path, data={"csrf_token": token, **data})


class AuthActions:
    """Log the test client in and out through the real forms."""

    def __init__(self, forms: Forms) -> None:
        self._forms = forms

    def login(
        self, username: str = "test", password: str = "test", path: str = "/auth/login"
    ) -> TestResponse:
        return self._forms.submit(path, username=username, password=password)

    def logout(self) -> TestResponse:
        return self._forms.submit("/", "/auth/logout")


@pytest.fixture
def forms(client: MicroflaskClient) -> Forms:
    return Forms(client)


@pytest.fixture
def auth(forms: Forms) -> AuthActions:
    return AuthActions(forms)
