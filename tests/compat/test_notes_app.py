"""The notes app: Flask's extensions together, unmodified, on microflask."""

from __future__ import annotations

import contextlib
import html
import os
import re
import sqlite3
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

import microflask
from microflask.testing import MicroflaskClient

from . import notes_app

SPA = {"Origin": notes_app.SPA_ORIGIN, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"}


@pytest.fixture
def notes(tmp_path: Path) -> t.Iterator[microflask.Microflask]:
    # to mypy, flask.Flask is the real Flask's class; at run time it is Microflask
    app = t.cast(microflask.Microflask, notes_app.create_app(str(tmp_path / "notes.db")))
    with app.app_context():
        notes_app.db.create_all()
    notes_app.limiter.reset()
    yield app
    with app.app_context():
        notes_app.db.engine.dispose()


@pytest.fixture
def client(notes: microflask.Microflask) -> MicroflaskClient:
    return notes.test_client()


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match is not None, page
    return html.unescape(match.group(1))


def _log_in(client: MicroflaskClient) -> None:
    token = _token(client.get("/login").text)
    response = client.post(
        "/login", data={"name": "ada", "password": "lovelace", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/notes"


def test_the_app_is_microflask(notes: microflask.Microflask) -> None:
    assert type(notes) is microflask.Microflask
    assert vars(notes_app)["Flask"] is microflask.Microflask


def test_login_required_redirects_to_login(client: MicroflaskClient) -> None:
    response = client.get("/notes")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_log_in_then_see_notes(client: MicroflaskClient) -> None:
    _log_in(client)
    response = client.get("/notes")
    assert response.status_code == 200
    assert "<p>ada</p>" in response.text


def test_wrong_password_stays_on_login(client: MicroflaskClient) -> None:
    token = _token(client.get("/login").text)
    response = client.post("/login", data={"name": "ada", "password": "no", "csrf_token": token})
    assert response.status_code == 200
    assert client.get("/notes").status_code == 302


def test_form_post_with_csrf_token_stores_note(
    notes: microflask.Microflask, client: MicroflaskClient, tmp_path: Path
) -> None:
    _log_in(client)
    token = _token(client.get("/notes").text)
    response = client.post("/notes", data={"text": "first note", "csrf_token": token})
    assert response.status_code == 302
    assert "<li>first note</li>" in client.get("/notes").text
    with contextlib.closing(sqlite3.connect(tmp_path / "notes.db")) as connection:
        rows = connection.execute("select author, text from note").fetchall()
    assert rows == [("ada", "first note")]


def test_form_post_without_csrf_token_is_refused_by_flask_wtf(client: MicroflaskClient) -> None:
    _log_in(client)
    response = client.post("/notes", data={"text": "forged"})
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text


def test_cached_view_marks_its_hits(client: MicroflaskClient) -> None:
    first = client.get("/stats")
    second = client.get("/stats")
    assert first.json == second.json == {"notes": 0}
    assert "hit_cache" not in first.headers
    assert second.headers["hit_cache"] == "True"


def test_cached_view_serves_the_cached_value(
    notes: microflask.Microflask, client: MicroflaskClient
) -> None:
    assert client.get("/stats").json == {"notes": 0}
    with notes.app_context():
        notes_app.db.session.add(notes_app.Note(author="ada", text="later"))
        notes_app.db.session.commit()
    assert client.get("/stats").json == {"notes": 0}


def test_rate_limited_route_answers_429(client: MicroflaskClient) -> None:
    assert client.get("/search?q=a").status_code == 200
    assert client.get("/search?q=b").status_code == 200
    response = client.get("/search?q=c")
    assert response.status_code == 429
    assert "2 per 1 minute" in response.text
    assert response.headers["Retry-After"]


def _jwt(client: MicroflaskClient) -> str:
    response = client.post("/api/token", json={"name": "ada", "password": "lovelace"}, headers=SPA)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == notes_app.SPA_ORIGIN
    body = response.json
    assert body is not None
    return str(body["access_token"])


def test_cors_preflight_from_the_allowed_origin(client: MicroflaskClient) -> None:
    response = client.options(
        "/api/notes",
        headers={
            **SPA,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == notes_app.SPA_ORIGIN
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed


def test_cors_preflight_from_another_origin_is_not_allowed(client: MicroflaskClient) -> None:
    response = client.options(
        "/api/notes",
        headers={**SPA, "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_json_post_from_the_spa_passes_cross_origin_protection(
    client: MicroflaskClient,
) -> None:
    token = _jwt(client)
    response = client.post(
        "/api/notes",
        json={"text": "from the SPA"},
        headers={**SPA, "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    assert response.json == {"id": 1, "author": "ada"}
    assert response.headers["Access-Control-Allow-Origin"] == notes_app.SPA_ORIGIN
    listed = client.get("/api/notes", headers={"Authorization": f"Bearer {token}"})
    assert listed.json == ["from the SPA"]


def test_form_post_from_another_site_is_still_refused(client: MicroflaskClient) -> None:
    response = client.post(
        "/notes", data={"text": "forged"}, headers={**SPA, "Sec-Fetch-Mode": "navigate"}
    )
    assert response.status_code == 403
    assert "CSRF_TRUSTED_ORIGINS = ['http://spa.example']" in html.unescape(response.text)


def test_jwt_protected_api_needs_a_token(client: MicroflaskClient) -> None:
    response = client.get("/api/notes")
    assert response.status_code == 401
    assert response.json == {"msg": "Missing Authorization Header"}
    response = client.get("/api/notes", headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 422


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NOTES_DATABASE": str(tmp_path / "migrated.db"),
        "MICROFLASK_APP": f"{Path(notes_app.__file__)}:create_app",
    }
    return subprocess.run(
        [sys.executable, "-m", "microflask", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_flask_migrate_creates_and_applies_a_migration(tmp_path: Path) -> None:
    init = _cli(tmp_path, "db", "init")
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "migrations" / "env.py").is_file()
    made = _cli(tmp_path, "db", "migrate", "-m", "notes table")
    assert made.returncode == 0, made.stderr
    [version] = (tmp_path / "migrations" / "versions").glob("*_notes_table.py")
    assert "op.create_table('note'" in version.read_text()
    upgraded = _cli(tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    with contextlib.closing(sqlite3.connect(tmp_path / "migrated.db")) as connection:
        tables = {row[0] for row in connection.execute("select name from sqlite_master")}
        revision = connection.execute("select version_num from alembic_version").fetchone()
    assert {"note", "alembic_version"} <= tables
    assert version.name.startswith(revision[0])


def test_flask_commands_entry_points_load_once_the_bridge_serves_flask(tmp_path: Path) -> None:
    """Flask-Limiter registers ``limiter`` under ``flask.commands``, as Flask plugins do."""
    listed = _cli(tmp_path, "--help")
    assert listed.returncode == 0, listed.stderr
    assert "limiter" in listed.stdout
    limiter = _cli(tmp_path, "limiter", "--help")
    assert limiter.returncode == 0, limiter.stderr
    assert "Flask-Limiter" in limiter.stdout or "limits" in limiter.stdout.lower()
