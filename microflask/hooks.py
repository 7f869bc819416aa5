"""Hook registries, and the hooks that run for a request's blueprint.

An app keeps Flask's registries (``before_request_funcs`` and five more): dicts from a
blueprint name, None for the app, to a list of functions. Which of them run for a request
depends on its blueprint and that blueprint's parents; that resolution is made once per
endpoint and cached. The registries are ``HookRegistry`` dicts of ``HookList`` lists, which
empty the cache on any change, so a hook added straight to a registry, even by a view during
a request, runs from the next hook run on, as in Flask, while a plain request pays one dict
lookup; a before, after or teardown hook's change applies within its own phase too. A plain
list stored into a registry is kept as given, as Flask keeps it, and the chains reading it
are resolved on every use. The blueprint names a request belongs to are
derived here too.
"""

from __future__ import annotations

import os
import re
import typing as t
import weakref
from functools import lru_cache

if t.TYPE_CHECKING:
    from . import typing as ft
    from .app import Microflask

__all__ = [
    "HookChain",
    "HookChains",
    "HookList",
    "HookRegistry",
    "HookRegistryAttribute",
    "blueprint_ancestry",
    "blueprint_of",
    "blueprints_for_path",
]

T = t.TypeVar("T")
_D = t.TypeVar("_D")
_Callback = t.Callable[[], None]


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


