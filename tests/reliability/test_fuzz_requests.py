"""Property-based fuzzing of whole requests through the test client.

Hypothesis builds paths, query strings, headers, cookies and bodies — raw bytes as a
server would hand them over, not only what the test client would build — and sends
them to one app with converters, forms, JSON, sessions, redirects, templates and a
static folder. Every response must have a valid status below 500 and a body, and no
exception may escape (``TESTING`` propagates them, so one would fail the test). Each
property counts its requests and asserts its quota; the quotas add up to more than
10,000 requests.
"""

from __future__ import annotations

import json
import re
import typing as t
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import send_raw
from werkzeug.urls import iri_to_uri

from microflask import (
    Microflask,
    abort,
    jsonify,
    redirect,
    redirect_back,
    render_template_string,
    request,
    send_from_directory,
    session,
)
from microflask.testing import MicroflaskClient

pytestmark = pytest.mark.reliability

SECRET = b"reliability secret: never served"
STATIC_FILES = {"hello.txt": b"hello static\n", "css/site.css": b"body { color: red }\n"}
_STATUS_LINE = re.compile(r"[1-5][0-9][0-9] [^\r\n]+")


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _make_app(root: Path) -> Microflask:
    """Build the fuzzed app; ``root/static`` is its static folder."""
    static = root / "static"
    for name, content in STATIC_FILES.items():
        (static / name).parent.mkdir(parents=True, exist_ok=True)
        (static / name).write_bytes(content)
    (root / "secret.txt").write_bytes(SECRET)
    app = Microflask("reliability_fuzz", static_folder=str(static), root_path=str(root))
    app.config.update(
        TESTING=True,
        SECRET_KEY="fuzz secret key",
        MAX_CONTENT_LENGTH=64 * 1024,
        MAX_FORM_MEMORY_SIZE=8 * 1024,
        MAX_FORM_PARTS=50,
    )
    _add_routes(app, static)
    return app


def _add_routes(app: Microflask, static: Path) -> None:  # noqa: C901 - a flat list of views
    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/items/<int:item_id>", methods=["GET", "DELETE"])
    def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.route("/price/<float:value>")
    def price(value: float) -> dict[str, float]:
        return {"value": value}

    @app.route("/uuid/<uuid:uid>")
    def by_uuid(uid: uuid.UUID) -> str:
        return str(uid)

    @app.route("/kind/<any(a, b, c):kind>")
    def kind(kind: str) -> str:
        return kind

    @app.route("/tag/<name>")
    def tag(name: str) -> str:
        return render_template_string("<p>{{ name }}</p>", name=name)

    @app.route("/files/<path:name>")
    def files(name: str) -> t.Any:
        return send_from_directory(static, name)

    @app.route("/search")
    def search() -> str:
        args = request.args
        words = args.getlist("w")
        number = args.get("n", type=int)
        return render_template_string(
            "<p>{{ q }}</p>{{ n }} {{ w }}", q=args.get("q", ""), n=number, w=words
        )

    @app.route("/go")
    def go() -> t.Any:
        return redirect(request.args.get("to", "/"))

    @app.route("/back")
    def back() -> t.Any:
        return redirect_back("index")

    @app.route("/cookie")
    def cookie() -> t.Any:
        response = app.make_response("cookie set")
        response.set_cookie("echo", request.args.get("v", ""))
        return response

    @app.route("/form", methods=["POST", "PUT"])
    def form() -> dict[str, t.Any]:
        fields = {key: len(value) for key, value in request.form.items(multi=True)}
        uploads = {key: len(f.read()) for key, f in request.files.items(multi=True)}
        return {"fields": fields, "files": uploads}

    @app.route("/json", methods=["POST", "PUT", "PATCH"])
    def json_echo() -> t.Any:
        data = request.get_json()
        if isinstance(data, dict) and "abort" in data:
            abort(422, "Told to abort.")
        return jsonify(data)

    @app.route("/session", methods=["GET", "POST"])
    def visits() -> dict[str, t.Any]:
        count = session.get("count", 0)
        count = count + 1 if isinstance(count, int) else 1
        if request.method == "POST":
            session["count"] = count
            session["last"] = request.args.get("note", "")
        return {"count": count, "keys": sorted(session)}


@pytest.fixture
def fuzz_app(tmp_path: Path) -> Microflask:
    return _make_app(tmp_path)


@pytest.fixture
def fuzz_client(fuzz_app: Microflask) -> MicroflaskClient:
    return fuzz_app.test_client(use_cookies=False)


