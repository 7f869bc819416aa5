"""Run only with the bridge: ``pytest -p microflask.flask_compat tests/compat``.

``make test`` runs this directory a second time that way, in its own process,
so the ``flask`` alias never leaks into the rest of the suite. Collected
without the bridge, every module here is skipped at collection.
"""

from __future__ import annotations

import sys

import microflask

BRIDGED = sys.modules.get("flask") is microflask

# Without the bridge, importing these modules would import the real Flask.
collect_ignore_glob = [] if BRIDGED else ["*.py"]
