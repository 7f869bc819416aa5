"""Tests for error handling: handler lookup, propagation, trapping and logging."""

from __future__ import annotations

import gc
import logging
import typing as t
import weakref

import pytest
from werkzeug.exceptions import (
    BadRequest,
    BadRequestKeyError,
    Forbidden,
    HTTPException,
    InternalServerError,
    NotFound,
)

from microflask import Microflask, abort, request
from microflask.testing import EnvironBuilder, MicroflaskClient


class AppError(Exception):
    """Base of the test app's own errors."""


class PaymentError(AppError):
    """A subclass, to test resolution by MRO."""


@pytest.fixture(autouse=True)
def error_views(app: Microflask) -> None:
    """Add views that raise and abort to the shared app."""

    @app.route("/raise/<kind>")
    def raise_kind(kind: str) -> str:
        errors: dict[str, Exception] = {
            "app": AppError("app"),
            "payment": PaymentError("payment"),
            "zero": ZeroDivisionError("zero"),
            "key": KeyError("key"),
        }
        raise errors[kind]

    @app.route("/abort/<int:code>")
    def abort_code(code: int) -> str:
        abort(code)

    @app.route("/form")
    def form() -> str:
        return request.form["missing"]


@pytest.fixture
def no_propagation(app: Microflask) -> Microflask:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_errorhandler_by_code(app: Microflask, client: MicroflaskClient) -> None:
    @app.errorhandler(404)
    def not_found(e: HTTPException) -> tuple[str, int]:
        return f"custom {e.code}", 404

    rv = client.get("/nowhere")
    assert rv.status_code == 404
    assert rv.data == b"custom 404"


def test_errorhandler_by_http_exception_class(app: Microflask, client: MicroflaskClient) -> None:
    app.register_error_handler(Forbidden, lambda e: ("forbidden!", 403))
    assert client.get("/abort/403").data == b"forbidden!"


def test_errorhandler_by_exception_class(app: Microflask, client: MicroflaskClient) -> None:
    app.register_error_handler(ZeroDivisionError, lambda e: (f"handled {e}", 500))
    rv = client.get("/raise/zero")
    assert rv.status_code == 500
    assert rv.data == b"handled zero"


def test_handler_is_resolved_through_the_mro(app: Microflask, client: MicroflaskClient) -> None:
    app.register_error_handler(AppError, lambda e: f"base handled {type(e).__name__}")
    assert client.get("/raise/payment").data == b"base handled PaymentError"


def test_most_specific_class_handler_wins(app: Microflask, client: MicroflaskClient) -> None:
    app.register_error_handler(AppError, lambda e: "base")
    app.register_error_handler(PaymentError, lambda e: "specific")
    assert client.get("/raise/payment").data == b"specific"
    assert client.get("/raise/app").data == b"base"


