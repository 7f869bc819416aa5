"""Bounded load test: the blog example under real gunicorn, driven by wrk.

Runs only with ``SOAK=1`` (``make soak``, ``.ci/run``). ``SOAK_SECONDS`` sets the
length of each run (default 60; CI uses less). wrk keeps 64 connections busy with
``soak.lua``: reads, logins and new posts. Sync and gthread workers each serve two
runs: one watching a worker's RSS growth between the sixth of the run (the 10th
second of 60) and its end (the blog is kept to its newest 50 posts meanwhile, so the
page being rendered does not grow), one (half as long) where ``--max-requests``
restarts the workers under load. Every run must show no socket error and no 5xx; the figures are
printed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import typing as t
from pathlib import Path
from urllib.parse import urlencode

import pytest
from werkzeug.security import generate_password_hash

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.soak,
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("SOAK") != "1",
        reason="the soak test runs for minutes: run it with SOAK=1 (make soak)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
BLOG = ROOT / "examples" / "blog"
LUA = Path(__file__).with_name("soak.lua")
BIN = Path(sys.executable).parent
SECONDS = int(os.environ.get("SOAK_SECONDS", "60"))
CONNECTIONS = 64
WORKERS = 3
MAX_RSS_GROWTH = 0.05
USERNAME, PASSWORD = "soak", "soak-password"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"No VmRSS for pid {pid}: {status[:200]!r}")
    return int(match[1])


def _settled_rss_kb(pid: int, until: float) -> int:
    """Return the lowest RSS of *pid* sampled until the monotonic time *until*.

    What a request holds only while it runs (a page being rendered) comes and goes;
    the minimum over a second leaves it out and still rises with anything a worker
    keeps (a leak).
    """
    lowest = _rss_kb(pid)
    while time.monotonic() < until:
        time.sleep(0.05)
        lowest = min(lowest, _rss_kb(pid))
    return lowest


def _add_user(database: Path) -> None:
    """Add the soak user, its password hashed with PBKDF2 rather than scrypt.

    The blog hashes with Werkzeug's default, scrypt, whose 32 MiB work buffer would
    swamp the RSS figure whenever a login is in flight; a cheap PBKDF2 hash keeps the
    logins in the mix while RSS tracks what the framework keeps.
    """
    password = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO user (username, password) VALUES (?, ?)", (USERNAME, password))
    db.close()


@contextlib.contextmanager
def keep_newest_posts(database: Path, keep: int = 50) -> t.Iterator[None]:
    """Delete all but the newest *keep* posts twice a second, in a thread.

    The blog's index lists every post, so without this the page — and the memory a
    worker needs to render it — would grow with every post the load test writes, and
    the RSS figure would measure the data, not the framework.
    """
    stop = threading.Event()

    def sweep() -> None:
        with contextlib.closing(sqlite3.connect(database, timeout=5)) as db:
            while not stop.wait(0.5):
                with db:
                    db.execute(
                        "DELETE FROM post WHERE id NOT IN"
                        " (SELECT id FROM post ORDER BY id DESC LIMIT ?)",
                        (keep,),
                    )

    janitor = threading.Thread(target=sweep, daemon=True)
    janitor.start()
    try:
        yield
    finally:
        stop.set()
        janitor.join()


class Gunicorn:
    """A gunicorn master serving the blog with a fresh database on 127.0.0.1."""

    def __init__(self, tmp: Path, worker_class: str, *options: str) -> None:
        self.port = _free_port()
        self.access_log = tmp / "access.log"
        self.error_log = tmp / "error.log"
        self.database = tmp / "blog.sqlite"
        self.env = {
            **os.environ,
            "MICROFLASK_DATABASE": str(self.database),
            "MICROFLASK_SECRET_KEY": "soak secret key",
        }
        subprocess.run(
            [BIN / "microflask", "--app", "blog", "init-db"],
            cwd=BLOG,
            env=self.env,
            check=True,
            capture_output=True,
        )
        _add_user(self.database)
        command = [
            str(BIN / "gunicorn"),
            f"--workers={WORKERS}",
            f"--worker-class={worker_class}",
            f"--bind=127.0.0.1:{self.port}",
            f"--access-logfile={self.access_log}",
            f"--error-logfile={self.error_log}",
            "--log-level=info",
            "--no-control-socket",
            *options,
            "blog:create_app()",
        ]
        self.process = subprocess.Popen(command, cwd=BLOG, env=self.env)
        try:
            self._wait_until_serving()
        except BaseException:
            self.stop()
            raise

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.error_log.read_text()}")
            try:
                if request(self.port, "GET", "/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer on port {self.port} within 30 s.")

    def worker_pids(self) -> list[int]:
        """Return the pids of the master's worker processes, in order."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return sorted(int(pid) for pid in children.read_text().split())

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restarts(self) -> int:
        """Return how many workers gunicorn restarted for ``--max-requests``."""
        return self.error_log.read_text().count("Autorestarting worker after current request")


