"""The bridge as installed by ``-p microflask.flask_compat``, in this process."""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
import typing as t
from pathlib import Path

import blinker
import pytest

import microflask
import microflask.cli
import microflask.ctx
import microflask.globals
import microflask.json.provider
import microflask.scaffold
import microflask.testing
from microflask.flask_compat import FLASK_API_VERSION, install_as_flask

FLASK_MODULES = {
    "flask": "microflask",
    "flask.app": "microflask.app",
    "flask.blueprints": "microflask.blueprints",
    "flask.cli": "microflask.cli",
    "flask.config": "microflask.config",
    "flask.ctx": "microflask.ctx",
    "flask.debughelpers": "microflask.debughelpers",
    "flask.globals": "microflask.globals",
    "flask.helpers": "microflask.helpers",
    "flask.json": "microflask.json",
    "flask.json.provider": "microflask.json.provider",
    "flask.json.tag": "microflask.json.tag",
    "flask.logging": "microflask.logging",
    "flask.sansio.app": "microflask.app",
    "flask.sansio.blueprints": "microflask.blueprints",
    "flask.sansio.scaffold": "microflask.scaffold",
    "flask.sessions": "microflask.sessions",
    "flask.signals": "microflask.signals",
    "flask.templating": "microflask.templating",
    "flask.testing": "microflask.testing",
    "flask.typing": "microflask.typing",
    "flask.views": "microflask.views",
    "flask.wrappers": "microflask.wrappers",
}


@pytest.mark.parametrize(("flask_name", "ours"), FLASK_MODULES.items())
def test_every_flask_module_is_microflasks_module(flask_name: str, ours: str) -> None:
    assert importlib.import_module(flask_name) is importlib.import_module(ours)
    # attribute access from the package gives the same object as the import
    module = importlib.import_module("flask")
    for part in flask_name.split(".")[1:]:
        module = getattr(module, part)
    assert module is sys.modules[ours]


def test_flask_sansio_is_a_package_of_our_modules() -> None:
    import flask.sansio

    assert flask.sansio.__name__ == "flask.sansio"
    assert flask.sansio.app is microflask.app
    assert flask.sansio.scaffold is importlib.import_module("microflask.scaffold")


def _flask(name: str, attribute: str) -> object:
    # the real Flask's stubs would type flask.* for mypy: look names up untyped
    return getattr(importlib.import_module(name), attribute)


@pytest.mark.parametrize(
    ("module", "name", "ours"),
    [
        ("flask", "Flask", microflask.Microflask),
        ("flask.app", "Flask", microflask.Microflask),
        ("flask.sansio.app", "App", microflask.Microflask),
        ("flask.testing", "FlaskClient", microflask.testing.MicroflaskClient),
        ("flask.testing", "FlaskCliRunner", microflask.testing.MicroflaskCliRunner),
        ("flask.cli", "FlaskGroup", microflask.cli.MicroflaskGroup),
        ("flask.cli", "get_version", microflask.cli.get_version),
        ("flask.sansio.blueprints", "Blueprint", microflask.Blueprint),
        ("flask.sansio.blueprints", "BlueprintSetupState", microflask.BlueprintSetupState),
        ("flask.sansio.scaffold", "Scaffold", microflask.scaffold.Scaffold),
        ("flask.signals", "Namespace", blinker.Namespace),
        ("flask.globals", "_cv_request", microflask.globals._cv_request),
        ("flask.ctx", "RequestContext", microflask.ctx.RequestContext),
        (
            "flask.json.provider",
            "DefaultJSONProvider",
            microflask.json.provider.DefaultJSONProvider,
        ),
    ],
)
def test_flask_spellings_are_served_beside_ours(module: str, name: str, ours: object) -> None:
    assert _flask(module, name) is ours


@pytest.mark.parametrize(
    ("module", "name", "ours"),
    [
        ("flask.app", "request", "microflask.request"),
        ("flask.app", "session", "microflask.session"),
        ("flask.app", "request_started", "microflask.request_started"),
        ("flask.app", "send_from_directory", "microflask.send_from_directory"),
        ("flask.app", "Environment", "microflask.templating.Environment"),
        ("flask.blueprints", "current_app", "microflask.current_app"),
        ("flask.ctx", "appcontext_pushed", "microflask.appcontext_pushed"),
        ("flask.logging", "request", "microflask.request"),
        ("flask.sessions", "BadSignature", "itsdangerous.BadSignature"),
        ("flask.templating", "TemplateNotFound", "jinja2.TemplateNotFound"),
    ],
)
def test_names_flasks_modules_import_are_served_there(module: str, name: str, ours: str) -> None:
    # Code written for Flask imports them from there: ``from flask.app import request``.
    where, _, attribute = ours.rpartition(".")
    assert _flask(module, name) is getattr(importlib.import_module(where), attribute)


def test_default_template_context_processor_is_served_from_flask_templating() -> None:
    # Apps import it from there, to put it back after replacing their processor lists.
    app = microflask.Microflask(__name__)
    processor = _flask("flask.templating", "_default_template_ctx_processor")
    assert processor in app.template_context_processors[None]


def test_every_listed_imported_name_is_served() -> None:
    from microflask.flask_compat import _IMPORTED_NAMES

    for module, names in _IMPORTED_NAMES.items():
        for name in names.split():
            assert _flask(module, name) is not None, (module, name)


