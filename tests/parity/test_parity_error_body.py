"""Pin the kept HTTP error bodies to Werkzeug's ``HTTPException.get_body``.

An error answered by the app gets the body Werkzeug would make for it, whether it
comes from the app's store of bodies or is made afresh.
"""

from __future__ import annotations

import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, default_exceptions
from werkzeug.test import EnvironBuilder

from microflask.app import _MAX_ERROR_BODIES, _error_bodies, _http_error_body

_descriptions = st.none() | st.text(st.sampled_from(["a", "<", ">", "&", "\n", "é", " "]))


@given(code=st.sampled_from(sorted(default_exceptions)), description=_descriptions)
def test_kept_body_equals_werkzeugs(code: int, description: str | None) -> None:
    error = default_exceptions[code](description=description)
    expected = error.get_body(None)
    assert _http_error_body(error, None) == expected
    assert _http_error_body(default_exceptions[code](description=description), None) == expected


@given(description=_descriptions)
def test_subclass_with_own_code_and_description(description: str | None) -> None:
    class Teapot(HTTPException):
        code = 418
        description = "short and stout"

    error = Teapot(description=description)
    assert _http_error_body(error, None) == error.get_body(None)


def test_error_with_its_own_description_method_is_asked_each_time() -> None:
    calls: list[str] = []

    class Counted(NotFound):
        def get_description(self, environ: t.Any = None, scope: t.Any = None) -> str:
            calls.append(environ["PATH_INFO"])
            return f"<p>{environ['PATH_INFO']}</p>"

    for path in ("/a", "/b"):
        environ = EnvironBuilder(path).get_environ()
        assert _http_error_body(Counted(), environ) == Counted().get_body(environ)
    assert calls == ["/a", "/a", "/b", "/b"]


def test_store_stays_bounded() -> None:
    for i in range(_MAX_ERROR_BODIES + 10):
        error = NotFound(description=f"missing {i}")
        assert _http_error_body(error, None) == error.get_body(None)
    assert len(_error_bodies) <= _MAX_ERROR_BODIES


def test_unhashable_description_is_answered() -> None:
    error = NotFound()
    error.description = ["not", "hashable"]  # type: ignore[assignment]
    assert _http_error_body(error, None) == error.get_body(None)


@pytest.mark.parametrize("first", ["markup", "str"])
def test_markup_and_str_descriptions_of_the_same_text_keep_own_bodies(first: str) -> None:
    # Werkzeug escapes a str description and keeps a Markup one as HTML; equal text
    # must not let one reuse the other's body (an escaped page, or unescaped input).
    _error_bodies.clear()
    text = "<b>same text</b>"
    errors = {"markup": BadRequest(description=Markup(text)), "str": BadRequest(description=text)}
    for name in sorted(errors, key=lambda name: name != first):
        assert _http_error_body(errors[name], None) == errors[name].get_body(None), name