def request(
    port: int, method: str, path: str, cookie: str | None = None, form: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, str]:
    """Send one request; return its status, headers and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def _session_cookie(headers: http.client.HTTPMessage) -> str | None:
    for value in headers.get_all("Set-Cookie") or ():
        name, _, rest = value.partition("=")
        if name == "session":
            return rest.partition(";")[0]
    return None


def _form_session(port: int, path: str, cookie: str | None = None) -> tuple[str, str]:
    """GET a page with a form; return the session cookie and its CSRF token."""
    status, headers, body = request(port, "GET", path, cookie)
    match = _TOKEN.search(body)
    if status != 200 or match is None:
        raise AssertionError(f"GET {path}: {status}, no CSRF token in {body[:300]!r}")
    new_cookie = _session_cookie(headers) or cookie
    if new_cookie is None:
        raise AssertionError(f"GET {path} set no session cookie.")
    return new_cookie, match[1]


def prepare_sessions(port: int) -> list[str]:
    """Log the soak user in; return the arguments soak.lua expects."""
    credentials = {"username": USERNAME, "password": PASSWORD}
    anon_cookie, anon_token = _form_session(port, "/auth/login")
    status, headers, body = request(
        port, "POST", "/auth/login", anon_cookie, {"csrf_token": anon_token, **credentials}
    )
    logged_in = _session_cookie(headers)
    assert status == 302 and logged_in, body
    user_cookie, user_token = _form_session(port, "/", logged_in)
    return [anon_cookie, anon_token, user_cookie, user_token, USERNAME, PASSWORD]


@dataclasses.dataclass
class Figures:
    """What one wrk run measured."""

    name: str
    seconds: int
    values: dict[str, int]
    rss: tuple[int, int] | None = None
    restarts: int = 0

    @property
    def socket_errors(self) -> int:
        v = self.values
        return v["connect"] + v["read"] + v["write"] + v["timeout"]

    def report(self) -> str:
        v = self.values
        rate = v["requests"] / (v["duration_us"] / 1e6)
        text = (
            f"soak {self.name}: {v['requests']} requests in {v['duration_us'] / 1e6:.1f} s"
            f" ({rate:.0f}/s, {CONNECTIONS} connections); 2xx={v['2xx']} 3xx={v['3xx']}"
            f" 4xx={v['4xx']} 5xx={v['5xx']} other={v['other']};"
            f" socket errors {self.socket_errors} (connect {v['connect']}, read {v['read']},"
            f" write {v['write']}, timeout {v['timeout']});"
            f" latency p50 {v['p50'] / 1000:.1f} ms, p99 {v['p99'] / 1000:.1f} ms,"
            f" max {v['max'] / 1000:.1f} ms"
        )
        if self.rss is not None:
            start, end = self.rss
            text += (
                f"; worker RSS {start} kB at {self.seconds / 6:.1f} s -> {end} kB at"
                f" {self.seconds} s ({(end - start) / start:+.2%})"
            )
        if self.restarts:
            text += f"; {self.restarts} --max-requests restarts"
        return text


def run_wrk(
    server: Gunicorn, arguments: list[str], name: str, seconds: int, watch_rss: bool
) -> Figures:
    """Run wrk against *server*; sample a worker's RSS during the run if asked."""
    command = [
        "wrk",
        "--threads=4",
        f"--connections={CONNECTIONS}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={LUA}",
        f"http://127.0.0.1:{server.port}",
        "--",
        *arguments,
    ]
    worker = server.worker_pids()[0]
    started = time.monotonic()
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rss = None
    try:
        if watch_rss:
            time.sleep(max(0.0, started + seconds / 6 - 0.5 - time.monotonic()))
            first = _settled_rss_kb(worker, until=started + seconds / 6 + 0.5)
            time.sleep(max(0.0, started + seconds - 1.5 - time.monotonic()))
            rss = (first, _settled_rss_kb(worker, until=started + seconds - 0.5))
            assert worker in server.worker_pids(), "the watched worker was replaced"
        out, err = wrk.communicate(timeout=seconds + 60)
    finally:
        if wrk.poll() is None:
            wrk.kill()
            wrk.wait()
    assert wrk.returncode == 0, err
    values = {
        key: int(value)
        for key, value in re.findall(
            r"(\w+)=(\d+)", "\n".join(re.findall(r"^SOAK (.*)$", out, re.M))
        )
    }
    return Figures(name, seconds, values, rss)


