"""The Flask bridge where it needs a fresh interpreter: each test runs one.

The in-process tests of the bridge and of the extensions it serves are in
``tests/compat``, run by ``make test`` with ``-p microflask.flask_compat``.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import sysconfig
import textwrap
import types
from pathlib import Path

import pytest

import microflask
from microflask.flask_compat import (
    FLASK_API_VERSION,
    _comes_from,
    _flask_api_distribution,
    _FlaskFinder,
)

REPO = Path(microflask.__file__).parent.parent


def _run(
    args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False
    )


def _python(
    code: str, *flags: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, *flags, "-c", textwrap.dedent(code)], env=env)


def test_import_microflask_does_not_import_flask() -> None:
    result = _python(
        """
        import sys
        import microflask
        assert "flask" not in sys.modules
        assert microflask.install_as_flask.__module__ == "microflask.flask_compat"
        print("ok")
        """
    )
    assert result.stdout == "ok\n", result.stderr


def test_real_flask_imported_first_is_an_error_naming_its_importer() -> None:
    result = _python(
        """
        import flask_login
        import microflask
        microflask.install_as_flask()
        """
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("RuntimeError: The real Flask was imported before")
    assert f"{os.sep}flask{os.sep}__init__.py" in last
    assert "imported by: flask_login." in last
    assert "-p microflask.flask_compat" in last


def test_install_then_extensions_use_microflask() -> None:
    result = _python(
        """
        import microflask
        microflask.install_as_flask()
        import flask, flask_login
        from flask_login import LoginManager
        app = flask.Flask(__name__)
        LoginManager(app)
        print(type(app).__name__, flask_login.utils.current_app is microflask.current_app)
        """,
        "-W",
        "error",
    )
    assert result.stdout == "Microflask True\n", result.stderr


@pytest.fixture
def flaskless_path(tmp_path: Path) -> Path:
    """Return a directory like site-packages without any real Flask in it."""
    site = Path(sysconfig.get_paths()["purelib"])
    linked = tmp_path / "site"
    linked.mkdir()
    for entry in site.iterdir():
        name = entry.name.lower()
        if name == "flask" or (name.startswith("flask-") and name.endswith(".dist-info")):
            continue
        if name.startswith(("__editable__", "microflask")) or name.endswith(".pth"):
            continue
        (linked / entry.name).symlink_to(entry)
    return linked


def test_without_a_flask_distribution_the_bridge_answers_its_version(
    flaskless_path: Path,
) -> None:
    env = {**os.environ, "PYTHONPATH": f"{flaskless_path}{os.pathsep}{REPO}"}
    code = """
        import importlib.metadata as metadata
        try:
            metadata.version("flask")
        except metadata.PackageNotFoundError:
            print("no flask distribution")
        import microflask
        microflask.install_as_flask()
        import flask
        import flask_restx  # reads importlib.metadata.version("flask") at import
        dist = metadata.distribution("Flask")
        print(metadata.version("flask"), flask.__version__, dist.metadata["Name"])
        print(metadata.version("flask_cors") != "")
        print([d.metadata["Name"] for d in metadata.distributions()].count("Flask"))
        print("flask_login" in metadata.packages_distributions())
    """
    result = _python(code, "-S", "-W", "error", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "no flask distribution",
        f"{FLASK_API_VERSION} {FLASK_API_VERSION} Flask",
        "True",
        "1",
        "True",
    ]


PLUGIN_SUITE = {
    "conftest.py": """
        import flask  # most extension suites start this way

        import pytest

        @pytest.fixture
        def app():
            app = flask.Flask(__name__)

            @app.route("/")
            def index():
                return "hello from " + type(app).__name__

            return app
    """,
    "test_tiny.py": """
        import flask
        import microflask

        def test_flask_is_microflask(app):
            assert flask.Flask is microflask.Microflask
            assert app.test_client().get("/").text == "hello from Microflask"

        def test_later_plugin_saw_the_bridge():
            import later_plugin
            assert later_plugin.SAW is microflask
    """,
    "later_plugin.py": """
        import flask
        SAW = flask
    """,
}


@pytest.fixture
def tiny_suite(tmp_path: Path) -> Path:
    for name, text in PLUGIN_SUITE.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    return tmp_path


def _pytest(suite: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(suite)}
    return _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(suite)],
        cwd=suite,
        env=env,
    )


def test_pytest_plugin_installs_before_conftest_and_later_plugins(tiny_suite: Path) -> None:
    result = _pytest(tiny_suite, "-p", "microflask.flask_compat", "-p", "later_plugin")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_a_plugin_loaded_first_that_imports_flask_is_named_with_the_fix(
    tiny_suite: Path,
) -> None:
    result = _pytest(tiny_suite, "-p", "later_plugin", "-p", "microflask.flask_compat")
    assert result.returncode != 0
    assert "imported by: later_plugin" in result.stderr
    assert "put -p microflask.flask_compat before the other -p options" in result.stderr


def test_without_the_plugin_the_suite_gets_the_real_flask(tiny_suite: Path) -> None:
    result = _pytest(tiny_suite)
    assert result.returncode == 1
    assert "2 failed" in result.stdout


def test_stand_in_distribution_reads_as_flask() -> None:
    dist = _flask_api_distribution()
    assert (dist.metadata["Name"], dist.version) == ("Flask", FLASK_API_VERSION)
    assert dist.read_text("RECORD") is None
    assert dist.files is None
    assert dist.locate_file("x") is None


def test_finder_stays_out_of_other_names_and_of_an_installed_flask() -> None:
    finder = _FlaskFinder({})
    assert finder.find_spec("flask_login") is None
    context = importlib.metadata.DistributionFinder.Context
    assert list(finder.find_distributions(context(name="flask-cors"))) == []
    # this environment has the real Flask installed: it answers, not the stand-in
    assert list(finder.find_distributions(context(name="Flask"))) == []
    assert list(finder.find_distributions()) == []


def test_finder_works_after_the_metadata_backport_removed_pathfinders_method(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # importlib_metadata (imported by Dash's dependencies) deletes the stdlib
    # PathFinder.find_distributions; the bridge called it and every
    # importlib.metadata.distributions() raised AttributeError.
    from importlib.machinery import PathFinder

    monkeypatch.delattr(PathFinder, "find_distributions")
    context = importlib.metadata.DistributionFinder.Context
    assert list(_FlaskFinder({}).find_distributions(context(name="Flask"))) == []


def test_importer_search_survives_objects_that_raise() -> None:
    class Proxy:
        def __getattribute__(self, name: str) -> object:
            raise RuntimeError("Working outside of request context.")

    real = types.ModuleType("flask")
    assert _comes_from(real, real)
    assert not _comes_from(Proxy(), real)
    assert _comes_from(types.SimpleNamespace(__module__="flask.app"), real)
    assert not _comes_from(types.SimpleNamespace(__module__="flask_login"), real)
