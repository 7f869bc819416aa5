"""A table of hostile requests, each with the status and message it must get.

Every row is sent at the WSGI level (see ``reliability_support.send_raw``) to a small
app; ``TESTING`` is on, so an exception escaping the framework fails the row instead of
hiding behind a 500. The expected messages are the descriptions the client reads.
"""

from __future__ import annotations

import dataclasses
import html
import json
import typing as t
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from reliability_support import send_raw

from microflask import (
    Microflask,
    abort,
    jsonify,
    redirect,
    redirect_back,
    request,
    send_from_directory,
    session,
)

if t.TYPE_CHECKING:
    from werkzeug.test import TestResponse

pytestmark = pytest.mark.reliability

SECRET_KEY = "hostile secret key"
SECRET_FILE = b"outside the served folders"
NOT_FOUND = "The requested URL was not found on the server."
TOO_LARGE = "The data value transmitted exceeds the capacity limit."
NOT_UNDERSTOOD = "The browser (or proxy) sent a request that this server could not understand."
BAD_REDIRECT = "Redirect location contains control characters."
BOUNDARY = "hostile"


def _make_app(root: Path, config: t.Mapping[str, t.Any]) -> Microflask:
    static = root / "static"
    (static / "sub").mkdir(parents=True)
    (static / "hello.txt").write_bytes(b"hello")
    (static / "sub" / "deep.txt").write_bytes(b"deep")
    (root / "secret.txt").write_bytes(SECRET_FILE)
    app = Microflask("reliability_hostile", static_folder=str(static), root_path=str(root))
    app.config.update(
        TESTING=True,
        SECRET_KEY=SECRET_KEY,
        MAX_CONTENT_LENGTH=64 * 1024,
        MAX_FORM_MEMORY_SIZE=1024,
        MAX_FORM_PARTS=10,
        TRUSTED_HOSTS=["localhost"],
    )
    app.config.update(config)
    _add_routes(app, static)
    return app


def _add_routes(app: Microflask, static: Path) -> None:  # noqa: C901 - a flat list of views
    @app.route("/", methods=["GET", "POST"])
    def index() -> str:
        return "index"

    @app.route("/items/<int:item_id>")
    def item(item_id: int) -> str:
        return f"item {item_id}"

    @app.route("/search")
    def search() -> str:
        return f"q={request.args.get('q', '')}"

    @app.route("/json", methods=["POST"])
    def json_view() -> t.Any:
        return jsonify(type=type(request.get_json()).__name__)

    @app.route("/form", methods=["POST"])
    def form() -> str:
        return f"name={request.form['name']}"

    @app.route("/go")
    def go() -> t.Any:
        return redirect(request.args["to"])

    @app.route("/back")
    def back() -> t.Any:
        return redirect_back("index")

    @app.route("/cookie")
    def cookie() -> t.Any:
        response = app.make_response("cookie set")
        response.set_cookie("echo", request.args["v"])
        return response

    @app.route("/files/<path:name>")
    def files(name: str) -> t.Any:
        return send_from_directory(static, name)

    @app.route("/private")
    def private() -> str:
        if "user" not in session:
            abort(401, "Log in first.")
        return f"hello {session['user']}"


@dataclasses.dataclass(frozen=True)
class Hostile:
    """One hostile request and what the client must get back."""

    id: str
    status: int
    message: str
    method: str = "GET"
    path: bytes = b"/"
    query: bytes = b""
    headers: t.Mapping[str, str] = dataclasses.field(default_factory=dict)
    body: bytes = b""
    content_type: str | None = None
    content_length: str | None = None
    config: t.Mapping[str, t.Any] = dataclasses.field(default_factory=dict)
    #: A cookie made by ``_COOKIES[name]`` with the app's key and salt.
    session_cookie: str | None = None


def _multipart(*parts: tuple[str, bytes], close: bool = True) -> bytes:
    out = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value
        + b"\r\n"
        for name, value in parts
    )
    return out + (f"--{BOUNDARY}--\r\n".encode() if close else b"")


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
CROSS_SITE = "Cross-origin request refused:"