def check_response(response: t.Any, method: str) -> None:
    """Assert the invariants every fuzzed response keeps."""
    body = response.get_data()
    assert _STATUS_LINE.fullmatch(response.status), response.status
    assert response.status_code < 500, (response.status, body[:300])
    if method not in ("HEAD", "OPTIONS") and response.status_code not in (204, 304):
        assert body, f"{response.status} without a body"
    assert SECRET not in body
    for value in response.headers.values():
        assert "\r" not in value and "\n" not in value
    response.close()


# -- strategies --------------------------------------------------------------------

METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "BREW"])
_WORDS = [
    "items", "price", "uuid", "kind", "tag", "files", "static", "search", "go", "back",
    "cookie", "form", "json", "session", "..", ".", "", "%2e%2e", "%2F", "hello.txt",
    "css", "site.css", "secret.txt", "a", "b", "0", "-1", "007", "1.5", "1e3", "nan",
    "99999999999999999999999", "12345678-1234-5678-1234-567812345678", "\x00", "\\",
    "..\\secret.txt", "~", "%", "?", "#", ";", "\u00e9", "\u2028", "\ufffd",
]  # fmt: skip
SEGMENTS = st.one_of(st.sampled_from(_WORDS), st.text(max_size=12))
PATHS = st.lists(SEGMENTS, max_size=6).map(lambda parts: "/" + "/".join(parts))
RAW_BYTES = st.binary(max_size=80)
LATIN1_VALUE = st.text(
    alphabet=st.characters(max_codepoint=255, blacklist_characters="\r\n"), max_size=60
)


def _encode_path(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


QUERY_PARTS = st.one_of(
    RAW_BYTES,
    st.lists(
        st.tuples(
            st.sampled_from(["q", "n", "w", "to", "next", "v", "note", "x", ""]),
            st.one_of(RAW_BYTES, st.text(max_size=30).map(lambda s: s.encode())),
        ),
        max_size=5,
    ).map(lambda pairs: b"&".join(k.encode() + b"=" + v for k, v in pairs)),
)

_HEADER_VALUES = {
    "Host": ["localhost", "localhost:99999", "[::1]:80", "[bad", "a b", "evil.example", ""],
    "Content-Type": ["application/json", "multipart/form-data; boundary=", "text/html; charset=x"],
    "Content-Length": ["0", "-1", "5", "abc", "18446744073709551616"],
    "Transfer-Encoding": ["chunked", "gzip, chunked", "identity"],
    "Expect": ["100-continue", "nothing"],
    "Range": [
        "bytes=0-4", "bytes=-3", "bytes=5-", "bytes=9-1", "bytes=0-0,2-3", "bytes=100-200",
        "bytes=abc", "bytes=99999999999999999999-", "items=0-1",
    ],
    "If-Range": ['"etag"', "Sun, 06 Nov 1994 08:49:37 GMT", "garbage"],
    "If-None-Match": ['"etag"', 'W/"x", *', "*", ""],
    "If-Match": ['"etag"', "*", ","],
    "If-Modified-Since": [
        "Sun, 06 Nov 1994 08:49:37 GMT", "Fri, 01 Jan 2100 00:00:00 GMT",
        "Mon, 99 Foo 2024 99:99:99 GMT", "0",
    ],
    "If-Unmodified-Since": ["Sun, 06 Nov 1994 08:49:37 GMT", "Fri, 01 Jan 2100 00:00:00 GMT"],
    "Origin": ["null", "http://evil.example", "http://localhost", "http://[bad"],
    "Sec-Fetch-Site": ["cross-site", "same-site", "same-origin", "none", "weird"],
    "Cookie": ["session=", "session=a.b.c", "=; ;=;", 'a="\\"', "session=" + "A" * 5000],
    "Accept": ["*/*", "text/html;q=abc", ",,,"],
    "Accept-Encoding": ["gzip", "*;q=0", "br;q=abc"],
    "Accept-Language": ["en;q=x", "*", "\xff"],
    "Authorization": ["Basic !!!", "Basic YTpi", "Bearer", "Digest x=\"", ""],
    "X-Forwarded-For": ["1.2.3.4, 5.6.7.8", "[bad"],
    "X-Forwarded-Proto": ["https", "gopher"],
    "X-Forwarded-Host": ["evil.example", "[bad"],
    "X-CSRF-Token": ["forged", ""],
    "Cache-Control": ["no-cache", "max-age=-1"],
    "Connection": ["close", "keep-alive, Upgrade"],
    "Referer": ["http://evil.example/", "::"],
}  # fmt: skip
_HEADER_NAME = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1)


