"""Pytest fixtures for apps: client, runner, app_ctx, live_server.

Pytest loads this plugin by itself once microflask is installed (entry point
``pytest11``). Each fixture builds on the ``app`` fixture the project defines,
usually in ``conftest.py``; the project's own fixtures of these names win, and
so do another installed plugin's (pytest-flask's ``client`` and ``live_server``,
pytest-django's): a plugin that happens to be installed beside them must not
change which fixture a test gets.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import os
import select
import signal
import socket
import sys
import time
import traceback
import typing as t
import warnings
from types import ModuleType

import pytest

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from .app import Microflask
    from .ctx import AppContext
    from .testing import MicroflaskClient, MicroflaskCliRunner

__all__ = ["app", "app_ctx", "client", "live_server", "runner"]

_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 10.0


def app() -> Microflask:
    """Stand in for the project's ``app`` fixture and say how to write it."""
    pytest.fail(
        "microflask's client, runner, app_ctx and live_server fixtures need an"
        " 'app' fixture: define one in conftest.py that returns your app, for"
        " example\n\n    @pytest.fixture\n    def app():\n"
        "        return create_app({'TESTING': True})\n",
        pytrace=False,
    )


def client(app: Microflask) -> MicroflaskClient:
    """Return ``app.test_client()``."""
    return app.test_client()


def runner(app: Microflask) -> MicroflaskCliRunner:
    """Return ``app.test_cli_runner()``, which invokes ``app.cli`` commands."""
    return app.test_cli_runner()


def app_ctx(app: Microflask) -> Iterator[AppContext]:
    """Push an app context for the test and yield it."""
    ctx = app.app_context()
    ctx.push()
    try:
        yield ctx
    finally:
        ctx.pop()


def live_server(app: Microflask) -> Iterator[str]:
    """Serve the app with gunicorn on 127.0.0.1 and yield its base URL.

    The URL is ``http://127.0.0.1:PORT``, without a trailing slash. The server
    is a fork of the test process made when this fixture is set up, so it
    serves the app exactly as the ``app`` fixture built it; changes either side
    makes later stay on that side: share data through files or a database. It
    is stopped after the test. Needs ``os.fork`` (Linux, macOS) and gunicorn.
    """
    if not hasattr(os, "fork"):
        pytest.skip("live_server needs os.fork, which this platform lacks")
    if importlib.util.find_spec("gunicorn") is None:
        pytest.fail("live_server needs gunicorn: pip install gunicorn", pytrace=False)
    pid, port = _start_server(app)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop_server(pid)


def pytest_configure(config: pytest.Config) -> None:
    """Add the fixtures whose names no other plugin's fixture has taken.

    They are made fixtures here, not where they are defined: by now every plugin
    is registered, so the ones already taken are known.
    """
    ours: dict[str, t.Callable[..., object]] = {"app": app, "client": client, "runner": runner}
    ours.update(app_ctx=app_ctx, live_server=live_server)
    fixtures = ModuleType(f"{__name__}.fixtures")
    for name, function in ours.items():
        if not _taken_by_another_plugin(config, name):
            setattr(fixtures, name, pytest.fixture(function, name=name))
    config.pluginmanager.register(fixtures, fixtures.__name__)


def _taken_by_another_plugin(config: pytest.Config, name: str) -> bool:
    for plugin_name, plugin in config.pluginmanager.list_name_plugin():
        if plugin is sys.modules[__name__] or str(plugin_name).endswith("conftest.py"):
            continue  # a conftest's fixtures win over any plugin's by themselves
        obj = getattr(plugin, name, None)
        # pytest >= 8.4 wraps a fixture in a FixtureFunctionDefinition; older ones mark it.
        if type(obj).__name__ == "FixtureFunctionDefinition" or hasattr(
            obj, "_pytestfixturefunction"
        ):
            return True
    return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(app: Microflask) -> tuple[int, int]:
    """Fork a gunicorn server for *app*; return its pid and port when ready.

    :raises RuntimeError: if it exits or is not ready within the timeout.
    """
    for _ in range(3):  # a port taken between picking and binding it is retried
        port = _free_port()
        ready_read, ready_write = os.pipe()
        with warnings.catch_warnings():
            # Python 3.12+ warns about forking with threads; the child only runs
            # gunicorn, which forks again itself.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            os.close(ready_read)
            _serve(app, port, ready_write)
        os.close(ready_write)
        try:
            ready = _wait_ready(ready_read, _START_TIMEOUT)
        finally:
            os.close(ready_read)
        if ready and _port_answers(port):
            return pid, port
        _stop_server(pid)
        if ready is None:
            break
    raise RuntimeError(f"gunicorn did not start serving {app!r}; its output above says why.")


def _wait_ready(fd: int, timeout: float) -> bool | None:
    """Wait for a worker's byte on *fd*: True, False on EOF, None on timeout."""
    readable, _, _ = select.select([fd], [], [], timeout)
    if not readable:
        return None
    return os.read(fd, 1) == b"1"


def _port_answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except OSError:
        return False
    return True


def _serve(app: Microflask, port: int, ready_fd: int) -> t.NoReturn:
    """Run gunicorn for *app* in this forked child and never return."""
    code = 1
    try:
        warnings.resetwarnings()  # the test run's "error" filters are not for gunicorn
        # What the test process left for the collector is not the server's to finalize:
        # a finalizer run here would act on the test process's pipes, files and sockets
        # (a Playwright coroutine closed here could write to the browser driver's pipe).
        gc.freeze()
        _die_with_parent()
        _gunicorn_app(app, port, ready_fd).run()
        code = 0
    except SystemExit as e:  # gunicorn's master and workers both leave this way
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _die_with_parent() -> None:
    """On Linux, have the kernel stop this server if the test process dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            pr_set_pdeathsig = 1
            ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _gunicorn_app(app: Microflask, port: int, ready_fd: int) -> t.Any:
    """Build a gunicorn application serving *app* with one sync worker."""
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

    def post_worker_init(worker: object) -> None:
        # A worker gunicorn starts again later (after its timeout) finds the
        # test process's end of the pipe closed; the server goes on serving.
        with contextlib.suppress(OSError):
            os.write(ready_fd, b"1")

    options: dict[str, object] = {
        "bind": f"127.0.0.1:{port}",
        "workers": 1,
        "worker_class": "sync",
        "loglevel": "warning",
        "graceful_timeout": 3,
        "post_worker_init": post_worker_init,
        "control_socket_disable": True,
    }

    class LiveServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> Microflask:
            return app

    return LiveServer()


def _stop_server(pid: int) -> None:
    """Stop the gunicorn master gracefully, killing it after a timeout."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + _STOP_TIMEOUT
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
