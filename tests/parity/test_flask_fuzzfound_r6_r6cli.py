"""Compare with Flask 3.1 the command line cases a differential run found.

Each case is the smallest form of a difference found by running the same app
under the ``flask`` and ``microflask`` commands; the generators live outside
the repository.
"""

from __future__ import annotations

import code
import functools
import importlib
import pathlib
import sys
import types
import typing as t

import pytest
from flask_parity import FRAMEWORKS, app_class


def _cli(fw: types.ModuleType) -> t.Any:
    """Return the framework's ``cli`` module."""
    return importlib.import_module(f"{fw.__name__}.cli")


def _factory_module(fw: types.ModuleType) -> types.ModuleType:
    """Return a module whose factory gets its argument from a decorator."""

    def inject_config(f: t.Callable[[str], t.Any]) -> t.Callable[[], t.Any]:
        @functools.wraps(f)
        def wrapper() -> t.Any:
            return f("injected")

        return wrapper

    @inject_config
    def create_app(name: str) -> t.Any:
        return app_class(fw)(name)

    module = types.ModuleType("factory_module")
    module.create_app = create_app  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize("app_name", [None, "create_app", "create_app()"])
def test_factory_wrapped_by_a_decorator_that_supplies_arguments(app_name: str | None) -> None:
    found = {}
    for name, fw in FRAMEWORKS.items():
        cli, module = _cli(fw), _factory_module(fw)
        if app_name is None:
            app = cli.find_best_app(module)
        else:
            app = cli.find_app_by_string(module, app_name)
        found[name] = app.name
    assert found["microflask"] == found["flask"] == "injected"


def test_server_banner_quotes_the_import_path_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    found = {}
    for name, fw in FRAMEWORKS.items():
        _cli(fw).show_server_banner(False, "hello:create_app('dev')")
        found[name] = capsys.readouterr().out.replace("Microflask", "Flask")
    assert found["microflask"] == found["flask"]
    assert found["flask"] == " * Serving Flask app 'hello:create_app('dev')'\n * Debug mode: off\n"


def test_shell_runs_the_interactive_hook_of_pythons_prompt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(sys, "__interactivehook__", lambda: calls.append("hook"), raising=False)
    monkeypatch.setattr(code, "interact", lambda **kwargs: calls.append("interact"))
    found = {}
    for name, fw in FRAMEWORKS.items():
        app = app_class(fw)("shell_app")
        result = app.test_cli_runner().invoke(_cli(fw).shell_command)
        found[name] = (result.exit_code, calls[:])
        calls.clear()
    assert found["microflask"] == found["flask"] == (0, ["hook", "interact"])


def _locate_error(fw: types.ModuleType, path: str) -> str:
    """Return the NoAppException message for loading the app at *path*."""
    cli = _cli(fw)
    try:
        cli.locate_app(cli.prepare_import(path), None)
    except cli.NoAppException as e:
        return str(e.format_message())
    raise AssertionError(f"{path!r} loaded")


@pytest.fixture
def cleanup_imports(tmp_path: pathlib.Path) -> t.Iterator[pathlib.Path]:
    """Forget the modules imported from *tmp_path* and its sys.path entry."""
    saved_path = sys.path[:]
    yield tmp_path
    sys.path[:] = saved_path
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", "") or "").startswith(str(tmp_path)):
            del sys.modules[name]


def test_app_file_whose_name_starts_with_a_dot(cleanup_imports: pathlib.Path) -> None:
    (cleanup_imports / ".hidden.py").write_text("x = 1\n")
    found = {
        name: _locate_error(fw, str(cleanup_imports / ".hidden.py"))
        for name, fw in FRAMEWORKS.items()
    }
    assert found["microflask"] == found["flask"] == "Could not import '.hidden'."


def test_import_error_traceback_skips_importlib_frames(cleanup_imports: pathlib.Path) -> None:
    found = {}
    for name, fw in FRAMEWORKS.items():
        (cleanup_imports / f"broken_{name}.py").write_text("import no_such_module_r6cli\n")
        message = _locate_error(fw, str(cleanup_imports / f"broken_{name}.py"))
        found[name] = [line for line in message.splitlines() if line.startswith("  File ")]
    assert len(found["microflask"]) == len(found["flask"]) == 2
    assert "importlib" not in "".join(found["microflask"])


@pytest.mark.parametrize("package", ["app", "wsgi"])
def test_app_or_wsgi_package_is_found_without_app_option(
    cleanup_imports: pathlib.Path, monkeypatch: pytest.MonkeyPatch, package: str
) -> None:
    found = {}
    for name, fw in FRAMEWORKS.items():
        folder = cleanup_imports / name
        (folder / package).mkdir(parents=True)
        cls = app_class(fw).__name__
        source = f"from {fw.__name__} import {cls}\napp = {cls}('{package}_pkg')\n"
        (folder / package / "__init__.py").write_text(source)
        monkeypatch.chdir(folder)
        found[name] = _cli(fw).ScriptInfo().load_app().name
        sys.modules.pop(package)
    assert found["microflask"] == found["flask"] == f"{package}_pkg"


def test_group_takes_params_none_as_click_does() -> None:
    found = {}
    for name, fw in FRAMEWORKS.items():
        cli = _cli(fw)
        group_class = getattr(cli, "FlaskGroup", None) or cli.MicroflaskGroup
        found[name] = [param.name for param in group_class(params=None).params]
    assert found["microflask"] == found["flask"] == ["env_file", "app", "debug", "version"]