def _header(name: str) -> st.SearchStrategy[tuple[str, str]]:
    return st.tuples(st.just(name), st.one_of(st.sampled_from(_HEADER_VALUES[name]), LATIN1_VALUE))


HEADERS = st.lists(
    st.one_of(
        st.sampled_from(sorted(_HEADER_VALUES)).flatmap(_header),
        st.tuples(_HEADER_NAME, LATIN1_VALUE),
    ),
    max_size=6,
).map(dict)
_TARGETS = [
    ("GET", b"/", b""),
    ("GET", b"/items/3", b""),
    ("DELETE", b"/items/3", b""),
    ("GET", b"/static/hello.txt", b""),
    ("HEAD", b"/static/css/site.css", b""),
    ("GET", b"/files/hello.txt", b""),
    ("GET", b"/session", b""),
    ("POST", b"/session", b"note=hi"),
    ("GET", b"/search", b"q=%3Cb%3E&n=2&w=a&w=b"),
    ("GET", b"/go", b"to=/items/1"),
    ("GET", b"/back", b"next=/search"),
    ("POST", b"/form", b""),
    ("POST", b"/json", b""),
    ("OPTIONS", b"/items/1", b""),
]
TARGETS = st.sampled_from(_TARGETS)

JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=20),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_BOUNDARY = "fuzzboundary"


def _multipart(parts: list[tuple[str, str | None, bytes]], cut: int | None) -> bytes:
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"--{_BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        out += content + b"\r\n"
    out += f"--{_BOUNDARY}--\r\n".encode()
    return out if cut is None else out[:cut]


MULTIPART = st.builds(
    _multipart,
    st.lists(
        st.tuples(
            st.text(max_size=10),
            st.one_of(st.none(), st.text(max_size=10)),
            st.binary(max_size=200),
        ),
        max_size=6,
    ),
    st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
)
_FORM_TYPES = [
    "application/x-www-form-urlencoded",
    f"multipart/form-data; boundary={_BOUNDARY}",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=other",
    "application/x-www-form-urlencoded; charset=latin-1",
]
_BIG = st.integers(6_000, 70_000)
_JSON_TYPES = ["application/json", "application/vnd.api+json", "application/json; charset=utf-8"]
BODIES = st.one_of(
    st.tuples(st.just("/form"), st.sampled_from(_FORM_TYPES), st.one_of(RAW_BYTES, MULTIPART)),
    st.tuples(
        st.just("/form"),
        st.just("application/x-www-form-urlencoded"),
        QUERY_PARTS,
    ),
    st.tuples(
        st.just("/json"),
        st.sampled_from(_JSON_TYPES),
        st.one_of(
            RAW_BYTES,
            JSON_VALUES.map(lambda v: json.dumps(v).encode()),
            st.tuples(JSON_VALUES, st.integers(0, 40)).map(
                lambda vc: json.dumps(vc[0]).encode()[: vc[1]]
            ),
        ),
    ),
    st.tuples(
        st.sampled_from(["/form", "/json", "/session"]),
        st.one_of(st.sampled_from(["text/plain", "", "*/*", ";;"]), LATIN1_VALUE),
        RAW_BYTES,
    ),
    # Bodies near and over the limits: MAX_CONTENT_LENGTH, MAX_FORM_MEMORY_SIZE, parts.
    st.one_of(
        st.tuples(st.just("/form"), st.just(_FORM_TYPES[0]), _BIG.map(lambda n: b"a=" + b"x" * n)),
        st.tuples(
            st.just("/form"),
            st.just(_FORM_TYPES[1]),
            _BIG.map(lambda n: _multipart([("a", None, b"x" * n)], None)),
        ),
        st.tuples(
            st.just("/form"),
            st.just(_FORM_TYPES[1]),
            st.integers(40, 60).map(lambda n: _multipart([("p", "f", b"x")] * n, None)),
        ),
    ),
)
COOKIE_VALUES = st.one_of(
    LATIN1_VALUE,
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=",
        max_size=120,
    ),
)


# -- properties --------------------------------------------------------------------


def test_fuzzed_paths_never_fail(fuzz_client: MicroflaskClient) -> None:
    sent = 0

    @_settings(400)
    @given(path=PATHS, raw=RAW_BYTES, method=METHODS)
    def check(path: str, raw: bytes, method: str) -> None:
        nonlocal sent
        encoded = _encode_path(path)
        targets = [(method, encoded), ("GET", encoded), ("GET", b"/" + raw)]
        # The same input under each converter and file-serving view (traversal).
        for prefix in (b"/static", b"/files", b"/items", b"/tag", b"/uuid"):
            targets.append(("GET", prefix + encoded))
        targets.append(("GET", b"/files/" + raw))
        for target_method, target in targets:
            check_response(send_raw(fuzz_client, target_method, target), target_method)
            sent += 1

    check()
    assert sent >= 3600


