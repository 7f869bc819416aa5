"""Shared fixtures: a fresh app per test and a context-leak guard.

``client``, ``runner`` and ``app_ctx`` come from microflask's own pytest plugin,
built on this ``app``.
"""

from __future__ import annotations

import typing as t

import pytest

from microflask import Microflask
from microflask.globals import _cv_app, _cv_request


@pytest.fixture
def app() -> Microflask:
    """A fresh app; a test module adds its views with an autouse fixture."""
    app = Microflask("tests_app", root_path=__file__.rpartition("/")[0])
    app.config.update(TESTING=True, SECRET_KEY="test secret")
    return app


@pytest.fixture(autouse=True)
def _no_leaked_contexts() -> t.Iterator[None]:
    """Fail any test that leaves an app or request context pushed."""
    yield
    leaked = []
    if (req := _cv_request.get(None)) is not None:
        leaked.append(f"request context {req!r}")
    if (app_ctx := _cv_app.get(None)) is not None:
        leaked.append(f"app context {app_ctx!r}")
    if leaked:
        pytest.fail(f"Test left contexts pushed: {', '.join(leaked)}")
