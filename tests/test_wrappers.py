"""Tests for ``Request`` (JSON, routing data, size limits) and ``Response``."""

from __future__ import annotations

import io
import threading
import typing as t

import pytest
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from microflask import Blueprint, Microflask, Request, Response, request
from microflask.testing import MicroflaskClient


@pytest.fixture(autouse=True)
def wrapper_views(app: Microflask) -> None:
    """Add views echoing the request body to the shared app."""

    @app.post("/json")
    def echo_json() -> t.Any:
        return {"got": request.get_json()}

    @app.post("/data")
    def data() -> str:
        return str(len(request.get_data()))

    @app.post("/form")
    def form() -> str:
        return ",".join(f"{k}={len(v)}" for k, v in sorted(request.form.items()))


def test_get_json_parses_a_json_body(client: MicroflaskClient) -> None:
    assert client.post("/json", json={"a": [1, 2]}).json == {"got": {"a": [1, 2]}}


@pytest.mark.parametrize("mimetype", ["application/json", "application/vnd.api+json"])
def test_get_json_accepts_json_mimetypes(app: Microflask, mimetype: str) -> None:
    with app.test_request_context(method="POST", data="[1]", content_type=mimetype):
        assert request.is_json
        assert request.get_json() == [1]


def test_json_property_is_get_json(app: Microflask) -> None:
    with app.test_request_context(method="POST", json={"k": "v"}):
        assert request.json == {"k": "v"}


def test_malformed_json_is_400_with_reason(client: MicroflaskClient) -> None:
    rv = client.post("/json", data="{not json", content_type="application/json")
    assert rv.status_code == 400
    assert b"Failed to decode JSON object" in rv.data


def test_malformed_json_raises_bad_request(app: Microflask) -> None:
    with app.test_request_context(method="POST", data="{", content_type="application/json"):
        with pytest.raises(BadRequest, match="Failed to decode JSON object"):
            request.get_json()


def test_wrong_content_type_is_415(client: MicroflaskClient) -> None:
    rv = client.post("/json", data='{"a": 1}', content_type="text/plain")
    assert rv.status_code == 415


def test_wrong_content_type_raises_unsupported_media_type(app: Microflask) -> None:
    with app.test_request_context(method="POST", data="{}", content_type="text/plain"):
        with pytest.raises(UnsupportedMediaType):
            request.get_json()


def test_get_json_force_ignores_content_type(app: Microflask) -> None:
    with app.test_request_context(method="POST", data='{"a": 1}', content_type="text/plain"):
        assert request.get_json(force=True) == {"a": 1}


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("{bad", "application/json"), ('{"a": 1}', "text/plain")],
)
def test_get_json_silent_returns_none(app: Microflask, data: str, content_type: str) -> None:
    with app.test_request_context(method="POST", data=data, content_type=content_type):
        assert request.get_json(silent=True) is None


def test_get_json_caches_the_result(app: Microflask) -> None:
    with app.test_request_context(method="POST", json={"a": 1}):
        first = request.get_json()
        assert request.get_json() is first


def test_get_json_cache_false_parses_again(app: Microflask) -> None:
    with app.test_request_context(method="POST", json={"a": 1}):
        request.get_data()  # keep the raw body so it can be parsed twice
        first = request.get_json(cache=False)
        second = request.get_json(cache=False)
        assert first == second
        assert first is not second


def test_get_json_uses_the_app_json_provider(app: Microflask) -> None:
    calls = []
    original = app.json.loads

    def loads(s: str | bytes, **kwargs: t.Any) -> t.Any:
        calls.append(s)
        return original(s, **kwargs)

    app.json.loads = loads  # type: ignore[method-assign]
    with app.test_request_context(method="POST", json=[1]):
        assert request.get_json() == [1]
    assert calls == [b"[1]"]


