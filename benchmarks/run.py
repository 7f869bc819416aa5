"""In-process WSGI benchmark of microflask against Flask, Bottle, Werkzeug, bare WSGI.

Each scenario's environ is built once with Werkzeug's ``EnvironBuilder``; every
app's WSGI callable is then called directly, in one process, round-robin over
several rounds so that machine drift hits all frameworks alike. Every answer is
checked (status, content type, body) before it is timed. Batches are timed in
this process's CPU time, so other load on the machine does not land on whichever
app is running (``--wall-clock`` times wall time instead). The result is printed
as req/s with the ratio to Flask, to the raw-Werkzeug app and to Bottle, then
each speed target is printed as met or missed; the table can be written as
Markdown (``--markdown``, with the verdicts) and spliced into the README
(``--readme``).

Run it with ``make bench`` or ``python -m benchmarks.run --help``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import gc
import importlib.metadata
import io
import json
import os
import platform
import pstats
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

from benchmarks.apps import FRAMEWORKS, WSGIApp, create_app
from benchmarks.common import (
    FORM_DATA,
    FORM_FIELDS,
    HELLO,
    JSON_ROWS,
    TEMPLATE_FOLDER,
    TEMPLATE_ITEMS,
    TEMPLATE_NAME,
    TEMPLATE_TITLE,
    TYPED_ANSWER,
    TYPED_ITEM,
    form_answer,
)

README_START = "<!-- benchmarks:start -->"
README_END = "<!-- benchmarks:end -->"
LABELS = {
    "bare": "bare WSGI",
    "raw": "raw Werkzeug",
    "flask": "Flask",
    "bottle": "Bottle",
    "microflask": "microflask",
}
NOT_BARE = ("raw", "flask", "microflask")
WITH_BOTTLE = ("raw", "flask", "bottle", "microflask")
#: Issue 18: microflask at or above Bottle in these; every scenario >= 1.1x raw.
BOTTLE_SCENARIOS = ("hello", "params", "json", "404")
RAW_TARGET = 1.1

Check = Callable[[bytes, Headers], "str | None"]


def _expect_body(expected: str) -> Check:
    def check(body: bytes, headers: Headers) -> str | None:
        if body != expected.encode():
            return f"body {body[:80]!r} != {expected[:80]!r}"
        return None

    return check


def _check_json(body: bytes, headers: Headers) -> str | None:
    if json.loads(body) != JSON_ROWS:
        return f"JSON body {body[:80]!r} differs from the expected rows"
    return None


def _check_session(body: bytes, headers: Headers) -> str | None:
    if body != b"2":
        return f"session counter answered {body!r}, expected b'2'"
    if not headers.get("Set-Cookie", "").startswith("session="):
        return f"no session cookie set: {headers.get('Set-Cookie')!r}"
    return None


def _check_hello_no_cookie(body: bytes, headers: Headers) -> str | None:
    if "Set-Cookie" in headers:
        return f"an untouched session set a cookie: {headers['Set-Cookie']!r}"
    return _expect_body(HELLO)(body, headers)


def _check_typed(body: bytes, headers: Headers) -> str | None:
    if json.loads(body) != TYPED_ANSWER:
        return f"typed answer {body[:120]!r} != {TYPED_ANSWER!r}"
    return None


def _check_not_found(body: bytes, headers: Headers) -> str | None:
    return None if b"Not Found" in body else f"404 body {body[:80]!r}"


def _expected_template() -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATE_FOLDER), autoescape=True)
    template = env.get_template(TEMPLATE_NAME)
    return template.render(title=TEMPLATE_TITLE, items=TEMPLATE_ITEMS)


@dataclass(frozen=True)
class Scenario:
    """One request shape, the app kind that serves it and the expected answer."""

    name: str
    kind: str
    path: str
    check: Check
    frameworks: tuple[str, ...] = NOT_BARE
    method: str = "GET"
    form: dict[str, str] | None = None
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    mimetype: str = "text/html"
    #: A path whose answer sets the session cookie this request then sends.
    cookie_from: str | None = None


def _scenarios() -> list[Scenario]:
    same_origin = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    return [
        Scenario("hello", "main", "/", _expect_body(HELLO), FRAMEWORKS),
        Scenario("params", "main", "/user/ada/post/42", _expect_body("ada 42"), WITH_BOTTLE),
        Scenario(
            "json",
            "main",
            "/json",
            _check_json,
            FRAMEWORKS,
            mimetype="application/json",
        ),
        Scenario("template", "main", "/template", _expect_body(_expected_template())),
        Scenario(
            "form",
            "main",
            "/form",
            _expect_body(form_answer([FORM_DATA[f] for f in FORM_FIELDS])),
            method="POST",
            form=FORM_DATA,
            headers=same_origin,
        ),
        Scenario("session", "secret", "/session", _check_session, cookie_from="/session"),
        Scenario("hello_secret", "secret", "/", _check_hello_no_cookie),
        Scenario("hello_cookie", "secret", "/", _check_hello_no_cookie, cookie_from="/session"),
        Scenario("404", "main", "/missing", _check_not_found, FRAMEWORKS, status=404),
        Scenario(
            "typed",
            "typed",
            "/items",
            _check_typed,
            method="POST",
            json=TYPED_ITEM,
            headers=same_origin,
            mimetype="application/json",
        ),
        Scenario("route_1000", "big", "/route999", _expect_body("route 999")),
    ]


SCENARIOS = _scenarios()
DESCRIPTIONS = {
    "hello": "`GET /` answers a constant string",
    "params": "`GET /user/<name>/post/<int:post_id>`",
    "json": "a list of 10 dicts through `jsonify` (the raw app: `json.dumps`)",
    "template": "a template file looping over 20 items that need escaping",
    "form": "POST of 5 urlencoded fields from the same origin, echoed back",
    "session": "signed-cookie session read, counter incremented, cookie rewritten",
    "hello_secret": "hello on an app with a secret key; no cookie sent",
    "hello_cookie": "hello on that app, with a session cookie the view never reads",
    "404": "an unknown URL",
    "route_1000": "the last of 1,000 static routes",
    "typed": "JSON POST validated by a pydantic model, answered through a response"
    " model (Flask: flask-openapi3; raw: pydantic by hand)",
}


# --- calling an app ---------------------------------------------------------


@dataclass
class _Answer:
    status: str = ""
    headers: Headers = field(default_factory=Headers)


def _discard_start_response(
    status: str, headers: list[tuple[str, str]], exc_info: Any = None
) -> None:
    return None


def call_app(app: WSGIApp, environ: dict[str, Any], body: bytes) -> tuple[_Answer, bytes]:
    """Call ``app`` once on a copy of ``environ``; return the answer and body."""
    answer = _Answer()

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer.status = status
        answer.headers = Headers(headers)

    env = environ.copy()
    env["wsgi.input"] = io.BytesIO(body)
    iterable = app(env, start_response)
    try:
        data = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return answer, data


def run_batch(
    app: WSGIApp,
    environ: dict[str, Any],
    body: bytes,
    n: int,
    clock: Callable[[], float] = time.process_time,
) -> float:
    """Serve ``n`` requests as a WSGI server would; return the seconds taken.

    The default clock is this process's CPU time, so that other processes on a
    busy machine do not count against whichever app happens to be running.
    """
    start_response = _discard_start_response
    bytes_io = io.BytesIO
    start = clock()
    for _ in range(n):
        env = environ.copy()
        env["wsgi.input"] = bytes_io(body)
        iterable = app(env, start_response)
        for _chunk in iterable:
            pass
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return clock() - start


# --- cells: one scenario on one framework -----------------------------------


class CheckFailed(Exception):
    """An app answered a scenario wrongly."""


@dataclass
class Cell:
    """A scenario bound to one framework's app, with its prepared environ."""

    scenario: Scenario
    framework: str
    app: WSGIApp
    environ: dict[str, Any]
    body: bytes
    batch: int = 0
    rates: list[float] = field(default_factory=list)
    clock: Callable[[], float] = time.process_time

    def check(self) -> None:
        """Call the app once and verify the answer.

        :raises CheckFailed: when status, content type or body are wrong.
        """
        answer, data = call_app(self.app, self.environ, self.body)
        scenario = self.scenario
        where = f"{self.framework} / {scenario.name}"
        if not answer.status.startswith(f"{scenario.status} "):
            raise CheckFailed(f"{where}: status {answer.status!r} != {scenario.status}")
        if scenario.status == 200:
            content_type = answer.headers.get("Content-Type", "")
            if not content_type.startswith(scenario.mimetype):
                raise CheckFailed(f"{where}: content type {content_type!r}")
        problem = scenario.check(data, answer.headers)
        if problem is not None:
            raise CheckFailed(f"{where}: {problem}")

    def calibrate(self, batch_seconds: float) -> None:
        """Choose a batch size that takes about ``batch_seconds``."""
        n, elapsed = 10, 0.0
        while elapsed < 0.02:
            n *= 2
            elapsed = run_batch(self.app, self.environ, self.body, n, self.clock)
        self.batch = max(20, int(n * batch_seconds / elapsed))

    def measure(self) -> None:
        """Check once, then time one batch and record its rate."""
        self.check()
        elapsed = run_batch(self.app, self.environ, self.body, self.batch, self.clock)
        self.rates.append(self.batch / elapsed)

    @property
    def best(self) -> float:
        """The best rate over all rounds, in requests per second."""
        return max(self.rates)


