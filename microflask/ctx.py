"""The application and request contexts, and helpers that use them.

A context is pushed onto a ``ContextVar`` for as long as the app or a request is being
handled; the framework's methods read it from there, and user code reaches it through the
proxies in ``globals``.
"""

from __future__ import annotations

import contextvars
import sys
import typing as t
from functools import cached_property, update_wrapper
from types import TracebackType

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request as _BaseRequest

from . import signals
from .globals import _cv_app, _cv_request

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.routing import MapAdapter

    from . import typing as ft
    from .app import Microflask
    from .sessions import SessionMixin
    from .wrappers import Request

__all__ = [
    "AppContext",
    "RequestContext",
    "after_this_request",
    "copy_current_request_context",
    "has_app_context",
    "has_request_context",
]

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
_sentinel = object()


class _AppCtxGlobals:
    """A plain namespace for data kept for the life of an app context (``g``)."""

    def __getattr__(self, name: str) -> t.Any:
        raise AttributeError(f"'g' has no attribute {name!r}") from None

    if t.TYPE_CHECKING:
        # Lets type checkers accept ``g.user = ...``; at run time the default
        # object.__setattr__ stays, which is faster than any override.
        def __setattr__(self, name: str, value: t.Any) -> None: ...

    def get(self, name: str, default: t.Any | None = None) -> t.Any:
        """Return attribute *name*, or *default* when it is not set."""
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: t.Any = _sentinel) -> t.Any:
        """Remove and return attribute *name*; without *default*, raise KeyError."""
        if default is _sentinel:
            return self.__dict__.pop(name)
        return self.__dict__.pop(name, default)

    def setdefault(self, name: str, default: t.Any = None) -> t.Any:
        """Return attribute *name*, setting it to *default* first if missing."""
        return self.__dict__.setdefault(name, default)

    def __contains__(self, name: str) -> bool:
        return name in self.__dict__

    def __iter__(self) -> t.Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        app = _cv_app.get(None)
        return f"<microflask.g of {app.app.name!r}>" if app else object.__repr__(self)


