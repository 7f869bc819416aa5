"""Debug-mode explanations for mistakes that are otherwise silent.

Each helper here turns a puzzle into a sentence: a file read from a form
that was not sent as ``multipart/form-data`` (:class:`DebugFilesKeyError`),
a routing redirect that would make the browser drop a form body
(:class:`FormDataRoutingRedirect`), and the template loaders tried for a
template when ``EXPLAIN_TEMPLATE_LOADING`` is on
(:func:`explain_template_loading_attempts`). They run only in debug mode or
when asked, so a production request never pays for them.
"""

from __future__ import annotations

import typing as t

from .globals import _cv_request

if t.TYPE_CHECKING:
    import jinja2
    from werkzeug.routing import RequestRedirect

    from .app import Microflask
    from .blueprints import Blueprint
    from .wrappers import Request

__all__ = [
    "DebugFilesKeyError",
    "FormDataRoutingRedirect",
    "attach_enctype_error_multidict",
    "explain_template_loading_attempts",
]

#: One loader tried for a template: its owner, the loader, and what it found
#: (``get_source``'s triple) or None.
TemplateAttempt: t.TypeAlias = tuple[
    "Microflask | Blueprint",
    "jinja2.BaseLoader",
    "tuple[str, str | None, t.Callable[[], bool] | None] | None",
]


class DebugFilesKeyError(KeyError, AssertionError):
    """A file read from ``request.files`` that the form never sent.

    Raised in debug mode instead of a plain ``KeyError`` (a 400) when the
    form was not sent as ``multipart/form-data``.
    """

    def __init__(self, request: Request, key: str) -> None:
        names = request.form.getlist(key)
        self.msg = (
            f"request.files has no file {key!r}: the form was sent as"
            f" {request.mimetype!r}, not 'multipart/form-data', so the browser"
            " sent no file contents"
            + (f", only the file name(s) {names!r} as a form field" if names else "")
            + '. Add enctype="multipart/form-data" to the <form> tag.'
            " (This explanation is shown in debug mode only.)"
        )
        super().__init__(self.msg)

    def __str__(self) -> str:
        return self.msg


def attach_enctype_error_multidict(request: Request) -> None:
    """Make ``request.files[key]`` explain a missing multipart encoding.

    Only a key the form sent as a plain field raises
    :class:`DebugFilesKeyError`; other missing keys stay ``KeyError``.
    """
    base = type(request.files)

    class _ExplainingFiles(base):  # type: ignore[valid-type,misc]
        def __getitem__(self, key: str) -> t.Any:
            try:
                return super().__getitem__(key)
            except KeyError as e:
                if key not in request.form:
                    raise
                raise DebugFilesKeyError(request, key) from e

    _ExplainingFiles.__name__ = base.__name__
    _ExplainingFiles.__qualname__ = base.__qualname__
    request.files.__class__ = _ExplainingFiles


class FormDataRoutingRedirect(AssertionError):
    """A routing redirect that would make the browser drop the form body.

    Raised in debug mode instead of a 301 or 302 redirect to a rule's
    canonical URL (usually the one with a trailing slash) for a request
    with a body.
    """

    def __init__(self, request: Request) -> None:
        error = t.cast("RequestRedirect", request.routing_exception)
        message = (
            f"A {request.method} request to {request.url!r} was redirected by routing to"
            f" the canonical URL {error.new_url!r} with a {error.code}, so the browser would"
            " drop the form data."
        )
        if error.new_url.split("?")[0] == request.base_url + "/":
            message += (
                " The URL was sent without the trailing slash its rule has: point the"
                " form's action at the URL with the slash."
            )
        message += (
            " Send requests to the canonical URL, or keep routing redirects 307 or 308."
            " This check only runs in debug mode."
        )
        super().__init__(message)


def explain_template_loading_attempts(
    app: Microflask, template: str, attempts: list[TemplateAttempt]
) -> None:
    """Log, at INFO on ``app.logger``, each loader tried for *template*."""
    lines = [f"Locating template {template!r}:"]
    for index, (owner, loader, source) in enumerate(attempts, 1):
        if owner is app:
            where = f"application {app.import_name!r}"
        else:
            where = f"blueprint {owner.name!r} ({owner.import_name})"
        lines.append(f"{index:5}: trying loader of {where}")
        lines.extend(f"       {line}" for line in _loader_details(loader))
        found = "no match" if source is None else f"found ({source[1] or '<string>'!r})"
        lines.append(f"       -> {found}")
    matches = sum(source is not None for _, _, source in attempts)
    lines.extend(_advice(matches, bool(attempts)))
    app.logger.info("\n".join(lines))


def _advice(matches: int, any_loader: bool) -> list[str]:
    if matches == 1:
        return []
    if matches > 1:
        lines = ["Warning: multiple loaders returned a match for the template."]
    else:
        lines = ["Error: the template could not be found."]
        if not any_loader:
            lines.append("  No template folder is configured (template_folder=None).")
    # As in Flask, also when several folders match: the app's then shadows the blueprint's.
    ctx = _cv_request.get(None)
    if ctx is not None and ctx.request.blueprint is not None:
        lines.append(
            "  The template was looked up from an endpoint that belongs to the"
            f" blueprint {ctx.request.blueprint!r}.\n  Maybe you did not place a"
            " template in the right folder?\n"
            "  See https://flask.palletsprojects.com/blueprints/#templates"
        )
    return lines


def _loader_details(loader: jinja2.BaseLoader) -> t.Iterator[str]:
    """Yield the loader's class, then its public settings, one per line.

    Only plain values are shown: a list of other loaders (``ChoiceLoader``)
    is left out, as Flask leaves it, rather than printed as object reprs.
    """
    yield f"class: {type(loader).__module__}.{type(loader).__name__}"
    for key, value in sorted(vars(loader).items()):
        if key.startswith("_"):
            continue
        if isinstance(value, (list, tuple)):
            if not all(isinstance(item, str) for item in value):
                continue
            yield f"{key}:"
            yield from (f"  - {item}" for item in value)
        elif isinstance(value, (str, int, float, bool)):
            yield f"{key}: {value!r}"
