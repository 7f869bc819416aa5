"""Jinja2 integration: the environment, the template loader and renderers.

The environment is made lazily by ``app.jinja_env``; its loader searches the
application's template folder, then each blueprint's in registration order.
``render_template`` and friends run the context processors, render and send
the template signals only when someone listens. ``import microflask`` loads
this module, and Jinja with it, on first use.
"""

from __future__ import annotations

import typing as t

import jinja2
from blinker import Signal
from jinja2 import TemplateNotFound
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from .csrf import template_csrf_token
from .debughelpers import TemplateAttempt, explain_template_loading_attempts
from .globals import _cv_request, g, request, session
from .helpers import get_flashed_messages, require_app, stream_with_context
from .signals import before_render_template, template_rendered

if t.TYPE_CHECKING:
    from .app import Microflask
    from .blueprints import Blueprint

__all__ = [
    "DispatchingJinjaLoader",
    "Environment",
    "TemplateNotFound",
    "create_environment",
    "render_chunks",
    "render_template",
    "render_template_string",
    "stream_template",
    "stream_template_string",
]

_Source: t.TypeAlias = tuple[str, str | None, t.Callable[[], bool] | None]
_TemplateRef: t.TypeAlias = str | jinja2.Template | list[str | jinja2.Template]
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


def create_environment(app: Microflask) -> Environment:
    """Create the app's Jinja environment from ``app.jinja_options``."""
    options = dict(app.jinja_options)
    options.setdefault("autoescape", app.select_jinja_autoescape)
    if "auto_reload" not in options:
        auto_reload = app.config["TEMPLATES_AUTO_RELOAD"]
        options["auto_reload"] = app.debug if auto_reload is None else auto_reload
    env = app.jinja_environment(app, **options)
    app_dumps = app.json.dumps

    def tojson(value: t.Any, indent: int | None = None) -> Markup:
        """Serialize to JSON that is safe in ``<script>`` and attributes."""
        # Jinja's own filter, except that it follows an app.json replaced later.
        dumps = env.policies["json.dumps_function"]
        if dumps == app_dumps:
            dumps = app.json.dumps
        kwargs = env.policies["json.dumps_kwargs"]
        if indent is not None:
            kwargs = {**kwargs, "indent": indent}
        return htmlsafe_json_dumps(value, dumps, **kwargs)

    env.filters["tojson"] = tojson
    env.policies["json.dumps_function"] = app_dumps
    env.globals.update(
        url_for=app.url_for,
        get_flashed_messages=get_flashed_messages,
        config=app.config,
        # The proxies serve imported templates and macros, which do not get
        # the context processors' values.
        request=request,
        session=session,
        g=g,
        csrf_token=template_csrf_token,
    )
    return env


def _send_signal(
    signal: Signal, app: Microflask, template: jinja2.Template, context: dict[str, t.Any]
) -> None:
    if signal.receivers:
        signal.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)


def _render(app: Microflask, template: jinja2.Template, context: dict[str, t.Any]) -> str:
    app.update_template_context(context)
    _send_signal(before_render_template, app, template, context)
    rv = template.render(context)
    _send_signal(template_rendered, app, template, context)
    return rv


def render_template(template_name_or_list: _TemplateRef, **context: t.Any) -> str:
    """Render a template by name; from a list, the first that exists.

    :raises jinja2.TemplateNotFound: if no template of that name exists.
    """
    app = require_app("render_template")
    return _render(app, app.jinja_env.get_or_select_template(template_name_or_list), context)


def render_template_string(source: str, **context: t.Any) -> str:
    """Render a template from its source; autoescaping is on."""
    app = require_app("render_template_string")
    return _render(app, app.jinja_env.from_string(source), context)


def render_chunks(
    app: Microflask,
    template: jinja2.Template,
    context: dict[str, t.Any],
    render: t.Callable[[dict[str, t.Any]], t.Iterator[str]] | None = None,
) -> t.Iterator[str]:
    """Return an iterator of *template* rendered, as a streamed render.

    The context processors run and ``before_render_template`` is sent now,
    ``template_rendered`` after the last chunk. *render* makes the chunks
    from the full context; by default ``template.generate``.
    """
    app.update_template_context(context)
    _send_signal(before_render_template, app, template, context)
    chunks = (render or template.generate)(context)

    def generate() -> t.Iterator[str]:
        yield from chunks
        _send_signal(template_rendered, app, template, context)

    return generate()


def _stream(
    app: Microflask, template: jinja2.Template, context: dict[str, t.Any]
) -> t.Iterator[str]:
    chunks = render_chunks(app, template, context)
    return chunks if _cv_request.get(None) is None else stream_with_context(chunks)


def stream_template(template_name_or_list: _TemplateRef, **context: t.Any) -> t.Iterator[str]:
    """Render a template by name as an iterator of strings.

    Inside a request, the request context stays available while the
    response streams.
    """
    app = require_app("stream_template")
    return _stream(app, app.jinja_env.get_or_select_template(template_name_or_list), context)


def stream_template_string(source: str, **context: t.Any) -> t.Iterator[str]:
    """Render a template from its source as an iterator of strings."""
    app = require_app("stream_template_string")
    return _stream(app, app.jinja_env.from_string(source), context)
