"""Profile one scenario's requests: the calls they make and where their time goes.

Each app is warmed up first, so one-time work (lazy imports, the first URL
binding, Jinja caches) is not counted. Microflask and Flask are the subject; the
raw-Werkzeug app is printed as the floor and Bottle, where it has the scenario,
as the bar. For each framework it prints the Python function calls of one warm
request, then the profiled own time of many requests summed by the library the
code lives in (``--requests``). cProfile adds a roughly constant cost to every
call, so the shares weigh many small calls more than a plain run would: read them
as where the work is, not as exact microseconds.

Run it with ``python -m benchmarks.profile_calls``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys

from benchmarks.apps import WSGIApp, create_app
from benchmarks.run import LABELS, SCENARIOS, prepare_request, run_batch


def profile_requests(framework: str, scenario_name: str, requests: int) -> pstats.Stats:
    """Return the cProfile statistics of *requests* warm requests."""
    scenario = next(s for s in SCENARIOS if s.name == scenario_name)
    app: WSGIApp | None = create_app(framework, scenario.kind)
    if app is None:
        raise ValueError(f"{framework!r} has no app for {scenario_name!r}.")
    environ, body = prepare_request(app, scenario)
    run_batch(app, environ, body, 200)
    profiler = cProfile.Profile()
    profiler.enable()
    run_batch(app, environ, body, requests)
    profiler.disable()
    return pstats.Stats(profiler)


def count_calls(framework: str, scenario_name: str) -> tuple[int, int]:
    """Return (all calls, primitive calls) for one warm request."""
    stats = profile_requests(framework, scenario_name, 1)
    return stats.total_calls, stats.prim_calls  # type: ignore[attr-defined]


def library_of(filename: str) -> str:
    """Return the library a profiled function belongs to, by its file name.

    ``~`` (cProfile's name for C functions) becomes ``builtins``; a file outside
    site-packages and the project is ``stdlib``.
    """
    if filename == "~":
        return "builtins"
    parts = filename.replace(os.sep, "/").split("/")
    if "site-packages" in parts:
        rest = parts[parts.index("site-packages") + 1 :]
        return rest[0].removesuffix(".py") if rest else "stdlib"
    for name in ("microflask", "benchmarks"):
        if name in parts[:-1]:
            return name
    return "stdlib"


def own_time_by_library(stats: pstats.Stats) -> dict[str, float]:
    """Return the profiled own time (tottime) summed per library, largest first."""
    shares: dict[str, float] = {}
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    raw = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        library = library_of(filename)
        shares[library] = shares.get(library, 0.0) + tottime
    return dict(sorted(shares.items(), key=lambda item: -item[1]))


def main(argv: list[str] | None = None) -> int:
    """Print calls and own time by library for each framework."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    names = [s.name for s in SCENARIOS]
    parser.add_argument("--scenario", default="hello", choices=names)
    parser.add_argument("--requests", type=int, default=20_000)
    args = parser.parse_args(argv)
    scenario = next(s for s in SCENARIOS if s.name == args.scenario)
    for framework in ("microflask", "flask", "raw", "bottle"):
        if framework not in scenario.frameworks:
            continue
        total, primitive = count_calls(framework, args.scenario)
        print(
            f"{LABELS[framework]:<14} {args.scenario}: {total} function calls "
            f"({primitive} primitive)"
        )
        shares = own_time_by_library(profile_requests(framework, args.scenario, args.requests))
        whole = sum(shares.values()) or 1.0
        for library, seconds in shares.items():
            micros = seconds / args.requests * 1e6
            print(f"    {library:<14} {micros:7.2f} µs/request {seconds / whole:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
