"""Flask habits get a message saying what microflask calls the thing instead."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

import microflask
from microflask.cli import NoAppException, ScriptInfo

BIN = Path(sys.executable).parent
HELLO = "from microflask import Microflask\n\napp = Microflask(__name__)\n"

RENAMED = [
    ("Flask", "microflask", "Microflask"),
    ("FlaskClient", "microflask.testing", "MicroflaskClient"),
    ("FlaskCliRunner", "microflask.testing", "MicroflaskCliRunner"),
    ("FlaskGroup", "microflask.cli", "MicroflaskGroup"),
]


@pytest.mark.parametrize(("flask_name", "module", "new_name"), RENAMED)
def test_from_import_of_a_flask_name_points_at_the_new_one(
    flask_name: str, module: str, new_name: str
) -> None:
    namespace: dict[str, t.Any] = {}
    with pytest.raises(ImportError) as info:
        exec(f"from microflask import {flask_name}", namespace)
    message = str(info.value)
    assert f"microflask has no {flask_name!r}" in message
    assert f"from {module} import {new_name}" in message
    assert "microflask.install_as_flask()" in message
    # The name it points at is real.
    assert getattr(importlib.import_module(module), new_name) is not None


def test_attribute_access_of_flask_gives_the_same_hint() -> None:
    with pytest.raises(ImportError, match=r"the class is 'Microflask'"):
        getattr(microflask, "Flask")  # noqa: B009


def test_other_missing_names_stay_plain_attribute_errors() -> None:
    with pytest.raises(AttributeError, match=r"has no attribute 'Flsk'"):
        getattr(microflask, "Flsk")  # noqa: B009
    assert not hasattr(microflask, "NotAName")
    with pytest.raises(ImportError, match=r"cannot import name 'Flsk'"):
        exec("from microflask import Flsk", {})


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> t.Iterator[Path]:
    """Work in an empty folder with FLASK_APP set and no MICROFLASK_APP."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MICROFLASK_APP", raising=False)
    monkeypatch.setenv("FLASK_APP", "hello:app")
    saved_path = sys.path[:]
    yield tmp_path
    sys.path[:] = saved_path
    sys.modules.pop("hello", None)
    sys.modules.pop("app", None)


def test_flask_app_without_microflask_app_says_what_to_use(project: Path) -> None:
    (project / "hello.py").write_text(HELLO)
    with pytest.raises(NoAppException) as info:
        ScriptInfo().load_app()
    message = info.value.format_message()
    assert "FLASK_APP is set to 'hello:app', but microflask reads MICROFLASK_APP" in message
    assert "export MICROFLASK_APP=hello:app or pass --app hello:app." in message


def test_no_hint_without_flask_app(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLASK_APP")
    with pytest.raises(NoAppException) as info:
        ScriptInfo().load_app()
    assert "FLASK_APP is set" not in info.value.format_message()


def test_flaskenv_file_without_flask_app_names_the_file_to_rename(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Flask projects usually set FLASK_APP in .flaskenv, which microflask does not read.
    monkeypatch.delenv("FLASK_APP")
    (project / ".flaskenv").write_text("FLASK_APP=hello:app\n")
    with pytest.raises(NoAppException) as info:
        ScriptInfo().load_app()
    message = info.value.format_message()
    assert "There is a '.flaskenv' here, but microflask reads '.microflaskenv'" in message
    assert "FLASK_APP in it to MICROFLASK_APP." in message


def test_flask_app_value_is_quoted_for_the_shell(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_APP", "hello:create_app('dev')")
    with pytest.raises(NoAppException) as info:
        ScriptInfo().load_app()
    assert "export MICROFLASK_APP='hello:create_app('\"'\"'dev'\"'\"')'" in (
        info.value.format_message()
    )


def test_app_py_found_while_flask_app_is_set_notes_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app.py").write_text(HELLO)
    app = ScriptInfo().load_app()
    assert app.import_name == "app"
    err = capsys.readouterr().err
    assert "Note: loading 'app.py', not FLASK_APP. FLASK_APP is set to" in err
    assert "export MICROFLASK_APP=hello:app" in err


def test_command_line_prints_the_hint(project: Path) -> None:
    (project / "hello.py").write_text(HELLO)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROFLASK_")}
    done = subprocess.run(
        [str(BIN / "microflask"), "routes"],
        cwd=project,
        env={**env, "FLASK_APP": "hello", "MICROFLASK_SKIP_DOTENV": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "FLASK_APP is set to 'hello'" in done.stderr
    assert "export MICROFLASK_APP=hello or pass --app hello." in done.stderr
    fixed = subprocess.run(
        [str(BIN / "microflask"), "--app", "hello", "routes"],
        cwd=project,
        env={**env, "FLASK_APP": "hello", "MICROFLASK_SKIP_DOTENV": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert fixed.returncode == 0, fixed.stderr
    assert "static" in fixed.stdout
