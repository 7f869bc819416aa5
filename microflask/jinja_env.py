"""The classes of the application's Jinja environment and its loader.

``app.jinja_env`` is an :class:`Environment`, made on first use, so an app that
renders no template need not import Jinja. Its loader,
:class:`DispatchingJinjaLoader`, searches the application's template folder,
then each blueprint's in registration order. Flask users find both classes in
``microflask.templating``, which loads them from here on first access.
"""

from __future__ import annotations

import typing as t

import jinja2

from .debughelpers import TemplateAttempt, explain_template_loading_attempts

if t.TYPE_CHECKING:
    from .app import Microflask
    from .blueprints import Blueprint

__all__ = ["DispatchingJinjaLoader", "Environment"]

_Source: t.TypeAlias = tuple[str, str | None, t.Callable[[], bool] | None]
_DICT_ATTRIBUTES = frozenset(dir(dict))


class Environment(jinja2.Environment):
    """A Jinja2 environment that knows its application."""

    def __init__(self, app: Microflask, **options: t.Any) -> None:
        if "loader" not in options:
            options["loader"] = app.create_global_jinja_loader()
        super().__init__(**options)
        self.app = app

    def getattr(self, obj: t.Any, attribute: str) -> t.Any:
        """Look up ``obj.attribute`` as Jinja does, faster for plain dicts."""
        # A dict has no instance attributes, so for a name its class lacks,
        # Jinja's getattr() would fail and fall back to obj[attribute]; skip
        # the costly AttributeError, as templates read dict items constantly.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


class DispatchingJinjaLoader(jinja2.BaseLoader):
    """A loader searching the app's template folder, then the blueprints'."""

    def __init__(self, app: Microflask) -> None:
        self.app = app

    def get_source(self, environment: jinja2.Environment, template: str) -> _Source:
        """Return the first match; raise ``TemplateNotFound`` if none.

        With ``EXPLAIN_TEMPLATE_LOADING`` on, every loader is tried and the
        attempts are logged.
        """
        explain = self.app.config["EXPLAIN_TEMPLATE_LOADING"]
        attempts: list[TemplateAttempt] = []
        for owner, loader in self._iter_loaders():
            try:
                source: _Source | None = loader.get_source(environment, template)
            except jinja2.TemplateNotFound:
                source = None
            if source is not None and not explain:
                return source
            attempts.append((owner, loader, source))
        if explain:
            explain_template_loading_attempts(self.app, template, attempts)
        for _owner, _loader, found in attempts:
            if found is not None:
                return found
        raise jinja2.TemplateNotFound(template)

    def _iter_loaders(self) -> t.Iterator[tuple[Microflask | Blueprint, jinja2.BaseLoader]]:
        if self.app.jinja_loader is not None:
            yield self.app, self.app.jinja_loader
        for blueprint in self.app.iter_blueprints():
            if blueprint.jinja_loader is not None:
                yield blueprint, blueprint.jinja_loader

    def list_templates(self) -> list[str]:
        """Return the sorted names of every template any folder holds."""
        names: set[str] = set()
        for _owner, loader in self._iter_loaders():
            names.update(loader.list_templates())
        return sorted(names)
