"""Faults inside the request cycle: the client gets a 500, cleanup still happens.

Each fault — a before or after hook, a teardown, an error handler, a generator
mid-stream, the session save — is injected into one app that records every teardown.
The tests check what the client receives, that every teardown ran with the error,
that the error was logged with its traceback, and that the next request is clean.
"""

from __future__ import annotations

import io
import logging
import typing as t
import wsgiref.handlers

import pytest

from microflask import Microflask, Response, request, session, stream_with_context
from microflask.sessions import SecureCookieSessionInterface, SessionMixin

if t.TYPE_CHECKING:
    from microflask.wrappers import Response as ResponseType

pytestmark = pytest.mark.reliability


class Fault(Exception):
    """The error every fault raises, so nothing else is mistaken for it."""


class _Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def add(self, name: str, exc: BaseException | None = None) -> None:
        self.events.append((name, type(exc).__name__ if exc is not None else "-"))

    def take(self) -> list[tuple[str, str]]:
        events, self.events = self.events, []
        return events


def _fail(point: str) -> None:
    if point in request.args.getlist("fail"):
        raise Fault(point)


def _make_app(recorder: _Recorder) -> Microflask:
    app = Microflask("reliability_faults")
    app.config.update(SECRET_KEY="faults", PROPAGATE_EXCEPTIONS=False)
    _add_hooks(app, recorder)
    _add_views(app, recorder)
    return app


def _add_hooks(app: Microflask, recorder: _Recorder) -> None:
    @app.before_request
    def before() -> None:
        _fail("before")

    @app.after_request
    def after(response: ResponseType) -> ResponseType:
        _fail("after")
        return response

    @app.teardown_request
    def teardown_outer(exc: BaseException | None) -> None:
        recorder.add("teardown_request outer", exc)

    @app.teardown_request
    def teardown_inner(exc: BaseException | None) -> None:
        recorder.add("teardown_request inner", exc)
        _fail("teardown")

    @app.teardown_appcontext
    def teardown_app(exc: BaseException | None) -> None:
        recorder.add("teardown_appcontext", exc)

    @app.errorhandler(LookupError)
    def lookup_failed(error: LookupError) -> str:
        raise Fault("the LookupError handler")

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        _fail("500-handler")
        return "custom 500 page", 500


def _add_views(app: Microflask, recorder: _Recorder) -> None:
    @app.route("/")
    def index() -> str:
        _fail("view")
        if "handler" in request.args.getlist("fail"):
            raise LookupError("nothing here")
        return "ok"

    def numbers(fail: bool) -> t.Iterator[str]:
        try:
            yield "first "
            if fail:
                raise Fault("stream")
            yield "second"
        finally:
            recorder.add("generator finally")

    @app.route("/stream")
    def stream() -> Response:
        return Response(numbers("stream" in request.args.getlist("fail")))

    @app.route("/stream-with-context")
    def stream_in_context() -> Response:
        return Response(stream_with_context(numbers("stream" in request.args.getlist("fail"))))


@pytest.fixture
def recorder() -> _Recorder:
    return _Recorder()


@pytest.fixture
def fault_app(recorder: _Recorder) -> Microflask:
    return _make_app(recorder)


TEARDOWNS = ["teardown_request inner", "teardown_request outer", "teardown_appcontext"]


def _assert_next_request_is_clean(app: Microflask, recorder: _Recorder) -> None:
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert response.data == b"ok"
    assert recorder.take() == [(name, "-") for name in TEARDOWNS]


@pytest.mark.parametrize(
    ("faults", "body"),
    [
        (["before"], "custom 500 page"),
        (["view"], "custom 500 page"),
        (["after"], "custom 500 page"),
        (["handler"], "custom 500 page"),
        (["view", "500-handler"], "Internal Server Error"),
        (["before", "after", "500-handler"], "Internal Server Error"),
    ],
    ids=["before", "view", "after", "error-handler", "500-handler", "every-hook"],
)
def test_fault_gives_500_and_runs_every_teardown(
    fault_app: Microflask,
    recorder: _Recorder,
    caplog: pytest.LogCaptureFixture,
    faults: list[str],
    body: str,
) -> None:
    with caplog.at_level(logging.ERROR, logger=fault_app.name):
        response = fault_app.test_client().get("/", query_string={"fail": faults})
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert body in text
    assert "Traceback" not in text and "Fault" not in text
    # One error reached the teardowns, and each ran once.
    assert recorder.take() == [(name, "Fault") for name in TEARDOWNS]
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is Fault]
    assert logged, "the error was not logged with its traceback"
    _assert_next_request_is_clean(fault_app, recorder)


