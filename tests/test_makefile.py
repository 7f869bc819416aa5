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
    assert "$VENV/bin/coverage run -m pytest -q -rs" in commands


def test_docs_target_builds_strictly(tmp_path: Path) -> None:
    commands = dry_run(tmp_path, "docs")
    assert "$VENV/bin/pip install -q -e '.[docs]'" in commands
    assert commands[-1] == "NO_MKDOCS_2_WARNING=1 $VENV/bin/mkdocs build --strict"
