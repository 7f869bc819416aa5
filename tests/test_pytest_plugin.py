"""The pytest plugin: client, runner, app_ctx and live_server, run with pytester."""

from __future__ import annotations

import gc
import importlib.metadata
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import microflask
import microflask.pytest_plugin

pytest_plugins = ["pytester"]

# Hypothesis's plugin takes a second to import, for every in-process run.
# pytest >= 9.2 marks an editable plugin's package for assertion rewriting and warns
# that microflask, imported by this very process, cannot be rewritten: expected here.
INNER_ARGS = (
    "-p",
    "no:cacheprovider",
    "-p",
    "no:hypothesispytest",
    "-W",
    "error",
    "-W",
    "ignore::pytest.PytestAssertRewriteWarning",
)

PROJECT_CONFTEST = """\
import click
import pytest
from microflask import Microflask


def create_app(config):
    app = Microflask("plugin_app", root_path=config["ROOT"])
    app.config.update(config)

    @app.route("/")
    def index():
        return f"hello {app.config['WHO']}"

    @app.route("/file")
    def read_file():
        with open(app.config["DATA_FILE"]) as f:
            return f.read()

    @app.post("/count")
    def count():
        app.config["COUNT"] += 1
        return str(app.config["COUNT"])

    @app.cli.command("hi")
    @click.argument("name")
    def hi(name):
        click.echo(f"hi {name} from {app.name}")

    return app


@pytest.fixture
def app(tmp_path):
    data_file = tmp_path / "data.txt"
    data_file.write_text("from a file")
    return create_app(
        {"WHO": "fixture", "ROOT": str(tmp_path), "DATA_FILE": str(data_file), "COUNT": 0}
    )
"""


def run(
    pytester: pytest.Pytester, tests: str, conftest: str = PROJECT_CONFTEST
) -> pytest.RunResult:
    pytester.makeconftest(conftest)
    pytester.makepyfile(test_project=textwrap.dedent(tests))
    return pytester.runpytest(*INNER_ARGS)


def test_plugin_is_registered_by_entry_point() -> None:
    entry_points = importlib.metadata.entry_points(group="pytest11")
    found = [e for e in entry_points if e.name == "microflask"]
    assert [e.value for e in found] == ["microflask.pytest_plugin"]
    assert found[0].load() is microflask.pytest_plugin


def test_client_fixture_uses_project_app(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from microflask.testing import MicroflaskClient

        def test_index(client, app):
            assert isinstance(client, MicroflaskClient)
            assert client.application is app
            assert client.get("/").text == "hello fixture"
        """,
    )
    result.assert_outcomes(passed=1)


def test_runner_fixture_invokes_app_commands(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from microflask.testing import MicroflaskCliRunner

        def test_hi(runner):
            assert isinstance(runner, MicroflaskCliRunner)
            result = runner.invoke(args=["hi", "bob"])
            assert result.output == "hi bob from plugin_app\\n"
        """,
    )
    result.assert_outcomes(passed=1)