def test_url_rule_view_args_and_endpoint(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/item/<int:item_id>", endpoint="item")
    def show(item_id: int) -> dict[str, t.Any]:
        rule = request.url_rule
        assert rule is not None
        return {
            "rule": rule.rule,
            "view_args": request.view_args,
            "endpoint": request.endpoint,
            "blueprint": request.blueprint,
            "blueprints": request.blueprints,
        }

    assert client.get("/item/4").json == {
        "rule": "/item/<int:item_id>",
        "view_args": {"item_id": 4},
        "endpoint": "item",
        "blueprint": None,
        "blueprints": [],
    }


def test_routing_attributes_are_none_when_nothing_matched(app: Microflask) -> None:
    with app.test_request_context("/nowhere"):
        assert request.url_rule is None
        assert request.view_args is None
        assert request.endpoint is None
        assert request.blueprint is None
        assert request.blueprints == []


def test_blueprint_and_blueprints_for_nested_blueprints(
    app: Microflask, client: MicroflaskClient
) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")

    @child.route("/view")
    def view() -> dict[str, t.Any]:
        return {
            "endpoint": request.endpoint,
            "blueprint": request.blueprint,
            "blueprints": request.blueprints,
        }

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get("/parent/child/view").json == {
        "endpoint": "parent.child.view",
        "blueprint": "parent.child",
        "blueprints": ["parent.child", "parent"],
    }


def test_max_content_length_is_413(app: Microflask, client: MicroflaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10
    assert client.post("/data", data=b"x" * 10).data == b"10"
    assert client.post("/data", data=b"x" * 11).status_code == 413


def test_max_content_length_applies_to_forms(app: Microflask, client: MicroflaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10
    assert client.post("/form", data={"field": "x" * 50}).status_code == 413


def test_max_form_memory_size_is_413(app: Microflask, client: MicroflaskClient) -> None:
    app.config["MAX_FORM_MEMORY_SIZE"] = 500
    upload = (io.BytesIO(b"file"), "a.txt")
    assert client.post("/form", data={"small": "x" * 20, "upload": upload}).data == b"small=20"
    upload = (io.BytesIO(b"file"), "a.txt")
    rv = client.post("/form", data={"big": "x" * 501, "upload": upload})
    assert rv.status_code == 413


class _Trickle:
    """A wsgi.input whose sized reads return at most 4 bytes, as a socket's may."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int | None = -1) -> bytes:
        size = len(self.data) if size is None or size < 0 else min(size, 4)
        chunk, self.data = self.data[:size], self.data[size:]
        return chunk


def _streamed(body: bytes, length: str | None) -> dict[str, t.Any]:
    """Return environ overrides for a urlencoded body of known or unknown length."""
    environ: dict[str, t.Any] = {
        "wsgi.input": _Trickle(body),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": length,
    }
    if length is None:  # chunked: the server ends the stream
        environ.update({"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True})
    return environ


@pytest.mark.parametrize("length", ["21", None])
def test_urlencoded_body_arriving_in_short_reads_is_read_whole(
    client: MicroflaskClient, length: str | None
) -> None:
    rv = client.post("/form", environ_overrides=_streamed(b"name=alice&role=admin", length))
    assert rv.text == "name=5,role=5"


def test_urlencoded_body_shorter_than_its_length_is_400(client: MicroflaskClient) -> None:
    environ = {
        "wsgi.input": io.BytesIO(b"a=1&b=2"),
        "CONTENT_LENGTH": "100",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
    }
    assert client.post("/form", environ_overrides=environ).status_code == 400


def test_urlencoded_body_of_unknown_length_is_bounded_across_reads(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.config["MAX_FORM_MEMORY_SIZE"] = 10
    rv = client.post("/form", environ_overrides=_streamed(b"a=" + b"x" * 20, None))
    assert rv.status_code == 413
    rv = client.post("/form", environ_overrides=_streamed(b"a=" + b"x" * 8, None))
    assert rv.text == "a=8"


class _FailingInput:
    """A wsgi.input whose reads fail with the given error, after the given bytes."""

    def __init__(self, data: bytes, error: Exception) -> None:
        self.data, self.error = data, error

    def read(self, size: int | None = -1) -> bytes:
        if self.data:
            chunk, self.data = self.data, b""
            return chunk
        raise self.error


@pytest.mark.parametrize(
    ("error", "status"),
    [(OSError("connection reset"), 400), (RequestEntityTooLarge(), 413)],
)
def test_terminated_body_read_errors_keep_their_meaning(
    client: MicroflaskClient, error: Exception, status: int
) -> None:
    # A failing read is a disconnect (400), as Werkzeug's stream reads it; an HTTP error
    # from the stream (a limit in a middleware's stream, say) stays that error.
    environ = _streamed(b"a=1&b=", None)
    environ["wsgi.input"] = _FailingInput(b"a=1&b=", error)
    assert client.post("/form", environ_overrides=environ).status_code == status


def test_max_form_parts_is_413(app: Microflask, client: MicroflaskClient) -> None:
    app.config["MAX_FORM_PARTS"] = 2
    ok = {"a": "1", "upload": (io.BytesIO(b"x"), "a.txt")}
    assert client.post("/form", data=ok).status_code == 200
    too_many = {"a": "1", "b": "2", "upload": (io.BytesIO(b"x"), "a.txt")}
    assert client.post("/form", data=too_many).status_code == 413


@pytest.mark.parametrize(
    ("attribute", "key", "default"),
    [
        ("max_content_length", "MAX_CONTENT_LENGTH", None),
        ("max_form_memory_size", "MAX_FORM_MEMORY_SIZE", 500_000),
        ("max_form_parts", "MAX_FORM_PARTS", 1000),
    ],
)
def test_request_limits_follow_the_config(
    app: Microflask, attribute: str, key: str, default: int | None
) -> None:
    with app.test_request_context():
        assert getattr(request, attribute) == default
        app.config[key] = 123
        assert getattr(request, attribute) == 123
        setattr(request, attribute, 7)
        assert getattr(request, attribute) == 7
        setattr(request, attribute, None)  # None hands the decision back to the config
        assert getattr(request, attribute) == 123


def test_request_limits_outside_app_use_defaults() -> None:
    req = Request.from_values("/")
    assert req.max_content_length is None
    assert req.max_form_memory_size == 500_000
    assert req.max_form_parts == 1000


def test_response_default_mimetype_is_html() -> None:
    rv = Response("x")
    assert rv.mimetype == "text/html"
    assert rv.content_type == "text/html; charset=utf-8"


def test_response_max_cookie_size_from_config(app: Microflask) -> None:
    app.config["MAX_COOKIE_SIZE"] = 100
    with app.app_context():
        assert Response().max_cookie_size == 100


def test_response_max_cookie_size_outside_app_is_default() -> None:
    assert Response().max_cookie_size == 4093


def test_response_oversized_cookie_warns(app: Microflask) -> None:
    app.config["MAX_COOKIE_SIZE"] = 50
    with app.app_context():
        rv = Response()
        with pytest.warns(UserWarning, match="cookie is too large"):
            rv.set_cookie("big", "x" * 100)


@pytest.mark.parametrize("server_name", [None, "example.com"])
def test_trusted_hosts_refuses_other_hosts(app: Microflask, server_name: str | None) -> None:
    app.config.update(TRUSTED_HOSTS=["example.com"], SERVER_NAME=server_name)
    app.route("/")(lambda: "never looks at the host")
    client = app.test_client()
    assert client.get("/", base_url="http://example.com/").status_code == 200
    assert client.get("/", base_url="http://evil.example/").status_code == 400


def test_request_cookies_come_from_the_cookie_header() -> None:
    environ = {"REQUEST_METHOD": "GET", "HTTP_COOKIE": 'a=1; b="x;y"; a=2; bad c=3; d'}
    cookies = Request(environ).cookies
    assert cookies.getlist("a") == ["1", "2"]
    assert (cookies["b"], cookies["d"]) == ("x;y", "")
    assert sorted(cookies) == ["a", "b", "d"]
    assert Request({"REQUEST_METHOD": "GET"}).cookies == {}
    # bytes that are not UTF-8 stay as the server's latin-1 text, as in Werkzeug
    assert Request({"REQUEST_METHOD": "GET", "HTTP_COOKIE": 'a="\x80"'}).cookies["a"] == "\x80"


def test_cached_request_data_is_parsed_once_and_can_be_replaced() -> None:
    body = b"a=1&b=2"
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "QUERY_STRING": "q=x",
        "wsgi.input": io.BytesIO(body),
    }
    request = Request(environ)
    assert request.form is request.form
    assert request.form.to_dict() == {"a": "1", "b": "2"}
    assert request.values.to_dict() == {"q": "x", "a": "1", "b": "2"}
    assert request.args is request.args and request.files == {}
    request.form = ImmutableMultiDict({"c": "3"})
    assert request.form["c"] == "3"
    del request.args
    assert request.args["q"] == "x"  # parsed again


class _StalledBody(io.RawIOBase):
    """A form body whose first read waits until the test lets it go on."""

    def __init__(self, body: bytes) -> None:
        self.body = io.BytesIO(body)
        self.reading = threading.Event()
        self.release = threading.Event()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        self.reading.set()
        self.release.wait(timeout=30)  # only bounds a failing run
        return self.body.readinto(buffer)


def _form_environ(stream: t.IO[bytes], body: bytes) -> dict[str, t.Any]:
    return {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": stream,
    }


def test_a_stalled_form_upload_does_not_hold_up_other_requests() -> None:
    body = b"a=1"
    stalled = _StalledBody(body)
    slow = Request(_form_environ(t.cast(t.IO[bytes], stalled), body))
    done: list[str] = []
    thread = threading.Thread(target=lambda: done.append(slow.form["a"]))
    thread.start()
    stalled.reading.wait(timeout=30)
    try:
        # Parsed while the other request is still inside its own form parsing.
        assert Request(_form_environ(io.BytesIO(b"b=2"), b"b=2")).form["b"] == "2"
        assert done == []
    finally:
        stalled.release.set()
        thread.join()
    assert done == ["1"]


@pytest.mark.parametrize(
    ("raw", "query_string", "value"),
    [
        ("a=\xc3\xa9", b"a=\xc3\xa9", "\xe9"),  # UTF-8 as a raw client sends it: kept as is
        ("a=\xff\xc3\xa9", b"a=%FF%C3%A9", "%FF\xe9"),  # not UTF-8: percent-encoded
        ("a=1\r\nb", b"a=1%0D%0Ab", "1\r\nb"),  # line breaks: percent-encoded, same value
        ("a=\xff\r", b"a=%FF%0D", "%FF\r"),
    ],
)
def test_non_ascii_query_string_is_kept_unless_it_is_not_utf8(
    raw: str, query_string: bytes, value: str
) -> None:
    request = Request({"REQUEST_METHOD": "GET", "QUERY_STRING": raw, "PATH_INFO": "/"})
    assert request.query_string == query_string
    assert request.args["a"] == value
    assert request.full_path == "/?" + query_string.decode("utf-8", "replace")
