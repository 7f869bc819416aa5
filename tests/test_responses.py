"""Tests for turning view return values into responses, and the response helpers."""

from __future__ import annotations

import typing as t
from http import HTTPStatus

import pytest
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.wrappers import Response as WerkzeugResponse

from microflask import Microflask, Response, abort, make_response, redirect, request
from microflask.helpers import Aborter
from microflask.testing import MicroflaskClient

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


def _serve(app: Microflask, client: MicroflaskClient, rv: t.Any) -> t.Any:
    app.add_url_rule("/", "view", lambda: rv)
    return client.get("/")


def test_str_becomes_html_response(app: Microflask, client: MicroflaskClient) -> None:
    rv = _serve(app, client, "héllo")
    assert rv.status_code == 200
    assert rv.mimetype == "text/html"
    assert rv.get_data(as_text=True) == "héllo"


@pytest.mark.parametrize("body", [b"\x00raw", bytearray(b"\x00raw")])
def test_bytes_become_the_body(
    app: Microflask, client: MicroflaskClient, body: bytes | bytearray
) -> None:
    rv = _serve(app, client, body)
    assert rv.data == b"\x00raw"


@pytest.mark.parametrize("value", [{"a": 1, "b": [1, 2]}, [1, "two", None]])
def test_dict_and_list_become_json(app: Microflask, client: MicroflaskClient, value: t.Any) -> None:
    rv = _serve(app, client, value)
    assert rv.mimetype == "application/json"
    assert rv.json == value


def test_generator_is_streamed(app: Microflask, client: MicroflaskClient) -> None:
    produced = []

    def generate() -> t.Iterator[str]:
        for part in ("one ", "two ", "three"):
            produced.append(part)
            yield part

    @app.route("/")
    def view() -> t.Any:
        return generate()

    rv = client.get("/")
    assert rv.is_streamed
    assert len(produced) < 3  # the client only peeks at the first part
    assert rv.data == b"one two three"
    assert produced == ["one ", "two ", "three"]


def test_response_instance_is_returned_as_is(app: Microflask, client: MicroflaskClient) -> None:
    own = Response("mine", status=202, mimetype="text/plain")
    rv = _serve(app, client, own)
    assert rv.status_code == 202
    assert rv.mimetype == "text/plain"
    assert rv.data == b"mine"


def test_werkzeug_response_is_converted(app: Microflask, client: MicroflaskClient) -> None:
    rv = _serve(app, client, WerkzeugResponse("plain werkzeug", status=203))
    assert rv.status_code == 203
    assert rv.data == b"plain werkzeug"


def test_wsgi_callable_is_called(app: Microflask, client: MicroflaskClient) -> None:
    def wsgi_app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response("207 MULTI-STATUS", [("X-Wsgi", "yes")])
        return [environ["PATH_INFO"].encode()]

    rv = _serve(app, client, wsgi_app)
    assert rv.status_code == 207
    assert rv.headers["X-Wsgi"] == "yes"
    assert rv.data == b"/"


@pytest.mark.parametrize(
    ("value", "status", "body"),
    [
        (("created", 201), "201 CREATED", b"created"),
        (("teapot", "418 I'M A TEAPOT"), "418 I'M A TEAPOT", b"teapot"),
        ((b"bytes", 202), "202 ACCEPTED", b"bytes"),
        ((Response("resp"), 203), "203 NON AUTHORITATIVE INFORMATION", b"resp"),
        (({"k": "v"}, 201), "201 CREATED", b'{"k":"v"}\n'),
        (("custom", "299 ALL GOOD"), "299 ALL GOOD", b"custom"),
        (("enum", HTTPStatus.ACCEPTED), "202 ACCEPTED", b"enum"),
        (([1], HTTPStatus.CREATED), "201 CREATED", b"[1]\n"),
    ],
)
def test_body_status_tuple_sets_status(
    app: Microflask, client: MicroflaskClient, value: t.Any, status: str, body: bytes
) -> None:
    rv = _serve(app, client, value)
    assert rv.status == status
    assert rv.data == body


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Extra": "1"},
        [("X-Extra", "1")],
        Headers({"X-Extra": "1"}),
    ],
)
def test_body_headers_tuple_adds_headers(
    app: Microflask, client: MicroflaskClient, headers: t.Any
) -> None:
    rv = _serve(app, client, ("with headers", headers))
    assert rv.status_code == 200
    assert rv.headers["X-Extra"] == "1"
    assert rv.data == b"with headers"


def test_body_status_headers_tuple(app: Microflask, client: MicroflaskClient) -> None:
    rv = _serve(app, client, ("all three", 404, {"X-Extra": "1"}))
    assert rv.status_code == 404
    assert rv.headers["X-Extra"] == "1"
    assert rv.data == b"all three"


def test_tuple_headers_extend_a_response(app: Microflask, client: MicroflaskClient) -> None:
    rv = _serve(app, client, (Response("r", headers={"X-A": "a"}), {"X-B": "b"}))
    assert rv.headers["X-A"] == "a"
    assert rv.headers["X-B"] == "b"