def test_fuzzed_query_strings_never_fail(fuzz_client: MicroflaskClient) -> None:
    sent = 0

    @_settings(400)
    @given(query=QUERY_PARTS)
    def check(query: bytes) -> None:
        nonlocal sent
        response = send_raw(fuzz_client, "GET", b"/search", query)
        body = response.get_data(as_text=True)
        # Everything from the query is escaped: no markup but the template's own.
        shown = body.partition("</p>")[0].removeprefix("<p>")
        assert not set(shown) & set("<>\"'"), body
        check_response(response, "GET")
        for target in (b"/go", b"/back", b"/cookie", b"/items/1", b"/session", b"/tag/x"):
            check_response(send_raw(fuzz_client, "GET", target, query), "GET")
        check_response(send_raw(fuzz_client, "POST", b"/session", query), "POST")
        sent += 8

    check()
    assert sent >= 3200


def test_fuzzed_redirect_targets_are_refused_or_safe(fuzz_client: MicroflaskClient) -> None:
    sent = 0

    @_settings(250)
    @given(target=st.one_of(st.text(max_size=30), st.sampled_from(["//evil", "/\t/evil"])))
    def check(target: str) -> None:
        nonlocal sent
        response = fuzz_client.get("/go", query_string={"to": target})
        if re.search("[\x00-\x1f\x7f]", target):
            assert response.status_code == 400
            assert b"Redirect location contains control characters." in response.data
        else:
            assert response.status_code == 302
            assert response.headers["Location"] == iri_to_uri(target)
        check_response(response, "GET")
        response = fuzz_client.get("/back", query_string={"next": target})
        location = response.headers["Location"]
        assert location in ("/", iri_to_uri(target))
        assert not location.startswith("//") and "\\" not in location
        check_response(response, "GET")
        sent += 2

    check()
    assert sent >= 500


def test_fuzzed_headers_never_fail(fuzz_client: MicroflaskClient) -> None:
    sent = 0

    @_settings(300)
    @given(headers=HEADERS, targets=st.lists(TARGETS, min_size=5, max_size=5))
    def check(headers: dict[str, str], targets: list[tuple[str, bytes, bytes]]) -> None:
        nonlocal sent
        for method, path, query in targets:
            response = send_raw(fuzz_client, method, path, query, headers=headers)
            check_response(response, method)
            sent += 1

    check()
    assert sent >= 1500


def test_fuzzed_cookies_never_fail(fuzz_app: Microflask, fuzz_client: MicroflaskClient) -> None:
    serializer = fuzz_app.session_interface.get_signing_serializer(fuzz_app)  # type: ignore[attr-defined]
    valid = serializer.dumps({"count": 41})
    sent = 0

    @_settings(300)
    @given(
        cookie=COOKIE_VALUES,
        raw_header=LATIN1_VALUE,
        position=st.integers(0, len(valid)),
        splice=st.text(alphabet="AZaz09-_.", max_size=3),
    )
    def check(cookie: str, raw_header: str, position: int, splice: str) -> None:
        nonlocal sent
        tampered = valid[:position] + splice + valid[position + len(splice) :]
        headers = (f"session={cookie}; other={tampered}", f"session={tampered}; {raw_header}")
        for method, header in [(m, h) for m in ("GET", "POST") for h in headers]:
            response = send_raw(fuzz_client, method, b"/session", headers={"Cookie": header})
            check_response(response, method)
            # Whatever came in, the cookie going out is one the app signed.
            for set_cookie in response.headers.getlist("Set-Cookie"):
                value = set_cookie.partition(";")[0].partition("=")[2]
                assert not value or serializer.loads(value)["count"] in (1, 42)
            sent += 1

    check()
    assert sent >= 1200


def test_fuzzed_bodies_never_fail(fuzz_client: MicroflaskClient) -> None:
    sent = 0

    @_settings(400)
    @given(body=BODIES, method=st.sampled_from(["POST", "PUT"]))
    def check(body: tuple[str, str, bytes], method: str) -> None:
        nonlocal sent
        path, content_type, data = body
        if path == "/session":
            method = "POST"
        # With an honest Content-Length, then with ones that are off by a byte.
        for length in (None, str(len(data) - 1), str(len(data) + 1)):
            response = send_raw(
                fuzz_client,
                method,
                path.encode(),
                body=data,
                content_type=content_type,
                content_length=length,
            )
            check_response(response, method)
            sent += 1

    check()
    assert sent >= 1200