def test_endpoint_helper_for_flask_restx() -> None:
    _endpoint_from_view_func = t.cast(
        t.Callable[[object], str], _flask("flask.sansio.scaffold", "_endpoint_from_view_func")
    )

    def index() -> str:
        return ""

    assert _endpoint_from_view_func(index) == "index"
    with pytest.raises(AssertionError, match="pass endpoint= or view_func="):
        _endpoint_from_view_func(None)


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("flask.app", "T_template_filter"),
        ("flask.sansio.app", "T_shell_context_processor"),
        ("flask.sansio.blueprints", "T_template_global"),
        ("flask.sansio.blueprints", "T_url_defaults"),
        ("flask.sansio.scaffold", "T_route"),
        ("flask.sansio.scaffold", "T_after_request"),
    ],
)
def test_flasks_decorator_typevars_are_where_flask_defines_them(module: str, name: str) -> None:
    # Flask-First, for one, does ``from flask.sansio.scaffold import T_route``
    typevar = _flask(module, name)
    assert isinstance(typevar, t.TypeVar)
    assert typevar.__name__ == name


@pytest.mark.parametrize("module", ["flask.sansio.scaffold", "flask.sansio.app"])
def test_find_package_is_served_where_flask_has_it(module: str) -> None:
    # Apps call it to find their instance folder before they create the app.
    find_package = t.cast(
        t.Callable[[str], "tuple[str | None, str]"], _flask(module, "find_package")
    )
    prefix, folder = find_package("microflask")
    assert Path(folder) == Path(microflask.__file__).parents[1]
    app = microflask.Microflask("microflask")
    expected = (
        Path(folder, "instance") if prefix is None else Path(prefix, "var", "microflask-instance")
    )
    assert Path(app.instance_path) == expected


def test_version_answers() -> None:
    assert _flask("flask", "__version__") == FLASK_API_VERSION
    # pip installed the real Flask as the extensions' dependency: its metadata answers
    installed = importlib.metadata.version("flask")
    assert installed.split(".")[0] == "3"


def test_monkeypatching_flask_patches_microflask(
    monkeypatch: pytest.MonkeyPatch, app: microflask.Microflask
) -> None:
    monkeypatch.setattr("flask.helpers.get_debug_flag", lambda: True)
    assert microflask.helpers.get_debug_flag() is True
    monkeypatch.setattr("flask.json.provider.DefaultJSONProvider.sort_keys", False)
    with app.app_context():
        assert microflask.json.dumps({"b": 1, "a": 2}) == '{"b": 1, "a": 2}'


def test_second_call_is_a_no_op() -> None:
    before_path = list(sys.meta_path)
    before_modules = {name: sys.modules[name] for name in FLASK_MODULES}
    install_as_flask()
    assert sys.meta_path == before_path
    assert {name: sys.modules[name] for name in FLASK_MODULES} == before_modules


def test_other_flask_names_are_refused() -> None:
    with pytest.raises(ModuleNotFoundError, match="No module named 'flask.csrf'"):
        importlib.import_module("flask.csrf")
    with pytest.raises(ModuleNotFoundError, match="serves Flask's public modules only"):
        importlib.import_module("flask.scaffold")  # Flask 2's name, gone in Flask 3


def test_dropped_module_is_served_again(monkeypatch: pytest.MonkeyPatch) -> None:
    ours = importlib.import_module("microflask.views")
    spec = ours.__spec__
    monkeypatch.delitem(sys.modules, "flask.views")
    module = importlib.import_module("flask.views")
    assert module is ours
    assert module.__spec__ is spec  # our module keeps its own name and spec
    assert module.__name__ == "microflask.views"


def test_real_flask_is_never_imported() -> None:
    import flask_cors  # noqa: F401
    import flask_login  # type: ignore[import-untyped]  # noqa: F401
    import flask_restx  # type: ignore[import-untyped]  # noqa: F401

    loaded = [
        name
        for name, module in sys.modules.items()
        if Path(getattr(module, "__file__", None) or "/").parent.name == "flask"
    ]
    assert loaded == []


def test_flask_restx_api_runs(app: microflask.Microflask) -> None:
    from flask_restx import Api, Resource

    api = Api(app, doc="/docs/")

    @api.route("/hello/<string:name>")
    class Hello(Resource):  # type: ignore[misc]
        def get(self, name: str) -> dict[str, str]:
            return {"hello": name}

    client = app.test_client()
    assert client.get("/hello/ada").json == {"hello": "ada"}
    spec = client.get("/swagger.json").json
    assert spec is not None and "/hello/{name}" in spec["paths"]
    assert client.get("/docs/").status_code == 200


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("flask", "Flask"),
        ("flask.app", "Flask"),
        ("flask.testing", "FlaskClient"),
        ("flask.testing", "FlaskCliRunner"),
        ("flask.cli", "FlaskGroup"),
    ],
)
def test_star_import_gives_the_flask_spellings(module: str, name: str) -> None:
    # Scripts and tutorials written for Flask start with ``from flask import *``.
    namespace: dict[str, t.Any] = {}
    exec(f"from {module} import *", namespace)
    assert namespace[name] is _flask(module, name)


def test_private_helpers_apps_import_are_served() -> None:
    no_app = t.cast(str, _flask("flask.globals", "_no_app_msg"))
    no_request = t.cast(str, _flask("flask.globals", "_no_req_msg"))
    assert no_app.startswith("Working outside of application context.")
    assert no_request.startswith("Working outside of request context.")
    split = t.cast(t.Callable[[str], list[str]], _flask("flask.helpers", "_split_blueprint_path"))
    assert split("a.b.c") == ["a.b.c", "a.b", "a"]  # as Flask's
    assert split("a") == ["a"]
    assert split("") == [""]
