"""Which hooks and blueprints a request runs, read from live registries.

An app keeps Flask's registries (``before_request_funcs`` and five more): dicts from a
blueprint name, None for the app, to a list of functions. Which of them run for a
request depends on its blueprint and that blueprint's parents. Nothing is cached: each
run reads the registries as it goes, as Flask's loops do, so a change made to them at
any time, even by a hook while its phase runs, applies from then on. The blueprint names
a request belongs to, and the blueprint whose URL prefix holds a path, are derived here.
"""

from __future__ import annotations

import os
import re
import typing as t
from functools import lru_cache

__all__ = ["blueprint_ancestry", "blueprint_of", "blueprints_for_path", "request_hooks"]


def blueprint_of(endpoint: str | None) -> str | None:
    """Return the dotted blueprint name of *endpoint*, or None for the app's."""
    if endpoint is None or "." not in endpoint:
        return None
    return endpoint.rpartition(".")[0]


def blueprint_ancestry(name: str | None) -> list[str]:
    """Return blueprint *name* and its parents, innermost first.

    ``"a.b.c"`` gives ``["a.b.c", "a.b", "a"]``; None gives ``[]``.
    """
    if not name:
        return []
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def blueprints_for_path(
    scopes: t.Mapping[str, tuple[str | None, str | None]],
    subdomain: str,
    path: str,
    default_subdomain: str = "",
) -> list[str]:
    """Return the innermost blueprint holding *path*, then its parents.

    *scopes* maps each registered blueprint's dotted name to its ``(subdomain,
    url_prefix)``; a blueprint without a subdomain has the URL map's default one. A
    prefix holds a path at a segment boundary: ``/api`` holds ``/api`` and ``/api/x``,
    not ``/apix``; a URL variable in it (``/<lang>``) holds any value. A blueprint
    without a prefix (or with ``/``) holds nothing, so URLs outside every prefix belong
    to the app alone, unless it has a subdomain: then it holds all of that subdomain.
    Of the holders with the most prefix segments, then the most without a variable, a
    nested blueprint wins over its parents; unrelated ones (siblings sharing a prefix)
    give way to their closest common parent.
    """
    holders: list[str] = []
    most = (0, 0)
    for name, (bp_subdomain, prefix) in scopes.items():
        prefix = (prefix or "").rstrip("/")
        if not (prefix or bp_subdomain) or not _pattern(prefix, True).fullmatch(path):
            continue
        if not _pattern(default_subdomain if bp_subdomain is None else bp_subdomain).fullmatch(
            subdomain
        ):
            continue
        # As in routing, a literal segment is closer than a variable: /api over /<lang>.
        segments = prefix.split("/")
        depth = (len(segments), sum("<" not in segment for segment in segments))
        if depth > most:
            holders, most = [], depth
        if depth == most:
            holders.append(name)
    if not holders:
        return []
    innermost = max(holders, key=lambda name: name.count("."))
    if all(innermost.startswith(f"{name}.") for name in holders if name != innermost):
        return blueprint_ancestry(innermost)
    parents = [name.split(".") for name in holders]
    return blueprint_ancestry(".".join(os.path.commonprefix(parents)))


@lru_cache(maxsize=256)
def _pattern(template: str, path_prefix: bool = False) -> re.Pattern[str]:
    """Compile a URL prefix or subdomain; its ``<variables>`` match any value.

    A ``path`` variable matches across slashes, any other within one segment. With
    *path_prefix*, the pattern also matches the paths below it.
    """
    regex = ""
    for i, part in enumerate(re.split(r"(<[^>]*>)", template)):
        if i % 2 == 0:
            regex += re.escape(part)
        else:
            regex += ".+?" if part[1:].lstrip().startswith("path:") else "[^/]+"
    return re.compile(f"{regex}(?:/.*)?" if path_prefix else regex, re.DOTALL)


def request_hooks(
    scaffold: t.Any, registry: str, blueprints: list[str], inner_first: bool = False
) -> t.Iterator[t.Any]:
    """Yield a request's hooks from *scaffold*'s *registry*, in run order.

    *blueprints* is the request's blueprint and its parents, innermost first. Before a
    request, the app's hooks run first and each list in registration order; after it,
    the innermost blueprint's first, each list backwards. The registry and each list
    are read as they are reached, as Flask's loops read them, so a change a hook makes
    to them applies to the rest of the run.
    """
    for name in [*blueprints, None] if inner_first else [None, *reversed(blueprints)]:
        if name in getattr(scaffold, registry):
            hooks = getattr(scaffold, registry)[name]
            yield from reversed(hooks) if inner_first else hooks
