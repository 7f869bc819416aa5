"""Run the ``microflask`` command line as ``python -m microflask``."""

from __future__ import annotations

from microflask.cli import main

main()
