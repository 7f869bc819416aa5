"""Jinja2 integration: the environment, the template loader and renderers.

The environment is made lazily by ``app.jinja_env`` on first use; its loader
searches the application's template folder, then each blueprint's in
registration order. ``render_template`` and friends run the context
processors, render and send the template signals only when someone listens;
``render_block`` and ``stream_block`` render one block of a template.
"""

from __future__ import annotations

import collections
import json
import typing as t
import weakref

import jinja2
import jinja2.nodes
import jinja2.runtime
import jinja2.utils
from blinker import Signal
from markupsafe import Markup

from .csrf import csrf_token
from .debughelpers import TemplateAttempt, explain_template_loading_attempts
from .globals import _cv_app, _cv_request, g, request, session
from .helpers import get_flashed_messages, stream_with_context
from .signals import before_render_template, template_rendered

if t.TYPE_CHECKING:
    from .app import Microflask
    from .blueprints import Blueprint

__all__ = [
    "DispatchingJinjaLoader",
    "Environment",
    "get_template_attribute",
    "render_block",
    "render_template",
    "render_template_string",
    "stream_block",
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
        """Return the first match; raise ``TemplateNotFound`` if none."""
        if self.app.config["EXPLAIN_TEMPLATE_LOADING"]:
            return self._get_source_explained(environment, template)
        for _owner, loader in self._iter_loaders():
            try:
                return loader.get_source(environment, template)
            except jinja2.TemplateNotFound:
                continue
        raise jinja2.TemplateNotFound(template)

    def _get_source_explained(self, environment: jinja2.Environment, template: str) -> _Source:
        attempts: list[TemplateAttempt] = []
        for owner, loader in self._iter_loaders():
            try:
                source: _Source | None = loader.get_source(environment, template)
            except jinja2.TemplateNotFound:
                source = None
            attempts.append((owner, loader, source))
        explain_template_loading_attempts(self.app, template, attempts)
        for _owner, _loader, found in attempts:
            if found is not None:
                return found
        raise jinja2.TemplateNotFound(template)

    def _iter_loaders(
        self,
    ) -> t.Iterator[tuple[Microflask | Blueprint, jinja2.BaseLoader]]:
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


def _htmlsafe_json(text: str) -> Markup:
    # "<", ">" and "&" could start a tag or an entity inside <script> or an
    # attribute, "'" could end a single-quoted attribute; as \u escapes they
    # stay the same JSON value.
    return Markup(
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


def _create_environment(app: Microflask) -> Environment:
    """Create the app's Jinja environment from ``app.jinja_options``."""
    options = dict(app.jinja_options)
    options.setdefault("autoescape", app.select_jinja_autoescape)
    if "auto_reload" not in options:
        auto_reload = app.config["TEMPLATES_AUTO_RELOAD"]
        options["auto_reload"] = app.debug if auto_reload is None else auto_reload
    env = app.jinja_environment(app, **options)

    app_dumps = app.json.dumps

    def tojson(value: t.Any, indent: int | None = None) -> Markup:
        """Serialize to JSON that is safe in ``<script>`` and attributes.

        Keys are sorted, as Jinja's ``json.dumps_kwargs`` policy says by default.
        """
        dumps = env.policies["json.dumps_function"]
        if dumps is None:  # Jinja's default, as in Flask
            dumps = json.dumps
        elif dumps == app_dumps:  # follow an app.json replaced later
            dumps = app.json.dumps
        kwargs = env.policies["json.dumps_kwargs"]
        if indent is not None:
            kwargs = {**kwargs, "indent": indent}
        return _htmlsafe_json(dumps(value, **kwargs))

    env.filters["tojson"] = tojson
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
    env.policies["json.dumps_function"] = app_dumps
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
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _render(app, template, context)


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

    if _cv_request.get(None) is None:
        return generate()
    return stream_with_context(generate())


def stream_template(template_name_or_list: _TemplateRef, **context: t.Any) -> t.Iterator[str]:
    """Render a template by name as an iterator of strings.

    Inside a request, the request context stays available while the
    response streams.
    """
    app = _current_app("stream_template")
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _stream(app, template, context)


def stream_template_string(source: str, **context: t.Any) -> t.Iterator[str]:
    """Render a template from its source as an iterator of strings."""
    app = _current_app("stream_template_string")
    return _stream(app, app.jinja_env.from_string(source), context)


def get_template_attribute(template_name: str, attribute: str) -> t.Any:
    """Return a macro or variable a template exports, to call from Python.

    :raises AttributeError: if the template does not define ``attribute``.
    """
    app = _current_app("get_template_attribute")
    return getattr(app.jinja_env.get_template(template_name).module, attribute)


# --- template fragments: one block of a template -----------------------------------
#
# render_block() renders a block as the full page would: the block functions
# of the whole inheritance chain are stacked on the context (so super() and
# nested blocks resolve), and each template's top-level statements run first
# (its {% import %}, {% set %}, {% macro %}), as they do before any block of a
# full render. jinja2-fragments, the library people install for this, calls
# template.blocks[name] on a fresh context instead: a block only defined in a
# parent is "not found", super() and a nested block defined by the parent fail,
# and a top-level import is undefined inside the block; it also sends its own
# signals rather than template_rendered. Its core is some twenty lines, so a
# dependency would not save code here, only lose those cases.
#
# To run the top-level statements without the page's output, each template's
# source is parsed again (Environment.parse) and its top-level statements,
# minus output and blocks, compiled into a "prelude" template, cached per
# compiled template; {% extends x %} becomes an assignment the walk reads to
# load the parent. No private attribute is used; three names without an
# underscore are missing from Jinja's documentation: Template.blocks,
# Template.root_render_func (which Template.generate calls) and
# Template.from_code (which Jinja's loaders call).

_PARENT_VAR = "_microflask_parent_template"
_KEPT_STATEMENTS = (
    jinja2.nodes.Assign,
    jinja2.nodes.AssignBlock,
    jinja2.nodes.ExprStmt,
    jinja2.nodes.FromImport,
    jinja2.nodes.Import,
    jinja2.nodes.Macro,
)
_BlockFunction: t.TypeAlias = t.Callable[[jinja2.runtime.Context], t.Iterator[str]]
_preludes: weakref.WeakKeyDictionary[jinja2.Template, jinja2.Template | None] = (
    weakref.WeakKeyDictionary()
)


def _statements(body: list[jinja2.nodes.Node]) -> list[jinja2.nodes.Node]:
    """Return the statements of *body* that run without output."""
    kept: list[jinja2.nodes.Node] = []
    for node in body:
        if isinstance(node, jinja2.nodes.Extends):
            target = jinja2.nodes.Name(_PARENT_VAR, "store", lineno=node.lineno)
            kept.append(jinja2.nodes.Assign(target, node.template, lineno=node.lineno))
        elif isinstance(node, _KEPT_STATEMENTS):
            kept.append(node)
        elif isinstance(node, (jinja2.nodes.If, jinja2.nodes.For)):
            # A conditional {% extends %} or {% set %}, or a namespace set in a loop.
            node.body = _statements(node.body)
            node.else_ = _statements(node.else_)
            branches = node.elif_ if isinstance(node, jinja2.nodes.If) else []
            for branch in branches:
                branch.body = _statements(branch.body)
            if node.body or node.else_ or any(branch.body for branch in branches):
                kept.append(node)
    return kept


def _prelude(env: jinja2.Environment, template: jinja2.Template) -> jinja2.Template | None:
    """Return the template's top-level statements as a template, or None."""
    try:
        return _preludes[template]
    except KeyError:
        pass
    prelude = None
    # A template made from a string has no name to load its source by: only
    # its own blocks can be rendered.
    if template.name is not None and env.loader is not None:
        source, filename, _ = env.loader.get_source(env, template.name)
        body = _statements(env.parse(source, template.name, filename).body)
        if body:
            code = env.compile(jinja2.nodes.Template(body), template.name, filename)
            prelude = env.template_class.from_code(env, code, template.globals)
    _preludes[template] = prelude
    return prelude


def _chunks(env: jinja2.Environment, chunks: t.Any) -> t.Iterator[str]:
    """Iterate a render function's output, also in an async environment."""
    if not env.is_async:
        return t.cast(t.Iterator[str], chunks)

    import asyncio  # only async environments pay for the import

    async def collect() -> list[str]:
        return [chunk async for chunk in chunks]

    return iter(asyncio.run(collect()))


def _block_function(
    env: jinja2.Environment, template: jinja2.Template, block_name: str, context: dict[str, t.Any]
) -> tuple[_BlockFunction, jinja2.runtime.Context]:
    """Return the block's function and the context a full render gives it.

    :raises LookupError: if no template in the chain defines the block.
    """
    ctx = template.new_context(context)
    current = template
    try:
        while (prelude := _prelude(env, current)) is not None:
            collections.deque(_chunks(env, prelude.root_render_func(ctx)), maxlen=0)
            parent_name = ctx.vars.pop(_PARENT_VAR, jinja2.utils.missing)
            if parent_name is jinja2.utils.missing:
                break
            current = env.get_template(parent_name, current.name)
            for name, function in current.blocks.items():
                ctx.blocks.setdefault(name, []).append(function)
    except Exception:
        env.handle_exception()
    if block_name not in ctx.blocks:
        raise LookupError(
            f"Template {template.name!r} has no block {block_name!r}; its blocks"
            f" (with its parents') are {sorted(ctx.blocks)!r}. Check the name in"
            " the {% block %} tag."
        )
    return ctx.blocks[block_name][0], ctx


def _prepare_block(
    action: str, template_name_or_list: _TemplateRef, block_name: str, context: dict[str, t.Any]
) -> tuple[Microflask, jinja2.Template, _BlockFunction, jinja2.runtime.Context]:
    app = _current_app(action)
    env = app.jinja_env
    template = env.get_or_select_template(template_name_or_list)
    app.update_template_context(context)
    _send(before_render_template, app, template, context)
    function, ctx = _block_function(env, template, block_name, context)
    return app, template, function, ctx


def render_block(template_name_or_list: _TemplateRef, block_name: str, **context: t.Any) -> str:
    """Render one block of a template, as the full page would render it.

    The block sees the context processors' values and its template's
    top-level imports and sets; blocks nested in it, ``super()`` and
    blocks inherited from parent templates work; escaping follows each
    template's extension. ``template_rendered`` is sent with the template.

    :raises LookupError: if neither the template nor a parent has the block.
    """
    app, template, function, ctx = _prepare_block(
        "render_block", template_name_or_list, block_name, context
    )
    env = app.jinja_env
    try:
        rv = env.concat(_chunks(env, function(ctx)))
    except Exception:
        env.handle_exception()
    _send(template_rendered, app, template, context)
    return rv


def stream_block(
    template_name_or_list: _TemplateRef, block_name: str, **context: t.Any
) -> t.Iterator[str]:
    """Render one block of a template as an iterator of strings.

    As :func:`render_block`; an unknown block raises before streaming starts.
    """
    app, template, function, ctx = _prepare_block(
        "stream_block", template_name_or_list, block_name, context
    )
    env = app.jinja_env

    def generate() -> t.Iterator[str]:
        try:
            yield from _chunks(env, function(ctx))
        except Exception:
            yield env.handle_exception()
        _send(template_rendered, app, template, context)

    if _cv_request.get(None) is None:
        return generate()
    return stream_with_context(generate())
