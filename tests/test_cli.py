"""The command line: app discovery, run, routes, shell, app and blueprint commands."""

from __future__ import annotations

import importlib.machinery
import importlib.metadata
import importlib.util
import os
import runpy
import select
import shutil
import socket
import ssl
import subprocess
import sys
import textwrap
import time
import types
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import microflask.cli
from microflask import Blueprint, Microflask, current_app, has_app_context
from microflask.cli import (
    AppGroup,
    MicroflaskGroup,
    NoAppException,
    ScriptInfo,
    cli,
    find_best_app,
    load_dotenv,
    locate_app,
    prepare_import,
    with_appcontext,
)
from microflask.testing import MicroflaskCliRunner

BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> t.Iterator[Path]:
    """Work in an empty folder; undo imports, sys.path and environment changes."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("MICROFLASK_", "WERKZEUG_")) or name in ("FOO", "BAR"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("PYTHONSTARTUP", raising=False)
    # The shell runs Python's interactive hook, which would save ~/.python_history.
    monkeypatch.setattr(sys, "__interactivehook__", lambda: None, raising=False)
    saved_environ, saved_path = dict(os.environ), sys.path[:]
    yield tmp_path
    os.environ.clear()
    os.environ.update(saved_environ)
    sys.path[:] = saved_path
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", "") or "").startswith(str(tmp_path)):
            del sys.modules[name]


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def app_source(*names: str) -> str:
    """Source of a module holding one app per name, each with config WHO=name."""
    lines = ["from microflask import Microflask"]
    for name in names:
        lines += [f"{name} = Microflask(__name__)", f"{name}.config['WHO'] = {name!r}"]
    return "\n".join(lines) + "\n"


FACTORY = """\
from microflask import Microflask

def create_app(env="default", debug=False):
    app = Microflask(__name__)
    app.config["WHO"] = f"create_app:{env}:{debug}"
    return app

def make_app():
    app = Microflask(__name__)
    app.config["WHO"] = "make_app"
    return app
