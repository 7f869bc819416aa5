"""Template fragments: render one block of a template, as the page would.

Beyond Flask (pallets/flask#5243). :func:`render_block` and :func:`stream_block`
render a single ``{% block %}`` with everything a full render gives it: the
context processors, the template signals, ``super()``, blocks nested in it or
inherited from parent templates, the template's top-level ``{% import %}``,
``{% set %}`` and ``{% macro %}``, and autoescaping by each template's extension.
"""

from __future__ import annotations

import collections
import functools
import typing as t
import weakref

import jinja2
from jinja2 import nodes

from .globals import _cv_request
from .helpers import require_app, stream_with_context
from .templating import render_chunks

if t.TYPE_CHECKING:
    from .templating import _TemplateRef

__all__ = ["render_block", "stream_block"]

# How: the block functions of the whole inheritance chain are stacked on one
# context, as Jinja's own render does, so super() and nested blocks resolve;
# each template's top-level statements run first, without its output. To run
# them, the template's source is parsed again and its top-level statements,
# minus output and blocks, compiled into a "prelude" template (cached per
# compiled template); {% extends x %} becomes a call that loads the parent and
# stacks its blocks there, so later top-level statements can call them. Three
# names without an underscore are missing from Jinja's documentation:
# Template.blocks, Template.root_render_func and Template.from_code (which
# Jinja's loaders call).
#
# Why not jinja2-fragments: it renders template.blocks[name] on a fresh context,
# so a block only a parent defines is "not found", super() fails, a top-level
# import is undefined in the block, and template_rendered is not sent. Its core
# is some twenty lines: depending on it would save no code, only lose cases.

_EXTEND = "_microflask_extend"
_KEPT_STATEMENTS = (
    nodes.Assign,
    nodes.AssignBlock,
    nodes.ExprStmt,
    nodes.FromImport,
    nodes.Import,
    nodes.Macro,
)
# Per compiled template: its prelude, and the names of its required blocks.
_Prelude = tuple[jinja2.Template | None, frozenset[str]]
_preludes: weakref.WeakKeyDictionary[jinja2.Template, _Prelude] = weakref.WeakKeyDictionary()


def _statements(body: list[nodes.Node]) -> list[nodes.Node]:
    """Return the statements of *body* that run without output."""
    kept: list[nodes.Node] = []
    for node in body:
        if isinstance(node, nodes.Extends):
            extend = nodes.Name(_EXTEND, "load", lineno=node.lineno)
            call = nodes.Call(extend, [node.template], [], None, None, lineno=node.lineno)
            kept.append(nodes.ExprStmt(call, lineno=node.lineno))
        elif isinstance(node, _KEPT_STATEMENTS):
            kept.append(node)
        elif isinstance(node, (nodes.If, nodes.For)):
            # A conditional {% extends %} or {% set %}, or a namespace set in a loop.
            branches = [node, *node.elif_] if isinstance(node, nodes.If) else [node]
            for branch in branches:
                branch.body = _statements(branch.body)
            node.else_ = _statements(node.else_)
            if node.else_ or any(branch.body for branch in branches):
                kept.append(node)
    return kept


def _prelude(template: jinja2.Template) -> _Prelude:
    """Return the template's top-level statements as a template, or None.

    Also return the names of the blocks it marks ``required``.
    """
    if template in _preludes:
        return _preludes[template]
    env = template.environment
    prelude, required = None, frozenset[str]()
    # A template made from a string has no name to load its source by: only
    # its own blocks can be rendered.
    if template.name is not None and env.loader is not None:
        source, filename, _ = env.loader.get_source(env, template.name)
        tree = env.parse(source, template.name, filename)
        required = frozenset(block.name for block in tree.find_all(nodes.Block) if block.required)
        body = _statements(tree.body)
        if body:
            code = env.compile(nodes.Template(body), template.name, filename)
            prelude = env.template_class.from_code(env, code, template.globals)
    _preludes[template] = prelude, required
    return prelude, required


def _chunks(env: jinja2.Environment, chunks: t.Any) -> t.Iterator[str]:
    """Iterate a render function's output, as ``Template.generate`` does.

    An async environment's output is collected first; an error is raised
    with its traceback pointing at the template's line.
    """
    try:
        if env.is_async:
            import asyncio  # only async environments pay for the import

            async def collect() -> list[str]:
                return [chunk async for chunk in chunks]

            chunks = asyncio.run(collect())
        yield from chunks
    except Exception:
        yield env.handle_exception()


def _render_block(
    template: jinja2.Template, block_name: str, context: dict[str, t.Any]
) -> t.Iterator[str]:
    """Return the block's chunks, rendered in the context a full render makes.

    :raises LookupError: if no template in the chain defines the block.
    :raises jinja2.TemplateRuntimeError: if it is required and not overridden.
    """
    env = template.environment
    ctx = template.new_context(context)
    chain = [template]

    def extend(parent: str | jinja2.Template) -> None:
        chain.append(env.get_template(parent, chain[-1].name))
        for name, function in chain[-1].blocks.items():
            ctx.blocks.setdefault(name, []).append(function)

    ctx.vars[_EXTEND] = extend
    current = None
    while current is not chain[-1]:
        current = chain[-1]
        if (prelude := _prelude(current)[0]) is None:
            break
        collections.deque(_chunks(env, prelude.root_render_func(ctx)), maxlen=0)
    del ctx.vars[_EXTEND]
    if block_name not in ctx.blocks:
        raise LookupError(
            f"Template {template.name!r} has no block {block_name!r}; its blocks (with its"
            f" parents') are {sorted(ctx.blocks)!r}. Check the name in the {{% block %}} tag."
        )
    functions = ctx.blocks[block_name]
    # As where a full render places the block: a required one must be overridden.
    if len(functions) == 1 and any(block_name in _prelude(c)[1] for c in chain):
        raise jinja2.TemplateRuntimeError(f"Required block {block_name!r} not found")
    return _chunks(env, functions[0](ctx))


def _block_chunks(
    action: str, template_name_or_list: _TemplateRef, block_name: str, context: dict[str, t.Any]
) -> t.Iterator[str]:
    """Prepare the block's render; the returned iterator renders it."""
    app = require_app(action)
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    render = functools.partial(_render_block, template, block_name)
    return render_chunks(app, template, context, render)


def render_block(template_name_or_list: _TemplateRef, block_name: str, **context: t.Any) -> str:
    """Render one block of a template, as the full page would render it.

    The block sees the context processors' values and its template's
    top-level imports and sets; blocks nested in it, ``super()`` and
    blocks inherited from parent templates work; escaping follows each
    template's extension. ``template_rendered`` is sent with the template.

    :raises LookupError: if neither the template nor a parent has the block.
    """
    return "".join(_block_chunks("render_block", template_name_or_list, block_name, context))


def stream_block(
    template_name_or_list: _TemplateRef, block_name: str, **context: t.Any
) -> t.Iterator[str]:
    """Render one block of a template as an iterator of strings.

    As :func:`render_block`; an unknown block raises before streaming starts.
    Inside a request, the request context stays available while it streams.
    """
    chunks = _block_chunks("stream_block", template_name_or_list, block_name, context)
    return chunks if _cv_request.get(None) is None else stream_with_context(chunks)