def test_app_ctx_fixture_pushes_and_pops(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from microflask import current_app, g, has_app_context

        def test_inside(app_ctx, app):
            assert app_ctx.app is app
            assert current_app._get_current_object() is app
            g.value = 1

        def test_after():
            assert not has_app_context()
        """,
    )
    result.assert_outcomes(passed=2)


def test_missing_app_fixture_is_a_clear_error(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_needs_app(client):
            pass
        """,
        conftest="",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*need an 'app' fixture: define one in conftest.py*"])
    assert "Traceback" not in result.stdout.str()


def test_project_fixtures_win_over_plugin_fixtures(pytester: pytest.Pytester) -> None:
    conftest = PROJECT_CONFTEST + textwrap.dedent(
        """
        @pytest.fixture
        def client():
            return "the project's client"
        """
    )
    result = run(
        pytester,
        """
        def test_own_client(client):
            assert client == "the project's client"

        def test_plugin_runner_still_there(runner):
            assert runner.invoke(args=["hi", "x"]).exit_code == 0
        """,
        conftest=conftest,
    )
    result.assert_outcomes(passed=2)


OTHER_PLUGIN = """\
import pytest


@pytest.fixture
def client(app):
    return ("the other plugin's client", app.name)


@pytest.fixture
def live_server():
    return "the other plugin's live_server"
"""


@pytest.mark.parametrize("load", [["-p", "other_plugin"], []], ids=["-p", "conftest"])
def test_another_plugins_fixtures_win_over_the_plugins(
    pytester: pytest.Pytester, load: list[str]
) -> None:
    # pytest-flask and pytest-django give client and live_server too: with one of them
    # installed beside microflask, its fixtures are the ones a test gets.
    pytester.makepyfile(other_plugin=OTHER_PLUGIN)
    pytester.syspathinsert()
    conftest = (
        PROJECT_CONFTEST if load else f"pytest_plugins = ['other_plugin']\n{PROJECT_CONFTEST}"
    )
    pytester.makeconftest(conftest)
    pytester.makepyfile(
        test_project=textwrap.dedent(
            """
        def test_their_client(client):
            assert client == ("the other plugin's client", "plugin_app")

        def test_their_live_server(live_server):
            assert live_server == "the other plugin's live_server"

        def test_our_runner_and_app_ctx_still_there(runner, app_ctx):
            assert runner.invoke(args=["hi", "x"]).output == "hi x from plugin_app\\n"
        """
        )
    )
    result = pytester.runpytest(*load, *INNER_ARGS)
    result.assert_outcomes(passed=3)


def test_fixtures_are_listed(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(PROJECT_CONFTEST)
    result = pytester.runpytest("--fixtures", *INNER_ARGS)
    result.stdout.fnmatch_lines(
        [
            "*live_server*",
            "*Serve the app with gunicorn on 127.0.0.1*",
        ]
    )


@pytest.mark.slow
def test_live_server_serves_app_over_http(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import urllib.error
        import urllib.request

        import pytest

        seen = []

        def get(url):
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.headers["Server"], response.read().decode()

        def test_serves(live_server, app):
            seen.append(live_server)
            assert live_server.startswith("http://127.0.0.1:")
            status, server, body = get(live_server + "/")
            assert (status, body) == (200, "hello fixture")
            assert server.startswith("gunicorn")

        def test_shares_files_not_memory(live_server, app, tmp_path):
            assert get(live_server + "/file")[2] == "from a file"
            (tmp_path / "data.txt").write_text("changed by the test")
            assert get(live_server + "/file")[2] == "changed by the test"
            request = urllib.request.Request(live_server + "/count", method="POST")
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.read() == b"1"
            assert app.config["COUNT"] == 0

        def test_stopped_after_the_test():
            with pytest.raises(urllib.error.URLError):
                get(seen[0] + "/")
        """,
    )
    result.assert_outcomes(passed=3)


@pytest.mark.slow
def test_live_server_gives_each_test_a_fresh_server(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import urllib.request

        urls = []

        def post_count(url):
            request = urllib.request.Request(url + "/count", method="POST")
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.read()

        def test_first(live_server):
            urls.append(live_server)
            assert post_count(live_server) == b"1"
            assert post_count(live_server) == b"2"

        def test_second(live_server):
            assert post_count(live_server) == b"1"
        """,
    )
    result.assert_outcomes(passed=2)


@pytest.mark.slow
def test_live_server_serves_error_responses(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import urllib.error
        import urllib.request

        import pytest

        def test_error_page(live_server, app):
            with pytest.raises(urllib.error.HTTPError) as info:
                urllib.request.urlopen(live_server + "/missing", timeout=10)
            info.value.close()
            assert info.value.code == 404
        """,
    )
    result.assert_outcomes(passed=1)


def test_live_server_without_gunicorn_fails_clearly(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import sys

        import pytest

        @pytest.fixture(autouse=True)
        def no_gunicorn(monkeypatch):
            monkeypatch.setitem(sys.modules, "gunicorn", None)

        def test_needs_gunicorn(live_server):
            pass
        """,
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*live_server needs gunicorn: pip install gunicorn*"])


def test_live_server_skips_without_fork(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import os

        import pytest

        @pytest.fixture(autouse=True)
        def no_fork(monkeypatch):
            monkeypatch.delattr(os, "fork")

        def test_needs_fork(live_server):
            pass
        """,
    )
    result.assert_outcomes(skipped=1)


def test_start_server_gives_up_when_gunicorn_cannot_start(
    app: microflask.Microflask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise OSError("no gunicorn today")

    monkeypatch.setattr(microflask.pytest_plugin, "_gunicorn_app", broken)
    with pytest.raises(RuntimeError, match="gunicorn did not start serving <Microflask"):
        microflask.pytest_plugin._start_server(app)


def test_wait_ready_reports_byte_eof_and_timeout() -> None:
    wait_ready = microflask.pytest_plugin._wait_ready
    read, write = os.pipe()
    try:
        assert wait_ready(read, 0.01) is None
        os.write(write, b"1")
        assert wait_ready(read, 1) is True
        os.close(write)
        assert wait_ready(read, 1) is False
    finally:
        os.close(read)


def test_port_answers_only_when_listening() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        assert not microflask.pytest_plugin._port_answers(port)
        sock.listen()
        assert microflask.pytest_plugin._port_answers(port)


def test_stop_server_kills_a_server_that_ignores_sigterm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
    code += " print('ready', flush=True); time.sleep(60)"
    stubborn = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert stubborn.stdout is not None
    with stubborn.stdout:
        assert stubborn.stdout.readline() == b"ready\n"
    monkeypatch.setattr(microflask.pytest_plugin, "_STOP_TIMEOUT", 0.2)
    microflask.pytest_plugin._stop_server(stubborn.pid)
    with pytest.raises(ProcessLookupError):
        os.kill(stubborn.pid, signal.SIGKILL)
    stubborn.wait()  # already reaped; this only tells Popen so


def _get_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as e:
        e.close()
        return e.code
    except OSError:
        return None


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc for the worker")
def test_live_server_survives_its_worker_being_restarted(app: microflask.Microflask) -> None:
    pid, port = microflask.pytest_plugin._start_server(app)
    try:
        url = f"http://127.0.0.1:{port}/no-such-page"
        assert _get_status(url) == 404
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        assert len(children) == 1  # the one sync worker
        os.kill(int(children[0]), signal.SIGKILL)  # as gunicorn does on a worker's timeout
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            new_children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            if new_children and new_children != children and _get_status(url) == 404:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the live server stopped serving when its worker was restarted")
    finally:
        microflask.pytest_plugin._stop_server(pid)


class _Finalized:
    """Cyclic garbage whose finalizer writes the pid of the process running it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.me = self  # only the cyclic collector frees it

    def __del__(self) -> None:
        with self.path.open("a") as file:
            file.write(f"{os.getpid()}\n")


@pytest.mark.slow
def test_live_server_does_not_finalize_the_test_process_garbage(tmp_path: Path) -> None:
    app = microflask.Microflask(__name__)

    @app.get("/collect")
    def collect() -> str:
        return str(gc.collect())  # as any collection in the server might, at any time

    log = tmp_path / "finalized.txt"
    gc.disable()  # keeps the garbage uncollected until the server is forked
    try:
        _Finalized(log)
        pid, port = microflask.pytest_plugin._start_server(app)
        try:
            assert _get_status(f"http://127.0.0.1:{port}/collect") == 200
        finally:
            microflask.pytest_plugin._stop_server(pid)
    finally:
        gc.enable()
    gc.collect()
    assert log.read_text().split() == [str(os.getpid())]
