"""Pin ``Response.__call__``'s fast path to Werkzeug's ``Response.__call__``.

A buffered body with its length set is sent without Werkzeug's general path;
for any response, status line, header list and body bytes must be those
Werkzeug's own ``__call__`` sends for the same response and environ.
"""

from __future__ import annotations

import typing as t

from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response as WerkzeugResponse

from microflask.wrappers import Response

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

_text = st.text(st.sampled_from(["a", "é", " ", "\n", "<", "0"]), max_size=8)
_bodies: st.SearchStrategy[t.Any] = st.one_of(
    _text,
    _text.map(str.encode),
    st.lists(_text.map(str.encode), max_size=3),
    st.lists(_text, max_size=3),
    st.lists(_text | _text.map(str.encode), max_size=3).map(tuple),
    st.just(None),
)
_statuses = st.sampled_from([100, 101, 200, 201, 204, 206, 301, 302, 304, 400, 404, 500, 599])
_header = st.one_of(
    st.tuples(st.just("Location"), st.sampled_from(["/next", "http://x.test/a b", "rel", "é"])),
    st.tuples(st.just("Content-Location"), st.sampled_from(["/c", "c"])),
    st.tuples(st.sampled_from(["Content-Length", "content-length"]), st.sampled_from(["0", "3"])),
    st.tuples(st.just("X-Thing"), _text.map(str.strip).filter(lambda s: "\n" not in s)),
    st.tuples(st.just("Content-Type"), st.sampled_from(["text/plain", "application/json"])),
    st.tuples(st.just("Transfer-Encoding"), st.just("chunked")),
)


@st.composite
def _response_spec(draw: st.DrawFn) -> dict[str, t.Any]:
    return {
        "body": draw(_bodies),
        "status": draw(_statuses),
        "headers": draw(st.lists(_header, max_size=3)),
        "cookie": draw(st.none() | st.sampled_from(["a", "é b", 'q"uote'])),
        "fix_length": draw(st.booleans()),
        "on_close": draw(st.booleans()),
    }


def _make(cls: type[Response], spec: dict[str, t.Any], closed: list[str]) -> Response:
    body = spec["body"]
    if isinstance(body, tuple):  # a generator: consumed once, so made per response
        body = iter(body)
    response = cls(body, status=spec["status"], headers=spec["headers"])
    if spec["cookie"] is not None:
        response.set_cookie("c", spec["cookie"], samesite="Lax")
    if spec["fix_length"] and not isinstance(spec["body"], tuple):
        response.headers["Content-Length"] = str(len(response.get_data()))
    if spec["on_close"]:
        response.call_on_close(lambda: closed.append("closed"))
    return response


def _send(
    call: t.Callable[[Response, WSGIEnvironment, StartResponse], t.Iterable[bytes]],
    response: Response,
    environ: WSGIEnvironment,
) -> tuple[str, list[tuple[str, str]], bytes]:
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Any:
        started.append((status, headers))

    app_iter = call(response, environ, start_response)
    try:
        body = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    (status, headers), *_ = started
    return status, headers, body


@settings(max_examples=150, deadline=None)
@given(
    spec=_response_spec(),
    method=st.sampled_from(["GET", "HEAD", "POST"]),
    scheme=st.sampled_from(["http", "https"]),
)
def test_response_call_sends_what_werkzeugs_call_sends(
    spec: dict[str, t.Any], method: str, scheme: str
) -> None:
    environ = EnvironBuilder("/p", method=method, base_url=f"{scheme}://h.test").get_environ()
    closed: list[str] = []
    ours = _send(Response.__call__, _make(Response, spec, closed), environ)
    ours_closed, closed[:] = list(closed), []
    theirs = _send(WerkzeugResponse.__call__, _make(Response, spec, closed), environ)
    assert ours == theirs
    assert ours_closed == closed


def test_fast_path_is_taken_for_a_buffered_body_with_its_length() -> None:
    response = Response(b"hi")
    environ = EnvironBuilder("/").get_environ()
    app_iter = response(environ, lambda status, headers, exc_info=None: lambda data: None)
    # Werkzeug's path wraps the body in a ClosingIterator; the fast path returns it.
    assert app_iter is response.response
