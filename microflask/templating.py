"""Jinja2 integration: the app's environment and the template renderers.

The environment is made lazily by ``app.jinja_env``; its classes live in
:mod:`microflask.jinja_env` and are loaded, with Jinja, on first access.
``render_template`` and friends run the context processors, render and send
the template signals only when someone listens.
"""

from __future__ import annotations

import importlib
import typing as t

from blinker import Signal

from .csrf import csrf_token
from .globals import _cv_app, _cv_request, g, request, session
from .helpers import get_flashed_messages, get_template_attribute, stream_with_context
from .signals import before_render_template, template_rendered

if t.TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

    from .app import Microflask
    from .fragments import render_block as render_block
    from .fragments import stream_block as stream_block
    from .jinja_env import DispatchingJinjaLoader, Environment

    _TemplateRef: t.TypeAlias = str | jinja2.Template | list[str | jinja2.Template]

__all__ = [
    "DispatchingJinjaLoader",
    "Environment",
    "get_template_attribute",
    "render_template",
    "render_template_string",
    "stream_template",
    "stream_template_string",
]

# Names that live in another module: Flask's environment classes, and the
# fragment renderers, which once lived here.
_ELSEWHERE = {
    "DispatchingJinjaLoader": "microflask.jinja_env",
    "Environment": "microflask.jinja_env",
    "render_block": "microflask.fragments",
    "stream_block": "microflask.fragments",
}


def _create_environment(app: Microflask) -> Environment:
    """Create the app's Jinja environment from ``app.jinja_options``."""
    from jinja2.utils import htmlsafe_json_dumps  # Jinja is loaded by now

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
        csrf_token=csrf_token,
    )
    return env


def _current_app(action: str) -> Microflask:
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        raise RuntimeError(
            f"{action}() needs an application context: call it from a view,"
            " or inside 'with app.app_context():'."
        )
    return app_ctx.app


def _send(
    signal: Signal,
    app: Microflask,
    template: jinja2.Template,
    context: dict[str, t.Any],
) -> None:
    if signal.receivers:
        signal.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)


def _render(app: Microflask, template: jinja2.Template, context: dict[str, t.Any]) -> str:
    app.update_template_context(context)
    _send(before_render_template, app, template, context)
    rv = template.render(context)
    _send(template_rendered, app, template, context)
    return rv


def render_template(template_name_or_list: _TemplateRef, **context: t.Any) -> str:
    """Render a template by name; from a list, the first that exists.

    :raises jinja2.TemplateNotFound: if no template of that name exists.
    """
    app = _current_app("render_template")
    return _render(app, app.jinja_env.get_or_select_template(template_name_or_list), context)


def render_template_string(source: str, **context: t.Any) -> str:
    """Render a template from its source; autoescaping is on."""
    app = _current_app("render_template_string")
    return _render(app, app.jinja_env.from_string(source), context)


def _stream(
    app: Microflask, template: jinja2.Template, context: dict[str, t.Any]
) -> t.Iterator[str]:
    app.update_template_context(context)
    _send(before_render_template, app, template, context)

    def generate() -> t.Iterator[str]:
        yield from template.generate(context)
        _send(template_rendered, app, template, context)

    chunks = generate()
    return chunks if _cv_request.get(None) is None else stream_with_context(chunks)


def stream_template(template_name_or_list: _TemplateRef, **context: t.Any) -> t.Iterator[str]:
    """Render a template by name as an iterator of strings.

    Inside a request, the request context stays available while the
    response streams.
    """
    app = _current_app("stream_template")
    return _stream(app, app.jinja_env.get_or_select_template(template_name_or_list), context)


def stream_template_string(source: str, **context: t.Any) -> t.Iterator[str]:
    """Render a template from its source as an iterator of strings."""
    app = _current_app("stream_template_string")
    return _stream(app, app.jinja_env.from_string(source), context)


def __getattr__(name: str) -> t.Any:
    # Loaded on first access, so importing microflask does not import Jinja.
    if name in _ELSEWHERE:
        return getattr(importlib.import_module(_ELSEWHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
