"""The URL map and its binding to a request, with two shortcuts.

``Map`` matches paths made of static parts only without Werkzeug's general search, and
``bind_request`` makes the adapter for a request without re-reading the environ.

Werkzeug's matcher builds a recursive closure on every call, a reference cycle the
garbage collector must free. Most requests are for routes without variables; for
them the path is looked up in an index of the matcher's own static transitions,
and the first rule that accepts the method is the one Werkzeug's search, which
tries static transitions first, would return. Anything else (variables, slash redirects,
wrong methods, aliases) goes to Werkzeug's matcher unchanged.
"""

from __future__ import annotations

import typing as t
from functools import lru_cache

from werkzeug.exceptions import BadHost
from werkzeug.routing import Map as _WerkzeugMap
from werkzeug.routing import MapAdapter

# Private Werkzeug internals: the matcher's state machine (pinned below 3.2 in pyproject).
from werkzeug.routing.matcher import State, StateMachineMatcher
from werkzeug.sansio.utils import get_host

if t.TYPE_CHECKING:
    from werkzeug.routing import Rule
    from werkzeug.routing.rules import RuleFactory

    from .wrappers import Request

__all__ = ["Map", "bind_request"]

_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


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


def bind_request(
    url_map: _WerkzeugMap, request: Request, server_name: str | None, subdomain: str | None
) -> MapAdapter:
    """Bind *url_map* to *request*, as ``url_map.bind_to_environ`` would.

    It must equal ``url_map.bind_to_environ(request.environ, server_name=server_name,
    subdomain=subdomain)`` (pinned by tests in tests/parity), with the host's lowercasing
    and IDNA encoding cached and what the request parsed reused; but for the query string,
    bound as the request holds it (a query that is not UTF-8 is percent-encoded).

    :raises werkzeug.exceptions.BadHost: for a host name IDNA cannot encode.
    """
    environ = request.environ
    if (
        subdomain is None
        or "HTTP_UPGRADE" in environ
        or not environ.get("PATH_INFO")
        or type(url_map).bind_to_environ is not _WerkzeugMap.bind_to_environ
    ):
        # Werkzeug's binding where the shortcut would be wrong: a subdomain or host to
        # find, a websocket upgrade (its scheme is ws/wss, which websocket rules match
        # on), an empty path (the app's root without its slash, redirected to add it)
        # and a url_map_class overriding bind_to_environ (Flask calls the override).
        adapter = url_map.bind_to_environ(environ, server_name=server_name, subdomain=subdomain)
        adapter.query_args = request.query_string.decode(errors="replace")
        return adapter
    script_name: str = environ.get("SCRIPT_NAME", "")
    if script_name.endswith("/"):  # root_path dropped the slashes URLs are built with
        script_name = script_name.encode("latin-1").decode(errors="replace")
    else:
        script_name = request.root_path
    if server_name is None and request.trusted_hosts is None and "HTTP_HOST" in environ:
        # What ``request.host`` would read, validated and bound in one cached call.
        host = _bound_host_header(environ["HTTP_HOST"], request.scheme)
    else:
        # An empty SERVER_NAME is taken as unset: Flask binds it, building "http:///x".
        host = _bound_host(server_name or request.host, request.scheme)
    return MapAdapter(
        url_map,
        host,
        script_name,
        url_map.default_subdomain or "",
        request.scheme,
        request.path,
        request.method,
        request.query_string.decode(errors="replace"),
    )


@lru_cache(maxsize=256)
def _bound_host_header(host_header: str, scheme: str) -> str:
    """Return the bound host for a ``Host`` header (``request.host``, bound)."""
    return _bound_host(get_host(scheme, host_header), scheme)


@lru_cache(maxsize=256)
def _bound_host(host: str, scheme: str) -> str:
    """Return *host* as ``Map.bind`` stores it: lowercase, IDNA-encoded.

    The port is kept unless it is the default one for *scheme*.
    """
    host = host.lower()
    default = _DEFAULT_PORTS.get(scheme)
    if default is not None and host.endswith(f":{default}"):  # "[::1]:80" as well
        host = host[: -len(default) - 1]
    name, sep, port = host.partition(":")
    try:
        return f"{name.encode('idna').decode('ascii')}{sep}{port}"
    except UnicodeError as e:
        raise BadHost() from e