"""

DISCOVERY_CASES = [
    ({"hello.py": app_source("app")}, "hello", "app"),
    ({"hello.py": app_source("application")}, "hello", "application"),
    ({"hello.py": app_source("web")}, "hello", "web"),
    ({"hello.py": app_source("app", "other")}, "hello", "app"),
    ({"hello.py": app_source("application", "other")}, "hello", "application"),
    ({"hello.py": app_source("app", "other")}, "hello:other", "other"),
    ({"hello.py": FACTORY}, "hello", "create_app:default:False"),
    ({"hello.py": FACTORY.split("def make_app")[0].replace("create_app", "make_app")},
     "hello", "make_app:default:False"),
    ({"hello.py": FACTORY}, "hello:create_app", "create_app:default:False"),
    # A create_app that returns no app is passed over for make_app, as in Flask.
    ({"hello.py": FACTORY.replace("    return app\n\ndef", "    return None\n\ndef")},
     "hello", "make_app"),
    ({"hello.py": FACTORY}, "hello:create_app()", "create_app:default:False"),
    ({"hello.py": FACTORY}, "hello:make_app()", "make_app"),
    ({"hello.py": FACTORY}, "hello:create_app('dev')", "create_app:dev:False"),
    ({"hello.py": FACTORY}, 'hello:create_app("dev", debug=True)', "create_app:dev:True"),
    ({"sub/hello.py": app_source("app")}, "sub/hello.py", "app"),
    ({"sub/hello.py": app_source("app", "b")}, "sub/hello.py:b", "b"),
    ({"pkg/__init__.py": app_source("app")}, "pkg", "app"),
    ({"pkg/__init__.py": app_source("app")}, "pkg/", "app"),
    ({"pkg/__init__.py": app_source("app")}, "pkg/__init__.py", "app"),
    ({"pkg/__init__.py": "", "pkg/web.py": app_source("app")}, "pkg.web", "app"),
    ({"pkg/__init__.py": "", "pkg/web.py": FACTORY}, "pkg.web:create_app('x')",
     "create_app:x:False"),
    ({"src/pkg/__init__.py": "", "src/pkg/web.py": app_source("app")},
     "src/pkg/web.py", "app"),
    ({"wsgi.py": app_source("app")}, None, "app"),
    ({"app.py": app_source("application")}, None, "application"),
    ({"wsgi.py": app_source("first"), "app.py": app_source("second")}, None, "first"),
    ({"app/__init__.py": app_source("app")}, None, "app"),  # a package, as in Flask
    ({"wsgi/__init__.py": app_source("first"), "app.py": app_source("second")}, None, "first"),
]  # fmt: skip


@pytest.mark.parametrize(("files", "import_path", "who"), DISCOVERY_CASES)
def test_discovery_finds_app(
    project: Path, files: dict[str, str], import_path: str | None, who: str
) -> None:
    write(project, files)
    app = ScriptInfo(app_import_path=import_path).load_app()
    assert isinstance(app, Microflask)
    assert app.config["WHO"] == who


ERROR_CASES = [
    ({}, None, ["no '--app' option", "'MICROFLASK_APP'", "'wsgi.py'", "'app.py'"]),
    ({}, "nothere", ["Could not import 'nothere'."]),
    ({"pkg/__init__.py": ""}, "pkg.nothere", ["Could not import 'pkg.nothere'."]),
    ({"broken.py": "import not_a_module_xyz\n"}, "broken",
     ["Importing 'broken' failed", "No module named 'not_a_module_xyz'"]),
    ({"broken.py": "from os import not_a_name_xyz\n"}, "broken",
     ["Importing 'broken' failed", "not_a_name_xyz"]),
    ({"empty.py": "x = 1\n"}, "empty",
     ["No Microflask app in module 'empty'", "'app'", "'application'",
      "'create_app'", "'make_app'", "'empty:name'"]),
    ({"two.py": app_source("one", "two")}, "two",
     ["Found 2 Microflask apps in module 'two'", "'two:name'"]),
    ({"f.py": "def create_app(env):\n    pass\n"}, "f",
     ["Could not call the factory 'create_app' in module 'f'", "'f:create_app(args)'"]),
    ({"f.py": FACTORY}, "f:make_app('extra')", ["Could not call the factory"]),
    ({"f.py": "def create_app():\n    return 42\n"}, "f",
     ["No Microflask app in module 'f'", "a factory must return an app"]),
    ({"f.py": "def create_app():\n    return 42\n"}, "f:create_app",
     ["'f:create_app' gave 42, not a Microflask app"]),
    ({"hello.py": app_source("app")}, "hello:missing",
     ["Module 'hello' has no attribute 'missing'."]),
    ({"hello.py": "value = 5\n"}, "hello:value", ["'hello:value' gave 5", "not a Microflask app"]),
    ({"hello.py": FACTORY}, "hello:create_app(env)", ["must be Python literals"]),
    ({"hello.py": FACTORY}, "hello:create_app(**{})", ["must be Python literals", "no * or **"]),
    ({"hello.py": FACTORY}, "hello:create_app(*[1])", ["must be Python literals", "no * or **"]),
    ({"hello.py": FACTORY}, "hello:create_app(", ["Could not parse 'create_app('"]),
    ({"hello.py": FACTORY}, "hello:app.config", ["Could not parse 'app.config'"]),
]  # fmt: skip


@pytest.mark.parametrize(("files", "import_path", "messages"), ERROR_CASES)
def test_discovery_error_says_what_was_tried(
    project: Path, files: dict[str, str], import_path: str | None, messages: list[str]
) -> None:
    write(project, files)
    with pytest.raises(NoAppException) as info:
        ScriptInfo(app_import_path=import_path).load_app()
    for message in messages:
        assert message in info.value.format_message()


def test_call_syntax_on_an_app_instance_names_the_instance(project: Path) -> None:
    write(project, {"hello.py": app_source("app")})
    app = ScriptInfo(app_import_path="hello:app()").load_app()
    assert app.config["WHO"] == "app"


def test_locate_app_can_return_none_for_a_missing_module(project: Path) -> None:
    assert locate_app("no_such_module_xyz", None, raise_if_not_found=False) is None
    with pytest.raises(NoAppException):
        locate_app("no_such_module_xyz", None)


def test_factory_type_error_from_inside_propagates(project: Path) -> None:
    write(project, {"f.py": "def create_app():\n    return len(5)\n"})
    with pytest.raises(TypeError, match="has no len"):
        locate_app(prepare_import("f.py"), None)


def test_find_best_app_takes_module_object(project: Path) -> None:
    write(project, {"mod.py": app_source("web")})
    module = __import__(prepare_import("mod.py"))
    assert find_best_app(module).config["WHO"] == "web"


@pytest.mark.parametrize(
    ("files", "path", "module", "folder"),
    [
        ({"hello.py": ""}, "hello.py", "hello", ""),
        ({"hello.py": ""}, "hello", "hello", ""),
        ({"a/b.py": ""}, "a/b.py", "b", "a"),
        ({"pkg/__init__.py": "", "pkg/m.py": ""}, "pkg/m.py", "pkg.m", ""),
        ({"pkg/__init__.py": ""}, "pkg/__init__.py", "pkg", ""),
        ({"s/p/__init__.py": "", "s/p/q/__init__.py": ""}, "s/p/q", "p.q", "s"),
    ],
)
def test_prepare_import_names_module_and_extends_path(
    project: Path, files: dict[str, str], path: str, module: str, folder: str
) -> None:
    write(project, files)
    assert prepare_import(path) == module
    assert sys.path[0] == os.path.realpath(project / folder)


def test_script_info_loads_app_once_and_sets_debug(project: Path) -> None:
    calls: list[int] = []

    def create() -> Microflask:
        calls.append(1)
        return Microflask("once")

    os.environ["MICROFLASK_DEBUG"] = "1"
    info = ScriptInfo(create_app=create)
    assert info.load_app() is info.load_app()
    assert calls == [1]
    assert info.load_app().debug is True


def test_script_info_leaves_debug_alone_when_asked(project: Path) -> None:
    app = Microflask("keep")
    app.debug = True
    assert ScriptInfo(create_app=lambda: app, set_debug_flag=False).load_app().debug


def invoke(*args: str, **kwargs: t.Any) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), **kwargs)


COMMANDS = """\
import click
from microflask import Microflask, current_app
app = Microflask(__name__)
app.config["WHO"] = "commands"

