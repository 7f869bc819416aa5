"""The benchmark harness's helpers: what it compares against and how it judges.

No timing here: the verdicts are judged on made-up figures, and the Werkzeug
parts are read from source files written for the test (and from microflask's).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from benchmarks import profile_calls, run, served, served_instructions, startup
from benchmarks.served import LoadResult

ROOT = Path(__file__).resolve().parent.parent


def _write(package: Path, name: str, source: str) -> None:
    package.mkdir(exist_ok=True)
    (package / name).write_text(source)


def test_werkzeug_parts_reads_every_import_a_request_can_run(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    _write(
        package,
        "a.py",
        "import werkzeug.routing\n"
        "from werkzeug.wrappers import Response\n"
        "import json, werkzeug.http as http\n"
        "from . import b\n"
        "def lazy() -> None:\n"
        "    from werkzeug.formparser import FormDataParser\n",
    )
    _write(
        package,
        "b.py",
        "import typing as t\n"
        "from typing import TYPE_CHECKING\n"
        "if t.TYPE_CHECKING:\n"
        "    from werkzeug.sansio.response import Response\n"
        "if TYPE_CHECKING:\n"
        "    import werkzeug.datastructures\n"
        "else:\n"
        "    import werkzeug.exceptions\n",
    )
    assert startup.werkzeug_parts(package) == [
        "werkzeug.exceptions",
        "werkzeug.formparser",
        "werkzeug.http",
        "werkzeug.routing",
        "werkzeug.wrappers",
    ]


def test_werkzeug_parts_leave_out_the_test_client_and_dev_server(tmp_path: Path) -> None:
    _write(
        tmp_path / "pkg",
        "a.py",
        "from werkzeug.test import Client\n"
        "from werkzeug.serving import run_simple\n"
        "import werkzeug.debug.tbtools\n"
        "import werkzeug.testapp\n",
    )
    assert startup.werkzeug_parts(tmp_path / "pkg") == ["werkzeug.testapp"]


def test_microflasks_werkzeug_parts_are_importable_modules() -> None:
    parts = startup.werkzeug_parts(ROOT / "microflask")
    assert {"werkzeug.routing", "werkzeug.wrappers", "werkzeug.exceptions"} <= set(parts)
    assert "werkzeug.test" not in parts
    assert all(importlib.util.find_spec(part) is not None for part in parts)
    statement = startup.subjects(parts)["the Werkzeug parts"]
    assert statement == "import " + ", ".join(parts)


def _timings(alone: float, ours: float, parts: float) -> dict[str, startup.Timing]:
    return {
        "the interpreter alone": startup.Timing([alone + 5, alone], [1.0]),
        "microflask": startup.Timing([ours, ours + 40], [30.0, 25.0]),
        "the Werkzeug parts": startup.Timing([parts + 3, parts], [20.0]),
    }


@pytest.mark.parametrize(("ours", "met"), [(79.0, True), (80.0, True), (80.5, False)])
def test_startup_target_is_ten_ms_over_the_werkzeug_parts(ours: float, met: bool) -> None:
    ((verdict, text),) = startup.target_report(_timings(20.0, ours, 70.0))
    assert verdict is met
    assert f"import microflask {ours - 20:.1f} ms" in text
    assert "the Werkzeug parts 50.0 ms" in text
    assert text.endswith("(target <= +10 ms; CPU time +5.0 ms)")


def test_in_process_targets_judge_bottle_raw_and_flask() -> None:
    table = {
        "hello": {"raw": 100.0, "bottle": 200.0, "microflask": 210.0, "flask": 50.0},
        "params": {"raw": 100.0, "bottle": 200.0, "microflask": 150.0},
        "template": {"raw": 100.0, "microflask": 109.0},
        "hello_secret": {"raw": 100.0, "flask": 40.0, "microflask": 140.0},
        "typed": {"raw": 100.0, "flask": 60.0, "microflask": 110.0},
    }
    verdicts = {}
    for met, text in run.target_report(table):
        scenario, what, _ = text.split(": ", 2)
        verdicts[scenario, what.removeprefix("microflask ÷ ")] = met
    assert verdicts == {
        ("hello", "raw Werkzeug"): True,
        ("params", "raw Werkzeug"): True,
        ("template", "raw Werkzeug"): False,
        ("hello_secret", "raw Werkzeug"): True,
        ("hello", "Bottle"): True,
        ("params", "Bottle"): False,
        ("typed", "raw Werkzeug"): True,
        ("hello_secret", "Flask"): True,
        ("typed", "flask-openapi3"): False,
    }


def test_a_target_whose_apps_did_not_run_is_left_out() -> None:
    assert run.target_report({"json": {"microflask": 10.0, "flask": 1.0}}) == []


def _load(rate: float, p99: float = 5.0, cpu: float = 200.0) -> LoadResult:
    return LoadResult(rate, 1.0, p99, 0, worker_cpu_us=cpu)


def test_served_targets_judge_bare_bottle_raw_p99_cpu_and_memory() -> None:
    bests = {
        ("hello", "bare", "sync"): _load(10_000.0),
        ("hello", "bottle", "sync"): _load(9_000.0, cpu=180.0),
        ("hello", "raw", "sync"): _load(7_000.0),
        ("hello", "flask", "sync"): _load(6_000.0, p99=6.0),
        ("hello", "microflask", "sync"): _load(9_400.0, p99=6.5, cpu=190.0),
        ("json", "raw", "sync"): _load(5_000.0),
        ("json", "microflask", "sync"): _load(6_000.0),
    }
    rss = {"raw": (26.0, 27.0), "microflask": (28.0, 27.0)}
    verdicts = served.target_report(bests, rss)
    texts = [text for _, text in verdicts]
    assert [met for met, _ in verdicts] == [False, True, True, False, False, True, True]
    assert texts[0].startswith("hello/sync: microflask req/s ÷ bare WSGI's (9,400 vs 10,000)")
    assert texts[3].startswith("hello/sync: microflask p99 6.50 ms, Flask's 6.00 ms")
    assert texts[4].startswith("hello/sync: worker CPU per request 190 µs, Bottle's 180 µs")
    assert texts[5].startswith("json/sync: microflask req/s ÷ raw Werkzeug's")
    assert texts[6].startswith("hello worker RSS 27.0 MiB, raw Werkzeug's 27.0 MiB")


def test_verdicts_print_met_or_missed() -> None:
    verdicts = [(True, "a: 1.20x"), (False, "b: 0.90x")]
    assert run.format_verdicts(verdicts) == ["target met: a: 1.20x", "target missed: b: 0.90x"]
    assert "- **missed**: b: 0.90x" in run.verdicts_markdown(verdicts)


def test_update_readme_replaces_only_between_the_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("top\n<!-- startup:start -->\nold\n<!-- startup:end -->\nend\n")
    assert run.update_readme(readme, "new\n", startup.README_START, startup.README_END)
    assert readme.read_text() == "top\n<!-- startup:start -->\nnew\n<!-- startup:end -->\nend\n"
    assert not run.update_readme(readme, "x\n")


@pytest.mark.parametrize(
    ("filename", "library"),
    [
        ("~", "builtins"),
        ("/v/lib/python3.11/site-packages/werkzeug/routing/map.py", "werkzeug"),
        ("/v/lib/python3.11/site-packages/bottle.py", "bottle"),
        ("/work/main/microflask/app.py", "microflask"),
        ("/work/main/benchmarks/run.py", "benchmarks"),
        ("/usr/lib/python3.11/contextlib.py", "stdlib"),
    ],
)
def test_profile_shares_are_grouped_by_the_library_a_file_is_in(
    filename: str, library: str
) -> None:
    assert profile_calls.library_of(filename) == library


def test_profile_of_a_warm_request_counts_its_calls_and_time() -> None:
    stats = profile_calls.profile_requests("microflask", "hello", 3)
    shares = profile_calls.own_time_by_library(stats)
    assert "microflask" in shares and "werkzeug" in shares
    assert abs(sum(shares.values()) - stats.total_tt) < 1e-9  # type: ignore[attr-defined]


CALLGRIND_LOG = """==100== Callgrind, a call-graph generating cache profiler
==101== Events    : Ir
==101== Collected : 649343548
==100== Collected : 463391249
"""


def test_worker_count_is_the_process_that_is_not_the_master() -> None:
    assert served_instructions.worker_count(CALLGRIND_LOG, master_pid=100) == 649343548


@pytest.mark.parametrize(
    "log", ["==100== Collected : 463391249\n", CALLGRIND_LOG + "==102== Collected : 5\n"]
)
def test_worker_count_refuses_a_log_without_exactly_one_worker(log: str) -> None:
    with pytest.raises(RuntimeError, match="one worker"):
        served_instructions.worker_count(log, master_pid=100)
