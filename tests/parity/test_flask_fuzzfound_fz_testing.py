"""Compare with Flask 3.1 the cases the testing-utilities fuzzing found.

Each case is the smallest app and request sequence that once answered
differently from Flask; the generators (test client arguments, cookies and
``session_transaction``, the exception propagation switches, the CLI runner,
``copy_current_request_context``) live outside the repository.
"""

from __future__ import annotations

import types
import typing as t

import pytest
from flask_parity import FRAMEWORKS, assert_same, get, make_app


def popped_view_args(fw: types.ModuleType) -> t.Any:
    """A URL value preprocessor pops an argument; the view copies its context."""
    app = make_app(fw)

    @app.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        if values is not None:
            values.pop("lang")

    @app.route("/<lang>/page")
    def page() -> str:
        seen = [dict(fw.request.view_args)]
        fw.copy_current_request_context(lambda: seen.append(dict(fw.request.view_args)))()
        seen.append(dict(fw.request.view_args))
        return repr(seen)

    return app


def test_each_push_matches_the_url_again() -> None:
    assert_same(popped_view_args, [get("/en/page")])


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_a_re_pushed_context_matches_the_url_again(name: str) -> None:
    fw = FRAMEWORKS[name]
    app = make_app(fw)
    app.add_url_rule("/<lang>/page", "page", lambda lang: lang)
    with app.test_request_context("/de/page") as ctx:
        fw.request.view_args.clear()
        with ctx:
            assert fw.request.view_args == {"lang": "de"}


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_base_url_with_subdomain_is_refused_with_flasks_message(name: str) -> None:
    app = make_app(FRAMEWORKS[name])
    message = 'Cannot pass "subdomain" or "url_scheme" with "base_url".'
    with pytest.raises(AssertionError, match=message):
        app.test_client().get("/", base_url="http://example.com", subdomain="api")
