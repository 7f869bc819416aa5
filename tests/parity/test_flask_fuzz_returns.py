"""Compare drawn view return values, errors and methods with Flask 3.1.

Hypothesis draws what a view returns (every documented form, invalid ones too,
wrapped in ``(body, status, headers)`` tuples), which error handlers exist and
which request is sent; both frameworks build the same app from the drawing and
must answer alike. Derandomized: the same examples on every run. Error bodies
are compared for clients that do not prefer JSON (those get problem+json).
"""

from __future__ import annotations

import types
import typing as t

from flask_parity import FRAMEWORKS, Answer, answer, app_class, send
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException, NotFound

Spec = tuple[t.Any, ...]


class _Teapot(HTTPException):
    code = 418
    description = "short and stout"


_RAISED: dict[str, type[Exception]] = {
    "ValueError": ValueError,
    "KeyError": KeyError,
    "Teapot": _Teapot,
    "NotFound": NotFound,
}


def _gen(items: list[str]) -> t.Iterator[str]:
    yield from items


def _raise(error: Exception) -> t.NoReturn:
    raise error


def _headers(kind: str, items: list[tuple[str, str]]) -> t.Any:
    return {"dict": dict, "list": list, "Headers": Headers}[kind](items)


_BUILDERS: dict[str, t.Callable[[types.ModuleType, t.Any], t.Any]] = {
    "value": lambda fw, v: v,
    "bytearray": lambda fw, v: bytearray(v),
    "gen": lambda fw, v: _gen(v),
    "response": lambda fw, v: fw.Response(v[0], **v[1]),
    "jsonify": lambda fw, v: fw.jsonify(*v),
    "abort": lambda fw, v: fw.abort(*v),
    "redirect": lambda fw, v: fw.redirect(*v),
    "raise": lambda fw, v: _raise(_RAISED[v]()),
    "error": lambda fw, v: _RAISED[v](),
    "object": lambda fw, v: object(),
}


def _build(fw: types.ModuleType, spec: Spec) -> t.Any:
    """Return what a view returns for *spec*: a body, or a tuple around one."""
    if spec[0] == "tuple":
        parts = [_build(fw, spec[1])]
        parts += [_headers(*p[1:]) if p[0] == "headers" else p[1] for p in spec[2]]
        return tuple(parts)
    return _BUILDERS[spec[0]](fw, spec[1])


_text = st.text(st.sampled_from(list("ab <&é\n")), max_size=3)
_status = st.sampled_from([200, 201, 204, 302, 404, 418, 599, "201 CREATED", "418", "2", "x"])
_header_items = st.lists(
    st.tuples(
        st.sampled_from(["X-A", "x-a", "Content-Type", "Location", "Content-Length"]),
        st.sampled_from(["1", "text/plain", "/next", "é", ""]),
    ),
    max_size=2,
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | _text,
    lambda c: st.lists(c, max_size=2) | st.dictionaries(st.sampled_from("ab"), c, max_size=2),
    max_leaves=3,
)
_body: st.SearchStrategy[Spec] = st.one_of(
    st.tuples(st.just("value"), _text | st.binary(max_size=3) | _json | st.sampled_from([1, 1.5])),
    st.tuples(st.just("bytearray"), st.binary(max_size=3)),
    st.tuples(st.just("gen"), st.lists(_text, max_size=2)),
    st.tuples(
        st.just("response"),
        st.tuples(
            _text,
            st.fixed_dictionaries(
                {}, optional={"status": _status, "mimetype": st.sampled_from(["text/plain"])}
            ),
        ),
    ),
    st.tuples(st.just("jsonify"), st.lists(_json, max_size=2)),
    st.tuples(st.just("abort"), st.tuples(st.sampled_from([400, 404, 405, 418, 500, 999]))),
    st.tuples(st.just("abort"), st.tuples(st.sampled_from([401, 404]), _text)),
    st.tuples(st.just("redirect"), st.tuples(st.sampled_from(["/x", "/é"]), _status)),
    st.tuples(st.sampled_from(["raise", "error"]), st.sampled_from(sorted(_RAISED))),
    st.just(("object", None)),
)
_status_part = st.tuples(st.just("value"), _status)
_headers_part = st.tuples(
    st.just("headers"), st.sampled_from(["dict", "list", "Headers"]), _header_items
)
_spec: st.SearchStrategy[Spec] = _body | st.tuples(
    st.just("tuple"),
    _body,
    st.one_of(
        st.tuples(_status_part),
        st.tuples(_headers_part),
        st.tuples(_status_part, _headers_part),
        st.tuples(),
        st.tuples(_status_part, _status_part, _status_part),
    ),
)
_handler_keys = st.sampled_from([404, 418, 500, "ValueError", "HTTPException"])
_request = st.tuples(
    st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "OPTIONS", "PROPFIND"]),
    st.sampled_from(["/v", "/v", "/missing"]),
    st.sampled_from([None, "text/html", "*/*"]),
)


def _app(fw: types.ModuleType, view: Spec, handlers: dict[t.Any, Spec], methods: t.Any) -> t.Any:
    app = app_class(fw)("fuzz_returns")
    app.config.update(TESTING=True, PROPAGATE_EXCEPTIONS=False)
    app.logger.disabled = True  # the 500s are expected; their tracebacks cost time
    app.add_url_rule("/v", "v", lambda: _build(fw, view), methods=methods)
    for key, spec in handlers.items():
        exc = {"ValueError": ValueError, "HTTPException": HTTPException}.get(key, key)
        app.register_error_handler(exc, lambda e, spec=spec: _build(fw, spec))
    return app


@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    view=_spec,
    handlers=st.dictionaries(_handler_keys, _spec, max_size=2),
    methods=st.sampled_from([None, None, ["GET", "POST"], ["POST"], ["get", "OPTIONS"]]),
    requests=st.lists(_request, min_size=1, max_size=3),
)
def test_drawn_views_answer_as_flask(
    view: Spec,
    handlers: dict[t.Any, Spec],
    methods: t.Any,
    requests: list[tuple[str, str, str | None]],
) -> None:
    found: dict[str, list[Answer | str]] = {}
    for name, fw in FRAMEWORKS.items():
        client = _app(fw, view, handlers, methods).test_client()
        found[name] = [_answer(client, *request) for request in requests]
    for theirs, ours in zip(found["flask"], found["microflask"], strict=True):
        if ours != theirs and isinstance(theirs, str) and {500, "HTTPException"} & set(handlers):
            # Documented (CHANGES.md): a failing 500 handler is a plain 500, Flask raises.
            assert isinstance(ours, Answer) and ours.status.startswith("500 ")
        else:
            assert ours == theirs, (view, handlers, requests)


def _answer(client: t.Any, method: str, path: str, accept: str | None) -> Answer | str:
    """Return the answer, or the name of what the test client raised."""
    try:
        return answer(client, send(method, path, headers={"Accept": accept} if accept else {}))
    except Exception as e:
        return f"raised {type(e).__name__}"