_JSON_CASES = [
    Hostile("json-malformed", 400, "Failed to decode JSON object: Expecting value",
            "POST", b"/json", body=b'{"a": ', content_type=JSON),
    Hostile("json-deeply-nested-array", 400,
            "Failed to decode JSON object: JSON is nested too deeply to parse.",
            "POST", b"/json", body=b"[" * 50_000, content_type=JSON),
    Hostile("json-deeply-nested-object", 400,
            "Failed to decode JSON object: JSON is nested too deeply to parse.",
            "POST", b"/json", body=b'{"a":' * 10_000 + b"1" + b"}" * 10_000, content_type=JSON),
    Hostile("json-invalid-utf8", 400, "Failed to decode JSON object: 'utf-8' codec can't decode",
            "POST", b"/json", body=b'{"a": "\xff"}', content_type=JSON),
    Hostile("json-huge-integer", 400, "for integer string conversion",
            "POST", b"/json", body=b"1" * 5000, content_type=JSON),
    Hostile("json-wrong-content-type", 415,
            "Did not attempt to load JSON data because the request Content-Type was not"
            " 'application/json'.",
            "POST", b"/json", body=b'{"a": 1}', content_type="text/plain"),
    Hostile("json-no-content-type", 415, "Did not attempt to load JSON data",
            "POST", b"/json", body=b'{"a": 1}'),
]  # fmt: skip

_BODY_CASES = [
    Hostile("max-content-length-exceeded", 413, TOO_LARGE,
            "POST", b"/form", body=b"name=" + b"x" * 70_000, content_type=FORM),
    Hostile("content-length-header-over-max", 413, TOO_LARGE,
            "POST", b"/form", body=b"name=x", content_type=FORM, content_length="999999999"),
    Hostile("form-field-over-max-form-memory-size", 413, TOO_LARGE,
            "POST", b"/form", body=b"name=" + b"x" * 2000, content_type=FORM),
    Hostile("multipart-field-over-max-form-memory-size", 413, TOO_LARGE,
            "POST", b"/form", body=_multipart(("name", b"x" * 2000)), content_type=MULTIPART),
    Hostile("multipart-oversized-body", 413, TOO_LARGE,
            "POST", b"/form", body=_multipart(("name", b"x"), ("big", b"y" * 70_000)),
            content_type=MULTIPART),
    Hostile("multipart-too-many-parts", 413, TOO_LARGE,
            "POST", b"/form", body=_multipart(*[("name", b"x")] * 11), content_type=MULTIPART),
    Hostile("multipart-truncated", 400, NOT_UNDERSTOOD,
            "POST", b"/form", body=_multipart(("name", b"x"), close=False)[:-3],
            content_type=MULTIPART),
    Hostile("multipart-shorter-than-content-length", 400, NOT_UNDERSTOOD,
            "POST", b"/form", body=_multipart(("name", b"x")), content_type=MULTIPART,
            content_length="500"),
    Hostile("multipart-missing-boundary", 400, NOT_UNDERSTOOD,
            "POST", b"/form", body=_multipart(("name", b"x")), content_type="multipart/form-data"),
    Hostile("multipart-part-without-name", 400, "A multipart/form-data part has no name.",
            "POST", b"/form",
            body=b"--hostile\r\nContent-Disposition: form-data\r\n\r\nx\r\n--hostile--\r\n",
            content_type=MULTIPART),
]  # fmt: skip

_URL_CASES = [
    Hostile("path-invalid-utf8", 404, NOT_FOUND, path=b"/\xff\xfe"),
    Hostile("path-invalid-utf8-in-int-converter", 404, NOT_FOUND, path=b"/items/\xc3"),
    # Invalid UTF-8 in the query is kept percent-encoded, never a 500: the view sees text.
    Hostile("query-raw-invalid-utf8", 200, "q=%FF%FE", path=b"/search", query=b"q=\xff\xfe"),
    Hostile("query-percent-invalid-utf8", 200, "q=%FF", path=b"/search", query=b"q=%ff"),
    Hostile("method-not-allowed", 405, "The method is not allowed for the requested URL.",
            "DELETE", b"/json"),
    Hostile("unknown-method", 405, "The method is not allowed", "BREW", b"/"),
    Hostile("untrusted-host", 400, "Host 'evil.example' is not trusted.",
            headers={"Host": "evil.example"}),
    Hostile("cross-site-post", 403, f"{CROSS_SITE} Sec-Fetch-Site is 'cross-site'.",
            "POST", b"/", headers={"Sec-Fetch-Site": "cross-site"}),
    Hostile("foreign-origin-post", 403,
            f"{CROSS_SITE} Origin 'http://evil.example' does not match the host 'localhost'.",
            "POST", b"/", headers={"Origin": "http://evil.example"}),
    Hostile("csrf-token-missing", 400, "The CSRF token is missing.",
            "POST", b"/form", body=b"name=x", content_type=FORM, config={"CSRF_ENABLED": True}),
    Hostile("csrf-token-forged", 400, "The CSRF token is invalid.",
            "POST", b"/form", body=b"name=x&csrf_token=forged", content_type=FORM,
            config={"CSRF_ENABLED": True}),
]  # fmt: skip