@app.cli.command()
def who():
    click.echo(current_app.config["WHO"])

@app.cli.command()
def debug():
    click.echo(f"debug={current_app.debug}")
"""


def test_app_option_selects_app(project: Path) -> None:
    write(project, {"hello.py": COMMANDS})
    result = invoke("--app", "hello", "who")
    assert result.exit_code == 0, result.output
    assert result.output == "commands\n"


def test_app_environment_variable_selects_app(project: Path) -> None:
    write(project, {"hello.py": COMMANDS})
    result = invoke("who", env={"MICROFLASK_APP": "hello"})
    assert result.output == "commands\n"


def test_app_py_is_found_without_option(project: Path) -> None:
    write(project, {"app.py": COMMANDS})
    assert invoke("who").output == "commands\n"


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        ([], {}, "debug=False"),
        (["--debug"], {}, "debug=True"),
        ([], {"MICROFLASK_DEBUG": "1"}, "debug=True"),
        ([], {"MICROFLASK_DEBUG": "false"}, "debug=False"),
        (["--no-debug"], {"MICROFLASK_DEBUG": "1"}, "debug=False"),
    ],
)
def test_debug_option_and_variable(
    project: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    write(project, {"hello.py": COMMANDS})
    result = invoke("--app", "hello", *args, "debug", env=env)
    assert result.output.strip() == expected


def test_help_lists_builtin_and_app_commands(project: Path) -> None:
    write(project, {"hello.py": COMMANDS})
    result = invoke("--app", "hello", "--help")
    assert result.exit_code == 0
    for name in ("run", "routes", "shell", "who", "debug"):
        assert f"  {name}" in result.output


def test_help_from_environment_lists_app_commands(project: Path) -> None:
    write(project, {"hello.py": COMMANDS})
    assert "  who" in invoke("--help", env={"MICROFLASK_APP": "hello"}).output


def test_no_arguments_show_app_commands(project: Path) -> None:
    write(project, {"app.py": COMMANDS})
    assert "  who" in invoke().output


def test_help_without_app_shows_error_and_builtins(project: Path) -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert "Error: Could not find a Microflask app" in result.stderr
    assert "  routes" in result.stdout


def test_help_with_crashing_app_shows_traceback(project: Path) -> None:
    write(project, {"app.py": "raise RuntimeError('boom at import')\n"})
    result = invoke("--help")
    assert "Traceback" in result.stderr
    assert "boom at import" in result.stderr
    assert "  run" in result.stdout


def test_unknown_command_without_app_explains_both(project: Path) -> None:
    result = invoke("nope")
    assert result.exit_code == 2
    assert "Could not find a Microflask app" in result.output
    assert "No such command 'nope'" in result.output


@pytest.mark.parametrize("entry", ["main", "__main__"])
def test_main_entry_points_run_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], entry: str
) -> None:
    monkeypatch.setattr(sys, "argv", ["microflask", "--version"])
    with pytest.raises(SystemExit) as info:
        if entry == "main":
            microflask.cli.main()
        else:
            # run_path, not run_module: pytest's assertion-rewriting import hook, which
            # handles this package because it ships a pytest plugin, cannot serve runpy.
            main_file = Path(microflask.__file__).with_name("__main__.py")
            runpy.run_path(str(main_file), run_name="__main__")
    assert info.value.code == 0
    assert "Microflask " in capsys.readouterr().out


def test_get_version_is_the_version_option_callback() -> None:
    from microflask.cli import get_version

    @click.command(params=[click.Option(["--version"], is_flag=True, callback=get_version)])
    def command(version: bool) -> None:
        click.echo("ran")

    assert CliRunner().invoke(command, []).output == "ran\n"
    output = CliRunner().invoke(command, ["--version"]).output
    assert f"Microflask {importlib.metadata.version('microflask')}" in output
    assert "ran" not in output


def test_version_option_shows_versions(project: Path) -> None:
    result = invoke("--version")
    assert f"Microflask {importlib.metadata.version('microflask')}" in result.output
    assert f"Werkzeug {importlib.metadata.version('werkzeug')}" in result.output


def test_cli_run_sets_run_from_cli_flag(project: Path) -> None:
    write(project, {"hello.py": COMMANDS})
    invoke("--app", "hello", "who")
    assert os.environ["MICROFLASK_RUN_FROM_CLI"] == "true"


# -- app.cli, bp.cli, with_appcontext, groups --------------------------------------


def test_app_command_runs_in_app_context(app: Microflask) -> None:
    @app.cli.command("where")
    def where() -> None:
        click.echo(f"{current_app.name} {has_app_context()}")

    result = app.test_cli_runner().invoke(args=["where"])
    assert result.output == "tests_app True\n"


def test_command_can_opt_out_of_app_context(app: Microflask) -> None:
    @app.cli.command("bare", with_appcontext=False)
    def bare() -> None:
        click.echo(str(has_app_context()))

    assert app.test_cli_runner().invoke(args=["bare"]).output == "False\n"


def test_app_group_makes_nested_app_groups(app: Microflask) -> None:
    @app.cli.group()
    def db() -> None:
        pass

    @db.command()
    def init() -> None:
        click.echo(f"init {current_app.name}")

    assert isinstance(db, AppGroup)
    result = app.test_cli_runner().invoke(args=["db", "init"])
    assert result.output == "init tests_app\n"


def test_app_group_keeps_explicit_group_class(app: Microflask) -> None:
    @app.cli.group(cls=click.Group)
    def plain() -> None:
        pass

    assert type(plain) is click.Group


def test_command_options_are_passed(app: Microflask) -> None:
    @app.cli.command("greet")
    @click.option("--name", default="world")
    def greet(name: str) -> None:
        click.echo(f"hello {name} from {current_app.name}")

    result = app.test_cli_runner().invoke(args=["greet", "--name", "bob"])
    assert result.output == "hello bob from tests_app\n"


def test_runner_invokes_other_commands_with_script_info(app: Microflask) -> None:
    @click.command()
    @with_appcontext
    def standalone() -> None:
        click.echo(current_app.name)

    runner = app.test_cli_runner()
    assert isinstance(runner, MicroflaskCliRunner)
    assert runner.invoke(standalone).output == "tests_app\n"


def test_with_appcontext_reuses_active_context(app: Microflask) -> None:
    @click.command()
    @with_appcontext
    def reuse() -> None:
        click.echo(str(current_app._get_current_object() is app))  # type: ignore[attr-defined]

    def fail() -> Microflask:
        raise AssertionError("the app must not be loaded again")

    with app.app_context():
        result = CliRunner().invoke(reuse, obj=ScriptInfo(create_app=fail))
    assert result.output == "True\n"


def test_blueprint_commands_get_a_group_named_after_it(app: Microflask) -> None:
    bp = Blueprint("admin", __name__)

    @bp.cli.command("create-user")
    def create_user() -> None:
        click.echo(f"created in {current_app.name}")

    app.register_blueprint(bp)
    result = app.test_cli_runner().invoke(args=["admin", "create-user"])
    assert result.output == "created in tests_app\n"


@pytest.mark.parametrize(
    ("bp_group", "register_group", "args"),
    [
        (None, "__unset__", ["hello"]),
        ("custom", "__unset__", ["custom", "hello"]),
        ("__unset__", "other", ["other", "hello"]),
        ("custom", None, ["hello"]),
    ],
)
def test_blueprint_cli_group_names(
    app: Microflask, bp_group: str | None, register_group: str | None, args: list[str]
) -> None:
    options = {} if bp_group == "__unset__" else {"cli_group": bp_group}
    bp = Blueprint("bp", __name__, **options)  # type: ignore[arg-type]

    @bp.cli.command("hello")
    def hello() -> None:
        click.echo("hi")

    reg = {} if register_group == "__unset__" else {"cli_group": register_group}
    app.register_blueprint(bp, **reg)
    assert app.test_cli_runner().invoke(args=args).output == "hi\n"


def test_blueprint_without_commands_adds_no_group(app: Microflask) -> None:
    app.register_blueprint(Blueprint("quiet", __name__))
    assert "quiet" not in app.cli.commands


def test_custom_group_uses_create_app(project: Path) -> None:
    group = MicroflaskGroup(create_app=lambda: Microflask("custom_app"))

    @group.command()
    def name() -> None:
        click.echo(current_app.name)

    assert CliRunner().invoke(group, ["name"]).output == "custom_app\n"


def test_group_get_command_takes_flasks_parameter_names(project: Path) -> None:
    # Flask's FlaskGroup.get_command(ctx, name): an override calling it by keyword works.
    group = MicroflaskGroup(create_app=lambda: Microflask("custom_app"))
    with group.make_context("app", ["run"], resilient_parsing=True) as ctx:
        assert group.get_command(ctx=ctx, name="run") is not None


def test_custom_group_without_default_commands(project: Path) -> None:
    group = MicroflaskGroup(add_default_commands=False, add_version_option=False)
    assert "run" not in group.commands
    assert "--version" not in CliRunner().invoke(group, ["--help"]).output


def test_plugin_commands_come_from_entry_points(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, {"plugin_mod.py": "import click\n@click.command()\ndef hi():\n"
                                     "    click.echo('plugin says hi')\n"})  # fmt: skip
    monkeypatch.syspath_prepend(str(project))
    entry = importlib.metadata.EntryPoint(
        name="greet", value="plugin_mod:hi", group="microflask.commands"
    )
    seen: list[str] = []

    def entry_points(group: str) -> list[importlib.metadata.EntryPoint]:
        seen.append(group)
        return [entry]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    result = CliRunner().invoke(MicroflaskGroup(), ["greet"])
    assert result.output == "plugin says hi\n"
    assert seen == ["microflask.commands"]


def test_plugin_command_does_not_replace_a_built_in(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def entry_points(group: str) -> list[importlib.metadata.EntryPoint]:
        return [importlib.metadata.EntryPoint(name="routes", value="x:y", group=group)]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    group = MicroflaskGroup(create_app=lambda: Microflask("builtin", static_folder=None))
    result = CliRunner().invoke(group, ["routes"])
    assert result.exit_code == 0, result.output
    assert result.output == "No routes were registered.\n"


# -- routes -------------------------------------------------------------------------


@pytest.fixture
def routes_app() -> Microflask:
    app = Microflask("routes_app", static_folder=None)

    @app.route("/")
    def index() -> str:
        return ""

    @app.post("/items")
    def create() -> str:
        return ""

    @app.route("/items/<int:id>", methods=["GET", "PUT", "DELETE"])
    def item(id: int) -> str:
        return ""

    @app.route("/about")
    def about() -> str:
        return ""

    return app


def routes(app: Microflask, *args: str, padded: bool = False) -> list[str]:
    result = app.test_cli_runner().invoke(cli, ["routes", *args])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    return lines if padded else [line.rstrip() for line in lines]


def test_routes_table_sorted_by_endpoint(routes_app: Microflask) -> None:
    # Every column is padded to its width, the last one too, as Flask prints it.
    assert routes(routes_app, padded=True) == [
        "Endpoint  Methods           Rule           ",
        "--------  ----------------  ---------------",
        "about     GET               /about         ",
        "create    POST              /items         ",
        "index     GET               /              ",
        "item      DELETE, GET, PUT  /items/<int:id>",
    ]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("endpoint", ["about", "create", "index", "item"]),
        ("methods", ["item", "index", "about", "create"]),
        ("rule", ["index", "about", "create", "item"]),
        ("match", ["index", "create", "item", "about"]),
    ],
)
def test_routes_sort(routes_app: Microflask, sort: str, order: list[str]) -> None:
    lines = routes(routes_app, "--sort", sort)[2:]
    assert [line.split()[0] for line in lines] == order


def test_routes_all_methods_shows_head_and_options(routes_app: Microflask) -> None:
    assert "HEAD" not in "\n".join(routes(routes_app))
    lines = routes(routes_app, "--all-methods")
    assert "about     GET, HEAD, OPTIONS" in lines[2]


def test_routes_rejects_unknown_sort(routes_app: Microflask) -> None:
    result = routes_app.test_cli_runner().invoke(cli, ["routes", "-s", "size"])
    assert result.exit_code == 2
    assert "'size' is not one of" in result.output


def test_routes_without_rules(project: Path) -> None:
    app = Microflask("empty_routes", static_folder=None)
    assert routes(app) == ["No routes were registered."]


def test_routes_subdomain_column(project: Path) -> None:
    app = Microflask("sub_routes", static_folder=None, subdomain_matching=True)
    app.add_url_rule("/", "home", lambda: "")
    app.add_url_rule("/", "api", lambda: "", subdomain="api")
    assert routes(app, "--sort", "domain") == [
        "Endpoint  Methods  Subdomain  Rule",
        "--------  -------  ---------  ----",
        "home      GET                 /",
        "api       GET      api        /",
    ]


def test_routes_host_column(project: Path) -> None:
    app = Microflask("host_routes", static_folder=None, host_matching=True)
    app.add_url_rule("/", "b", lambda: "", host="b.example")
    app.add_url_rule("/", "a", lambda: "", host="a.example")
    lines = routes(app)
    assert lines[0].split() == ["Endpoint", "Methods", "Host", "Rule"]
    assert lines[2].split() == ["a", "GET", "a.example", "/"]


# -- shell --------------------------------------------------------------------------


def test_shell_has_app_g_and_context_processors(app: Microflask) -> None:
    @app.shell_context_processor
    def extra() -> dict[str, t.Any]:
        return {"answer": 42}

    code = "print(app.name)\nprint(g is not None)\nprint(answer)\n"
    result = app.test_cli_runner().invoke(cli, ["shell"], input=code)
    assert result.exit_code == 0, result.output
    assert "tests_app\nTrue\n42\n" in result.stdout.replace(">>> ", "")
    assert f"App: tests_app\nInstance: {app.instance_path}" in result.stderr


def test_shell_runs_in_app_context(app: Microflask) -> None:
    code = "from microflask import current_app, g\nprint(current_app.name)\ng.x = 1\n"
    result = app.test_cli_runner().invoke(cli, ["shell"], input=code)
    assert "tests_app" in result.stdout
    assert "Error" not in result.stderr


@pytest.mark.parametrize(
    ("startup", "code", "expected"),
    [
        ("started = 'from startup'\n", "print(started)\n", "from startup"),
        ("app = 'shadowed'\n", "print(app.name)\n", "tests_app"),  # the shell context wins
    ],
)
def test_shell_runs_pythonstartup_first(
    app: Microflask,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    startup: str,
    code: str,
    expected: str,
) -> None:
    (tmp_path / "startup.py").write_text(startup)
    monkeypatch.setenv("PYTHONSTARTUP", str(tmp_path / "startup.py"))
    result = app.test_cli_runner().invoke(cli, ["shell"], input=code)
    assert expected in result.stdout


def test_shell_ignores_missing_startup_file(
    app: Microflask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONSTARTUP", "/nonexistent/startup.py")
    result = app.test_cli_runner().invoke(cli, ["shell"], input="print(1 + 1)\n")
    assert result.exit_code == 0
    assert "2" in result.stdout


def test_shell_completes_names_from_its_namespace(
    app: Microflask, monkeypatch: pytest.MonkeyPatch
) -> None:
    readline = pytest.importorskip("readline")
    app.shell_context_processor(lambda: {"answer": 42})
    completers: list[t.Callable[[str, int], str | None]] = []
    monkeypatch.setattr(readline, "set_completer", completers.append)
    monkeypatch.setattr(readline, "parse_and_bind", lambda line: None)
    app.test_cli_runner().invoke(cli, ["shell"], input="")
    complete = completers[-1]  # importing rlcompleter sets one of its own first
    assert complete("ap", 0) == "app("  # the app is callable
    assert complete("answ", 0) == "answer"


def test_shell_in_a_real_terminal(project: Path) -> None:
    write(project, {"hello.py": COMMANDS})
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROFLASK_")}
    env["HOME"] = str(project)  # where Python's prompt keeps its history
    # 3.13's hook saves the history of its new prompt, not of input() as the shell reads:
    # with the basic prompt, every version saves what input() read.
    env["PYTHON_BASIC_REPL"] = "1"
    primary, secondary = os.openpty()
    shell = subprocess.Popen(
        [str(BIN / "microflask"), "--app", "hello", "shell"],
        stdin=secondary, stdout=secondary, stderr=secondary, cwd=project, env=env,
    )  # fmt: skip
    os.close(secondary)
    os.write(primary, b"print(app.config['WHO'] * 2)\nexit()\n")
    output = b""
    try:
        while select.select([primary], [], [], 30)[0]:
            chunk = os.read(primary, 4096)
            if not chunk:
                break
            output += chunk
    except OSError:  # Linux reports EIO once the shell has closed the terminal
        pass
    finally:
        os.close(primary)
        shell.wait(timeout=30)
    assert b"App: hello" in output
    assert b"commandscommands" in output
    assert shell.returncode == 0
    history = (project / ".python_history").read_text()
    assert "print(app.config['WHO'] * 2)" in history  # as Python's own prompt keeps it


# -- dotenv -------------------------------------------------------------------------

SHOW_ENV = """\
import os, click
from microflask import Microflask
app = Microflask(__name__)