class HookList(list[T]):
    """A list of hooks that reports every change to its registry."""

    def __init__(self, on_change: _Callback, items: t.Iterable[T] = ()) -> None:
        super().__init__(items)
        self._on_change = on_change

    def append(self, item: T) -> None:
        super().append(item)
        self._on_change()

    def extend(self, items: t.Iterable[T]) -> None:
        super().extend(items)
        self._on_change()

    def insert(self, index: t.SupportsIndex, item: T) -> None:
        super().insert(index, item)
        self._on_change()

    def remove(self, item: T) -> None:
        super().remove(item)
        self._on_change()

    def pop(self, index: t.SupportsIndex = -1) -> T:
        self._on_change()
        return super().pop(index)

    def clear(self) -> None:
        super().clear()
        self._on_change()

    def sort(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().sort(*args, **kwargs)
        self._on_change()

    def reverse(self) -> None:
        super().reverse()
        self._on_change()

    def __setitem__(self, index: t.Any, value: t.Any) -> None:
        super().__setitem__(index, value)
        self._on_change()

    def __delitem__(self, index: t.SupportsIndex | slice) -> None:
        super().__delitem__(index)
        self._on_change()

    def __iadd__(self, items: t.Iterable[T]) -> HookList[T]:  # type: ignore[override,misc]
        self.extend(items)
        return self

    def __imul__(self, count: t.SupportsIndex) -> HookList[T]:
        super().__imul__(count)
        self._on_change()
        return self


class HookRegistry(dict["str | None", HookList[T]]):
    """A hook registry: blueprint name (None for the app) to its hooks.

    Like a ``defaultdict(list)``; its own lists are ``HookList`` lists, and every change,
    to the dict or to one of them, calls *on_change*. A list stored into it is kept as
    given (changes to it are not reported); another iterable is copied into a ``HookList``.
    """

    def __init__(self, on_change: _Callback) -> None:
        super().__init__()
        self._on_change = on_change

    def __missing__(self, key: str | None) -> HookList[T]:
        # An empty list resolves to nothing: no change to report yet.
        value = super().setdefault(key, HookList(self._on_change))
        return value

    def reports(self, key: str | None) -> bool:
        """Return whether the hooks under *key* report their changes here."""
        hooks = self.get(key)
        return hooks is None or (
            isinstance(hooks, HookList) and hooks._on_change is self._on_change
        )

    def __setitem__(self, key: str | None, value: t.Iterable[T]) -> None:
        # A list is kept as given, as Flask keeps it: its owner may change it later.
        # It cannot report that, so chains reading it are not cached (HookChains).
        if not isinstance(value, list):
            value = HookList(self._on_change, value)
        super().__setitem__(key, value)  # type: ignore[assignment]
        self._on_change()

    def __delitem__(self, key: str | None) -> None:
        super().__delitem__(key)
        self._on_change()

    def setdefault(self, key: str | None, default: t.Iterable[T] = ()) -> HookList[T]:
        if key not in self:
            # Callers append to the list returned: a reporting copy keeps chains cached.
            self[key] = HookList(self._on_change, default)
        return self[key]

    def update(self, *args: t.Any, **kwargs: t.Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    @t.overload
    def pop(self, key: str | None, /) -> HookList[T]: ...
    @t.overload
    def pop(self, key: str | None, default: HookList[T] | _D, /) -> HookList[T] | _D: ...
    def pop(self, key: str | None, /, *default: t.Any) -> t.Any:
        self._on_change()
        return super().pop(key, *default)

    def popitem(self) -> tuple[str | None, HookList[T]]:
        self._on_change()
        return super().popitem()

    def clear(self) -> None:
        super().clear()
        self._on_change()

    def __ior__(self, other: t.Any) -> HookRegistry[T]:  # type: ignore[override,misc]
        self.update(other)
        return self


class HookRegistryAttribute(t.Generic[T]):
    """A scaffold's registry attribute: a new dict assigned to it stays live.

    ``app.before_request_funcs = {None: [f]}`` is copied into a ``HookRegistry``
    that reports to the same place as the one it replaces, and reports at once.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @t.overload
    def __get__(self, obj: None, owner: type | None = None) -> HookRegistryAttribute[T]: ...
    @t.overload
    def __get__(self, obj: object, owner: type | None = None) -> HookRegistry[T]: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> t.Any:
        if obj is None:
            return self
        return obj.__dict__[self.name]

    def __set__(self, obj: object, value: t.Mapping[str | None, t.Iterable[T]]) -> None:
        if isinstance(value, HookRegistry):
            obj.__dict__[self.name] = value
            return
        on_change = obj.__dict__[self.name]._on_change
        registry: HookRegistry[T] = HookRegistry(on_change)
        registry.update(value)
        obj.__dict__[self.name] = registry
        on_change()


class HookChain(t.NamedTuple):
    """The hooks for one blueprint path, in the order they run, made sync."""

    url_value_preprocessors: tuple[ft.URLValuePreprocessorCallable, ...]
    before: tuple[t.Callable[[], t.Any], ...]
    after: tuple[t.Callable[[t.Any], t.Any], ...]
    teardown: tuple[t.Callable[[BaseException | None], t.Any], ...]
    context_processors: tuple[t.Callable[[], dict[str, t.Any]], ...]
    url_defaults: tuple[ft.URLDefaultCallable, ...]
    #: By phase ("before", ...): each name in run order, its list and that list's size.
    sources: dict[str, tuple[tuple[str | None, t.Sequence[t.Any], int], ...]]


class HookChains(dict["str | None", HookChain]):
    """The app's resolved hook chains by endpoint, made on first use.

    ``chains[endpoint]`` costs one dict lookup once resolved (None stands for a
    request that matched no endpoint); :meth:`clear` is what the app's registries
    call on a change.
    """

    def __init__(self, app: Microflask) -> None:
        super().__init__()
        # A weak reference: the app holds this dict, and a cycle would keep a
        # dropped app alive until the garbage collector runs.
        self._app = weakref.ref(app)
        self._changes = 0

    def clear(self) -> None:
        self._changes += 1  # before emptying: see the check in __missing__
        super().clear()

    def __missing__(self, endpoint: str | None) -> HookChain:
        app = self._app()
        if app is None:
            raise RuntimeError("The app of these hook chains no longer exists.")
        changes = self._changes
        inner_first: list[str | None] = [*blueprint_ancestry(blueprint_of(endpoint)), None]
        outer_first = inner_first[::-1]
        # Each registry in HookChain's field order, with the order its hooks run in.
        plan = (
            (app.url_value_preprocessors, outer_first, False),
            (app.before_request_funcs, outer_first, False),
            (app.after_request_funcs, inner_first, True),
            (app.teardown_request_funcs, inner_first, True),
            (app.template_context_processors, outer_first, False),
            (app.url_default_functions, outer_first, False),
        )
        sources = {
            phase: tuple(
                (n, f := getattr(app, f"{phase}_request_funcs").get(n, ()), len(f)) for n in names
            )
            for phase, names in (
                ("before", outer_first),
                ("after", inner_first),
                ("teardown", inner_first),
            )
        }
        chain = HookChain._make(
            [*(_collect(app, hooks, names, reverse) for hooks, names, reverse in plan), sources]
        )
        # url_for may name any endpoint, even one taken from a request: only those
        # with a view (or none, for a request that matched nothing) are kept.
        known = endpoint is None or endpoint in app.view_functions
        if known and all(hooks.reports(name) for hooks, _, _ in plan for name in inner_first):
            self[endpoint] = chain
            # Another thread changed a registry while this chain was being read: the
            # chain may miss that change, so it must not stay cached.
            if self._changes != changes:
                self.pop(endpoint, None)
        return chain

    def watched(self, endpoint: str | None, phase: str) -> t.Iterator[t.Any]:
        """Yield *endpoint*'s hooks of *phase*, read anew after a change."""
        chain, ran = self[endpoint], 0
        for hook in getattr(chain, phase):
            yield hook
            ran += 1
            if self.get(endpoint) is not chain:
                yield from self.hooks_left(chain, phase, ran)
                return

    def hooks_left(self, chain: HookChain, phase: str, ran: int) -> t.Iterator[t.Any]:
        """Yield the hooks of *phase* after the first *ran* of *chain*, read now.

        For a request whose hooks changed a registry while they ran (*phase* is
        before, after or teardown): as Flask's loop reads them, the list being run
        goes on by index (backwards after a request) and the lists of the
        blueprints not reached yet are looked up when reached.
        """
        app = t.cast("Microflask", self._app())
        for name, funcs, size in chain.sources[phase]:
            if ran > size:
                ran -= size
                continue
            if not ran:
                funcs = getattr(app, f"{phase}_request_funcs").get(name, ())
                size = len(funcs)
            index, step, ran = (ran, 1, 0) if phase == "before" else (size - 1 - ran, -1, 0)
            while 0 <= index < len(funcs):
                yield app.ensure_sync(funcs[index])
                index += step


def _collect(
    app: Microflask,
    registry: t.Mapping[str | None, t.Sequence[t.Any]],
    names: list[str | None],
    reverse: bool = False,
) -> tuple[t.Any, ...]:
    """Return the hooks of *names* in that order, each one made sync."""
    funcs = (
        f
        for name in names
        for f in (reversed(registry.get(name, ())) if reverse else registry.get(name, ()))
    )
    return tuple(app.ensure_sync(f) for f in funcs)
