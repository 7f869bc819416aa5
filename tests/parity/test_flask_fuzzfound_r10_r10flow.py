"""Compare with Flask 3.1 the request-cycle cases drawn in round 10.

Each case is the smallest program that once behaved differently from Flask
when generated programs (view return values, hooks, error handlers, config
flags, contexts) ran on both; the generators live outside the repository.
"""

from __future__ import annotations

import pytest
from flask_parity import FRAMEWORKS, make_app


def _type_error(name: str, returned: object, path: str) -> str:
    app = make_app(FRAMEWORKS[name])
    app.add_url_rule("/view", "view", lambda: returned)
    app.register_error_handler(404, lambda e: returned)
    with pytest.raises(TypeError) as excinfo:
        app.test_client().get(path)
    return str(excinfo.value)


@pytest.mark.parametrize("returned", [None, (None, 201)], ids=["None", "tuple"])
@pytest.mark.parametrize("path", ["/view", "/missing"])
def test_none_for_a_response_raises_flasks_type_error(returned: object, path: str) -> None:
    """A view or error handler returning None: Flask's message, word for word."""
    theirs, ours = (_type_error(name, returned, path) for name in FRAMEWORKS)
    assert ours == theirs


def _popped_wrong(name: str, kind: str) -> str:
    app = make_app(FRAMEWORKS[name])
    app.add_url_rule("/", "index", lambda: "index")
    make = app.app_context if kind == "app" else app.test_request_context
    outer, inner = make(), make()
    outer.push()
    inner.push()
    with pytest.raises(AssertionError) as excinfo:
        outer.pop()  # resets to before its push: nothing is left pushed
    assert not FRAMEWORKS[name].has_app_context()
    return str(excinfo.value)


def test_popping_the_wrong_request_context_says_so_as_flask() -> None:
    theirs, ours = (_popped_wrong(name, "request") for name in FRAMEWORKS)
    assert ours == theirs


def test_popping_the_wrong_app_context_says_so_as_flask() -> None:
    """The same words; the contexts' reprs differ (Flask's has an address)."""
    theirs, ours = (_popped_wrong(name, "app").split("(")[0] for name in FRAMEWORKS)
    assert ours == theirs == "Popped wrong app context. "
