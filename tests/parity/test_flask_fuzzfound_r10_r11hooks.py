"""Compare with Flask 3.1 the hook-registry cases drawn in round 11.

Each case is the smallest program that once behaved differently from Flask
when generated programs (hooks on apps and nested blueprints, registries
changed while they run, templates, url_for) ran on both; the generators live
outside the repository.
"""

from __future__ import annotations

import pytest
from flask_parity import FRAMEWORKS, blueprint, make_app

_HOOKS = {
    "before_request_funcs": ("before_request", "before_app_request"),
    "after_request_funcs": ("after_request", "after_app_request"),
    "teardown_request_funcs": ("teardown_request", "teardown_app_request"),
    "url_value_preprocessors": ("", "app_url_value_preprocessor"),
    "url_default_functions": ("", "app_url_defaults"),
}


def _hook(*args: object) -> object:
    return args[0] if args else None


def _registered(name: str, registry: str, from_blueprint: bool) -> list[object]:
    """Replace *registry* by a plain dict, then register a hook in it."""
    app = make_app(FRAMEWORKS[name])
    setattr(app, registry, {})
    on_app, app_wide = _HOOKS[registry]
    if from_blueprint:
        bp = blueprint(FRAMEWORKS[name], "bp")
        getattr(bp, app_wide)(_hook)
        app.register_blueprint(bp)
    else:
        getattr(app, on_app)(_hook)
    return list(getattr(app, registry).items())


# Flask's own context_processor, url_value_preprocessor and url_defaults index
# [None]: a KeyError on both, so those three are not compared.
_CASES = [
    pytest.param(registry, from_blueprint, id=f"{registry}-{'bp' if from_blueprint else 'app'}")
    for registry, (on_app, _) in _HOOKS.items()
    for from_blueprint in (False, True)
    if on_app or from_blueprint
]


@pytest.mark.parametrize(("registry", "from_blueprint"), _CASES)
def test_a_hook_registers_into_a_registry_replaced_by_a_plain_dict(
    registry: str, from_blueprint: bool
) -> None:
    """``app.before_request_funcs = {}``, then ``@app.before_request``: as Flask.

    Flask's ``before_request``, ``after_request``, ``teardown_request`` and a
    blueprint's six ``*_app_*`` variants use ``setdefault(None, [])``; they
    raised ``KeyError: None`` here.
    """
    theirs, ours = (_registered(name, registry, from_blueprint) for name in FRAMEWORKS)
    assert ours == theirs == [(None, [_hook])]


def _hooks_run(name: str) -> list[str]:
    """A URL value preprocessor swaps the request's rule for another blueprint's."""
    fw = FRAMEWORKS[name]
    app = make_app(fw)
    log: list[str] = []
    for bp_name, path in (("a", "/x"), ("b", "/y")):
        bp = blueprint(fw, bp_name)
        bp.add_url_rule(path, "view", lambda: "view")
        bp.before_request(lambda bp_name=bp_name: log.append(f"{bp_name} before"))

        def after(response: object, bp_name: str = bp_name) -> object:
            log.append(f"{bp_name} after")
            return response

        bp.after_request(after)
        app.register_blueprint(bp)

    @app.url_value_preprocessor
    def swap_rule(endpoint: str | None, values: object) -> None:
        if endpoint == "a.view":
            rules = app.url_map.iter_rules()
            fw.request.url_rule = next(r for r in rules if r.endpoint == "b.view")

    assert app.test_client().get("/x").status_code == 200
    return log


def test_before_request_hooks_use_the_blueprints_read_before_preprocessing() -> None:
    """Flask reads ``request.blueprints`` once, before the URL value preprocessors.

    Its before-request hooks are then those of the matched rule's blueprint even
    if a preprocessor changes ``request.url_rule``; after-request hooks read the
    new one. microflask read it again, and ran the other blueprint's hooks.
    """
    theirs, ours = (_hooks_run(name) for name in FRAMEWORKS)
    assert ours == theirs == ["a before", "b after"]
