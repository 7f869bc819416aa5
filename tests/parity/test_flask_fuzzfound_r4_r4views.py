"""Compare with Flask 3.1 the cases view, async, signal and logging fuzzing found.

Each case is the smallest app that once answered or logged differently from
Flask; the generator lives outside the repository.
"""

from __future__ import annotations

import sys
import types
import typing as t

from flask_parity import assert_same, get, make_app


def async_error_handler_reads_exc_info(fw: types.ModuleType) -> t.Any:
    """An async error handler reporting sys.exc_info() and the error's context."""
    app = make_app(fw)

    @app.errorhandler(ValueError)
    async def report(e: ValueError) -> str:
        return f"exc_info={sys.exc_info()[1]!r} context={e.__context__!r}"

    @app.route("/sync")
    def sync_view() -> str:
        raise ValueError("from a sync view")

    @app.route("/async")
    async def async_view() -> str:
        raise ValueError("from an async view")

    return app


def test_async_code_sees_the_error_being_handled_as_in_flask() -> None:
    # The coroutine once ran inside the except block of the event-loop lookup:
    # sys.exc_info() was that RuntimeError, chained to every error it raised.
    assert_same(async_error_handler_reads_exc_info, [get("/sync"), get("/async")])