def build_environ(scenario: Scenario, cookie: str | None) -> tuple[dict[str, Any], bytes]:
    """Build the scenario's environ once; return it and its request body."""
    headers = dict(scenario.headers)
    if cookie is not None:
        headers["Cookie"] = f"session={cookie}"
    builder = EnvironBuilder(
        path=scenario.path,
        method=scenario.method,
        data=scenario.form,
        json=scenario.json,
        headers=list(headers.items()),
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    body = environ["wsgi.input"].read()
    return environ, body


def session_cookie(app: WSGIApp, path: str) -> str:
    """Request ``path`` without a cookie and return the session cookie it sets."""
    environ = EnvironBuilder(path=path).get_environ()
    answer, _ = call_app(app, environ, b"")
    set_cookie = answer.headers.get("Set-Cookie", "")
    if not set_cookie.startswith("session="):
        raise CheckFailed(f"first session request set no cookie: {set_cookie!r}")
    return set_cookie.split(";", 1)[0].removeprefix("session=")


def prepare_request(app: WSGIApp, scenario: Scenario) -> tuple[dict[str, Any], bytes]:
    """Return the environ and body for ``scenario`` on ``app``.

    For a session scenario, one untimed request first obtains the app's own
    session cookie, so that every timed request reads and rewrites it.
    """
    cookie = None
    if scenario.cookie_from is not None:
        cookie = session_cookie(app, scenario.cookie_from)
    return build_environ(scenario, cookie)


class _Apps:
    """Build each (framework, kind) app once; remember why one is missing."""

    def __init__(self) -> None:
        self._apps: dict[tuple[str, str], WSGIApp | None] = {}
        self.errors: dict[str, str] = {}

    def get(self, framework: str, kind: str) -> WSGIApp | None:
        key = (framework, kind)
        if key not in self._apps:
            try:
                self._apps[key] = create_app(framework, kind)
            except Exception as error:  # a framework that cannot load is reported
                self.errors[framework] = f"{type(error).__name__}: {error}"
                self._apps[key] = None
        return self._apps[key]


def build_cells(
    scenarios: list[Scenario], frameworks: list[str], failures: list[str]
) -> list[Cell]:
    """Make and check every cell; failures are appended to ``failures``."""
    apps = _Apps()
    cells = []
    for scenario in scenarios:
        for framework in frameworks:
            app = apps.get(framework, scenario.kind)
            if framework not in scenario.frameworks or app is None:
                continue
            try:
                environ, body = prepare_request(app, scenario)
                cell = Cell(scenario, framework, app, environ, body)
                cell.check()
            except Exception as error:
                failures.append(f"{framework} / {scenario.name}: {error}")
                continue
            cells.append(cell)
    for framework, reason in apps.errors.items():
        failures.append(f"{framework}: not benchmarked ({reason})")
    return cells


def run_rounds(
    cells: list[Cell], rounds: int, batch_seconds: float, clock: Callable[[], float]
) -> None:
    """Time every cell ``rounds`` times, interleaved, rotating the start."""
    # The apps are long-lived: freezing them keeps full collections from
    # scanning every framework's objects inside whichever cell runs then.
    gc.collect()
    gc.freeze()
    for cell in cells:
        cell.clock = clock
        cell.calibrate(batch_seconds)
    for number in range(rounds):
        shift = number % len(cells)
        gc.collect()
        for cell in cells[shift:] + cells[:shift]:
            cell.measure()
        print(f"  round {number + 1}/{rounds} done", file=sys.stderr)


# --- reporting --------------------------------------------------------------


def _by_scenario(cells: list[Cell]) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for cell in cells:
        table.setdefault(cell.scenario.name, {})[cell.framework] = cell.best
    return table


def _ratio(rates: dict[str, float], framework: str, base: str) -> str:
    if framework not in rates or base not in rates:
        return "-"
    return f"{rates[framework] / rates[base]:.2f}x"


def format_console(table: dict[str, dict[str, float]]) -> str:
    """Return the plain-text report: req/s and ratios to Flask, raw, Bottle."""
    lines = [
        f"{'scenario':<14}{'framework':<14}{'req/s':>11}{'x Flask':>10}{'x raw':>9}{'x Bottle':>10}"
    ]
    for scenario, rates in table.items():
        name = scenario
        for framework in FRAMEWORKS:
            if framework not in rates:
                continue
            lines.append(
                f"{name:<14}{LABELS[framework]:<14}{rates[framework]:>11,.0f}"
                f"{_ratio(rates, framework, 'flask'):>10}"
                f"{_ratio(rates, framework, 'raw'):>9}"
                f"{_ratio(rates, framework, 'bottle'):>10}"
            )
            name = ""
    return "\n".join(lines)


_MARKDOWN_RATIOS = (
    ("microflask", "flask"),
    ("microflask", "raw"),
    ("microflask", "bottle"),
    ("raw", "flask"),
)


def format_markdown(table: dict[str, dict[str, float]], meta: str) -> str:
    """Return the Markdown table with the machine and date."""
    head = "| scenario | " + " | ".join(LABELS[f] for f in FRAMEWORKS) + " | "
    head += " | ".join(f"{LABELS[a]} ÷ {LABELS[b]}" for a, b in _MARKDOWN_RATIOS) + " |"
    rows = [head, "|---" * (len(FRAMEWORKS) + len(_MARKDOWN_RATIOS) + 1) + "|"]
    for scenario, rates in table.items():
        cells = [f"{rates[f]:,.0f}" if f in rates else "-" for f in FRAMEWORKS]
        cells += [_ratio(rates, a, b) for a, b in _MARKDOWN_RATIOS]
        rows.append(f"| {scenario} | " + " | ".join(cells) + " |")
    notes = [f"- **{name}**: {DESCRIPTIONS[name]}" for name in table]
    return meta + "\n\n" + "\n".join(rows) + "\n\n" + "\n".join(notes) + "\n"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_facts(*tools: str) -> str:
    """Describe the machine, date and package versions as Markdown bullets.

    :param tools: more packages whose versions matter to the run (gunicorn).
    """
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    packages = ("microflask", "flask", "bottle", "werkzeug", "jinja2", "itsdangerous", *tools)
    versions = ", ".join(f"{name} {_version(name)}" for name in packages)
    return (
        f"- Machine: {_cpu_model()}, {os.cpu_count()} CPUs, {platform.platform()}\n"
        f"- Python {platform.python_version()}; {versions}\n"
        f"- Date: {today}"
    )


def machine_description(rounds: int, batch_seconds: float, wall_clock: bool) -> str:
    """Describe the method, machine and date, and how to reproduce."""
    clock = "wall-clock" if wall_clock else "CPU"
    return (
        f"In-process WSGI requests per {clock} second (higher is better), best of "
        f"{rounds} interleaved rounds of ~{batch_seconds:g} s per cell; every "
        "answer checked before it is timed.\n\n"
        f"{machine_facts()}\n"
        "- Reproduce: `make bench` (writes `benchmarks/results.md`)"
    )


def update_readme(
    readme: Path, markdown: str, start_marker: str = README_START, end_marker: str = README_END
) -> bool:
    """Replace the text between the two markers; False if they are missing."""
    if not readme.exists():
        return False
    text = readme.read_text()
    start, end = text.find(start_marker), text.find(end_marker)
    if start < 0 or end < start:
        return False
    before = text[: start + len(start_marker)]
    readme.write_text(before + "\n" + markdown + text[end:])
    return True


#: One speed target's outcome in a run: whether it was met, and the figures.
Verdict = tuple[bool, str]


def at_least(ours: float, theirs: float, minimum: float, what: str) -> Verdict:
    """Judge whether ``ours / theirs`` reaches ``minimum``; say it in ``what``."""
    ratio = ours / theirs
    return ratio >= minimum, f"{what}: {ratio:.2f}x (target >= {minimum:.2f}x)"


def format_verdicts(verdicts: list[Verdict]) -> list[str]:
    """Return one console line per verdict, met or missed."""
    return [f"target {'met' if met else 'missed'}: {text}" for met, text in verdicts]


def verdicts_markdown(verdicts: list[Verdict]) -> str:
    """Return the verdicts as a Markdown list under a heading line."""
    lines = [f"- {'met' if met else '**missed**'}: {text}" for met, text in verdicts]
    return "Targets in this run:\n\n" + "\n".join(lines) + "\n"


#: (scenario, competitor, minimum ratio of microflask to it), besides raw's 1.1x.
_TARGETS = [
    *((name, "bottle", 1.0) for name in BOTTLE_SCENARIOS),
    ("hello_secret", "flask", 3.5),
    ("typed", "flask", 2.0),
]


def target_report(table: dict[str, dict[str, float]]) -> list[Verdict]:
    """Judge issues 13 and 18's in-process targets on this run's table.

    Every scenario at least 1.1x the raw-Werkzeug app; hello, params, JSON and
    404 at or above Bottle; hello with a secret key 3.5x Flask; typed 2x
    flask-openapi3. A target whose apps did not both run is left out.
    """
    wanted = [(name, "raw", RAW_TARGET) for name in table] + _TARGETS
    verdicts = []
    for scenario, base, minimum in wanted:
        rates = table.get(scenario, {})
        if "microflask" in rates and base in rates:
            label = "flask-openapi3" if (scenario, base) == ("typed", "flask") else LABELS[base]
            what = f"{scenario}: microflask ÷ {label}"
            verdicts.append(at_least(rates["microflask"], rates[base], minimum, what))
    return verdicts


# --- profiling --------------------------------------------------------------


def profile_cell(cell: Cell, requests: int, limit: int) -> None:
    """Serve ``requests`` requests under cProfile; print the top by tottime."""
    run_batch(cell.app, cell.environ, cell.body, 100)
    profiler = cProfile.Profile()
    profiler.enable()
    run_batch(cell.app, cell.environ, cell.body, requests)
    profiler.disable()
    print(f"== {cell.framework} / {cell.scenario.name}: {requests} requests ==")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(limit)


# --- command line -----------------------------------------------------------


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    names = [s.name for s in SCENARIOS]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds")
    parser.add_argument("--batch-seconds", type=float, default=0.2, help="time per cell per round")
    parser.add_argument("--wall-clock", action="store_true", help="time wall clock, not CPU time")
    parser.add_argument("--scenario", action="append", choices=names, help="repeatable")
    parser.add_argument("--framework", action="append", choices=FRAMEWORKS)
    parser.add_argument("--markdown", type=Path, help="write the Markdown table here")
    parser.add_argument("--readme", type=Path, help="splice the table into this file")
    parser.add_argument("--profile", action="store_true", help="cProfile the chosen cells instead")
    parser.add_argument("--profile-requests", type=int, default=5000)
    parser.add_argument("--profile-limit", type=int, default=25)
    return parser.parse_args(argv)


def _write_outputs(
    args: argparse.Namespace, table: dict[str, dict[str, float]], verdicts: list[Verdict]
) -> None:
    markdown = format_markdown(
        table, machine_description(args.rounds, args.batch_seconds, args.wall_clock)
    )
    if args.markdown is not None:
        args.markdown.write_text(markdown + "\n" + verdicts_markdown(verdicts))
        print(f"wrote {args.markdown}")
    if args.readme is not None:
        if update_readme(args.readme, markdown):
            print(f"updated {args.readme}")
        else:
            print(f"{args.readme}: no {README_START} ... {README_END} markers; left alone")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 1 if any app answered wrongly."""
    args = _parse_args(argv)
    scenarios = [s for s in SCENARIOS if not args.scenario or s.name in args.scenario]
    frameworks = args.framework or list(FRAMEWORKS)
    failures: list[str] = []
    cells = build_cells(scenarios, frameworks, failures)
    for failure in failures:
        print(f"CHECK FAILED {failure}", file=sys.stderr)
    if args.profile:
        for cell in cells:
            profile_cell(cell, args.profile_requests, args.profile_limit)
        return 1 if failures else 0
    clock = time.perf_counter if args.wall_clock else time.process_time
    run_rounds(cells, args.rounds, args.batch_seconds, clock)
    table = _by_scenario(cells)
    print(format_console(table))
    verdicts = target_report(table)
    print("\n".join(format_verdicts(verdicts)))
    _write_outputs(args, table, verdicts)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
