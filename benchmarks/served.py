"""Served benchmark: each framework's app under gunicorn, loaded with wrk.

For every framework (bare WSGI, raw Werkzeug, Flask, Bottle, microflask) and
worker class (``sync``; ``gthread`` on request) it starts ``gunicorn -w 2`` on
127.0.0.1, checks the answer, then ``wrk -c32`` visits every server in turn for
a number of rounds; it reports req/s (best and median), p50 and p99 latency and
the workers' CPU time per request. It then reports the resident memory of one
sync worker after it served 10,000 hello requests, and prints each of issue
18's served targets as met or missed. Import time is ``benchmarks.startup``'s.

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
from benchmarks.run import (
    LABELS,
    SCENARIOS,
    Scenario,
    Verdict,
    at_least,
    format_verdicts,
    machine_facts,
    update_readme,
    verdicts_markdown,
)

ROOT = Path(__file__).resolve().parent.parent
WORKER_CLASSES = ("sync", "gthread")
SERVED_SCENARIOS = ("hello", "params", "json", "template", "404")
DEFAULT_SCENARIOS = ["hello", "json"]
README_START = "<!-- served:start -->"
README_END = "<!-- served:end -->"
RSS_PATH = "/"
_UNIT_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}

_RSS_SCRIPT = """
local received = 0
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


def child_env() -> dict[str, str]:
    """Return the environment for child interpreters, bytecode caching on.

    Installed packages such as Flask ship compiled bytecode; without this an
    editable microflask under ``PYTHONDONTWRITEBYTECODE`` would be compiled
    again on every import, which is not what a deployment sees.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """A gunicorn process serving one framework's main app on 127.0.0.1."""

    def __init__(self, framework: str, worker_class: str, workers: int, threads: int):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable, "-m", "gunicorn",
            "-w", str(workers), "-k", worker_class, "--threads", str(threads),
            "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
            f"benchmarks.apps:create_app({framework!r}, 'main')",
        ]  # fmt: skip
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=child_env(), stdout=self._log, stderr=subprocess.STDOUT
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


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"No VmRSS for pid {pid!r}.")


