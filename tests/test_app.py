"""Tests for the application object: constructor, attributes and the static route."""

from __future__ import annotations

import ast
import functools
import gc
import logging
import os
import pathlib
import typing as t
import weakref

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map

import microflask
from microflask import Config, Microflask, Response, abort
from microflask.testing import MicroflaskClient

HERE = os.path.dirname(os.path.abspath(__file__))


def test_url_map_is_a_werkzeug_map(app: Microflask) -> None:
    assert isinstance(app.url_map, Map)


def test_config_is_a_config_dict(app: Microflask) -> None:
    assert isinstance(app.config, Config)
    assert isinstance(app.config, dict)


def test_view_functions_start_with_only_the_static_view(app: Microflask) -> None:
    assert list(app.view_functions) == ["static"]


def test_extensions_is_an_empty_dict_per_app() -> None:
    first, second = Microflask("first"), Microflask("second")
    first.extensions["thing"] = 1
    assert first.extensions == {"thing": 1}
    assert second.extensions == {}


def test_name_is_the_import_name() -> None:
    assert Microflask("some.package").name == "some.package"


def test_name_of_main_is_the_script_name(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = "/srv/app/serve_me.py"
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    assert Microflask("__main__", root_path=HERE).name == "serve_me"


def test_logger_is_named_after_the_app() -> None:
    app = Microflask("named.logger.app")
    assert isinstance(app.logger, logging.Logger)
    assert app.logger.name == "named.logger.app"


def test_repr_names_the_app() -> None:
    assert repr(Microflask("reprapp")) == "<Microflask 'reprapp'>"


@pytest.mark.parametrize("value", [True, False])
def test_debug_reads_and_writes_the_debug_key(app: Microflask, value: bool) -> None:
    app.debug = value
    assert app.config["DEBUG"] is value
    assert app.debug is value


def test_debug_defaults_to_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MICROFLASK_DEBUG", raising=False)
    assert Microflask("nodebug").debug is False


def test_debug_default_comes_from_microflask_debug_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROFLASK_DEBUG", "1")
    assert Microflask("envdebug").debug is True


def test_testing_reads_and_writes_the_testing_key() -> None:
    app = Microflask("testingapp")
    assert app.testing is False
    app.testing = True
    assert app.config["TESTING"] is True


def test_secret_key_reads_and_writes_the_secret_key() -> None:
    app = Microflask("secretapp")
    assert app.secret_key is None
    app.secret_key = "s3cret"
    assert app.config["SECRET_KEY"] == "s3cret"
    app.config["SECRET_KEY"] = "other"
    assert app.secret_key == "other"


def test_root_path_defaults_to_the_import_folder() -> None:
    assert Microflask("microflask").root_path == os.path.dirname(microflask.__file__)


def test_root_path_can_be_given() -> None:
    assert Microflask("x", root_path="/srv/x").root_path == "/srv/x"


def test_instance_path_must_be_absolute() -> None:
    given = "A relative path was given instead: 'relative/instance'"
    with pytest.raises(ValueError, match=f"must be absolute. {given}"):
        Microflask("x", instance_path="relative/instance")


def test_instance_path_can_be_given(tmp_path: pathlib.Path) -> None:
    app = Microflask("x", instance_path=str(tmp_path))
    assert app.instance_path == str(tmp_path)


def test_instance_path_defaults_next_to_the_module() -> None:
    app = Microflask("conftest", root_path=HERE)
    assert app.instance_path == os.path.join(HERE, "instance")


def test_instance_relative_config_roots_files_in_the_instance(tmp_path: pathlib.Path) -> None:
    (tmp_path / "settings.py").write_text("FROM_INSTANCE = 'yes'\n")
    app = Microflask("x", instance_path=str(tmp_path), instance_relative_config=True)
    app.config.from_pyfile("settings.py")
    assert app.config["FROM_INSTANCE"] == "yes"


def test_template_folder_is_kept() -> None:
    assert Microflask("x", template_folder="views").template_folder == "views"


def test_static_route_serves_the_static_folder(tmp_path: pathlib.Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "hello.txt").write_text("static hello")
    app = Microflask("x", root_path=str(tmp_path))
    with app.test_client().get("/static/hello.txt") as rv:
        assert rv.status_code == 200
        assert rv.data == b"static hello"


def test_static_rule_is_registered_under_static_url_path() -> None:
    app = Microflask("x", static_url_path="/assets")
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert rules == {"static": "/assets/<path:filename>"}


def test_empty_static_url_path_serves_from_the_root() -> None:
    app = Microflask("x", static_url_path="")
    (rule,) = app.url_map.iter_rules("static")
    assert rule.rule == "/<path:filename>"


def test_static_url_path_defaults_to_the_folder_name() -> None:
    app = Microflask("x", static_folder="public")
    assert app.static_url_path == "/public"


def test_no_static_folder_means_no_static_route() -> None:
    app = Microflask("x", static_folder=None)
    assert list(app.url_map.iter_rules()) == []
    assert "static" not in app.view_functions


@pytest.mark.parametrize(
    ("static_host", "host_matching"),
    [("static.example.com", False), (None, True)],
)
def test_static_host_needs_host_matching(static_host: str | None, host_matching: bool) -> None:
    with pytest.raises(
        AssertionError, match="static_host must be set if and only if host_matching"
    ):
        Microflask("x", static_host=static_host, host_matching=host_matching)


def test_static_host_with_host_matching_binds_the_static_rule() -> None:
    app = Microflask("x", static_host="cdn.example.com", host_matching=True)
    (rule,) = app.url_map.iter_rules()
    assert rule.host == "cdn.example.com"
    assert app.url_map.host_matching is True


def test_host_matching_without_static_folder_needs_no_static_host() -> None:
    app = Microflask("x", host_matching=True, static_folder=None)
    assert app.url_map.host_matching is True


def test_subdomain_matching_is_kept() -> None:
    assert Microflask("x", subdomain_matching=True).subdomain_matching is True


def test_test_client_is_a_microflask_client(app: Microflask) -> None:
    assert isinstance(app.test_client(), MicroflaskClient)


def test_app_is_a_wsgi_callable(app: Microflask) -> None:
    @app.route("/")
    def index() -> str:
        return "wsgi ok"

    from werkzeug.test import Client

    rv = Client(app).get("/")
    assert rv.data == b"wsgi ok"


def test_setup_after_first_request_raises(app: Microflask, client: MicroflaskClient) -> None:
    client.get("/")
    with pytest.raises(AssertionError, match="'add_url_rule' can no longer be called"):
        app.add_url_rule("/late", "late", lambda: "late")


def _flask_imports(path: pathlib.Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "flask"]
    return found


def test_microflask_never_imports_flask() -> None:
    package = pathlib.Path(microflask.__file__).parent
    sources = sorted(package.rglob("*.py"))
    assert len(sources) > 10
    offenders = [hit for path in sources for hit in _flask_imports(path)]
    assert offenders == []


class _FlaskStyleApp(Microflask):
    """Overrides written with Flask's signatures, which take no context argument."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[str] = []

    def full_dispatch_request(self) -> Response:
        self.calls.append("full_dispatch_request")
        return super().full_dispatch_request()

    def preprocess_request(self) -> t.Any:
        self.calls.append("preprocess_request")
        return super().preprocess_request()

    def dispatch_request(self) -> t.Any:
        self.calls.append("dispatch_request")
        return super().dispatch_request()

    def make_default_options_response(self) -> Response:
        self.calls.append("make_default_options_response")
        return super().make_default_options_response()

    def finalize_request(self, rv: t.Any, from_error_handler: bool = False) -> Response:
        self.calls.append("finalize_request")
        return super().finalize_request(rv, from_error_handler)

    def process_response(self, response: Response) -> Response:
        self.calls.append("process_response")
        response.headers["X-Processed"] = "yes"
        return super().process_response(response)

    def handle_user_exception(self, e: Exception) -> t.Any:
        self.calls.append("handle_user_exception")
        return super().handle_user_exception(e)

    def handle_http_exception(self, e: HTTPException) -> t.Any:
        self.calls.append("handle_http_exception")
        return super().handle_http_exception(e)

    def handle_exception(self, e: Exception) -> Response:
        self.calls.append("handle_exception")
        return super().handle_exception(e)


@pytest.fixture
def flask_style_app() -> _FlaskStyleApp:
    app = _FlaskStyleApp("flask_style", root_path=HERE)

    @app.route("/<kind>")
    def view(kind: str) -> str:
        if kind == "missing":
            abort(404)
        if kind == "broken":
            raise ValueError("broken")
        return kind

    return app


def test_flask_style_overrides_run_for_a_request(flask_style_app: _FlaskStyleApp) -> None:
    rv = flask_style_app.test_client().get("/ok")
    assert rv.data == b"ok"
    assert rv.headers["X-Processed"] == "yes"
    assert flask_style_app.calls == [
        "full_dispatch_request",
        "preprocess_request",
        "dispatch_request",
        "finalize_request",
        "process_response",
    ]


def test_flask_style_overrides_run_for_an_options_request(
    flask_style_app: _FlaskStyleApp,
) -> None:
    rv = flask_style_app.test_client().options("/ok")
    assert rv.status_code == 200
    assert "make_default_options_response" in flask_style_app.calls


def test_flask_style_overrides_run_for_an_http_error(flask_style_app: _FlaskStyleApp) -> None:
    rv = flask_style_app.test_client().get("/missing")
    assert rv.status_code == 404
    assert rv.headers["X-Processed"] == "yes"
    assert "handle_user_exception" in flask_style_app.calls
    assert "handle_http_exception" in flask_style_app.calls


def test_flask_style_overrides_run_for_an_unhandled_error(
    flask_style_app: _FlaskStyleApp,
) -> None:
    flask_style_app.logger.disabled = True
    rv = flask_style_app.test_client().get("/broken")
    assert rv.status_code == 500
    assert rv.headers["X-Processed"] == "yes"
    assert flask_style_app.calls[-3:] == [
        "handle_exception",
        "finalize_request",
        "process_response",
    ]


def test_root_path_of_a_namespace_package_not_imported_is_the_working_directory(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "nspkg_not_imported").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(HERE)
    assert Microflask("nspkg_not_imported").root_path == HERE


def test_error_handling_replaced_on_the_instance_gets_flasks_arguments(
    app: Microflask, client: MicroflaskClient
) -> None:
    seen: list[str] = []

    def error_router(original: t.Callable[[Exception], t.Any], e: Exception) -> t.Any:
        seen.append(type(e).__name__)
        if isinstance(e, KeyError):
            return {"message": "routed"}, 418
        return original(e)

    # What Flask-RESTful does to take over the app's errors.
    app.handle_user_exception = functools.partial(error_router, app.handle_user_exception)  # type: ignore[method-assign]
    app.handle_exception = functools.partial(error_router, app.handle_exception)  # type: ignore[method-assign]

    @app.route("/<kind>")
    def view(kind: str) -> str:
        if kind == "key":
            raise KeyError(kind)
        abort(404)

    assert client.get("/key").status_code == 418
    assert client.get("/missing").status_code == 404
    assert seen == ["KeyError", "NotFound"]


def test_dispatch_replaced_on_the_instance_is_called_without_arguments(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.add_url_rule("/", "index", lambda: "index")

    # What Flask-DebugToolbar does to time the view.
    def dispatch_request() -> str:
        return "replaced"

    app.dispatch_request = dispatch_request  # type: ignore[method-assign]
    assert client.get("/").data == b"replaced"


def _freed_without_gc(build: t.Callable[[], Microflask]) -> bool:
    """Return whether the app *build* makes is freed by refcounting alone."""
    gc.collect()
    gc.disable()
    try:
        ref = weakref.ref(build())
        return ref() is None
    finally:
        gc.enable()


def test_dropped_app_is_freed_without_the_garbage_collector() -> None:
    # App factories in test suites make an app per test: a cycle keeps each one,
    # with its config and views, alive until a collection happens to run.
    assert _freed_without_gc(lambda: Microflask(__name__))


def test_app_that_served_a_request_is_freed_without_the_garbage_collector() -> None:
    def build() -> Microflask:
        app = Microflask(__name__)
        app.before_request(lambda: None)
        app.add_url_rule("/", "index", lambda: "hi")
        assert app.test_client().get("/").text == "hi"
        return app

    assert _freed_without_gc(build)
