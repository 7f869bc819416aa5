"""The Makefile's targets do what the README says, read from ``make -n``."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(tmp_path: Path, *args: str) -> list[str]:
    """Return the commands ``make -n`` prints, with a venv that does not exist yet."""
    venv = tmp_path / "venv"
    # Under `make test` the outer make's flags would reach this one.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", f"VENV={venv}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line.replace(str(venv), "$VENV") for line in done.stdout.splitlines()]


def test_demo_installs_only_the_demo_extra(tmp_path: Path) -> None:
    commands = dry_run(tmp_path, "demo")
    installs = [line for line in commands if "pip install" in line and "-e" in line]
    assert installs == ["$VENV/bin/pip install -q -e '.[demo]'"]


def test_demo_takes_host_and_port_and_logs_requests(tmp_path: Path) -> None:
    commands = dry_run(tmp_path, "demo", "HOST=0.0.0.0", "PORT=8123")
    init_db, serve = (
        [line for line in commands if line.startswith("$VENV/bin/microflask")],
        [line for line in commands if line.startswith("$VENV/bin/gunicorn")],
    )
    assert init_db == ["$VENV/bin/microflask --app examples/blog/blog init-db"]
    assert serve == [
        "$VENV/bin/gunicorn --chdir examples/blog -w 2 -b 0.0.0.0:8123 --access-logfile -"
        " 'blog:create_app()'"
    ]
    assert commands.index(init_db[0]) < commands.index(serve[0])


def test_demo_defaults_to_loopback_port_8000(tmp_path: Path) -> None:
    assert any(" -b 127.0.0.1:8000 " in line for line in dry_run(tmp_path, "demo"))


def test_test_target_installs_dev_and_reports_skips(tmp_path: Path) -> None:
    commands = dry_run(tmp_path, "test")
    assert "$VENV/bin/pip install -q -e '.[dev]'" in commands
    assert "$VENV/bin/coverage run -m pytest -q -rs -m 'not browser'" in commands
    assert "make --no-print-directory test-browser" in commands


def test_docs_target_builds_strictly(tmp_path: Path) -> None:
    commands = dry_run(tmp_path, "docs")
    assert "$VENV/bin/pip install -q -e '.[docs]'" in commands
    assert commands[-1] == "NO_MKDOCS_2_WARNING=1 $VENV/bin/mkdocs build --strict"


def _run_browser_target(tmp_path: Path, exits: list[int]) -> tuple[int, int]:
    """Run ``make test-browser`` with a stand-in run exiting with *exits* in turn.

    Return make's exit status and how many times the stand-in ran.
    """
    calls = tmp_path / "calls"
    calls.write_text("")
    script = tmp_path / "run.sh"
    script.write_text(
        f"echo x >> {calls}\nn=$(wc -l < {calls})\nset -- {' '.join(map(str, exits))}\n"
        'shift $((n - 1))\nexit "$1"\n'
    )
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    done = subprocess.run(
        ["make", "--no-print-directory", f"BROWSER_RUN=sh {script}", "test-browser"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, len(calls.read_text().splitlines())


@pytest.mark.parametrize(
    ("exits", "ok", "runs"),
    [
        ([0], True, 1),  # passed: run once
        ([1], False, 1),  # a failing test is not run again
        ([124, 0], True, 2),  # stuck (timeout's exit), then passed
        ([137, 124, 0], True, 3),  # stuck and killed, stuck, then passed
        ([124, 124, 124], False, 3),  # stuck three times: fails, no fourth run
        ([124, 1], False, 2),  # stuck, then a failure: not run again
    ],
)
def test_browser_tests_run_again_only_when_stuck(
    tmp_path: Path, exits: list[int], ok: bool, runs: int
) -> None:
    status, count = _run_browser_target(tmp_path, exits)
    assert (status == 0) is ok
    assert count == runs


def test_browser_run_is_bounded_by_timeout(tmp_path: Path) -> None:
    commands = dry_run(tmp_path, "test-browser")
    run = "timeout -k 10 300 $VENV/bin/coverage run -m pytest -q -rs -m browser && exit 0"
    assert any(run in line for line in commands)
