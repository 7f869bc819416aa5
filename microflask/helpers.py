"""Helpers for views: URLs, redirects, errors, flashes, files, streaming."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import typing as t
from functools import update_wrapper

import werkzeug.utils
from werkzeug.exceptions import Aborter, BadRequest
from werkzeug.exceptions import abort as _wz_abort

from . import signals
from .globals import _cv_app, _cv_request, current_app, request, request_ctx, session

if t.TYPE_CHECKING:
    from werkzeug.wrappers import Response as BaseResponse

    from .app import Microflask
    from .wrappers import Response

__all__ = [
    "Aborter",
    "abort",
    "flash",
    "get_debug_flag",
    "get_flashed_messages",
    "get_root_path",
    "get_template_attribute",
    "make_response",
    "redirect",
    "require_app",
    "send_file",
    "send_from_directory",
    "stream_with_context",
    "url_for",
]

# ASCII control characters, refused in header values made from app data (a
# redirect's Location, a download name): CR/LF would split the header, servers
# refuse the others, and browsers drop tabs and newlines, turning
# "/\t/evil.example" into "//evil.example".
CONTROL_CHARS = re.compile("[\x00-\x1f\x7f]")


def get_debug_flag() -> bool:
    """Return whether ``MICROFLASK_DEBUG`` asks for debug mode."""
    val = os.environ.get("MICROFLASK_DEBUG")
    return bool(val and val.lower() not in {"0", "false", "no"})


def get_load_dotenv(default: bool = True) -> bool:
    """Return whether to load ``.env`` files: ``MICROFLASK_SKIP_DOTENV`` unset."""
    val = os.environ.get("MICROFLASK_SKIP_DOTENV")
    if not val:
        return default
    return val.lower() in {"0", "false", "no"}


def get_root_path(import_name: str) -> str:
    """Return the folder of the module or package *import_name*.

    :raises RuntimeError: for a namespace package spanning several folders.
    """
    mod = sys.modules.get(import_name)
    if mod is not None and getattr(mod, "__file__", None) is not None:
        return os.path.dirname(os.path.abspath(t.cast(str, mod.__file__)))
    try:
        spec = importlib.util.find_spec(import_name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.loader is None:
        return os.getcwd()  # not found, or a namespace package not imported yet
    if spec.origin not in (None, "namespace"):
        return os.path.dirname(os.path.abspath(spec.origin))
    locations = list(spec.submodule_search_locations or ())
    if len(locations) != 1:
        raise RuntimeError(
            f"No root path can be found for {import_name!r}: it is a namespace"
            " package spanning several folders. Pass 'root_path' explicitly."
        )
    return os.path.abspath(locations[0])


def require_app(action: str) -> Microflask:
    """Return the current app, for *action* (a function's name) that needs one.

    :raises RuntimeError: outside an application context.
    """
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        raise RuntimeError(
            f"Working outside of application context: {action}() needs the current app."
            " Call it from a view, or inside 'with app.app_context():'."
        )
    return app_ctx.app


def url_for(
    endpoint: str,
    *,
    _anchor: str | None = None,
    _method: str | None = None,
    _scheme: str | None = None,
    _external: bool | None = None,
    **values: t.Any,
) -> str:
    """Build the URL of *endpoint*; see ``Microflask.url_for``."""
    return current_app.url_for(
        endpoint,
        _anchor=_anchor,
        _method=_method,
        _scheme=_scheme,
        _external=_external,
        **values,
    )


def redirect(
    location: str, code: int = 302, Response: type[BaseResponse] | None = None
) -> BaseResponse:
    """Return a response redirecting to *location*, made by ``app.redirect``.

    *Response* is used only outside an app: in one, the app's response class is.
    """
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        return app_ctx.app.redirect(location, code=code)
    return werkzeug.utils.redirect(location, code=code, Response=Response)


def abort(code: int | BaseResponse, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the HTTPException for *code* (via ``app.aborter`` in an app)."""
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        app_ctx.app.aborter(code, *args, **kwargs)
    _wz_abort(code, *args, **kwargs)


def make_response(*args: t.Any) -> Response:
    """Turn view-style return values into a response, e.g. to add headers."""
    if not args:
        return current_app.response_class()
    if len(args) == 1:
        args = args[0]
    return current_app.make_response(args)


def flash(message: str, category: str = "message") -> None:
    """Store *message* in the session for the next request to show."""
    flashes = session.get("_flashes", [])
    flashes.append((category, message))
    session["_flashes"] = flashes
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if signals.message_flashed.receivers:
        signals.message_flashed.send(
            app, _async_wrapper=app.ensure_sync, message=message, category=category
        )


def get_flashed_messages(
    with_categories: bool = False, category_filter: t.Iterable[str] = ()
) -> list[str] | list[tuple[str, str]]:
    """Pop the flashed messages (once per request), optionally with categories."""
    ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
    flashes = ctx.flashes
    if flashes is None:
        flashes = ctx.session.pop("_flashes") if "_flashes" in ctx.session else []
        ctx.flashes = flashes
    if category_filter:
        # Tested with ``in`` as Flask does, so a plain string filters too, and a
        # category that cannot be hashed (a list) is compared, not refused.
        wanted = category_filter if isinstance(category_filter, str) else list(category_filter)
        flashes = [f for f in flashes if f[0] in wanted]
    if with_categories:
        return t.cast("list[tuple[str, str]]", flashes)  # as stored, as Flask does
    return [f[1] for f in flashes]


def send_file(
    path_or_file: os.PathLike[str] | str | t.IO[bytes],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: t.Any = None,
    max_age: None | int | t.Callable[[str | None], int | None] = None,
) -> Response:
    """Send a file or file-like object; see ``werkzeug.utils.send_file``."""
    return _send(
        werkzeug.utils.send_file,
        path_or_file,
        mimetype=mimetype,
        as_attachment=as_attachment,
        download_name=download_name,
        conditional=conditional,
        etag=etag,
        last_modified=last_modified,
        max_age=max_age,
    )


def send_from_directory(
    directory: os.PathLike[str] | str,
    path: os.PathLike[str] | str,
    **kwargs: t.Any,
) -> Response:
    """Send *path* from inside *directory*; anything that escapes it is a 404."""
    return _send(werkzeug.utils.send_from_directory, directory, path, **kwargs)


def _send(send: t.Callable[..., BaseResponse], *args: t.Any, **kwargs: t.Any) -> Response:
    """Call Werkzeug's *send* with the request and the current app's settings."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if kwargs.get("max_age") is None:
        kwargs["max_age"] = app.get_send_file_max_age
    name = kwargs.get("download_name")
    if isinstance(name, str) and CONTROL_CHARS.search(name):
        # Werkzeug puts it in Content-Disposition: a line break raises, and WSGI
        # servers refuse the other control characters; both were a 500.
        raise BadRequest("Download name contains control characters.")
    return send(  # type: ignore[return-value]
        *args,
        request.environ,
        use_x_sendfile=app.config["USE_X_SENDFILE"],
        response_class=app.response_class,
        _root_path=app.root_path,
        **kwargs,
    )


_P = t.ParamSpec("_P")


@t.overload
def stream_with_context(generator_or_function: t.Iterator[t.AnyStr]) -> t.Iterator[t.AnyStr]: ...
@t.overload
def stream_with_context(
    generator_or_function: t.Callable[_P, t.Iterator[t.AnyStr]],
) -> t.Callable[_P, t.Iterator[t.AnyStr]]: ...
def stream_with_context(
    generator_or_function: t.Iterator[t.AnyStr] | t.Callable[..., t.Iterator[t.AnyStr]],
) -> t.Iterator[t.AnyStr] | t.Callable[..., t.Iterator[t.AnyStr]]:
    """Keep the request context active while a streamed response is generated.

    Works on a generator or as a decorator on a generator function.
    :raises RuntimeError: outside a request.
    """
    try:
        gen = iter(generator_or_function)  # type: ignore[arg-type]
    except TypeError:
        func = generator_or_function

        def decorator(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return stream_with_context(func(*args, **kwargs))  # type: ignore[operator]

        return update_wrapper(decorator, func)  # type: ignore[arg-type]
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "'stream_with_context' can only be used when a request context is active,"
            " such as in a view function."
        )
    app_ctx = _cv_app.get()

    def generator() -> t.Iterator[t.AnyStr]:
        # Primed inside the view; the contexts are pushed again when the server iterates,
        # pushing the app context first so the request context reuses its ``g``.
        yield None  # type: ignore[misc]
        with app_ctx, ctx:
            try:
                yield from gen
            finally:
                if hasattr(gen, "close"):
                    gen.close()

    wrapped = generator()
    next(wrapped)
    return wrapped


def get_template_attribute(template_name: str, attribute: str) -> t.Any:
    """Return a macro or variable a template exports, to call from Python.

    :raises AttributeError: if the template does not define ``attribute``.
    """
    return getattr(current_app.jinja_env.get_template(template_name).module, attribute)