def test_failing_teardown_still_runs_the_others(fault_app: Microflask, recorder: _Recorder) -> None:
    # As in Flask, a teardown error escapes to the WSGI server, after the rest ran.
    with pytest.raises(Fault):
        fault_app.test_client().get("/", query_string={"fail": "teardown"})
    assert recorder.take() == [(name, "-") for name in TEARDOWNS]
    _assert_next_request_is_clean(fault_app, recorder)


def test_failing_teardown_is_a_plain_500_from_a_wsgi_server(
    fault_app: Microflask, recorder: _Recorder
) -> None:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "QUERY_STRING": "fail=teardown",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    out, errors = io.BytesIO(), io.StringIO()
    handler = wsgiref.handlers.SimpleHandler(io.BytesIO(), out, errors, environ)
    handler.run(fault_app)
    raw = out.getvalue()
    assert raw.split(b"\r\n")[0].endswith(b" 500 Internal Server Error")
    assert b"Traceback" not in raw and b"Fault" not in raw
    assert "Fault: teardown" in errors.getvalue()  # the server logs it, not the client
    assert recorder.take() == [(name, "-") for name in TEARDOWNS]
    _assert_next_request_is_clean(fault_app, recorder)


def test_generator_failing_mid_stream_is_closed(fault_app: Microflask, recorder: _Recorder) -> None:
    response = fault_app.test_client().get("/stream", query_string={"fail": "stream"})
    assert response.status_code == 200  # the headers went out before the fault
    chunks = iter(response.response)
    assert next(chunks) == b"first "
    with pytest.raises(Fault):
        next(chunks)
    response.close()
    # The view's context ended when the view returned; the generator cleaned up.
    assert recorder.take() == [*[(name, "-") for name in TEARDOWNS], ("generator finally", "-")]
    _assert_next_request_is_clean(fault_app, recorder)


def test_generator_with_context_failing_mid_stream(
    fault_app: Microflask, recorder: _Recorder
) -> None:
    response = fault_app.test_client().get("/stream-with-context", query_string={"fail": "stream"})
    with pytest.raises(Fault):
        response.get_data()
    response.close()
    events = recorder.take()
    # The context pushed again for the stream is torn down with the error, after
    # the generator closed (Flask also tears the view's context down first).
    assert events[-4:] == [("generator finally", "-"), *[(n, "Fault") for n in TEARDOWNS]]
    _assert_next_request_is_clean(fault_app, recorder)


@pytest.mark.parametrize("path", ["/stream", "/stream-with-context"])
def test_stream_abandoned_by_the_client_is_closed(
    fault_app: Microflask, recorder: _Recorder, path: str
) -> None:
    response = fault_app.test_client().get(path)
    assert next(iter(response.response)) == b"first "
    response.close()  # what a server does when the client goes away
    names = [name for name, _ in recorder.take()]
    assert "generator finally" in names
    assert set(TEARDOWNS) <= set(names)
    _assert_next_request_is_clean(fault_app, recorder)


class _FailingSaveInterface(SecureCookieSessionInterface):
    def save_session(self, app: Microflask, session: SessionMixin, response: t.Any) -> None:
        raise Fault("session store unavailable")


def test_failing_session_save_gives_500(
    recorder: _Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    app = Microflask("reliability_session_fault")
    app.config.update(SECRET_KEY="faults", PROPAGATE_EXCEPTIONS=False)
    app.session_interface = _FailingSaveInterface()

    @app.route("/")
    def index() -> str:
        return "ok"

    @app.route("/login")
    def login() -> str:
        session["user"] = "ann"
        return "logged in"

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        recorder.add("teardown_request", exc)

    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger=app.name):
        response = client.get("/login")
    assert response.status_code == 500
    assert "Set-Cookie" not in response.headers
    assert b"Fault" not in response.data
    assert recorder.take() == [("teardown_request", "Fault")]
    assert any(r.exc_info and r.exc_info[0] is Fault for r in caplog.records)
    response = client.get("/")  # untouched session: nothing to save
    assert response.status_code == 200
    assert recorder.take() == [("teardown_request", "-")]
