"""Send generated raw WSGI requests, hostile ones included, to Flask 3.1 too.

Hypothesis draws one environ as a server could pass it: odd methods, paths
and query strings of any bytes, broken ``Host``, ``Content-Length`` and
``Content-Type`` headers, urlencoded, multipart and JSON bodies, bodies
shorter than their length, and the app's size limits and ``TRUSTED_HOSTS``.
A view reads the request. microflask must answer below 500; where Flask
answers below 500 too, with Flask's status, and with Flask's body when both
succeed. Left out of the comparison are the documented differences: query
bytes that are not UTF-8 or are line breaks read percent-encoded, a 413 for a
urlencoded body over ``MAX_FORM_MEMORY_SIZE``, a 400 for a nameless part.
"""

from __future__ import annotations

import io
import json
import types
import typing as t

from flask_parity import FRAMEWORKS, ROOT, app_class
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import run_wsgi_app

Environ = dict[str, t.Any]
_READS = [
    "args", "form", "files", "values", "cookies", "data", "url", "full_path", "host",
    "access_route", "content_length", "mimetype", "is_json", "endpoint", "blueprints",
    "host_url",
]  # fmt: skip
_latin = st.binary(max_size=8).map(lambda b: b.decode("latin-1"))


def _pick(*values: t.Any) -> st.SearchStrategy[t.Any]:
    return st.sampled_from(values)


def _part(header: bytes, content: bytes = b"v") -> bytes:
    return b"--x\r\n" + header + b"\r\n\r\n" + content + b"\r\n"


_BODIES = _pick(
    b"",
    b"a=1&a=2&b=%FF+x&=&c",
    b"a=\xff",
    b'{"a": [1, "\\u00e9"]}',
    b"[" * 5000,
    b"{",
    b"\xff",
    _part(b'Content-Disposition: form-data; name="a"') + b"--x--\r\n",
    _part(b'Content-Disposition: form-data; name="f"; filename="\xff.txt"', b"\x00") + b"--x--\r\n",
    _part(b'Content-Disposition: form-data; name="a"') * 3 + b"--x--\r\n",
    _part(b"Content-Disposition: form-data") + b"--x--\r\n",
    _part(b"garbage") + b"--x--\r\n",
    b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end',
)
_TYPES = _pick(
    None,
    "",
    "application/x-www-form-urlencoded",
    "application/json",
    "application/json; charset=utf-16",
    "multipart/form-data; boundary=x",
    "multipart/form-data",
    'multipart/form-data; boundary=""',
    "text/plain; charset=\xff",
    "\xff/\xfe",
)
_CONFIG = st.fixed_dictionaries(
    {},
    optional={
        "MAX_CONTENT_LENGTH": _pick(None, 0, 20),
        "MAX_FORM_MEMORY_SIZE": _pick(None, 1, 10),
        "MAX_FORM_PARTS": _pick(None, 1, 2),
        "TRUSTED_HOSTS": _pick(None, ["localhost"], []),
        "SERVER_NAME": _pick(None, "localhost", "example.com:8080"),
    },
)


@st.composite
def _headers(draw: st.DrawFn) -> Environ:
    env: Environ = {}
    host = draw(
        _pick(None, "localhost", "", "a b", "localhost:x", "[::1", "h, evil", "\xe4", "xn--")
    )
    if host is not None:
        env["HTTP_HOST"] = host
    length = draw(_pick(None, "", "abc", "-1", "5, 5", "99999999999999999999", "0", "3", "40"))
    if length is not None:
        env["CONTENT_LENGTH"] = length
    ctype = draw(_TYPES)
    if ctype is not None:
        env["CONTENT_TYPE"] = ctype
    if draw(st.booleans()):
        env["HTTP_COOKIE"] = draw(st.one_of(_latin, _pick("a=1; a=2", 'b="\\', "session=\xff")))
    if draw(st.booleans()):
        env["HTTP_X_FORWARDED_FOR"] = draw(_pick("1.2.3.4, 5.6.7.8", " , ", "\xff"))
    if draw(st.booleans()):
        env["wsgi.input_terminated"] = True
    return env


@st.composite
def _request(draw: st.DrawFn) -> tuple[Environ, bytes]:
    path = draw(
        st.one_of(_pick("/", "", "/d/a", "/in/3", "/in/x", "/nope"), _latin.map("/d/".__add__))
    )
    query = draw(st.one_of(_pick("", "a=1&a=2", "a=%FF", "a=\r\nb", "%", "&&="), _latin))
    env: Environ = {
        "REQUEST_METHOD": draw(_pick("GET", "POST", "PUT", "HEAD", "FOO", "get", "")),
        "SCRIPT_NAME": draw(_pick("", "/root", "/\xff")),
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        **draw(_headers()),
    }
    body = draw(_BODIES)
    if body and draw(st.booleans()):
        body = body[: draw(st.integers(0, len(body) - 1))]
    return env, body


def _show(value: t.Any) -> t.Any:
    if hasattr(value, "getlist"):
        return sorted(repr(item) for item in value.items(multi=True))
    return repr(value)


def _build(fw: types.ModuleType, config: dict[str, t.Any]) -> t.Any:
    app = app_class(fw)("fuzz_requests", root_path=ROOT)
    app.config.update(SECRET_KEY="s", CSRF_CROSS_ORIGIN_PROTECTION=False, **config)

    def view(**values: t.Any) -> t.Any:
        found = {name: _show(getattr(fw.request, name)) for name in _READS}
        found["json"] = _show(fw.request.get_json(silent=True))
        return fw.Response(json.dumps(found), mimetype="application/json")

    app.add_url_rule("/", "index", view, methods=["GET", "POST", "PUT", "FOO"])
    app.add_url_rule("/d/<path:p>/", "dir", view, methods=["GET", "POST"])
    bp = fw.Blueprint("bp", __name__)
    bp.add_url_rule("/<int:n>", "n", view, methods=["GET", "POST", "PUT"])
    app.register_blueprint(bp, url_prefix="/in")
    return app


def _answer(app: t.Any, env: Environ, body: bytes) -> tuple[int, bytes]:
    environ = {**env, "wsgi.input": io.BytesIO(body), "wsgi.errors": io.StringIO()}
    rv, status, _ = run_wsgi_app(app, environ, buffered=True)
    return int(status[:3]), b"".join(rv)


def _documented(env: Environ, ours: tuple[int, bytes]) -> bool:
    """Tell whether a difference is one docs/porting.md lists."""
    query = env["QUERY_STRING"].encode("latin-1")
    if not query.isascii() or b"\r" in query or b"\n" in query:
        return True  # read percent-encoded
    urlencoded = env.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
    # A body the server ends is refused past MAX_CONTENT_LENGTH, where Werkzeug cuts it.
    terminated = "wsgi.input_terminated" in env
    return (ours[0] == 413 and (urlencoded or terminated)) or b"has no name" in ours[1]


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=_request(), config=_CONFIG)
def test_raw_requests_answer_below_500_and_as_flask(
    case: tuple[Environ, bytes], config: dict[str, t.Any]
) -> None:
    env, body = case
    theirs = _answer(_build(FRAMEWORKS["flask"], config), env, body)
    ours = _answer(_build(FRAMEWORKS["microflask"], config), env, body)
    assert ours[0] < 500, ours
    if theirs[0] < 500 and not _documented(env, ours):
        assert ours[0] == theirs[0], (theirs, ours)
        if ours[0] < 300:
            assert ours[1] == theirs[1]