@app.cli.command()
def show():
    click.echo(f"FOO={os.environ.get('FOO')} BAR={os.environ.get('BAR')}")
"""


@pytest.fixture
def env_project(project: Path) -> Path:
    write(
        project,
        {
            "hello.py": SHOW_ENV,
            ".microflaskenv": "MICROFLASK_APP=hello\nFOO=microflaskenv\nBAR=microflaskenv\n",
            ".env": "FOO=env\n",
            "custom.env": "FOO=custom\n",
        },
    )
    return project


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        ([], {}, "FOO=env BAR=microflaskenv"),
        (["--env-file", "custom.env"], {}, "FOO=custom BAR=microflaskenv"),
        (["-e", "custom.env"], {"FOO": "real"}, "FOO=real BAR=microflaskenv"),
        ([], {"MICROFLASK_ENV_FILE": "custom.env"}, "FOO=custom BAR=microflaskenv"),
        (["--app", "hello"], {"MICROFLASK_SKIP_DOTENV": "1"}, "FOO=None BAR=None"),
        (["--app", "hello", "-e", "custom.env"], {"MICROFLASK_SKIP_DOTENV": "1"},
         "FOO=custom BAR=None"),
    ],
)  # fmt: skip
def test_env_files_precedence(
    env_project: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    result = invoke(*args, "show", env=env)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == expected


def test_env_file_found_in_parent_folder(env_project: Path) -> None:
    child = env_project / "child"
    child.mkdir()
    os.chdir(child)
    result = invoke("--app", str(env_project / "hello.py"), "show")
    assert result.output.strip() == "FOO=env BAR=microflaskenv"


def test_env_file_must_exist(project: Path) -> None:
    result = invoke("--env-file", "missing.env", "--help")
    assert result.exit_code == 2
    assert "'missing.env' does not exist" in result.output


def test_custom_group_can_skip_dotenv(env_project: Path) -> None:
    group = MicroflaskGroup(load_dotenv=False)
    result = CliRunner().invoke(group, ["--app", "hello", "show"])
    assert result.output.strip() == "FOO=None BAR=None"


def test_load_dotenv_keeps_existing_values(env_project: Path) -> None:
    os.environ["FOO"] = "set"
    assert load_dotenv() is True
    assert os.environ["FOO"] == "set"
    assert os.environ["BAR"] == "microflaskenv"


def test_load_dotenv_without_files_returns_false(project: Path) -> None:
    assert load_dotenv() is False
    assert load_dotenv("missing.env", load_defaults=False) is False


def test_load_dotenv_path_only(env_project: Path) -> None:
    assert load_dotenv("custom.env", load_defaults=False) is True
    assert os.environ["FOO"] == "custom"
    assert "BAR" not in os.environ


def test_without_python_dotenv_env_file_is_an_error(
    env_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "dotenv", None)
    result = invoke("--env-file", "custom.env", "--app", "hello", "show")
    assert result.exit_code == 2
    assert "python-dotenv must be installed" in result.output


def test_without_python_dotenv_and_files_nothing_happens(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "dotenv", None)
    assert load_dotenv() is False
    assert capsys.readouterr().err == ""


def test_without_python_dotenv_files_give_a_tip(
    env_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "dotenv", None)
    result = invoke("--app", "hello", "show")
    assert "install python-dotenv" in result.stderr
    assert result.stdout.strip() == "FOO=None BAR=None"


# -- run ----------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[t.Any, ...]]:
    """Record run_simple's arguments instead of serving."""
    calls: list[tuple[t.Any, ...]] = []

    def run_simple(host: str, port: int, app: t.Any, **options: t.Any) -> None:
        calls.append((host, port, app, options))

    monkeypatch.setattr(microflask.cli, "run_simple", run_simple)
    return calls


