"""Pin the urlencoded form parser, and the request's cached attributes, to Werkzeug.

``request.form`` parses a urlencoded body with the form parser's own
``_parse_urlencoded``, which also holds it to ``MAX_FORM_MEMORY_SIZE`` (a
documented difference: Werkzeug bounds it only by ``MAX_CONTENT_LENGTH``). For
any body, length, limits and a stream that may return fewer bytes than asked
for, the form must be Werkzeug's, or the same HTTP error. The request caches
``args``, ``form``, ``values``, ``files`` and ``cookies`` in its dict; each
must hold what Werkzeug's request computes.
"""

from __future__ import annotations

import io
import typing as t

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request as WerkzeugRequest

from microflask.wrappers import Request

_TOKENS = [b"a", b"b", b"=", b"&", b";", b"%", b"%2", b"%41", b"+", b"\xff", "é".encode(), b"%FF"]


class _ShortReads(io.RawIOBase):
    """A WSGI input that returns at most *step* bytes per read, as sockets may."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = io.BytesIO(data)
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        chunk = self._data.read(min(len(buffer), self._step))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:  # PEP 3333: read() returns the rest
            return self._data.read()
        return self._data.read(min(size, self._step))


@st.composite
def _environ_spec(draw: st.DrawFn) -> dict[str, t.Any]:
    body = b"".join(draw(st.lists(st.sampled_from(_TOKENS), max_size=30)))
    length = draw(
        st.sampled_from(["exact", "missing", "shorter", "longer", "exact"])
        if body
        else st.sampled_from(["exact", "missing", "longer"])
    )
    return {
        "body": body,
        "length": length,
        "step": draw(st.sampled_from([1, 2, 3, 7, 1 << 20])),
        "terminated": draw(st.booleans()),
        "content_type": draw(
            st.sampled_from(
                [
                    "application/x-www-form-urlencoded",
                    "application/x-www-form-urlencoded; charset=utf-8",
                    "text/plain",
                ]
            )
        ),
        "max_content_length": draw(st.sampled_from([None, None, 5, 40])),
        "max_form_memory_size": draw(st.sampled_from([None, 500_000, 1000])),
        "max_form_parts": draw(st.sampled_from([None, 1000, 1])),
    }


def _environ(spec: dict[str, t.Any]) -> dict[str, t.Any]:
    body: bytes = spec["body"]
    environ: dict[str, t.Any] = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": spec["content_type"],
        "wsgi.input": _ShortReads(body, spec["step"]),
        "QUERY_STRING": "q=1&q=%FF",
    }
    lengths = {"exact": len(body), "shorter": len(body) - 1, "longer": len(body) + 3}
    if spec["length"] in lengths:
        environ["CONTENT_LENGTH"] = str(lengths[spec["length"]])
    if spec["terminated"]:
        environ["wsgi.input_terminated"] = True
    return environ


def _form(cls: type[WerkzeugRequest], spec: dict[str, t.Any]) -> object:
    request = cls(_environ(spec))
    request.max_content_length = spec["max_content_length"]
    request.max_form_memory_size = spec["max_form_memory_size"]
    request.max_form_parts = spec["max_form_parts"]
    try:
        return list(request.form.items(multi=True)), list(request.files.items(multi=True))
    except HTTPException as e:
        return e.code


def _held_to_the_memory_limit(spec: dict[str, t.Any]) -> bool:
    """Whether one of microflask's documented urlencoded limits refuses this body."""
    if not spec["content_type"].startswith("application/x-www"):
        return False
    most = spec["max_content_length"]
    if spec["terminated"] and most is not None and len(spec["body"]) > most:
        return True  # a body the server ends is refused past the limit, never cut there
    limit = spec["max_form_memory_size"]
    if limit is None:
        return False
    if spec["length"] == "missing":
        return bool(spec["terminated"]) and len(spec["body"]) > limit
    return False  # a declared length over 1000 is never generated


@settings(max_examples=150, deadline=None)
@given(spec=_environ_spec())
def test_urlencoded_form_is_werkzeugs_form(spec: dict[str, t.Any]) -> None:
    ours, theirs = _form(Request, spec), _form(WerkzeugRequest, spec)
    if _held_to_the_memory_limit(spec):
        assert ours == 413
    else:
        assert ours == theirs


def test_urlencoded_body_over_the_memory_limit_is_413_where_werkzeug_parses_it() -> None:
    spec = {
        "body": b"a=" + b"b" * 50,
        "length": "exact",
        "step": 7,
        "terminated": False,
        "content_type": "application/x-www-form-urlencoded",
        "max_content_length": None,
        "max_form_memory_size": 10,
        "max_form_parts": None,
    }
    assert _form(Request, spec) == 413
    assert _form(WerkzeugRequest, spec) == ([("a", "b" * 50)], [])
    spec["length"], spec["terminated"] = "missing", True
    assert _form(Request, spec) == 413  # read in short pieces, stopped past the limit
    assert _form(WerkzeugRequest, spec) == ([("a", "b" * 50)], [])


_query = st.lists(st.sampled_from(["a", "=", "&", ";", "%", "%FF", "+", "é", "\xff"])).map("".join)


@settings(max_examples=80, deadline=None)
@given(query=_query, body=st.lists(st.sampled_from(_TOKENS), max_size=10).map(b"".join))
def test_cached_request_attributes_are_werkzeugs(query: str, body: bytes) -> None:
    def environ() -> dict[str, t.Any]:
        return {
            "REQUEST_METHOD": "POST",
            "QUERY_STRING": query.encode().decode("latin-1"),  # valid UTF-8: see below
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "HTTP_COOKIE": query,
        }

    ours, theirs = Request(environ()), WerkzeugRequest(environ())
    for name in ("args", "form", "values", "files", "cookies"):
        first = getattr(ours, name)
        assert list(first.items(multi=True)) == list(getattr(theirs, name).items(multi=True))
        assert getattr(ours, name) is first  # cached
    ours.form = None  # type: ignore[assignment]  # still settable, as Werkzeug's
    assert ours.form is None


def test_invalid_utf8_query_is_read_percent_encoded_where_werkzeug_fails() -> None:
    environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": "a=\xff"}
    # Documented in CHANGES.md: the bytes are kept percent-encoded (a 400 nowhere, a
    # 500 never); Werkzeug's request fails to decode them.
    assert Request(environ).query_string == b"a=%FF"
    assert Request(environ).args["a"] == "%FF"
    with pytest.raises(UnicodeDecodeError):
        _ = WerkzeugRequest(environ).args


def test_streamed_body_exactly_max_content_length_long_is_parsed() -> None:
    # Found by the property above: the memory-limited read went on reading past
    # MAX_CONTENT_LENGTH's LimitedStream, which raised 413 for the empty read.
    spec = {
        "body": b"aaaaa",
        "length": "missing",
        "step": 1,
        "terminated": True,
        "content_type": "application/x-www-form-urlencoded",
        "max_content_length": 5,
        "max_form_memory_size": 1000,
        "max_form_parts": None,
    }
    assert _form(Request, spec) == _form(WerkzeugRequest, spec) == ([("aaaaa", "")], [])