def worker_rss_mib(framework: str, requests: int) -> tuple[float, float]:
    """Return one sync worker's RSS in MiB after boot and after ``requests`` hellos."""
    server = Gunicorn(framework, "sync", workers=1, threads=1)
    try:
        server.wait_ready()
        (worker,) = server.worker_pids()
        booted = _rss_kib(worker)
        script = _RSS_SCRIPT % requests
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
            lua.write(script)
            lua.flush()
            command = ["wrk", "-t1", "-c4", "-d120s", "-s", lua.name, server.url + RSS_PATH]
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

    All servers run at once and wrk visits them in turn, starting one further
    each round, for ``args.rounds`` rounds, so drift hits all alike; each row
    is the best round.
    """
    frameworks = args.framework or FRAMEWORKS
    configs = [
        (framework, worker_class)
        for framework in frameworks
        if framework in scenario.frameworks
        for worker_class in args.worker_class or ["sync"]
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
        order = list(servers.items())
        for number in range(args.rounds):
            shift = number % len(order)
            for config, server in order[shift:] + order[:shift]:
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


#: (competitor, least ratio of microflask's req/s to its) in the same run, issue 18.
_RATE_TARGETS = (("bare", 0.95), ("bottle", 1.0), ("raw", 1.0))


def _load_verdicts(where: str, ours: LoadResult, others: dict[str, LoadResult]) -> list[Verdict]:
    verdicts = []
    for name, minimum in _RATE_TARGETS:
        if name in others:
            theirs = others[name].requests_per_second
            what = (
                f"{where}: microflask req/s ÷ {LABELS[name]}'s"
                f" ({ours.requests_per_second:,.0f} vs {theirs:,.0f})"
            )
            verdicts.append(at_least(ours.requests_per_second, theirs, minimum, what))
    if "flask" in others:
        flask = others["flask"].p99_ms
        text = f"{where}: microflask p99 {ours.p99_ms:.2f} ms, Flask's {flask:.2f} ms (no more)"
        verdicts.append((ours.p99_ms <= flask, text))
    if "bottle" in others:
        bottle = others["bottle"].worker_cpu_us
        text = (
            f"{where}: worker CPU per request {ours.worker_cpu_us:.0f} µs,"
            f" Bottle's {bottle:.0f} µs (aim: no more)"
        )
        verdicts.append((ours.worker_cpu_us <= bottle, text))
    return verdicts


def target_report(bests: Bests, rss: dict[str, tuple[float, float]]) -> list[Verdict]:
    """Judge issue 18's served targets on this run.

    Per scenario and worker class, microflask's best req/s at least 0.95x the
    bare WSGI callable's and at least Bottle's and raw Werkzeug's, its p99 no
    more than Flask's, its worker CPU per request no more than Bottle's; its
    worker's RSS after the hello requests no more than the raw-Werkzeug app's.
    """
    verdicts = []
    for (scenario, framework, worker), ours in bests.items():
        if framework == "microflask":
            others = {f: r for (s, f, w), r in bests.items() if (s, w) == (scenario, worker)}
            verdicts += _load_verdicts(f"{scenario}/{worker}", ours, others)
    if "microflask" in rss and "raw" in rss:
        ours_mib, raw_mib = rss["microflask"][1], rss["raw"][1]
        text = f"hello worker RSS {ours_mib:.1f} MiB, raw Werkzeug's {raw_mib:.1f} MiB"
        text += " (no more)"
        verdicts.append((ours_mib <= raw_mib, text))
    return verdicts


def _load_table(args: argparse.Namespace, bests: Bests) -> list[str]:
    lines = [
        "| scenario | framework | worker | req/s | median req/s | p50 ms | p99 ms | CPU µs/req"
        " | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in args.scenario or DEFAULT_SCENARIOS:
        lines += _load_scenario(_scenario(name), args, bests)
    return lines


def _footprint_table(args: argparse.Namespace, rss: dict[str, tuple[float, float]]) -> list[str]:
    lines = [
        "| framework | worker RSS at boot MiB "
        f"| worker RSS after {args.rss_requests:,} hello requests MiB |",
        "|---|---|---|",
    ]
    for framework in args.framework or FRAMEWORKS:
        booted, after = rss[framework] = worker_rss_mib(framework, args.rss_requests)
        lines.append(f"| {LABELS[framework]} | {booted:.1f} | {after:.1f} |")
        print(lines[-1], flush=True)
    return lines


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=2, help="wrk time per run")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved wrk runs")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gthread threads")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rss-requests", type=int, default=10_000)
    parser.add_argument(
        "--scenario", action="append", choices=SERVED_SCENARIOS, help="default: hello, json"
    )
    parser.add_argument(
        "--worker-class", action="append", choices=WORKER_CLASSES, help="default: sync"
    )
    parser.add_argument("--framework", action="append", choices=FRAMEWORKS)
    parser.add_argument("--markdown", type=Path, help="write the tables here")
    parser.add_argument("--readme", type=Path, help="splice the tables into this file")
    return parser.parse_args(argv)


def _header(args: argparse.Namespace) -> str:
    workers = ", ".join(args.worker_class or ["sync"])
    threads = f" (gthread: --threads {args.threads})" if "gthread" in workers else ""
    return (
        f"gunicorn -w {args.workers} {workers}{threads} on 127.0.0.1, wrk"
        f" -t{args.wrk_threads} -c{args.connections} -d{args.seconds}s, {args.rounds}"
        " interleaved runs per server: req/s and latency from the run with the most req/s,"
        " beside the median req/s of all runs; the gunicorn workers' CPU time per request,"
        " the least of the runs; errors summed over runs. Memory: one sync worker"
        f" (`-w 1`) after {args.rss_requests:,} `GET /` from wrk."
        f"\n\n{machine_facts('gunicorn')}\n"
        "- Reproduce: `make bench-served` (writes `benchmarks/served.md`)"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the served benchmark; return 2 if wrk is missing."""
    args = _parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    print(_header(args).partition("\n")[0])
    bests: Bests = {}
    rss: dict[str, tuple[float, float]] = {}
    load = _load_table(args, bests)
    footprint = _footprint_table(args, rss)
    verdicts = target_report(bests, rss)
    print("\n".join(format_verdicts(verdicts)))
    text = "\n".join([_header(args), "", *load, "", *footprint, ""])
    if args.markdown is not None:
        args.markdown.write_text(text + "\n" + verdicts_markdown(verdicts))
        print(f"wrote {args.markdown}")
    if args.readme is not None and update_readme(args.readme, text, README_START, README_END):
        print(f"updated {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