def test_none_raises_type_error_naming_the_view(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/")  # type: ignore[type-var]  # None is not a response: the point
    def forgot_return() -> None:
        pass

    with pytest.raises(TypeError, match="'forgot_return' did not return a valid response"):
        client.get("/")


def test_tuple_with_none_body_raises_type_error(app: Microflask, client: MicroflaskClient) -> None:
    with pytest.raises(TypeError, match="'view' did not return a valid response"):
        _serve(app, client, (None, 200))


@pytest.mark.parametrize(
    ("value", "type_name"), [(42, "int"), (1.5, "float"), (object(), "object")]
)
def test_unknown_type_raises_type_error(
    app: Microflask, client: MicroflaskClient, value: t.Any, type_name: str
) -> None:
    with pytest.raises(TypeError, match=f"'view'.*but it was a {type_name}"):
        _serve(app, client, value)


@pytest.mark.parametrize("value", [("only body",), ("a", 200, {}, "extra")])
def test_bad_tuple_length_raises_type_error(
    app: Microflask, client: MicroflaskClient, value: tuple[t.Any, ...]
) -> None:
    with pytest.raises(TypeError, match=f"returned a tuple of {len(value)} items") as excinfo:
        _serve(app, client, value)
    assert "The tuple must have the form (body, status, headers)" in str(excinfo.value)


def test_make_response_without_arguments_is_empty(app: Microflask) -> None:
    with app.test_request_context():
        rv = make_response()
    assert isinstance(rv, Response)
    assert rv.status_code == 200
    assert rv.data == b""


def test_make_response_takes_view_style_arguments(app: Microflask) -> None:
    with app.test_request_context():
        rv = make_response("body", 201, {"X-Made": "yes"})
    assert rv.status_code == 201
    assert rv.headers["X-Made"] == "yes"
    assert rv.data == b"body"


def test_make_response_returns_a_response_unchanged(app: Microflask) -> None:
    own = Response("own")
    with app.test_request_context():
        assert make_response(own) is own


def test_make_response_lets_a_view_add_headers(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/")
    def view() -> Response:
        rv = make_response({"ok": True})
        rv.headers["X-Added"] = "later"
        return rv

    rv = client.get("/")
    assert rv.json == {"ok": True}
    assert rv.headers["X-Added"] == "later"


def test_redirect_default_is_302_to_location(app: Microflask) -> None:
    with app.app_context():
        rv = redirect("/target")
    assert rv.status_code == 302
    assert rv.location == "/target"
    assert isinstance(rv, Response)


def test_redirect_uses_app_redirect(app: Microflask, client: MicroflaskClient) -> None:
    calls = []

    def custom_redirect(location: str, code: int = 302) -> Response:
        calls.append((location, code))
        return Response("custom", status=code, headers={"Location": f"/custom{location}"})

    app.redirect = custom_redirect  # type: ignore[method-assign]
    app.route("/")(lambda: redirect("/next", 307))
    rv = client.get("/")
    assert calls == [("/next", 307)]
    assert rv.status_code == 307
    assert rv.location == "/custom/next"


def test_redirect_outside_app_uses_werkzeug() -> None:
    rv = redirect("/away", 301)
    assert rv.status_code == 301
    assert rv.location == "/away"


class Unavailable(HTTPException):
    code = 499
    description = "Client went away."


def test_abort_uses_app_aborter(app: Microflask, client: MicroflaskClient) -> None:
    app.aborter = Aborter(extra={499: Unavailable})
    app.route("/")(lambda: abort(499))
    rv = client.get("/")
    assert rv.status_code == 499
    assert b"Client went away." in rv.data


def test_abort_uses_aborter_class() -> None:
    class TeapotAborter(Aborter):
        def __init__(
            self,
            mapping: dict[int, type[HTTPException]] | None = None,
            extra: dict[int, type[HTTPException]] | None = None,
        ) -> None:
            super().__init__(mapping, {499: Unavailable, **(extra or {})})

    class TeapotApp(Microflask):
        aborter_class = TeapotAborter

    app = TeapotApp("teapot")
    app.route("/")(lambda: abort(499))
    assert isinstance(app.aborter, TeapotAborter)
    assert app.test_client().get("/").status_code == 499


def test_abort_raises_the_http_exception(app: Microflask) -> None:
    with app.test_request_context(), pytest.raises(NotFound):
        abort(404)


def test_abort_with_a_response_sends_it(app: Microflask, client: MicroflaskClient) -> None:
    app.route("/")(lambda: abort(Response("stop right there", status=403)))
    rv = client.get("/")
    assert rv.status_code == 403
    assert rv.data == b"stop right there"


def test_abort_outside_app_uses_werkzeug() -> None:
    with pytest.raises(NotFound):
        abort(404)


def test_abort_description_reaches_the_body(app: Microflask, client: MicroflaskClient) -> None:
    app.route("/")(lambda: abort(400, f"bad {request.args['what']}"))
    rv = client.get("/?what=thing")
    assert rv.status_code == 400
    assert b"bad thing" in rv.data
