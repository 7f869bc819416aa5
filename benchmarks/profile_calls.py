"""Count the Python function calls one hello request makes, under cProfile.

Each app is warmed up first, so one-time work (lazy imports, the first URL
binding, Jinja caches) is not counted. Microflask and Flask are the subject; the
raw-Werkzeug app is printed as the floor and Bottle, where it has the scenario,
as the bar.

Run it with ``python -m benchmarks.profile_calls``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys

from benchmarks.apps import create_app
from benchmarks.run import LABELS, SCENARIOS, prepare_request, run_batch


def count_calls(framework: str, scenario_name: str) -> tuple[int, int]:
    """Return (all calls, primitive calls) for one warm request."""
    scenario = next(s for s in SCENARIOS if s.name == scenario_name)
    app = create_app(framework, scenario.kind)
    if app is None:
        raise ValueError(f"{framework!r} has no app for {scenario_name!r}.")
    environ, body = prepare_request(app, scenario)
    run_batch(app, environ, body, 200)
    profiler = cProfile.Profile()
    profiler.enable()
    run_batch(app, environ, body, 1)
    profiler.disable()
    stats = pstats.Stats(profiler)
    return stats.total_calls, stats.prim_calls  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    """Print the call counts for microflask, Flask, raw Werkzeug and Bottle."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    names = [s.name for s in SCENARIOS]
    parser.add_argument("--scenario", default="hello", choices=names)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