_INJECTION_CASES = [
    Hostile("redirect-crlf-header-injection", 400, BAD_REDIRECT,
            path=b"/go", query=b"to=/x%0D%0ASet-Cookie:%20evil=1"),
    Hostile("redirect-lf-only", 400, BAD_REDIRECT, path=b"/go", query=b"to=/x%0Aevil"),
    Hostile("redirect-tab-scheme-relative", 400, BAD_REDIRECT,
            path=b"/go", query=b"to=/%09/evil.example"),
    Hostile("redirect-nul", 400, BAD_REDIRECT, path=b"/go", query=b"to=/%00"),
    Hostile("redirect-back-offsite", 302, "Redirecting...",
            path=b"/back", query=b"next=//evil.example/"),
    Hostile("redirect-back-javascript", 302, "Redirecting...",
            path=b"/back", query=b"next=javascript:alert(1)"),
    Hostile("cookie-value-crlf", 200, "cookie set",
            path=b"/cookie", query=b"v=a%0D%0ASet-Cookie:%20evil=1"),
    Hostile("cookie-value-attribute-injection", 200, "cookie set",
            path=b"/cookie", query=b"v=a;%20Domain=evil.example;%20Path=/x"),
]  # fmt: skip

_TRAVERSAL_CASES = [
    Hostile(f"traversal-{kind}-{name}", status, NOT_FOUND if status == 404 else "Redirecting",
            path=prefix + suffix)
    for kind, prefix in (("static", b"/static/"), ("send-from-directory", b"/files/"))
    for name, suffix, status in (
        ("dotdot", b"../secret.txt", 404),
        ("dotdot-nested", b"sub/../../secret.txt", 404),
        ("dotdot-backslash", b"..\\secret.txt", 404),
        ("encoded-dotdot-kept", b"%2e%2e/secret.txt", 404),
        ("nul-byte", b"hello.txt\x00.png", 404),
        ("absolute", b"/etc/passwd", 308),
        ("directory", b"sub", 404),
        ("long", b"a/" * 2000 + b"b", 404),
    )
]  # fmt: skip


class _LongAgoSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return 1_000_000_000  # 2001: older than any session lifetime


def _serializer(
    key: str, signer: type[TimestampSigner] = TimestampSigner
) -> URLSafeTimedSerializer:
    from microflask.sessions import SecureCookieSessionInterface

    interface = SecureCookieSessionInterface()
    return URLSafeTimedSerializer(
        key,
        salt=interface.salt,
        serializer=interface.serializer,
        signer=signer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": interface.digest_method},
    )


def _tamper_signature(cookie: str) -> str:
    return cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB")


def _tamper_payload(cookie: str) -> str:
    forged = _serializer("attacker").dumps({"user": "admin"})
    return forged.split(".")[0] + "." + ".".join(cookie.split(".")[1:])


