"""Compare with Flask 3.1 the cases found re-checking the Flask bridge.

Each case is the smallest app that behaved differently from Flask when hook
registries were changed by the hooks themselves while a request ran (drawn
programs of hooks adding, removing and replacing hooks, run on both).
"""

from __future__ import annotations

import typing as t

import pytest
from flask_parity import FRAMEWORKS, blueprint, make_app


def _logger(log: list[str], tag: str) -> t.Callable[..., t.Any]:
    def hook(*args: t.Any) -> t.Any:
        log.append(tag)
        return args[0] if args and hasattr(args[0], "headers") else None

    return hook


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_a_before_hook_appended_by_a_before_hook_runs_in_that_request(name: str) -> None:
    """Flask reads the list it runs by index: an appended hook runs next."""
    app = make_app(FRAMEWORKS[name])
    log: list[str] = []

    @app.before_request
    def add_one() -> None:
        log.append("first")
        if len(app.before_request_funcs[None]) == 1:
            app.before_request_funcs[None].append(_logger(log, "added"))

    app.route("/")(lambda: "view")
    client = app.test_client()
    client.get("/")
    client.get("/")
    assert log == ["first", "added", "first", "added"]


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_blueprint_before_hooks_added_or_removed_by_an_app_hook_apply_at_once(
    name: str,
) -> None:
    """The blueprint's list is looked up when the loop reaches it."""
    fw = FRAMEWORKS[name]
    app, bp = make_app(fw), blueprint(fw, "bp", url_prefix="/bp")
    bp.route("/")(lambda: "view")
    app.register_blueprint(bp)
    log: list[str] = []

    @app.before_request
    def change_blueprint_hooks() -> None:
        log.append("app")
        if app.before_request_funcs.pop("bp", None) is None:
            app.before_request_funcs["bp"] = [_logger(log, "bp")]

    client = app.test_client()
    for _ in range(3):
        client.get("/bp/")
    assert log == ["app", "bp", "app", "app", "bp"]


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_an_after_hook_that_clears_the_registry_stops_the_outer_ones(name: str) -> None:
    """Flask looks each blueprint's after hooks up when it reaches them."""
    fw = FRAMEWORKS[name]
    app, bp = make_app(fw), blueprint(fw, "bp", url_prefix="/bp")
    bp.route("/")(lambda: "view")
    log: list[str] = []
    app.after_request(_logger(log, "app"))

    def clear(response: t.Any) -> t.Any:
        log.append("bp")
        app.after_request_funcs.clear()
        return response

    bp.after_request(clear)

    app.register_blueprint(bp)

    client = app.test_client()
    client.get("/bp/")
    client.get("/bp/")
    assert log == ["bp"]


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_a_teardown_hook_replacing_an_outer_list_runs_the_new_one(name: str) -> None:
    """The app's teardown list is looked up after the blueprint's ran."""
    fw = FRAMEWORKS[name]
    app, bp = make_app(fw), blueprint(fw, "bp", url_prefix="/bp")
    bp.route("/")(lambda: "view")
    log: list[str] = []
    app.teardown_request(_logger(log, "old"))

    def replace(error: BaseException | None) -> None:
        log.append("bp")
        app.teardown_request_funcs[None] = [_logger(log, "new")]

    bp.teardown_request(replace)

    app.register_blueprint(bp)

    app.test_client().get("/bp/")
    assert log == ["bp", "new"]


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_a_before_hook_added_by_a_url_value_preprocessor_runs_in_that_request(
    name: str,
) -> None:
    """Flask reads before_request_funcs after the preprocessors ran."""
    app = make_app(FRAMEWORKS[name])
    log: list[str] = []

    @app.url_value_preprocessor
    def add_before_hook(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        log.append("preprocessor")
        app.before_request_funcs.setdefault(None, []).append(_logger(log, "before"))

    app.route("/<page>")(lambda page: page)
    app.test_client().get("/home")
    assert log == ["preprocessor", "before"]


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_a_new_registry_dict_assigned_by_an_after_hook_is_read_for_the_rest(
    name: str,
) -> None:
    """Flask reads the registry attribute anew for each blueprint it reaches."""
    fw = FRAMEWORKS[name]
    app, bp = make_app(fw), blueprint(fw, "bp", url_prefix="/bp")
    bp.route("/")(lambda: "view")
    log: list[str] = []
    app.after_request(_logger(log, "app"))

    def replace_dict(response: t.Any) -> t.Any:
        log.append("bp")
        setattr(app, "after_request_funcs", {"bp": []})  # noqa: B010
        return response

    bp.after_request(replace_dict)
    app.register_blueprint(bp)

    app.test_client().get("/bp/")
    assert log == ["bp"]
