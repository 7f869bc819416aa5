"""The README's deployment lines, run as written from the repository root.

The commands are read from the README between ``<!-- deploy:start -->`` and
``<!-- deploy:end -->``, so the README cannot drift from what works. Only the
bind address (a free port on 127.0.0.1), the database (a temporary SQLite
file) and the install line (this venv has it installed already) differ.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import typing as t
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
_BLOCK = re.compile(r"<!-- deploy:start -->\n```sh\n(.*?)```\n<!-- deploy:end -->", re.S)


def readme_deploy_lines() -> list[str]:
    """Return the README's deployment commands, comments stripped."""
    match = _BLOCK.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert match is not None, "README.md has no sh block between the deploy markers"
    lines = [re.sub(r"\s+#[^'\"]*$", "", line).strip() for line in match[1].splitlines()]
    return [line for line in lines if line]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_readme_installs_the_demo_extra_and_it_brings_gunicorn() -> None:
    install, *_ = readme_deploy_lines()
    assert install == "pip install -e '.[demo]'"
    requirements = importlib.metadata.requires("microflask") or []
    assert any(r.startswith("gunicorn") and 'extra == "demo"' in r for r in requirements)


def _script(port: int) -> str:
    """Return the README's lines as one shell script serving on *port*."""
    lines = readme_deploy_lines()
    assert lines[0].startswith("pip install"), lines
    *setup, serve = lines[1:]
    assert serve.startswith("gunicorn ") and "-b 0.0.0.0:8000" in serve, serve
    # The default control socket may belong to a running `make demo`.
    serve = serve.replace("-b 0.0.0.0:8000", f"-b 127.0.0.1:{port} --no-control-socket")
    return "\n".join(["set -eu", *setup, f"exec {serve}"])


def _wait_until_serving(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"exited with {server.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.1)
        else:
            return
    raise AssertionError(f"nothing listened on port {port} within 60 s:\n{log.read_text()}")


@pytest.fixture
def served(tmp_path: Path) -> t.Iterator[tuple[str, Path, Path]]:
    """Run the README's lines; yield the base URL, the database and the log."""
    port = _free_port()
    database = tmp_path / "blog.sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROFLASK_")}
    env.update(PATH=f"{BIN}{os.pathsep}{env['PATH']}", MICROFLASK_DATABASE=str(database))
    log_path = tmp_path / "deploy.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            ["bash", "-c", _script(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_serving(server, port, log_path)
            yield f"http://127.0.0.1:{port}", database, log_path
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def test_readme_deployment_serves_the_blog(served: tuple[str, Path, Path]) -> None:
    base, database, log = served
    # init-db ran first, on the database the environment names.
    with contextlib.closing(sqlite3.connect(database)) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"user", "post"} <= tables
    with urllib.request.urlopen(f"{base}/", timeout=10) as response:
        assert response.status == 200
        page = response.read().decode()
    assert "Log In" in page and "Register" in page
    with urllib.request.urlopen(f"{base}/auth/register", timeout=10) as response:
        assert 'name="csrf_token"' in response.read().decode()
    # --access-logfile - logs each request.
    deadline = time.monotonic() + 10
    while '"GET /auth/register HTTP/1.1" 200' not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    assert "Initialised the database" in log.read_text()
