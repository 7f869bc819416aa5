"""Compare with Flask 3.1 the cases the context, signal and CLI fuzzing found.

Each case is the smallest app and command line that once answered
differently from Flask; the generators live outside the repository.
"""

from __future__ import annotations

import sys
import typing as t
from pathlib import Path

import flask.cli
import pytest
from click.testing import CliRunner

import microflask.cli

GROUPS: dict[str, t.Callable[[], t.Any]] = {
    "flask": lambda: flask.cli.FlaskGroup(name="cli"),
    "microflask": lambda: microflask.cli.MicroflaskGroup(name="cli"),
}
IMPORTS = {
    "flask": "from flask import Flask",
    "microflask": "from microflask import Microflask as Flask",
}


@pytest.fixture
def fresh_imports(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> t.Iterator[Path]:
    """Run in *tmp_path*, then forget the modules and paths the CLIs added."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv("FLASK_APP", raising=False)
    monkeypatch.delenv("MICROFLASK_APP", raising=False)
    yield tmp_path
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", "") or "").startswith(str(tmp_path)):
            del sys.modules[name]


def routes_output(root: Path, framework: str, source: str, app_option: str) -> tuple[int, str]:
    """Write *source* as ``<framework>_app.py`` and run ``routes`` on it."""
    module = f"{framework}_app"
    (root / f"{module}.py").write_text(f"{IMPORTS[framework]}\n{source}")
    result = CliRunner().invoke(GROUPS[framework](), ["--app", module + app_option, "routes"])
    return result.exit_code, result.output


FACTORY_RETURNING_NONE = """
def create_app():
    return None

def make_app():
    app = Flask("made")
    app.add_url_rule("/made", "made", lambda: "made")
    return app
"""


def test_a_create_app_returning_none_is_passed_over_for_make_app(fresh_imports: Path) -> None:
    found = {fw: routes_output(fresh_imports, fw, FACTORY_RETURNING_NONE, "") for fw in GROUPS}
    assert found["microflask"] == found["flask"]
    assert found["flask"][0] == 0 and "/made" in found["flask"][1]


def test_naming_a_factory_that_returns_none_fails_on_both(fresh_imports: Path) -> None:
    codes = {
        fw: routes_output(fresh_imports, fw, FACTORY_RETURNING_NONE, ":create_app")[0]
        for fw in GROUPS
    }
    assert codes == {"flask": 2, "microflask": 2}
