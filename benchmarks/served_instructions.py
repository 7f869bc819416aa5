"""Served work per request, counted in instructions: where served time goes.

For each framework it starts ``gunicorn -w 1`` (sync) under Valgrind's callgrind,
sends N plain ``GET`` requests over fresh connections, stops it, and reads the
worker's instruction count; a second run with no requests gives the start-up and
shut-down cost to subtract. Instruction counts do not depend on what else the
machine runs, so they tell apart what a framework *does* per request from how
fast the CPU runs it (cold caches after the kernel's network work).

Run it with ``make bench-served-instructions`` or ``python -m
benchmarks.served_instructions --help``; ``valgrind`` is the Debian package.
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.apps import FRAMEWORKS
from benchmarks.run import machine_facts
from benchmarks.served import ROOT, child_env, free_port

_COLLECTED = re.compile(r"^==(\d+)== Collected : (\d+)$", re.MULTILINE)
_PAUSE_SECONDS = 0.02
_REQUEST = "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"


def _get(port: int) -> bytes:
    """Send one request on a new connection; return the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(_REQUEST.format(port=port).encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn under valgrind exited before it answered.")
        try:
            _get(port)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn under valgrind did not answer in {timeout} s.")


def worker_instructions(framework: str, requests: int) -> int:
    """Return the instructions the worker ran, serving *requests* hellos (+1 warm-up).

    :raises RuntimeError: if the server fails, an answer is not a 200, or
        callgrind reports no worker.
    """
    port = free_port()
    command = [
        "valgrind", "--tool=callgrind", "--trace-children=yes",
        "--callgrind-out-file=/dev/null",
        sys.executable, "-m", "gunicorn", "-w", "1", "-k", "sync", "--timeout", "900",
        "-b", f"127.0.0.1:{port}", "--log-level", "warning",
        f"benchmarks.apps:create_app({framework!r}, 'main')",
    ]  # fmt: skip
    env = child_env() | {"PYTHONHASHSEED": "0"}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            _wait_ready(port, process, timeout=300)
            for _ in range(requests):
                if not _get(port).startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(f"{framework} did not answer 200.")
                # The worker then finds no connection waiting and goes back to waiting
                # for one (an EAGAIN and a select), every time: no race with this loop.
                time.sleep(_PAUSE_SECONDS)
        finally:
            process.terminate()
            process.wait(timeout=300)
        log.seek(0)
        text = log.read().decode(errors="replace")
    return worker_count(text, process.pid)


def worker_count(valgrind_log: str, master_pid: int) -> int:
    """Return the one worker's instruction count from callgrind's log.

    :raises RuntimeError: unless exactly one process besides the master reported.
    """
    counts = {int(pid): int(n) for pid, n in _COLLECTED.findall(valgrind_log)}
    workers = [n for pid, n in counts.items() if pid != master_pid]
    if len(workers) != 1:
        raise RuntimeError(f"Expected one worker's count besides pid {master_pid}, got {counts}.")
    return workers[0]


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="hello requests per run")
    parser.add_argument("--frameworks", nargs="+", default=list(FRAMEWORKS), choices=FRAMEWORKS)
    parser.add_argument("--markdown", type=Path, help="write the table here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Count every framework's served instructions per request and print the table."""
    args = _parse_args(argv)
    per_request: dict[str, float] = {}
    for framework in args.frameworks:
        idle = worker_instructions(framework, 0)
        busy = worker_instructions(framework, args.requests)
        per_request[framework] = (busy - idle) / args.requests
        print(f"  {framework}: {per_request[framework]:,.0f} per request", file=sys.stderr)
    bare = per_request.get("bare")
    lines = [
        "| framework | instructions per served request | over bare WSGI | bare's share |",
        "|---|---|---|---|",
    ]
    for framework, count in per_request.items():
        over = f"{count - bare:,.0f}" if bare else "-"
        share = f"{bare / count:.3f}" if bare else "-"
        lines.append(f"| {framework} | {count:,.0f} | {over} | {share} |")
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        facts = machine_facts("gunicorn")
        args.markdown.write_text(
            "# Served instructions per request\n\n"
            f"{facts}\n\n"
            f"`python -m benchmarks.served_instructions --requests {args.requests}`:"
            " gunicorn -w 1 (sync) under callgrind, hello over a new connection each,"
            " the worker's instructions with no requests subtracted. \"Bare's share\" is"
            " the most a framework's served req/s can be of bare WSGI's if every"
            " instruction costs the same.\n\n"
            f"{table}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
