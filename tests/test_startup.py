"""What ``import microflask`` loads, and what loads only on first use."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import microflask

# Modules a plain request never needs: each loads when its feature is first used.
DEFERRED = [
    "click",
    "decimal",
    "itsdangerous",
    "jinja2",
    "microflask._cookie_serializer",
    "microflask.blueprints",
    "microflask.cli",
    "microflask.debughelpers",
    "microflask.flask_compat",
    "microflask.fragments",
    "microflask.json.tag",
    "microflask.logging",
    "microflask.redirects",
    "microflask.templating",
    "microflask.typing",
    "microflask.testing",
]


def _modules_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    # Without coverage's measurement, which `make test` extends to subprocesses and
    # which loads modules of its own.
    env = {key: value for key, value in os.environ.items() if not key.startswith("COVERAGE")}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    ).stdout
    return set(out.split())


def test_import_loads_no_optional_module() -> None:
    loaded = _modules_after("import microflask")
    assert "microflask.app" in loaded
    assert sorted(loaded.intersection(DEFERRED)) == []


def test_serving_a_plain_request_loads_no_optional_module() -> None:
    code = (
        "from microflask import Microflask\n"
        "from werkzeug.test import EnvironBuilder\n"
        "app = Microflask('x')\n"
        "app.get('/')(lambda: 'hi')\n"
        "body = b''.join(app(EnvironBuilder('/').get_environ(), lambda *a: None))\n"
        "assert body == b'hi', body\n"
    )
    loaded = _modules_after(code)
    assert sorted(loaded.intersection(DEFERRED)) == []


def test_render_template_loads_jinja_on_first_use() -> None:
    loaded = _modules_after("from microflask import render_template")
    assert {"jinja2", "microflask.templating"} <= loaded


@pytest.mark.parametrize("name", sorted(microflask._LAZY_NAMES))
def test_lazy_name_is_the_modules_own(name: str) -> None:
    value = getattr(microflask, name)
    module = sys.modules[f"microflask.{microflask._LAZY_NAMES[name]}"]
    assert value is getattr(module, name)


def test_dir_lists_every_public_name_before_it_loads() -> None:
    code = (
        "import sys, microflask\n"
        "names = dir(microflask)\n"
        "missing = set(microflask.__all__) - set(names)\n"
        "assert not missing, missing\n"
    )
    # The child fails (check=True) when a name is missing; dir() loads nothing.
    assert "microflask.templating" not in _modules_after(code)


def test_every_public_name_resolves() -> None:
    missing = [name for name in microflask.__all__ if not hasattr(microflask, name)]
    assert missing == []


def test_jinja_environment_class_attribute_loads_on_read() -> None:
    from microflask.templating import Environment

    assert microflask.Microflask.jinja_environment is Environment
    app = microflask.Microflask(__name__)
    assert app.jinja_environment is Environment


def test_blueprint_without_commands_creates_no_cli_group() -> None:
    app = microflask.Microflask(__name__)
    bp = microflask.Blueprint("bp", __name__)
    app.register_blueprint(bp)
    assert "cli" not in vars(bp)
    assert app.cli.name == app.name
