"""Served benchmark: each framework's app under gunicorn, loaded with wrk.

For every framework and worker class (``sync`` and ``gthread``) it starts
``gunicorn -w 2`` on 127.0.0.1, checks the answer, runs ``wrk`` for a bounded
time and reports req/s with p50 and p99 latency. It then reports each
framework's import time (CPU time, best of several fresh interpreters) and the resident
memory of one sync worker after it served 10,000 mixed requests.

Run it with ``make bench-served`` or ``python -m benchmarks.served --help``;
``wrk`` is the Debian package of that name.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path

from werkzeug.datastructures import Headers

from benchmarks.apps import FRAMEWORKS
from benchmarks.run import LABELS, SCENARIOS, Scenario, machine_facts, update_readme

ROOT = Path(__file__).resolve().parent.parent
WORKER_CLASSES = ("sync", "gthread")
SERVED_SCENARIOS = ("hello", "params", "json", "template", "404")
IMPORTS = {
    "raw": "import werkzeug.wrappers, werkzeug.routing, jinja2, itsdangerous",
    "flask": "import flask",
    "microflask": "import microflask",
}
README_START = "<!-- served:start -->"
README_END = "<!-- served:end -->"
RSS_PATHS = ("/", "/user/ada/post/42", "/json", "/template", "/missing")
_UNIT_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}

_RSS_SCRIPT = """
local paths = {%s}
local sent, received = 0, 0
request = function()
  sent = sent + 1
  return wrk.format("GET", paths[(sent %% #paths) + 1])
end
-- wrk.thread:stop() would still wait out -d; exiting ends the run at the count
response = function(status, headers, body)
  received = received + 1
  if received >= %d then os.exit(0) end
end
"""


@dataclass
class LoadResult:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int = 0
    #: CPU time the gunicorn workers spent per request, in microseconds.
    worker_cpu_us: float = 0.0


def _child_env() -> dict[str, str]:
    """Return the environment for child interpreters, bytecode caching on.

    Installed packages such as Flask ship compiled bytecode; without this an
    editable microflask under ``PYTHONDONTWRITEBYTECODE`` would be compiled
    again on every import, which is not what a deployment sees.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """A gunicorn process serving one framework's main app on 127.0.0.1."""

    def __init__(self, framework: str, worker_class: str, workers: int, threads: int):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable, "-m", "gunicorn",
            "-w", str(workers), "-k", worker_class, "--threads", str(threads),
            "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
            f"benchmarks.apps:create_app({framework!r}, 'main')",
        ]  # fmt: skip
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=_child_env(), stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Wait until the server answers.

        :raises RuntimeError: if gunicorn exits or does not answer in time.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1):
                    return
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer in {timeout} s:\n{self.log()}")

    def worker_pids(self) -> list[int]:
        """Return the pids of the workers this gunicorn master forked."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in children.split()]

    def log(self) -> str:
        """Return what gunicorn wrote so far."""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self) -> None:
        """Stop the master (and so its workers) and wait for it."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def check_answer(url: str, scenario: Scenario) -> None:
    """Fetch ``url`` once and apply the scenario's check.

    :raises RuntimeError: if the status or body is wrong.
    """
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    problem = scenario.check(body, Headers(list(headers.items())))
    if status != scenario.status or problem is not None:
        raise RuntimeError(f"{url}: status {status}, {problem or 'body ok'}")


def _to_ms(value: str, unit: str) -> float:
    return float(value) * _UNIT_TO_MS[unit]


def parse_wrk(output: str) -> LoadResult:
    """Read req/s, p50, p99 and the error count from ``wrk --latency`` output.

    :raises ValueError: if the output lacks those lines.
    """
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    if rate is None or p50 is None or p99 is None:
        raise ValueError(f"Unexpected wrk output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    total = re.search(r"(\d+) requests in", output)
    return LoadResult(
        float(rate.group(1)),
        _to_ms(*p50.groups()),
        _to_ms(*p99.groups()),
        errors,
        int(total.group(1)) if total else 0,
    )


def cpu_seconds(pids: list[int]) -> float:
    """Return the user plus system CPU time the processes have used."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_wrk(url: str, seconds: int, threads: int, connections: int) -> LoadResult:
    """Load ``url`` with wrk for ``seconds`` and return what it measured."""
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def import_time_ms(framework: str, repeats: int = 7) -> float | None:
    """Return the best import time of ``framework`` in a fresh interpreter.

    The first run writes any missing bytecode cache; taking the best run leaves
    that compilation out.
    """
    statement = IMPORTS.get(framework)
    if statement is None:
        return None
    code = f"import time; t = time.process_time(); {statement}; print(time.process_time() - t)"
    times = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", code],
            env=_child_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(done.stdout) * 1000)
    return min(times)


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"No VmRSS for pid {pid!r}.")


def worker_rss_mib(framework: str, requests: int) -> tuple[float, float]:
    """Return one sync worker's RSS in MiB after boot and after ``requests``."""
    server = Gunicorn(framework, "sync", workers=1, threads=1)
    try:
        server.wait_ready()
        (worker,) = server.worker_pids()
        booted = _rss_kib(worker)
        paths = RSS_PATHS if framework != "bare" else ("/", "/json", "/missing")
        script = _RSS_SCRIPT % (", ".join(f'"{p}"' for p in paths), requests)
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
            lua.write(script)
            lua.flush()
            command = ["wrk", "-t1", "-c4", "-d120s", "-s", lua.name, server.url]
            subprocess.run(command, capture_output=True, text=True, check=True)
        if server.worker_pids() != [worker]:
            raise RuntimeError(f"gunicorn replaced worker {worker!r}:\n{server.log()}")
        return booted / 1024, _rss_kib(worker) / 1024
    finally:
        server.stop()


def _scenario(name: str) -> Scenario:
    return next(s for s in SCENARIOS if s.name == name)


def _best(results: list[LoadResult]) -> LoadResult:
    return max(results, key=lambda result: result.requests_per_second)


Bests = dict[tuple[str, str, str], "LoadResult"]


def _load_scenario(scenario: Scenario, args: argparse.Namespace, bests: Bests) -> list[str]:
    """Load every framework and worker class on ``scenario``; return rows.

    All servers run at once and wrk visits them in turn for ``args.rounds``
    rounds, so drift hits all alike; each row is the best round.
    """
    frameworks = args.framework or FRAMEWORKS
    configs = [
        (framework, worker_class)
        for framework in frameworks
        if framework in scenario.frameworks
        for worker_class in WORKER_CLASSES
    ]
    servers: dict[tuple[str, str], Gunicorn] = {}
    results: dict[tuple[str, str], list[LoadResult]] = {c: [] for c in configs}
    url = scenario.path
    try:
        for config in configs:
            servers[config] = Gunicorn(*config, args.workers, args.threads)
        for server in servers.values():
            server.wait_ready()
            check_answer(server.url + url, scenario)
            run_wrk(server.url + url, 1, args.wrk_threads, args.connections)
        workers = {config: server.worker_pids() for config, server in servers.items()}
        for _ in range(args.rounds):
            for config, server in servers.items():
                before = cpu_seconds(workers[config])
                result = run_wrk(server.url + url, args.seconds, args.wrk_threads, args.connections)
                used = cpu_seconds(workers[config]) - before
                result.worker_cpu_us = used / max(result.requests, 1) * 1e6
                results[config].append(result)
    finally:
        for server in servers.values():
            server.stop()
    rows = []
    for (framework, worker_class), runs in results.items():
        cpu = min(run.worker_cpu_us for run in runs)
        best = replace(_best(runs), worker_cpu_us=cpu)
        bests[scenario.name, framework, worker_class] = best
        median = statistics.median(run.requests_per_second for run in runs)
        rows.append(
            f"| {scenario.name} | {LABELS[framework]} | {worker_class} "
            f"| {best.requests_per_second:,.0f} | {median:,.0f} | {best.p50_ms:.2f} "
            f"| {best.p99_ms:.2f} | {cpu:.0f} | {sum(run.errors for run in runs)} |"
        )
        print(rows[-1], flush=True)
    return rows


def target_report(bests: Bests) -> list[str]:
    """List the issue's served targets microflask misses: raw's req/s, Flask's p99."""
    misses = []
    for (scenario, framework, worker), ours in bests.items():
        if framework != "microflask":
            continue
        raw, flask = bests.get((scenario, "raw", worker)), bests.get((scenario, "flask", worker))
        if raw is not None and ours.requests_per_second < raw.requests_per_second:
            misses.append(
                f"{scenario}/{worker}: {ours.requests_per_second:,.0f} req/s"
                f" < raw Werkzeug's {raw.requests_per_second:,.0f} (worker CPU per request:"
                f" {ours.worker_cpu_us:.0f} µs, raw's {raw.worker_cpu_us:.0f} µs)"
            )
        if flask is not None and ours.p99_ms > flask.p99_ms:
            misses.append(
                f"{scenario}/{worker}: p99 {ours.p99_ms:.2f} ms > Flask's {flask.p99_ms:.2f} ms"
            )
    return misses


def _load_table(args: argparse.Namespace, bests: Bests) -> list[str]:
    lines = [
        "| scenario | framework | worker | req/s | median req/s | p50 ms | p99 ms | CPU µs/req"
        " | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in args.scenario or ["hello"]:
        lines += _load_scenario(_scenario(name), args, bests)
    return lines


def _footprint_table(args: argparse.Namespace) -> list[str]:
    lines = [
        "| framework | import ms (CPU) | worker RSS at boot MiB "
        f"| worker RSS after {args.rss_requests:,} requests MiB |",
        "|---|---|---|---|",
    ]
    for framework in args.framework or FRAMEWORKS:
        imported = import_time_ms(framework)
        booted, after = worker_rss_mib(framework, args.rss_requests)
        shown = "-" if imported is None else f"{imported:.1f}"
        lines.append(f"| {LABELS[framework]} | {shown} | {booted:.1f} | {after:.1f} |")
        print(lines[-1], flush=True)
    return lines


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=2, help="wrk time per run")
    parser.add_argument("--rounds", type=int, default=12, help="interleaved wrk runs")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gthread threads")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rss-requests", type=int, default=10_000)
    parser.add_argument("--scenario", action="append", choices=SERVED_SCENARIOS)
    parser.add_argument("--framework", action="append", choices=FRAMEWORKS)
    parser.add_argument("--markdown", type=Path, help="write the tables here")
    parser.add_argument("--readme", type=Path, help="splice the tables into this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the served benchmark; return 2 if wrk is missing."""
    args = _parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    print(
        f"gunicorn -w {args.workers} (gthread: --threads {args.threads}); "
        f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.seconds}s "
        f"x {args.rounds} rounds"
    )
    bests: Bests = {}
    load = _load_table(args, bests)
    footprint = _footprint_table(args)
    for miss in target_report(bests):
        print(f"target missed: {miss}")
    if args.markdown is not None or args.readme is not None:
        header = (
            f"gunicorn -w {args.workers} (gthread: --threads {args.threads}) on "
            f"127.0.0.1, wrk -t{args.wrk_threads} -c{args.connections} "
            f"-d{args.seconds}s, best of {args.rounds} interleaved runs (req/s and latency from"
            " the run with the most req/s, beside the median req/s of all runs; the gunicorn"
            " workers' CPU time per request, the least of the runs); errors summed over runs."
            f"\n\n{machine_facts()}\n"
            "- Reproduce: `make bench-served`"
        )
        text = "\n".join([header, "", *load, "", *footprint, ""])
        if args.markdown is not None:
            args.markdown.write_text(text)
            print(f"wrote {args.markdown}")
        if args.readme is not None and update_readme(args.readme, text, README_START, README_END):
            print(f"updated {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
