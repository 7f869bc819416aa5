"""The context variables and the proxies user code reaches them through.

The framework reads the context variables directly; the proxies here exist for user code,
which expects ``from microflask import request`` to work as it does with Flask.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, cast

from werkzeug.local import LocalProxy

if TYPE_CHECKING:
    from .app import Microflask
    from .ctx import AppContext, RequestContext, _AppCtxGlobals
    from .sessions import SessionMixin
    from .wrappers import Request

__all__ = ["app_ctx", "current_app", "g", "request", "request_ctx", "session"]

_NO_APP = """\
Working outside of application context.

This code needs the current application, but none is active. Push one with
'with app.app_context():' (or run the code inside a request).\
"""
_NO_REQUEST = """\
Working outside of request context.

This code needs an active HTTP request. Push one with
'with app.test_request_context():' in tests, or run it inside a view.\
"""


class _ContextProxy(LocalProxy):  # type: ignore[type-arg]
    """Werkzeug's LocalProxy with a one-call path for plain attribute reads.

    ``request.form`` is read in nearly every view; LocalProxy resolves it through three
    Python calls, this does it in one; ``repr`` likewise. Everything else is LocalProxy's.
    """

    __slots__ = ("_mf_var", "_mf_name", "_mf_message")

    def __init__(self, var: ContextVar[Any], name: str, message: str) -> None:
        super().__init__(var, name, unbound_message=message)
        object.__setattr__(self, "_mf_var", var)
        object.__setattr__(self, "_mf_name", name)
        object.__setattr__(self, "_mf_message", message)

    def __getattr__(self, attr: str) -> Any:
        try:
            ctx = self._mf_var.get()
        except LookupError:
            raise RuntimeError(self._mf_message) from None
        return getattr(getattr(ctx, self._mf_name), attr)

    def __repr__(self) -> str:
        try:
            ctx = self._mf_var.get()
        except LookupError:
            return "<LocalProxy unbound>"  # as Werkzeug's proxies show it
        return repr(getattr(ctx, self._mf_name))


_cv_app: ContextVar[AppContext] = ContextVar("microflask.app_ctx")
_cv_request: ContextVar[RequestContext] = ContextVar("microflask.request_ctx")


def _request_context() -> RequestContext:
    """Return the active request context, as the ``request`` proxy finds it.

    :raises RuntimeError: outside a request, with the proxies' message.
    """
    try:
        return _cv_request.get()
    except LookupError:
        raise RuntimeError(_NO_REQUEST) from None


app_ctx: AppContext = cast("AppContext", LocalProxy(_cv_app, unbound_message=_NO_APP))
current_app: Microflask = cast("Microflask", _ContextProxy(_cv_app, "app", _NO_APP))
g: _AppCtxGlobals = cast("_AppCtxGlobals", _ContextProxy(_cv_app, "g", _NO_APP))
request_ctx: RequestContext = cast(
    "RequestContext", LocalProxy(_cv_request, unbound_message=_NO_REQUEST)
)
request: Request = cast("Request", _ContextProxy(_cv_request, "request", _NO_REQUEST))
session: SessionMixin = cast("SessionMixin", _ContextProxy(_cv_request, "session", _NO_REQUEST))
