"""Start-up benchmark: how long ``python -c "import X"`` takes, per framework.

Each statement runs in a fresh interpreter of the same Python, with bytecode
caching on, interleaved with the others (the order rotates every round) after
one untimed round that writes any missing bytecode; the least wall time of the
rounds is kept, and the child's CPU time beside it. Subtracting ``python -c
pass`` leaves what the import itself costs. The Werkzeug parts microflask needs
are read from microflask's own source: every ``werkzeug`` module it imports,
leaving out the test client and the development server (used only by tests and
``app.run``) and imports made only for type checkers. Issue 18's target, that
``import microflask`` costs at most 10 ms more than those parts, is printed as
met or missed, with the modules microflask loads beyond them.

Run it with ``make bench-import`` or ``python -m benchmarks.startup --help``.
"""

from __future__ import annotations

import argparse
import ast
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.run import (
    Verdict,
    format_verdicts,
    machine_facts,
    update_readme,
    verdicts_markdown,
)
from benchmarks.served import child_env

ROOT = Path(__file__).resolve().parent.parent
README_START = "<!-- startup:start -->"
README_END = "<!-- startup:end -->"
#: Werkzeug modules that no request needs: the test client, the dev server.
NOT_FOR_REQUESTS = ("werkzeug.test", "werkzeug.serving", "werkzeug.debug")
#: Issue 18: ``import microflask`` at most this much slower than its Werkzeug parts.
TARGET_MS = 10.0


def _is_type_checking(test: ast.expr) -> bool:
    name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", None)
    return name == "TYPE_CHECKING"


def _imports(nodes: Iterable[ast.AST]) -> Iterator[str]:
    for node in nodes:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _imports(node.orelse)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module is not None:
                yield node.module
        else:
            yield from _imports(ast.iter_child_nodes(node))


def werkzeug_parts(package: Path) -> list[str]:
    """Return the Werkzeug modules the code under ``package`` imports, sorted.

    Imports under ``if TYPE_CHECKING:`` never run and are left out, and so are
    the modules in ``NOT_FOR_REQUESTS`` and their submodules.
    """
    found: set[str] = set()
    for path in sorted(package.rglob("*.py")):
        found.update(_imports([ast.parse(path.read_text(), str(path))]))
    return sorted(
        module
        for module in found
        if module.partition(".")[0] == "werkzeug"
        and not any(module == n or module.startswith(f"{n}.") for n in NOT_FOR_REQUESTS)
    )


def subjects(parts: list[str]) -> dict[str, str]:
    """Return each subject's label and the statement a child runs for it."""
    return {
        "the interpreter alone": "pass",
        "microflask": "import microflask",
        "the Werkzeug parts": "import " + ", ".join(parts),
        "Bottle": "import bottle",
        "Flask": "import flask",
    }


def time_statement(statement: str) -> tuple[float, float]:
    """Run ``python -c statement`` once; return its wall and CPU milliseconds.

    :raises subprocess.CalledProcessError: if the statement fails.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", statement],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.DEVNULL,
        check=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall * 1000, cpu * 1000


@dataclass
class Timing:
    """Every timed run of one subject, in milliseconds."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def measure(statements: dict[str, str], repeats: int) -> dict[str, Timing]:
    """Time every statement ``repeats`` times, interleaved, after a warm-up."""
    for statement in statements.values():
        time_statement(statement)
    timings = {label: Timing() for label in statements}
    labels = list(statements)
    for number in range(repeats):
        shift = number % len(labels)
        for label in labels[shift:] + labels[:shift]:
            wall, cpu = time_statement(statements[label])
            timings[label].wall.append(wall)
            timings[label].cpu.append(cpu)
        print(f"  round {number + 1}/{repeats} done", file=sys.stderr)
    return timings


def loaded_beyond(statement: str, baseline: str) -> list[str]:
    """Return the modules ``statement`` loads that ``baseline`` does not.

    Werkzeug's are named in full, any other by its top-level package;
    private modules (a leading underscore) are left out.
    """
    found = []
    for code in (statement, baseline):
        dump = f"{code}; import sys, json; print(json.dumps(list(sys.modules)))"
        done = subprocess.run(
            [sys.executable, "-c", dump],
            cwd=ROOT,
            env=child_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        found.append(set(json.loads(done.stdout)))
    names = {
        module if module.startswith("werkzeug.") else module.partition(".")[0]
        for module in found[0] - found[1]
    }
    return sorted(name for name in names if not name.rpartition(".")[2].startswith("_"))


def target_report(timings: dict[str, Timing]) -> list[Verdict]:
    """Judge issue 18's start-up target: within 10 ms of the Werkzeug parts.

    The target is on wall time; the CPU-time difference is shown beside it.
    """
    ours, parts = timings["microflask"], timings["the Werkzeug parts"]
    wall = min(ours.wall) - min(parts.wall)
    cpu = min(ours.cpu) - min(parts.cpu)
    alone = min(timings["the interpreter alone"].wall)
    text = (
        f"import microflask {min(ours.wall) - alone:.1f} ms over the interpreter's start,"
        f" the Werkzeug parts {min(parts.wall) - alone:.1f} ms: {wall:+.1f} ms"
        f" (target <= +{TARGET_MS:.0f} ms; CPU time {cpu:+.1f} ms)"
    )
    return [(wall <= TARGET_MS, text)]


def format_table(timings: dict[str, Timing]) -> list[str]:
    """Return the Markdown table of least wall and CPU times."""
    alone = timings["the interpreter alone"]
    lines = [
        "| import | wall ms | wall ms over the interpreter's | CPU ms"
        " | CPU ms over the interpreter's |",
        "|---|---|---|---|---|",
    ]
    for label, timing in timings.items():
        wall, cpu = min(timing.wall), min(timing.cpu)
        lines.append(
            f"| {label} | {wall:.1f} | {wall - min(alone.wall):.1f}"
            f" | {cpu:.1f} | {cpu - min(alone.cpu):.1f} |"
        )
    return lines


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=9, help="timed runs of each import")
    parser.add_argument("--markdown", type=Path, help="write the table here")
    parser.add_argument("--readme", type=Path, help="splice the table into this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the start-up benchmark; print and write the table and verdicts."""
    args = _parse_args(argv)
    parts = werkzeug_parts(ROOT / "microflask")
    statements = subjects(parts)
    timings = measure(statements, args.repeats)
    beyond = loaded_beyond(statements["microflask"], statements["the Werkzeug parts"])
    beyond.remove("microflask")
    table = format_table(timings)
    verdicts = target_report(timings)
    print("\n".join(table))
    print("\n".join(format_verdicts(verdicts)))
    text = "\n".join(
        [
            f'`python -c "import ..."` in a fresh interpreter, least of {args.repeats}'
            " interleaved runs each (after one untimed run); the child's CPU time beside"
            " its wall time.",
            "",
            machine_facts(),
            "- Reproduce: `make bench-import` (writes `benchmarks/startup.md`)",
            f"- The Werkzeug parts: `{statements['the Werkzeug parts']}`",
            "",
            *table,
            "",
            "Loaded by `import microflask` and not by the Werkzeug parts: "
            + ", ".join(f"`{name}`" for name in beyond),
            "",
        ]
    )
    if args.markdown is not None:
        args.markdown.write_text(text + "\n" + verdicts_markdown(verdicts))
        print(f"wrote {args.markdown}")
    if args.readme is not None and update_readme(args.readme, text, README_START, README_END):
        print(f"updated {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