def _wrk_or_fail() -> None:
    if shutil.which("wrk") is None:
        pytest.fail("wrk is missing: apt-get install -y wrk")


def _check(figures: Figures) -> None:
    print(figures.report())
    values = figures.values
    assert values["requests"] > 0
    assert figures.socket_errors == 0, figures.report()
    assert values["5xx"] == 0 and values["other"] == 0, figures.report()
    assert values["2xx"] + values["3xx"] + values["4xx"] == values["requests"]


@pytest.mark.parametrize(
    ("worker_class", "options"),
    [("sync", []), ("gthread", ["--threads=4"])],
    ids=["sync", "gthread"],
)
def test_soak_keeps_serving_without_errors_or_growth(
    tmp_path: Path, worker_class: str, options: list[str]
) -> None:
    _wrk_or_fail()
    server = Gunicorn(tmp_path, worker_class, *options)
    try:
        arguments = prepare_sessions(server.port)
        with keep_newest_posts(server.database):
            figures = run_wrk(server, arguments, worker_class, SECONDS, watch_rss=True)
    finally:
        server.stop()
    _check(figures)
    assert figures.rss is not None
    start, end = figures.rss
    assert (end - start) / start < MAX_RSS_GROWTH, figures.report()


@pytest.mark.parametrize(
    ("worker_class", "options"),
    [("sync", []), ("gthread", ["--threads=4"])],
    ids=["sync", "gthread"],
)
def test_soak_max_requests_restarts_lose_no_request(
    tmp_path: Path, worker_class: str, options: list[str]
) -> None:
    _wrk_or_fail()
    server = Gunicorn(
        tmp_path, worker_class, "--max-requests=300", "--max-requests-jitter=50", *options
    )
    seconds = max(10, SECONDS // 2)
    try:
        arguments = prepare_sessions(server.port)
        figures = run_wrk(server, arguments, f"{worker_class} --max-requests", seconds, False)
    finally:
        server.stop()
    figures.restarts = server.restarts()
    _check(figures)
    assert figures.restarts >= WORKERS, figures.report()
    # Every response wrk counted is in the server's access log, none went missing.
    logged = server.access_log.read_text().count('HTTP/1.1"')
    assert logged >= figures.values["requests"], (logged, figures.report())