def test_run_defaults(project: Path, served: list[tuple[t.Any, ...]]) -> None:
    write(project, {"hello.py": COMMANDS})
    result = invoke("--app", "hello", "run")
    assert result.exit_code == 0, result.output
    host, port, app, options = served[0]
    assert (host, port, app.config["WHO"]) == ("127.0.0.1", 5000, "commands")
    assert options == {
        "use_reloader": False,
        "use_debugger": False,
        "threaded": True,
        "ssl_context": None,
        "extra_files": None,
        "exclude_patterns": None,
    }
    assert " * Serving Microflask app 'hello'\n * Debug mode: off\n" == result.output


@pytest.mark.parametrize("debug_args", [["--debug", "run"], ["run", "--debug"]])
def test_run_debug_turns_on_reloader_and_debugger(
    project: Path, served: list[tuple[t.Any, ...]], debug_args: list[str]
) -> None:
    write(project, {"hello.py": COMMANDS})
    result = invoke("--app", "hello", *debug_args)
    options = served[0][3]
    assert options["use_reloader"] and options["use_debugger"]
    assert served[0][2].debug is True
    assert "Debug mode: on" in result.output


def test_run_options(project: Path, served: list[tuple[t.Any, ...]]) -> None:
    write(project, {"hello.py": COMMANDS, "a.txt": "", "b.txt": ""})
    args = ["--host", "0.0.0.0", "-p", "8001", "--debug", "--no-reload"]
    args += ["--no-debugger", "--without-threads"]
    args += ["--extra-files", f"a.txt{os.pathsep}b.txt", "--exclude-patterns", "*.tmp"]
    result = invoke("--app", "hello", "run", *args)
    assert result.exit_code == 0, result.output
    host, port, _, options = served[0]
    assert (host, port) == ("0.0.0.0", 8001)
    assert options["use_reloader"] is False
    assert options["use_debugger"] is False
    assert options["threaded"] is False
    assert options["extra_files"] == ["a.txt", "b.txt"]
    assert options["exclude_patterns"] == ["*.tmp"]


