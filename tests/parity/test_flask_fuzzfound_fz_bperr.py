"""Compare with Flask 3.1 the cases blueprint and error-handler fuzzing found.

Each case is the smallest app (or setup call) that once answered or failed
differently from Flask; the generator lives outside the repository.
"""

from __future__ import annotations

import types
import typing as t

import click
import pytest
from click.testing import CliRunner
from flask_parity import FRAMEWORKS, assert_same, get, make_app
from werkzeug.exceptions import NotFound
from werkzeug.routing import RoutingException


class _RoutingNotFound(NotFound, RoutingException):
    """A 404 that is also a routing exception, which Flask hands to no handler."""


def routing_exception_subclass(fw: types.ModuleType) -> t.Any:
    """A handler for HTTPException, and a view raising a routing-exception 404."""
    app: t.Any = make_app(fw)
    app.register_error_handler(404, lambda e: ("handled", 200))

    def view() -> str:
        raise _RoutingNotFound()

    app.add_url_rule("/r", "r", view)
    return app


def test_http_error_that_is_a_routing_exception_skips_handlers_as_in_flask() -> None:
    assert_same(routing_exception_subclass, [get("/r")])


def _error_type(fw: types.ModuleType, setup: t.Callable[[t.Any], object]) -> str:
    app = make_app(fw)
    try:
        setup(app)
    except Exception as e:
        return type(e).__name__
    return "no error"


def _no_endpoint_nor_view(fw: types.ModuleType) -> t.Callable[[t.Any], object]:
    bp = fw.Blueprint("bp", __name__)
    bp.add_url_rule("/x")
    return lambda app: app.register_blueprint(bp)


def _state_rule_without_endpoint(fw: types.ModuleType) -> t.Callable[[t.Any], object]:
    bp = fw.Blueprint("bp", __name__)
    bp.record(lambda state: state.add_url_rule("/x"))
    return lambda app: app.register_blueprint(bp)


@pytest.mark.parametrize("key", ["404", None, len], ids=["str", "None", "function"])
def test_error_handler_for_a_non_class_raises_type_error_as_in_flask(key: object) -> None:
    found = {
        name: _error_type(fw, lambda app: app.register_error_handler(key, lambda e: ""))
        for name, fw in FRAMEWORKS.items()
    }
    assert found == {"flask": "TypeError", "microflask": "TypeError"}


@pytest.mark.parametrize("make_setup", [_no_endpoint_nor_view, _state_rule_without_endpoint])
def test_blueprint_rule_without_endpoint_or_view_is_assertion_error_as_in_flask(
    make_setup: t.Callable[[types.ModuleType], t.Callable[[t.Any], object]],
) -> None:
    found = {name: _error_type(fw, make_setup(fw)) for name, fw in FRAMEWORKS.items()}
    assert found == {"flask": "AssertionError", "microflask": "AssertionError"}


def url_defaults_filled_after_construction(fw: types.ModuleType) -> t.Any:
    """An empty url_defaults dict filled before registration: Flask keeps that dict."""
    app: t.Any = make_app(fw)
    defaults: dict[str, str] = {}
    bp = fw.Blueprint("bp", __name__, url_defaults=defaults)
    bp.add_url_rule("/x", "x", lambda **values: repr(sorted(values.items())))
    defaults["lang"] = "en"
    app.register_blueprint(bp)
    return app


def test_blueprint_keeps_the_empty_url_defaults_dict_it_was_given_as_flask() -> None:
    assert_same(url_defaults_filled_after_construction, [get("/x")])


def test_blueprint_cli_group_is_named_for_the_blueprint_before_registration() -> None:
    """Flask names it at construction, so it can join another click group."""
    outputs = {}
    for name, fw in FRAMEWORKS.items():
        bp = fw.Blueprint("tools", __name__)
        bp.cli.command("hello", with_appcontext=False)(lambda: click.echo("hi"))
        group = click.Group("outer")
        group.add_command(bp.cli)
        outputs[name] = CliRunner().invoke(group, ["tools", "hello"]).output
    assert outputs == {"flask": "hi\n", "microflask": "hi\n"}
