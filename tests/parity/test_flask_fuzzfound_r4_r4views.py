"""Compare with Flask 3.1 the cases view, async, signal and logging fuzzing found.

Each case is the smallest app that once answered or logged differently from
Flask; the generator lives outside the repository.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import types
import typing as t

from flask_parity import FRAMEWORKS, assert_same, get, make_app


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


def async_hook_sets_a_context_variable(fw: types.ModuleType) -> t.Any:
    """An async before-request hook sets a context variable the rest reads."""
    app = make_app(fw)
    request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id")

    @app.before_request
    async def set_request_id() -> None:
        request_id.set(f"id for {fw.request.path}")

    def report(response: t.Any) -> t.Any:
        response.headers["X-Request-Id"] = request_id.get("unset")
        return response

    app.after_request(report)

    @app.route("/sync")
    def sync_view() -> str:
        return request_id.get("unset")

    @app.route("/async")
    async def async_view() -> str:
        return request_id.get("unset")

    return app


def test_context_variable_set_by_async_hook_stays_set_as_in_flask() -> None:
    # asgiref, which runs Flask's coroutines, copies their context back; microflask's
    # event loop ran them in a copy the caller never saw.
    contextvars.copy_context().run(
        assert_same, async_hook_sets_a_context_variable, [get("/sync"), get("/async")]
    )


class _Keep(logging.Handler):
    """A handler that keeps the records it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _error_records(fw: types.ModuleType) -> list[tuple[str, str, str, str]]:
    """Log an unhandled error and a failed finalize; return what the records say."""
    app = make_app(fw)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    handler = _Keep()

    def fail() -> str:
        raise ValueError("view failed")

    def fail_after(response: t.Any) -> t.Any:
        raise RuntimeError("after_request failed")

    app.add_url_rule("/fail", "fail", fail)
    app.after_request(fail_after)
    app.logger.addHandler(handler)
    try:
        app.test_client().get("/fail")
    finally:
        app.logger.removeHandler(handler)
    return [(r.levelname, r.getMessage(), r.module, r.funcName) for r in handler.records]


def test_error_records_name_the_function_that_logged_as_in_flask() -> None:
    # Both went through one private helper, so every record said funcName="_log_error".
    found = {name: _error_records(fw) for name, fw in FRAMEWORKS.items()}
    assert found["microflask"] == found["flask"]
    assert [funcname for *_, funcname in found["flask"]] == ["log_exception", "finalize_request"]
