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
