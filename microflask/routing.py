"""The URL map: Werkzeug's, with a shortcut for paths made of static parts only.

Werkzeug's matcher builds a recursive closure on every call, a reference cycle the
garbage collector must free. Most requests are for routes without variables; for
them the path is walked through the matcher's own static transitions, and the
first rule that accepts the method is the one Werkzeug's search, which tries
static transitions first, would return. Anything else (variables, slash redirects,
wrong methods, aliases) goes to Werkzeug's matcher unchanged.
"""

from __future__ import annotations

import typing as t

from werkzeug.routing import Map as _WerkzeugMap
from werkzeug.routing.matcher import StateMachineMatcher

if t.TYPE_CHECKING:
    from werkzeug.routing import Rule
    from werkzeug.routing.rules import RuleFactory

__all__ = ["Map"]


class _StaticFirstMatcher(StateMachineMatcher):
    """Werkzeug's matcher, trying the path's static transitions alone first."""

    def match(
        self, domain: str, path: str, method: str, websocket: bool
    ) -> tuple[Rule, t.MutableMapping[str, t.Any]]:
        state = self._root.static.get(domain)
        if state is not None:
            for part in path.split("/"):
                state = state.static.get(part)
                if state is None:
                    break
            else:
                for rule in state.rules:
                    if rule.websocket == websocket and (
                        rule.methods is None or method in rule.methods
                    ):
                        if rule.alias or rule._converters:
                            break
                        return rule, dict(rule.defaults) if rule.defaults else {}
        return super().match(domain, path, method, websocket)


class Map(_WerkzeugMap):
    """Werkzeug's ``Map``, matching static paths without its general search."""

    def __init__(
        self, rules: t.Iterable[RuleFactory] | None = None, *args: t.Any, **kwargs: t.Any
    ) -> None:
        super().__init__(None, *args, **kwargs)
        self._matcher = _StaticFirstMatcher(self._matcher.merge_slashes)
        for rule in rules or ():
            self.add(rule)