_COOKIES: dict[str, t.Callable[[], str]] = {
    "valid": lambda: _serializer(SECRET_KEY).dumps({"user": "ann"}),
    "bad-signature": lambda: _tamper_signature(_serializer(SECRET_KEY).dumps({"user": "ann"})),
    "swapped-payload": lambda: _tamper_payload(_serializer(SECRET_KEY).dumps({"user": "ann"})),
    "other-key": lambda: _serializer("another key").dumps({"user": "admin"}),
    "expired": lambda: _serializer(SECRET_KEY, _LongAgoSigner).dumps({"user": "ann"}),
    "not-a-dict": lambda: _serializer(SECRET_KEY).dumps(["user", "admin"]),
    "garbage": lambda: "!!not base64!!.x.y",
    "bad-base64": lambda: "a.b.c",
    "huge": lambda: "A" * 8000,
}
_SESSION_CASES = [
    Hostile("session-valid-control", 200, "hello ann", path=b"/private", session_cookie="valid"),
    *(
        Hostile(f"session-{name}", 401, "Log in first.", path=b"/private", session_cookie=name)
        for name in _COOKIES
        if name != "valid"
    ),
    # A view that never reads the session must not trip over a bad cookie either.
    *(
        Hostile(f"session-{name}-unread", 200, "index", path=b"/", session_cookie=name)
        for name in _COOKIES
    ),
]

CASES = [
    *_JSON_CASES,
    *_BODY_CASES,
    *_URL_CASES,
    *_INJECTION_CASES,
    *_TRAVERSAL_CASES,
    *_SESSION_CASES,
]


def _send(tmp_path: Path, case: Hostile) -> TestResponse:
    client = _make_app(tmp_path, case.config).test_client(use_cookies=False)
    headers = dict(case.headers)
    if case.session_cookie is not None:
        headers["Cookie"] = f"session={_COOKIES[case.session_cookie]()}"
    return send_raw(
        client,
        case.method,
        case.path,
        case.query,
        headers=headers,
        body=case.body,
        content_type=case.content_type,
        content_length=case.content_length,
    )


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input_gets_its_status_and_message(tmp_path: Path, case: Hostile) -> None:
    response = _send(tmp_path, case)
    body = response.get_data(as_text=True)
    assert response.status_code == case.status, body
    assert case.message in html.unescape(body)
    assert SECRET_FILE.decode() not in body
    assert "Traceback" not in body
    for value in response.headers.values():
        assert "\r" not in value and "\n" not in value
    response.close()


def test_redirect_injection_sets_no_header(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == "redirect-crlf-header-injection")
    response = _send(tmp_path, case)
    assert "Location" not in response.headers
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("query", [b"next=//evil.example/", b"next=javascript:alert(1)"])
def test_unsafe_redirect_back_goes_to_the_default(tmp_path: Path, query: bytes) -> None:
    client = _make_app(tmp_path, {}).test_client()
    response = send_raw(client, "GET", b"/back", query)
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\r\nSet-Cookie: evil=1", "a\r\nSet-Cookie: evil=1"),
        ("a; Domain=evil.example; Path=/x", "a; Domain=evil.example; Path=/x"),
    ],
)
def test_cookie_values_are_quoted_into_one_cookie(
    tmp_path: Path, value: str, expected: str
) -> None:
    client = _make_app(tmp_path, {}).test_client()
    response = client.get("/cookie", query_string={"v": value})
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1
    assert cookies[0].startswith('echo="')
    assert "Domain=evil" not in cookies[0].split('"')[-1]
    # The browser reads back exactly what the app stored.
    assert client.get_cookie("echo").decoded_value == expected  # type: ignore[union-attr]


def test_expanded_json_depth_within_limits_still_works(tmp_path: Path) -> None:
    client = _make_app(tmp_path, {}).test_client()
    body = json.dumps(json.loads("[" * 100 + "]" * 100))
    response = client.post("/json", data=body, content_type=JSON)
    assert response.status_code == 200
    assert response.get_json() == {"type": "list"}


def test_static_traversal_with_test_client_quoting(tmp_path: Path) -> None:
    client = _make_app(tmp_path, {}).test_client()
    for url in ("/static/..%2fsecret.txt", "/static/%2e%2e/secret.txt", "/files/..%2Fsecret.txt"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert SECRET_FILE not in response.data


@pytest.mark.parametrize(("limit", "status"), [(2000, 200), (1999, 413), (None, 200)])
def test_urlencoded_body_is_bounded_by_max_form_memory_size(
    tmp_path: Path, limit: int | None, status: int
) -> None:
    client = _make_app(tmp_path, {"MAX_FORM_MEMORY_SIZE": limit}).test_client()
    body = b"name=" + b"x" * 1995  # 2000 bytes
    response = send_raw(client, "POST", b"/form", body=body, content_type=FORM)
    assert response.status_code == status
    if status == 200:
        assert response.data == b"name=" + b"x" * 1995
