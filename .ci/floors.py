"""Print the declared dependency floors of pyproject.toml as ``name==version`` pins.

``make test-min`` installs with these as pip constraints, so the floor run tests
exactly what ``[project] dependencies`` (and the extras named on the command line)
promise. A requirement without a ``>=`` floor is an error: it would let the floor
run test whatever pip picks.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib

_FLOOR = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*[^;]*?>=\s*([^,;\s]+)")


def floors(pyproject: Path, extras: list[str]) -> list[str]:
    """Return one ``name==floor`` pin per runtime requirement and named extra.

    :raises SystemExit: if a requirement or an extra has no floor to pin.
    """
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins = []
    for requirement in requirements:
        match = _FLOOR.match(requirement)
        if match is None:
            raise SystemExit(f"{requirement!r} has no '>=' floor: declare its lowest version.")
        pins.append(f"{match[1]}=={match[2]}")
    return pins


if __name__ == "__main__":
    print("\n".join(floors(Path(__file__).parents[1] / "pyproject.toml", sys.argv[1:])))
