"""Check the cases frameworks built on Flask found against Flask 3.1.

Each case is the smallest piece of a published framework or application
(Flask-Classful, flask-smorest, apps that catch a missing template) run on
both frameworks whose behaviour once differed from Flask's. The frameworks
themselves run outside the repository.
"""

from __future__ import annotations

import importlib
import types
import typing as t

import click
import flask
import flask.cli
import pytest
from click.testing import CliRunner
from flask_parity import FRAMEWORKS

import microflask.cli
import microflask.templating
import microflask.wrappers

# Names published code imports from Flask's modules, though they are not in
# those modules' ``__all__``: Flask-Classful does ``from flask.wrappers import
# ResponseBase`` at import time.
IMPORTED_NAMES = [
    (microflask.wrappers, "flask.wrappers", "RequestBase"),
    (microflask.wrappers, "flask.wrappers", "ResponseBase"),
    (microflask.templating, "flask.templating", "TemplateNotFound"),
]


@pytest.mark.parametrize(("module", "flask_module", "name"), IMPORTED_NAMES)
def test_module_names_published_code_imports_are_flasks(
    module: object, flask_module: str, name: str
) -> None:
    assert getattr(module, name) is getattr(importlib.import_module(flask_module), name)


def test_wrappers_base_classes_are_the_werkzeug_wrappers() -> None:
    from werkzeug.wrappers import Request, Response

    assert issubclass(microflask.wrappers.Request, microflask.wrappers.RequestBase)
    assert microflask.wrappers.ResponseBase is Response
    assert microflask.wrappers.RequestBase is Request


def _app_with_an_openapi_group(fw: types.ModuleType) -> t.Any:
    app = (fw.Flask if fw is flask else fw.Microflask)("openapi_group")
    group: click.Group = fw.cli.AppGroup("openapi")

    @group.command("print")
    def print_document() -> None:
        click.echo(f"{fw.__name__} app's openapi")

    app.cli.add_command(group)
    return app


def test_an_apps_openapi_command_runs_rather_than_microflasks() -> None:
    # flask-smorest and flask-openapi3 add an ``openapi`` command to app.cli;
    # microflask's own ``openapi`` (an entry point) shadowed it, so
    # ``microflask openapi print`` was a usage error where ``flask`` ran it.
    for fw in FRAMEWORKS.values():
        group_class = flask.cli.FlaskGroup if fw is flask else microflask.cli.MicroflaskGroup
        group = group_class(create_app=lambda fw=fw: _app_with_an_openapi_group(fw))
        result = CliRunner().invoke(group, ["openapi", "print"])
        assert (result.exit_code, result.output) == (0, f"{fw.__name__} app's openapi\n")
