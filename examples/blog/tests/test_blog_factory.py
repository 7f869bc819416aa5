"""The blog's factory: configuration, the secret key and the database helpers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from blog import _instance_secret_key, create_app
from blog.db import get_db

from microflask import Microflask
from microflask.testing import MicroflaskCliRunner


def test_test_config_replaces_instance_config(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "DATABASE": str(tmp_path / "x.db")})
    assert app.testing
    assert app.config["DATABASE"] == str(tmp_path / "x.db")


def test_csrf_tokens_are_on(app: Microflask) -> None:
    assert app.config["CSRF_ENABLED"] is True


def test_secret_key_is_made_once_and_kept(tmp_path: Path) -> None:
    key = _instance_secret_key(str(tmp_path))
    assert len(key) == 64
    assert _instance_secret_key(str(tmp_path)) == key
    assert (tmp_path / "secret_key").read_text() == key
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_secret_key_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    _instance_secret_key(str(tmp_path))
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_get_db_is_one_connection_per_context_and_closed_after(app: Microflask) -> None:
    with app.app_context():
        db = get_db()
        assert get_db() is db
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        db.execute("SELECT 1")


def test_init_db_command_keeps_data(app: Microflask, runner: MicroflaskCliRunner) -> None:
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Initialised the database" in result.output
    with app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM post").fetchone()[0] == 1


def test_init_db_drop_empties_the_database(app: Microflask, runner: MicroflaskCliRunner) -> None:
    result = runner.invoke(args=["init-db", "--drop"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM user").fetchone()[0] == 0
