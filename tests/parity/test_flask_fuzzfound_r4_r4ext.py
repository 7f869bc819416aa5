"""Compare with Flask 3.1 the cases found running extensions' own suites.

Each case is the smallest app that once behaved differently from Flask when
an extension's test suite (or a script driving the extension) ran on both;
the suites and scripts live outside the repository.
"""

from __future__ import annotations

import asyncio
import contextvars

import pytest
from flask_parity import FRAMEWORKS, make_app


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_an_async_view_leaves_the_threads_event_loop_set(name: str) -> None:
    """Found with strawberry-graphql's views: asyncio.run unset the loop."""
    app = make_app(FRAMEWORKS[name])

    @app.route("/async")
    async def async_view() -> str:
        await asyncio.sleep(0)
        return "async"

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        assert app.test_client().get("/async").text == "async"
        assert asyncio.get_event_loop() is loop
    finally:
        asyncio.set_event_loop(None)
        loop.close()


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_an_async_views_error_does_not_chain_to_a_loop_lookup(name: str) -> None:
    """Found with sentry-sdk, which reports an error's __context__ chain."""
    app = make_app(FRAMEWORKS[name])

    @app.route("/boom")
    async def boom() -> str:
        raise ValueError("boom")

    @app.errorhandler(ValueError)
    def show_context(error: ValueError) -> tuple[str, int]:
        return repr(error.__context__), 500

    assert app.test_client().get("/boom").text == "None"


REQUEST_USER: contextvars.ContextVar[str] = contextvars.ContextVar("request_user")


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_a_context_variable_set_by_an_async_hook_reaches_the_view(name: str) -> None:
    """Found checking asgiref's behaviour: it copies the values back."""
    app = make_app(FRAMEWORKS[name])

    @app.before_request
    async def load_user() -> None:
        REQUEST_USER.set("ada")

    @app.route("/")
    def index() -> str:
        return REQUEST_USER.get("anonymous")

    token = REQUEST_USER.set("before the request")
    try:
        assert app.test_client().get("/").text == "ada"
    finally:
        REQUEST_USER.reset(token)