def test_builtin_base_class_handler_catches_subclass(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.register_error_handler(LookupError, lambda e: "lookup handled")
    assert client.get("/raise/key").data == b"lookup handled"


def test_code_handler_beats_class_handler(app: Microflask, client: MicroflaskClient) -> None:
    app.register_error_handler(HTTPException, lambda e: "by class")
    app.register_error_handler(404, lambda e: "by code")
    assert client.get("/abort/404").data == b"by code"
    assert client.get("/abort/403").data == b"by class"


def test_http_exception_handler_catches_every_http_error(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.errorhandler(HTTPException)
    def any_http(e: HTTPException) -> tuple[dict[str, t.Any], int]:
        return {"code": e.code, "name": e.name}, t.cast(int, e.code)

    assert client.get("/nowhere").json == {"code": 404, "name": "Not Found"}
    assert client.post("/form").json == {"code": 405, "name": "Method Not Allowed"}
    assert client.get("/abort/418").json == {"code": 418, "name": "I'm a teapot"}


def test_http_exception_handler_does_not_catch_other_errors(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.register_error_handler(HTTPException, lambda e: "http")
    with pytest.raises(ZeroDivisionError):
        client.get("/raise/zero")


def test_unhandled_http_error_gives_its_default_page(client: MicroflaskClient) -> None:
    rv = client.get("/abort/403")
    assert rv.status_code == 403
    assert b"Forbidden" in rv.data


@pytest.mark.usefixtures("no_propagation")
def test_unhandled_exception_is_500(client: MicroflaskClient) -> None:
    rv = client.get("/raise/zero")
    assert rv.status_code == 500
    assert b"Internal Server Error" in rv.data
    assert b"zero" not in rv.data


@pytest.mark.usefixtures("no_propagation")
def test_500_handler_gets_internal_server_error_with_original(
    app: Microflask, client: MicroflaskClient
) -> None:
    seen: list[t.Any] = []

    @app.errorhandler(500)
    def server_error(e: InternalServerError) -> tuple[str, int]:
        seen.append(e)
        return f"sorry: {e.original_exception!r}", 500

    rv = client.get("/raise/zero")
    assert rv.status_code == 500
    assert rv.data == b"sorry: ZeroDivisionError('zero')"
    assert isinstance(seen[0], InternalServerError)


@pytest.mark.usefixtures("no_propagation")
def test_internal_server_error_class_handler_gets_unhandled_errors(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.register_error_handler(InternalServerError, lambda e: ("class 500", 500))
    assert client.get("/raise/app").data == b"class 500"


@pytest.mark.usefixtures("no_propagation")
def test_500_handler_gets_aborted_500_without_original(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.register_error_handler(500, lambda e: (repr(e.original_exception), 500))
    assert client.get("/abort/500").data == b"None"


@pytest.mark.parametrize(
    ("config", "debug", "propagates"),
    [
        ({"TESTING": True}, False, True),
        ({"TESTING": False}, True, True),
        ({"TESTING": False}, False, False),
        ({"TESTING": True, "PROPAGATE_EXCEPTIONS": False}, False, False),
        ({"TESTING": False, "PROPAGATE_EXCEPTIONS": True}, False, True),
        ({"TESTING": True, "PROPAGATE_EXCEPTIONS": False}, True, False),
    ],
)
def test_propagate_exceptions(
    app: Microflask,
    client: MicroflaskClient,
    config: dict[str, t.Any],
    debug: bool,
    propagates: bool,
) -> None:
    app.config.update(config)
    app.debug = debug
    if propagates:
        with pytest.raises(ZeroDivisionError):
            client.get("/raise/zero")
    else:
        assert client.get("/raise/zero").status_code == 500


def test_trap_http_exceptions_raises_unhandled_http_errors(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.config["TRAP_HTTP_EXCEPTIONS"] = True
    with pytest.raises(NotFound):
        client.get("/abort/404")


def test_trap_http_exceptions_without_propagation_is_500(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.config.update(TRAP_HTTP_EXCEPTIONS=True, PROPAGATE_EXCEPTIONS=False)
    assert client.get("/abort/404").status_code == 500


def test_trap_http_exceptions_still_uses_a_registered_handler(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.config["TRAP_HTTP_EXCEPTIONS"] = True
    app.register_error_handler(404, lambda e: ("handled anyway", 404))
    assert client.get("/abort/404").data == b"handled anyway"


def test_bad_request_key_error_is_400_by_default(client: MicroflaskClient) -> None:
    rv = client.get("/form")
    assert rv.status_code == 400
    assert b"missing" not in rv.data


def test_bad_request_key_error_is_trapped_in_debug(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.debug = True
    with pytest.raises(BadRequestKeyError):
        client.get("/form")


def test_bad_request_key_error_shows_the_key_in_debug(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.debug = True
    app.config["TRAP_BAD_REQUEST_ERRORS"] = False
    rv = client.get("/form")
    assert rv.status_code == 400
    assert b"KeyError: &#39;missing&#39;" in rv.data


def test_trap_bad_request_errors_raises_any_bad_request(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.config["TRAP_BAD_REQUEST_ERRORS"] = True
    with pytest.raises(BadRequestKeyError):
        client.get("/form")
    with pytest.raises(BadRequest):
        client.get("/abort/400")


def test_trap_bad_request_errors_leaves_other_http_errors(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.config["TRAP_BAD_REQUEST_ERRORS"] = True
    assert client.get("/abort/404").status_code == 404


def test_trap_bad_request_errors_false_is_400_even_in_debug(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.debug = True
    app.config.update(TRAP_BAD_REQUEST_ERRORS=False, PROPAGATE_EXCEPTIONS=False)
    assert client.get("/form").status_code == 400


@pytest.mark.usefixtures("no_propagation")
def test_unhandled_error_is_logged_with_traceback(
    app: Microflask, client: MicroflaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        client.get("/raise/zero")
    (record,) = [r for r in caplog.records if r.name == app.logger.name]
    assert record.levelno == logging.ERROR
    assert "/raise/zero" in record.getMessage()
    assert record.exc_info is not None
    assert record.exc_info[0] is ZeroDivisionError
    assert "Traceback" in caplog.text


def test_handled_error_is_not_logged(
    app: Microflask, client: MicroflaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    app.register_error_handler(ZeroDivisionError, lambda e: "fine")
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        client.get("/raise/zero")
    assert [r for r in caplog.records if r.name == app.logger.name] == []


@pytest.mark.usefixtures("no_propagation")
def test_error_in_500_handler_gives_plain_500(
    app: Microflask, client: MicroflaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    @app.errorhandler(500)
    def broken_handler(e: Exception) -> str:
        raise RuntimeError("handler secret")

    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        rv = client.get("/raise/zero")
    assert rv.status_code == 500
    assert b"Internal Server Error" in rv.data
    assert b"Traceback" not in rv.data
    assert b"handler secret" not in rv.data
    assert b"zero" not in rv.data
    assert "handler secret" in caplog.text


@pytest.mark.usefixtures("no_propagation")
def test_error_in_other_handler_gives_500(app: Microflask, client: MicroflaskClient) -> None:
    @app.errorhandler(404)
    def broken_handler(e: Exception) -> str:
        raise RuntimeError("handler secret")

    rv = client.get("/nowhere")
    assert rv.status_code == 500
    assert b"handler secret" not in rv.data


def test_error_handler_return_value_is_a_view_return_value(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.register_error_handler(AppError, lambda e: ({"error": str(e)}, 409, {"X-Err": "1"}))
    rv = client.get("/raise/app")
    assert rv.status_code == 409
    assert rv.json == {"error": "app"}
    assert rv.headers["X-Err"] == "1"


def test_errorhandler_returns_the_function(app: Microflask) -> None:
    def handler(e: Exception) -> str:
        return ""

    assert app.errorhandler(404)(handler) is handler
    assert app.error_handler_spec[None][404][NotFound] is handler


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (str, ValueError, "'str' is not a subclass of Exception"),
        (object, ValueError, "'object' is not a subclass of Exception"),
        (ValueError("instance"), TypeError, "is an instance, not a class"),
        (999, ValueError, "'999' is not a recognized HTTP error code"),
        (200, ValueError, "'200' is not a recognized HTTP error code"),
    ],
)
def test_registering_a_bad_handler_key_raises(
    app: Microflask, value: t.Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        app.register_error_handler(value, lambda e: "")
    with pytest.raises(error, match=match):
        app.errorhandler(value)(lambda e: "")


def test_http_handler_is_found_by_the_class_code_not_the_instance_code(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.errorhandler(404)
    def not_found(e: HTTPException) -> tuple[str, int]:
        return f"handled {e.code}", 404

    @app.route("/")
    def index() -> str:
        error = NotFound()
        error.code = 410
        raise error

    rv = client.get("/")
    assert rv.status_code == 404
    assert rv.data == b"handled 410"


# --- no reference cycles left behind by HTTP errors --------------------------


def _ignore_start_response(
    status: str, headers: list[tuple[str, str]], exc_info: object = None
) -> t.Callable[[bytes], object]:
    """Accept the status and headers unread; the caller reads the body only."""
    return lambda data: None


@pytest.mark.parametrize(
    ("path", "handled"),
    [("/missing", False), ("/missing", True), ("/abort", False), ("/only-post", False)],
)
def test_http_error_requests_are_freed_without_the_garbage_collector(
    app: Microflask, path: str, handled: bool
) -> None:
    requests: list[weakref.ref[t.Any]] = []

    @app.before_request
    def remember() -> None:
        requests.append(weakref.ref(request._get_current_object()))  # type: ignore[attr-defined]

    @app.get("/abort")
    def aborts() -> str:
        abort(418)

    @app.post("/only-post")
    def only_post() -> str:
        return "posted"

    if handled:
        app.register_error_handler(404, lambda e: ("custom", 404))
    environ = EnvironBuilder(app, path=path).get_environ()
    gc.collect()
    gc.disable()
    try:
        body = b"".join(app(environ, _ignore_start_response))
        assert body
        assert len(requests) == 1
        assert requests[0]() is None  # freed by reference counting alone
    finally:
        gc.enable()


def test_http_error_with_a_context_loop_still_answers(app: Microflask) -> None:
    @app.get("/loop")
    def loop() -> str:
        error = NotFound()
        error.__context__ = error  # made by hand; Python never builds such a chain
        raise error

    assert app.test_client().get("/loop").status_code == 404


def test_tracebacks_stay_for_teardown_and_for_errors_the_app_keeps(app: Microflask) -> None:
    kept: list[BaseException] = []
    seen_in_teardown: list[bool] = []

    @app.get("/fails")
    def fails() -> str:
        try:
            empty: dict[str, str] = {}
            empty["missing"]
        except KeyError as e:
            kept.append(e)
            abort(503)
        return "unreachable"

    @app.teardown_request
    def check(exc: BaseException | None) -> None:
        error = request.routing_exception
        seen_in_teardown.append(error is None or error.__traceback__ is not None)

    client = app.test_client()
    assert client.get("/fails").status_code == 503
    assert client.get("/nowhere").status_code == 404
    assert seen_in_teardown == [True, True]
    assert kept[0].__traceback__ is not None  # the app's own error keeps its traceback