class AppContext:
    """The state of an active application: ``current_app`` and ``g``."""

    def __init__(self, app: Microflask) -> None:
        self.app = app
        self._g: _AppCtxGlobals | None = None
        self._cv_tokens: list[contextvars.Token[AppContext]] = []

    @cached_property
    def url_adapter(self) -> MapAdapter | None:
        """The URL adapter bound to ``SERVER_NAME``, created on first use."""
        return self.app.create_url_adapter(None)

    @property
    def g(self) -> _AppCtxGlobals:
        """The ``g`` namespace, created on first use."""
        if self._g is None:
            self._g = self.app.app_ctx_globals_class()
        return self._g

    @g.setter
    def g(self, value: _AppCtxGlobals) -> None:
        self._g = value

    def push(self) -> None:
        """Make this context the current one."""
        self._cv_tokens.append(_cv_app.set(self))
        if signals.appcontext_pushed.receivers:
            signals.appcontext_pushed.send(self.app, _async_wrapper=self.app.ensure_sync)

    def pop(self, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Pop this context, running teardown functions when it is the last push.

        :raises AssertionError: if this is not the current context.
        """
        try:
            if len(self._cv_tokens) == 1:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_appcontext(exc)
        finally:
            ctx = _cv_app.get()
            _cv_app.reset(self._cv_tokens.pop())
        if ctx is not self:
            raise AssertionError(f"Popped wrong app context. ({ctx!r} instead of {self!r})")
        if signals.appcontext_popped.receivers:
            signals.appcontext_popped.send(self.app, _async_wrapper=self.app.ensure_sync)

    def __enter__(self) -> AppContext:
        self.push()
        return self

    def __exit__(
        self,
        exc_type: type | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.pop(exc_value)

    def __repr__(self) -> str:
        return f"<AppContext {self.app.name!r}>"


class RequestContext:
    """The state of a request being handled: request, session, flashes.

    The session is opened on first access, so a request that never touches it never pays for
    parsing and verifying the cookie.
    """

    def __init__(
        self,
        app: Microflask,
        environ: WSGIEnvironment,
        request: Request | None = None,
        session: SessionMixin | None = None,
    ) -> None:
        self.app = app
        if request is None:
            request = app.request_class(environ)
            request.json_module = app.json
        self.request: Request = request
        self.url_adapter: MapAdapter | None = None
        try:
            self.url_adapter = app.create_url_adapter(request)
        except HTTPException as e:
            request.routing_exception = e
        self.flashes: list[tuple[str, str]] | None = None
        self._session = session
        #: The functions :func:`after_this_request` registered for this request.
        self.after_request_functions: list[t.Callable[..., t.Any]] = []
        self._cv_tokens: list[tuple[contextvars.Token[RequestContext], AppContext | None]] = []

    @property
    def session(self) -> SessionMixin:
        """The session, opened from the request's cookie on first access.

        Any access marks it ``accessed`` (so the response varies on the cookie), as Flask's.
        """
        session = self._session
        if session is None:
            interface = self.app.session_interface
            session = interface.open_session(self.app, self.request)
            if session is None:
                session = interface.make_null_session(self.app)
            self._session = session
        session.accessed = True
        return session

    @session.setter
    def session(self, value: SessionMixin) -> None:
        self._session = value

    def opened_session(self) -> SessionMixin | None:
        """Return the session if it was opened, without opening it."""
        return self._session

    def copy(self) -> RequestContext:
        """Return a new context for the same request and session.

        The session is opened now, so that both contexts share the one object and what
        the copy writes to it is saved with this request's response.
        """
        session = self._session
        if session is None:
            session = self.session
            session.accessed = False  # opened for sharing, not yet used
        return self.__class__(self.app, self.request.environ, self.request, session)

    def match_request(self) -> None:
        """Match the URL, storing the rule and view arguments or the error."""
        try:
            rule, args = self.url_adapter.match(return_rule=True)  # type: ignore[union-attr]
            self.request.url_rule, self.request.view_args = rule, dict(args)
        except HTTPException as e:
            self.request.routing_exception = e

    def push(self) -> None:
        """Make this context current, pushing an app context first if needed."""
        app_ctx = _cv_app.get(None)
        if app_ctx is None or app_ctx.app is not self.app:
            app_ctx = self.app.app_context()
            app_ctx.push()
        else:
            app_ctx = None
        self._cv_tokens.append((_cv_request.set(self), app_ctx))
        if self.url_adapter is not None:
            # Every push matches, as Flask's does: a copy or a re-push gets back view
            # arguments that a URL value preprocessor popped.
            self.match_request()

    def pop(self, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Pop this context; on the last pop run teardowns and close the request.

        :raises AssertionError: if this is not the current context.
        """
        clear = len(self._cv_tokens) == 1
        try:
            if clear:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_request(exc)
                request = self.request
                # Werkzeug's close only closes parsed files; skip the call when none were.
                if "files" in request.__dict__ or type(request).close is not _BaseRequest.close:
                    request.close()
        finally:
            ctx = _cv_request.get()
            token, app_ctx = self._cv_tokens.pop()
            _cv_request.reset(token)
            if clear:
                ctx.request.environ["werkzeug.request"] = None
            if app_ctx is not None:
                app_ctx.pop(exc)
            if ctx is not self:
                raise AssertionError(f"Popped wrong request context. ({ctx!r} instead of {self!r})")

    def __enter__(self) -> RequestContext:
        self.push()
        return self

    def __exit__(
        self,
        exc_type: type | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.pop(exc_value)

    def __repr__(self) -> str:
        req = self.request
        return f"<RequestContext {req.url!r} [{req.method}] of {self.app.name}>"


def _default_template_ctx_processor() -> dict[str, t.Any]:
    """Return ``g`` and ``request`` for the template context."""
    rv: dict[str, t.Any] = {}
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        rv["g"] = app_ctx.g
    ctx = _cv_request.get(None)
    if ctx is not None:
        rv["request"] = ctx.request
    # No "session": the global proxy serves templates, and opening the session
    # here would parse the cookie and add "Vary: Cookie" to every rendered page.
    return rv


def has_app_context() -> bool:
    """Return whether an application context is active."""
    return _cv_app.get(None) is not None


def has_request_context() -> bool:
    """Return whether a request context is active."""
    return _cv_request.get(None) is not None


def after_this_request(f: ft.T_after_request) -> ft.T_after_request:
    """Run *f* on the response of the current request, after the view.

    :raises RuntimeError: outside a request.
    """
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "'after_this_request' can only be used when a request context is active, such"
            " as in a view function."
        )
    ctx.after_request_functions.append(f)
    return f


def copy_current_request_context(f: F) -> F:
    """Wrap *f* so it runs inside a copy of the current request context.

    Useful for work handed to a thread or greenlet that outlives the view.

    :raises RuntimeError: outside a request.
    """
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "'copy_current_request_context' can only be used when a request context is"
            " active, such as in a view function."
        )
    ctx = ctx.copy()

    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        with ctx:
            return ctx.app.ensure_sync(f)(*args, **kwargs)

    return update_wrapper(wrapper, f)  # type: ignore[return-value]
