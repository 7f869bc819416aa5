"""Compare with Flask 3.1 blueprint programs after round 12's refactors.

``Blueprint.add_url_rule`` now records one deferred call with
``provide_automatic_options`` inside its options, and the ``*_app_*`` hooks
use ``setdefault``. Generated programs (nested blueprints registered twice,
every ``register_blueprint`` option, class views, hooks at each level) ran
the same on both; these cases pin the parts those refactors touched. The
generators live outside the repository.
"""

from __future__ import annotations

import types
import typing as t

import pytest
from flask_parity import assert_same, blueprint, get, make_app, send

_ROUTES: list[tuple[str, dict[str, t.Any]]] = [
    ("/auto", {}),
    ("/no-auto", {"provide_automatic_options": False}),
    ("/auto-on", {"methods": ["POST"], "provide_automatic_options": True}),
    ("/own-options", {"methods": ["GET", "OPTIONS"], "provide_automatic_options": False}),
    ("/only-options", {"methods": ["OPTIONS"]}),
    ("/head", {"methods": ["HEAD"]}),
    ("/put", {"methods": ["PUT", "OPTIONS"], "provide_automatic_options": True}),
]


def _nested_twice(fw: types.ModuleType) -> t.Any:
    """An app with a child blueprint registered twice inside a parent."""
    app = make_app(fw)
    parent = blueprint(fw, "parent", url_prefix="/p")
    child = blueprint(fw, "child", url_prefix="/c")
    calls: list[str] = []

    def view() -> str:
        return f"{fw.request.endpoint} {fw.url_for('.auto')} {calls}"

    for i, (rule, options) in enumerate(_ROUTES):
        child.add_url_rule(rule, rule.strip("/").replace("-", "_"), view, **options)
        if i == 0:
            child.record(lambda state: calls.append(f"record {state.name}"))
            child.record_once(lambda state: calls.append(f"once {state.name}"))
    parent.register_blueprint(child)
    parent.register_blueprint(child, name="again", url_prefix="/a")
    app.register_blueprint(parent)
    return app


_PATHS = [f"/p/{where}{rule}" for where in ("c", "a") for rule, _ in _ROUTES]


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "POST", "PUT"])
def test_allow_and_answers_of_a_blueprint_registered_twice(method: str) -> None:
    """Every ``provide_automatic_options`` and ``methods`` mix: as Flask."""
    assert_same(_nested_twice, [send(method, path) for path in _PATHS])


def test_app_wide_hook_of_a_twice_registered_blueprint_runs_once() -> None:
    """``before_app_request`` is recorded once, however often it registers."""

    def build(fw: types.ModuleType) -> t.Any:
        app = make_app(fw)
        bp = blueprint(fw, "bp")
        runs: list[str] = []
        bp.before_app_request(lambda: runs.append("hook"))
        bp.route("/runs")(lambda: str(len(runs)))
        app.register_blueprint(bp)
        app.register_blueprint(bp, name="bp2", url_prefix="/two")
        return app

    assert_same(build, [get("/runs"), get("/two/runs"), get("/runs")])
