"""Run the ``microflask`` command line as ``python -m microflask``."""

from __future__ import annotations

from .cli import main

main()
