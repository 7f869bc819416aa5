"""``make demo`` for real: its commands, gunicorn with two workers, HTTP and cookies.

The commands are read from the Makefile's ``demo`` recipe, so this test breaks
when the demo does. Only the port, the database and the secret key differ.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import typing as t
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _demo_commands(port: int) -> list[list[str]]:
    """Return the demo recipe's commands, run with this venv on *port*."""
    recipe = (ROOT / "Makefile").read_text().split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    commands = []
    for line in recipe.splitlines()[1:]:
        line = line.strip().replace("$(VENV)", sys.prefix)
        if line and not line.startswith("@"):
            commands.append(shlex.split(line.replace("$(HOST):$(PORT)", f"127.0.0.1:{port}")))
    return commands


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_serving(server: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.1)
        else:
            return
    raise AssertionError(f"gunicorn did not listen on port {port} within 30 s")


@pytest.fixture
def server(tmp_path: Path) -> t.Iterator[str]:
    """Run the demo's commands on a free port and a fresh database."""
    port = _free_port()
    env = {
        **os.environ,
        "MICROFLASK_DATABASE": str(tmp_path / "blog.sqlite"),
        "MICROFLASK_SECRET_KEY": "gunicorn test key",
    }
    init_db, serve = _demo_commands(port)
    assert serve[:4] == [f"{sys.prefix}/bin/gunicorn", "--chdir", "examples/blog", "-w"]
    done = subprocess.run(init_db, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # A running `make demo` owns the default control socket; the test needs none.
    log = (tmp_path / "gunicorn.log").open("wb")
    proc = subprocess.Popen(
        [*serve, "--no-control-socket"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        _wait_until_serving(proc, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


class _Visitor:
    """A cookie-keeping HTTP client that fills in forms with their CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.geturl(), response.read().decode()

    def submit(self, path: str, **fields: str) -> tuple[str, str]:
        match = _TOKEN.search(self.get(path)[1])
        assert match is not None, f"no CSRF token on {path}"
        body = urllib.parse.urlencode({"csrf_token": match.group(1), **fields}).encode()
        with self.opener.open(self.base + path, data=body, timeout=10) as response:
            return response.geturl(), response.read().decode()


def test_demo_serves_register_login_post_and_list(server: str) -> None:
    visitor = _Visitor(server)
    url, page = visitor.submit("/auth/register", username="ada", password="lovelace")
    assert url == f"{server}/auth/login"
    assert "Registered. Please log in." in page

    url, page = visitor.submit("/auth/login", username="ada", password="lovelace")
    assert url == f"{server}/"
    assert "Welcome, ada." in page
    cookie = next(c for c in visitor.cookies if c.name == "session")
    assert cookie.has_nonstandard_attr("HttpOnly")

    url, page = visitor.submit("/create", title="Over the wire", body="via gunicorn")
    assert url == f"{server}/"
    assert "Published “Over the wire”." in page

    # Several requests, so both workers serve this session with the shared key.
    for _ in range(6):
        page = visitor.get("/")[1]
        assert "Over the wire" in page
        assert "by ada on" in page
        assert "Log Out" in page
