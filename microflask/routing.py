"""The URL map: Werkzeug's, with a shortcut for paths made of static parts only.

Werkzeug's matcher builds a recursive closure on every call, a reference cycle the
garbage collector must free. Most requests are for routes without variables; for
them the path is looked up in an index of the matcher's own static transitions,
and the first rule that accepts the method is the one Werkzeug's search, which
tries static transitions first, would return. Anything else (variables, slash redirects,
wrong methods, aliases) goes to Werkzeug's matcher unchanged.
"""

from __future__ import annotations

import typing as t

from werkzeug.routing import Map as _WerkzeugMap
from werkzeug.routing.matcher import State, StateMachineMatcher

if t.TYPE_CHECKING:
    from werkzeug.routing import Rule
    from werkzeug.routing.rules import RuleFactory

__all__ = ["Map"]


class _StaticFirstMatcher(StateMachineMatcher):
    """Werkzeug's matcher, trying the path's static transitions alone first."""

    def __init__(self, merge_slashes: bool) -> None:
        super().__init__(merge_slashes)
        #: (domain, path) -> the state its static parts lead to; rebuilt by update().
        self._static: dict[tuple[str, str], State] = {}

    def update(self) -> None:
        """Sort the transitions, as Werkzeug does, then index the static paths."""
        super().update()
        static: dict[tuple[str, str], State] = {}
        for domain, state in self._root.static.items():
            pending = list(state.static.items())
            while pending:
                path, state = pending.pop()
                if state.rules:
                    static[domain, path] = state
                pending.extend((f"{path}/{part}", child) for part, child in state.static.items())
        self._static = static

    def match(
        self, domain: str, path: str, method: str, websocket: bool
    ) -> tuple[Rule, t.MutableMapping[str, t.Any]]:
        state = self._static.get((domain, path))
        if state is not None:
            for rule in state.rules:
                if rule.websocket == websocket and (rule.methods is None or method in rule.methods):
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