def test_run_port_from_environment(project: Path, served: list[tuple[t.Any, ...]]) -> None:
    write(project, {"hello.py": COMMANDS})
    invoke("run", env={"MICROFLASK_APP": "hello", "MICROFLASK_RUN_PORT": "8123"})
    assert served[0][1] == 8123


def test_run_found_app_does_not_name_it(project: Path, served: list[tuple[t.Any, ...]]) -> None:
    write(project, {"app.py": COMMANDS})
    assert invoke("run").output == " * Debug mode: off\n"
    assert served[0][2].config["WHO"] == "commands"


def test_run_without_app_fails(project: Path, served: list[tuple[t.Any, ...]]) -> None:
    result = invoke("run")
    assert result.exit_code == 2
    assert "Could not find a Microflask app" in result.output
    assert served == []


def test_run_under_reloader_serves_the_load_error(
    project: Path, served: list[tuple[t.Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    result = invoke("run")
    assert result.exit_code == 0
    assert "Serving" not in result.output
    failing_app = served[0][2]
    with pytest.raises(NoAppException, match="Could not find a Microflask app"):
        failing_app({}, lambda *a: None)


@pytest.fixture
def cert_files(project: Path) -> tuple[str, str]:
    write(project, {"hello.py": COMMANDS, "cert.pem": "cert", "key.pem": "key"})
    return str(project / "cert.pem"), str(project / "key.pem")


def test_run_cert_and_key_make_a_pair(
    cert_files: tuple[str, str], served: list[tuple[t.Any, ...]]
) -> None:
    result = invoke("--app", "hello", "run", "--key", "key.pem", "--cert", "cert.pem")
    assert result.exit_code == 0, result.output
    assert served[0][3]["ssl_context"] == cert_files


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cert", "cert.pem"], "Required when '--cert' is a file."),
        (["--key", "key.pem"], "Only used with a '--cert' file"),
        (["--cert", "nothing.pem"], "Not a file, 'adhoc' or an SSLContext import: 'nothing.pem'."),
        (["--cert", "sslmod:context", "--key", "key.pem"], "Only used with a '--cert'"),
    ],
)
def test_run_cert_errors(
    cert_files: tuple[str, str],
    served: list[tuple[t.Any, ...]],
    args: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write(Path.cwd(), {"sslmod.py": "import ssl\ncontext = ssl.create_default_context()\n"})
    monkeypatch.syspath_prepend(os.getcwd())
    result = invoke("--app", "hello", "run", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert served == []


def test_run_cert_from_ssl_context_import(
    cert_files: tuple[str, str], served: list[tuple[t.Any, ...]]
) -> None:
    write(Path.cwd(), {"sslmod.py": "import ssl\ncontext = ssl.create_default_context()\n"})
    sys.path.insert(0, os.getcwd())
    result = invoke("--app", "hello", "run", "--cert", "sslmod:context")
    assert result.exit_code == 0, result.output
    assert isinstance(served[0][3]["ssl_context"], ssl.SSLContext)


def test_run_adhoc_cert(
    cert_files: tuple[str, str],
    served: list[tuple[t.Any, ...]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "cryptography", None)
    result = invoke("--app", "hello", "run", "--cert", "adhoc")
    assert result.exit_code == 2
    assert "'adhoc' needs the cryptography library" in result.output
    # A module without a spec, as a test double or a frozen app may put there.
    monkeypatch.setitem(sys.modules, "cryptography", types.ModuleType("cryptography"))
    result = invoke("--app", "hello", "run", "--cert", "ADHOC")
    assert result.exit_code == 0, result.output
    assert served[-1][3]["ssl_context"] == "adhoc"


def test_run_cert_without_ssl_module_is_a_usage_error(
    cert_files: tuple[str, str], served: list[tuple[t.Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ssl", None)
    result = invoke("--app", "hello", "run", "--cert", "cert.pem", "--key", "key.pem")
    assert result.exit_code == 2
    assert "Needs a Python built with the ssl module." in result.output
    assert served == []


def test_run_without_ssl_module_serves_plain_http(
    cert_files: tuple[str, str], served: list[tuple[t.Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ssl", None)
    result = invoke("--app", "hello", "run")
    assert result.exit_code == 0, result.output
    assert served[0][3]["ssl_context"] is None


# -- real processes -----------------------------------------------------------------


def run_process(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROFLASK_")}
    return subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, timeout=60)


def test_console_script_runs_app_command(project: Path) -> None:
    write(project, {"hello.py": COMMANDS})
    script = shutil.which("microflask", path=str(BIN))
    assert script is not None
    result = run_process(project, script, "--app", "hello", "who")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "commands\n"


def test_console_script_routes(project: Path) -> None:
    write(project, {"app.py": COMMANDS})
    result = run_process(project, str(BIN / "microflask"), "routes")
    assert result.returncode == 0, result.stderr
    assert "static    GET      /static/<path:filename>" in result.stdout


def test_python_dash_m_runs_the_cli(project: Path) -> None:
    write(project, {"wsgi.py": COMMANDS})
    result = run_process(project, sys.executable, "-m", "microflask", "who")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "commands\n"
    result = run_process(project, sys.executable, "-m", "microflask", "--help")
    assert "Usage: python -m microflask" in result.stdout


def test_console_script_reports_missing_app(project: Path) -> None:
    result = run_process(project, str(BIN / "microflask"), "routes")
    assert result.returncode == 2
    assert "Could not find a Microflask app" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_console_script_run_serves_requests(project: Path) -> None:
    write(project, {"hello.py": COMMANDS + "\n@app.route('/')\ndef index():\n"
                                           "    return 'served by run'\n"})  # fmt: skip
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROFLASK_")}
    command = [str(BIN / "microflask"), "--app", "hello", "run", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        body = b""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
                    body = response.read()
                break
            except urllib.error.URLError:
                time.sleep(0.1)
        assert body == b"served by run"
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert " * Serving Microflask app 'hello'" in output


def test_run_option_types_keep_flasks_names(tmp_path: Path) -> None:
    types_by_option = {p.name: p.type for p in microflask.cli.run_command.params}
    assert isinstance(types_by_option["cert"], microflask.cli.CertParamType)
    assert isinstance(types_by_option["extra_files"], microflask.cli.SeparatedPathType)
    cert = tmp_path / "cert.pem"
    cert.write_text("cert")
    assert microflask.cli.CertParamType().convert(str(cert), None, None) == str(cert.resolve())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    assert microflask.cli.CertParamType().convert(context, None, None) is context
    with pytest.raises(click.BadParameter, match="Not a file, 'adhoc' or an SSLContext"):
        microflask.cli.CertParamType().convert("no-such.pem", None, None)
    paths = microflask.cli.SeparatedPathType(exists=True)
    assert paths.convert(f"{cert}{os.pathsep}{tmp_path}", None, None) == [str(cert), str(tmp_path)]
    with pytest.raises(click.BadParameter, match="does not exist"):
        paths.convert(f"{cert}{os.pathsep}{tmp_path / 'gone'}", None, None)


def test_show_server_banner(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    microflask.cli.show_server_banner(True, "pkg.app")
    assert capsys.readouterr().out == " * Serving Microflask app 'pkg.app'\n * Debug mode: on\n"
    microflask.cli.show_server_banner(False, None)
    assert capsys.readouterr().out == " * Debug mode: off\n"
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    microflask.cli.show_server_banner(True, "pkg.app")
    assert capsys.readouterr().out == ""


def test_version_option_is_public() -> None:
    group = MicroflaskGroup()
    assert microflask.cli.version_option in group.params
    assert microflask.cli.version_option.callback is microflask.cli.get_version
