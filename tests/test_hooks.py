"""Tests for the request hooks: before, after, teardown, and the order they run in."""

from __future__ import annotations

import typing as t

import pytest

from microflask import Microflask, Response, g
from microflask.testing import MicroflaskClient


@pytest.fixture
def calls() -> list[t.Any]:
    return []


@pytest.fixture(autouse=True)
def hook_views(app: Microflask, calls: list[t.Any]) -> None:
    """Add views that record their calls to the shared app."""

    @app.route("/")
    def index() -> str:
        calls.append("view")
        return "index"

    @app.route("/fail")
    def fail() -> str:
        calls.append("view")
        raise ZeroDivisionError("boom")


def test_before_request_runs_before_the_view(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.before_request(lambda: calls.append("before"))
    assert client.get("/").data == b"index"
    assert calls == ["before", "view"]


def test_before_request_return_ends_request(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    @app.before_request
    def stop() -> str:
        calls.append("stop")
        return "stopped early"

    @app.before_request
    def not_reached() -> None:
        calls.append("not reached")

    rv = client.get("/")
    assert rv.data == b"stopped early"
    assert calls == ["stop"]


def test_before_request_return_still_runs_after_request(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.before_request(lambda: ("denied", 403))

    @app.after_request
    def after(response: Response) -> Response:
        calls.append(("after", response.status_code))
        response.headers["X-After"] = "ran"
        return response

    rv = client.get("/")
    assert rv.status_code == 403
    assert rv.headers["X-After"] == "ran"
    assert calls == [("after", 403)]


def test_before_request_runs_in_registration_order(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    for name in ("first", "second", "third"):
        app.before_request(lambda name=name: calls.append(name))
    client.get("/")
    assert calls == ["first", "second", "third", "view"]


def test_after_request_runs_in_reverse_registration_order(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    for name in ("first", "second", "third"):

        def after(response: Response, name: str = name) -> Response:
            calls.append(name)
            return response

        app.after_request(after)
    client.get("/")
    assert calls == ["view", "third", "second", "first"]


def test_after_request_may_replace_the_response(app: Microflask, client: MicroflaskClient) -> None:
    app.after_request(lambda response: Response("replaced", status=201))
    rv = client.get("/")
    assert rv.status_code == 201
    assert rv.data == b"replaced"


def test_after_request_sees_the_previous_hooks_response(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.after_request
    def second(response: Response) -> Response:
        response.headers["X-Seen"] = response.get_data(as_text=True)
        return response

    app.after_request(lambda response: Response("from first"))
    assert client.get("/").headers["X-Seen"] == "from first"


def test_teardown_request_runs_without_exception(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.teardown_request(lambda exc: calls.append(("teardown", exc)))
    client.get("/")
    assert calls == ["view", ("teardown", None)]


def test_teardown_appcontext_runs_without_exception(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.teardown_appcontext(lambda exc: calls.append(("app teardown", exc)))
    client.get("/")
    assert calls == ["view", ("app teardown", None)]


@pytest.mark.parametrize("register", ["teardown_request", "teardown_appcontext"])
def test_teardown_gets_the_unhandled_exception(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any], register: str
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    getattr(app, register)(lambda exc: calls.append(exc))
    assert client.get("/fail").status_code == 500
    assert len(calls) == 2
    assert isinstance(calls[1], ZeroDivisionError)


@pytest.mark.parametrize("register", ["teardown_request", "teardown_appcontext"])
def test_teardown_runs_when_the_exception_propagates(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any], register: str
) -> None:
    getattr(app, register)(lambda exc: calls.append(exc))
    with pytest.raises(ZeroDivisionError):
        client.get("/fail")
    assert calls[0] == "view"
    assert isinstance(calls[1], ZeroDivisionError)


def test_teardown_gets_none_when_an_error_handler_handled_it(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.register_error_handler(ZeroDivisionError, lambda e: ("handled", 400))
    app.teardown_request(lambda exc: calls.append(("teardown", exc)))
    rv = client.get("/fail")
    assert rv.status_code == 400
    assert calls == ["view", ("teardown", None)]


def test_teardown_runs_when_before_request_raises(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    @app.before_request
    def explode() -> None:
        raise KeyError("early")

    app.teardown_request(lambda exc: calls.append(type(exc)))
    app.teardown_appcontext(lambda exc: calls.append(type(exc)))
    with pytest.raises(KeyError):
        client.get("/")
    assert calls == [KeyError, KeyError]


@pytest.mark.parametrize("register", ["teardown_request", "teardown_appcontext"])
def test_teardown_runs_in_reverse_registration_order(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any], register: str
) -> None:
    for name in ("first", "second"):
        getattr(app, register)(lambda exc, name=name: calls.append(name))
    client.get("/")
    assert calls == ["view", "second", "first"]


def test_teardown_can_still_use_g(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.before_request(lambda: setattr(g, "resource", "db"))
    app.teardown_request(lambda exc: calls.append(g.resource))
    app.teardown_appcontext(lambda exc: calls.append(g.resource))
    client.get("/")
    assert calls == ["view", "db", "db"]


def test_hooks_run_in_documented_order(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.url_value_preprocessor(lambda endpoint, values: calls.append("url_value_preprocessor"))
    app.before_request(lambda: calls.append("before_request"))

    @app.after_request
    def after(response: Response) -> Response:
        calls.append("after_request")
        return response

    app.teardown_request(lambda exc: calls.append("teardown_request"))
    app.teardown_appcontext(lambda exc: calls.append("teardown_appcontext"))
    client.get("/")
    assert calls == [
        "url_value_preprocessor",
        "before_request",
        "view",
        "after_request",
        "teardown_request",
        "teardown_appcontext",
    ]


def test_teardown_appcontext_runs_for_a_bare_app_context(
    app: Microflask, calls: list[t.Any]
) -> None:
    app.teardown_appcontext(lambda exc: calls.append(exc))
    with app.app_context():
        pass
    assert calls == [None]


def test_teardown_appcontext_gets_the_with_block_exception(
    app: Microflask, calls: list[t.Any]
) -> None:
    app.teardown_appcontext(lambda exc: calls.append(exc))
    error = ValueError("in block")
    with pytest.raises(ValueError), app.app_context():
        raise error
    assert calls == [error]
