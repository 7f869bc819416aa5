"""The SQLite connection for a request, and the ``init-db`` command."""

from __future__ import annotations

import sqlite3

import click

from microflask import Microflask, current_app, g
from microflask.cli import with_appcontext

#: The largest id SQLite can store; the URL rules match no larger number,
#: so ``/99999999999999999999/update`` is a 404, not an overflow.
MAX_ID = 2**63 - 1


def get_db() -> sqlite3.Connection:
    """Return this app context's connection, opening it on first use."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
        g.db.execute("PRAGMA foreign_keys = ON")
    return g.db  # type: ignore[no-any-return]


def close_db(exc: BaseException | None = None) -> None:
    """Close the connection if this app context opened one."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db(drop: bool = False) -> None:
    """Create the tables that are missing; with *drop*, empty the database first."""
    db = get_db()
    if drop:
        db.executescript("DROP TABLE IF EXISTS post; DROP TABLE IF EXISTS user;")
    with current_app.open_resource("schema.sql") as f:
        db.executescript(f.read().decode("utf-8"))


@click.command("init-db")
@click.option("--drop", is_flag=True, help="Delete every user and post first.")
@with_appcontext
def init_db_command(drop: bool) -> None:
    """Create the blog's tables; safe to run again, it keeps existing data."""
    init_db(drop=drop)
    click.echo(f"Initialised the database {current_app.config['DATABASE']}.")


def init_app(app: Microflask) -> None:
    """Close the connection after each request and add ``init-db`` to the CLI."""
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
