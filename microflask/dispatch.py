"""The request cycle: from the WSGI call to the response, and the errors on the way.

``wsgi_app`` pushes a request context, runs the hooks and the view, turns the return value into
a response, and always pops the context so every teardown runs. A mixin of ``Microflask``.
"""

from __future__ import annotations

import collections.abc as cabc
import inspect
import sys
import typing as t
from functools import update_wrapper
from itertools import chain

from werkzeug.datastructures import Headers
from werkzeug.exceptions import BadRequest, BadRequestKeyError, HTTPException, InternalServerError
from werkzeug.routing import MapAdapter, RequestRedirect, Rule
from werkzeug.routing.exceptions import NoMatch, RoutingException
from werkzeug.wrappers import Response as BaseResponse

from . import csrf, signals
from . import typing as ft
from .ctx import RequestContext
from .globals import _cv_app, _cv_request, request_ctx

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from .app import _HookChain
    from .config import Config
    from .json.provider import JSONProvider
    from .sessions import SessionInterface
    from .wrappers import Request, Response

__all__ = ["RequestCycle"]

_BODYLESS_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
_ROUTING_ERRORS = (NoMatch, RoutingException)
# The methods the cycle calls with ``ctx=``. Flask's have no such parameter, so an override
# written for Flask (in a subclass, or set on the app as extensions do) is adapted to drop it;
# its ``super()`` or wrapped calls then find the context through the context variable.
_CTX_METHODS = frozenset(
    (
        "full_dispatch_request",
        "preprocess_request",
        "dispatch_request",
        "make_default_options_response",
        "finalize_request",
        "process_response",
        "handle_user_exception",
        "handle_http_exception",
        "handle_exception",
    )
)


class RequestCycle:
    """Handling one request, as ``Microflask`` does it; its methods are the app's."""

    if t.TYPE_CHECKING:  # provided by Microflask
        config: Config
        debug: bool
        testing: bool
        json: JSONProvider
        response_class: type[Response]
        session_interface: SessionInterface
        view_functions: dict[str, ft.RouteCallable]
        error_handler_spec: dict[
            ft.AppOrBlueprintKey,
            dict[int | None, dict[type[BaseException], ft.ErrorHandlerCallable]],
        ]
        teardown_appcontext_funcs: list[ft.TeardownCallable]
        _got_first_request: bool
        _hook_cache: dict[str | None, _HookChain]
        _sync_views: dict[t.Callable[..., t.Any], t.Callable[..., t.Any]]

        def _log_error(self, message: str, exc_info: t.Any) -> None: ...
        def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]: ...
        def _hooks(self, blueprint: str | None) -> _HookChain: ...
        def request_context(self, environ: WSGIEnvironment) -> RequestContext: ...

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _CTX_METHODS:
            func = cls.__dict__.get(name)
            if inspect.isfunction(func) and not _takes_ctx(func):
                setattr(cls, name, _without_ctx(func))

    def __setattr__(self, name: str, value: t.Any) -> None:
        # Flask-RESTful, for one, replaces ``app.handle_user_exception`` with a wrapper.
        if name in _CTX_METHODS and callable(value) and not _takes_ctx(value):
            value = _without_ctx(value)
        object.__setattr__(self, name, value)

    def wsgi_app(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> cabc.Iterable[bytes]:
        """Handle one WSGI request: push a context, dispatch, always pop."""
        if not self._got_first_request and (  # TEMP hook for typed views (lead will replace)
            self.config.get("OPENAPI_URL") or self.config.get("OPENAPI_DOCS_URL")
        ):
            from .openapi import register_openapi_routes

            register_openapi_routes(self)  # type: ignore[arg-type]
        ctx = self.request_context(environ)
        error: BaseException | None = None
        try:
            try:
                ctx.push()
                response = self.full_dispatch_request(ctx=ctx)
            except Exception as e:
                error = e
                response = self.handle_exception(e, ctx=ctx)
            except BaseException:
                error = sys.exc_info()[1]
                raise
            return response(environ, start_response)
        finally:
            if "werkzeug.debug.preserve_context" in environ:
                environ["werkzeug.debug.preserve_context"](_cv_app.get())
                environ["werkzeug.debug.preserve_context"](_cv_request.get())
            if error is not None and self.should_ignore_error(error):
                error = None
            ctx.pop(error)
            if ctx._spent_error is not None:
                _drop_tracebacks(ctx._spent_error)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> cabc.Iterable[bytes]:
        return self.wsgi_app(environ, start_response)

    def full_dispatch_request(self, ctx: RequestContext | None = None) -> Response:
        """Run the before hooks and the view, then finalize the response."""
        if ctx is None:
            ctx = _current_request_ctx()
        if not self._got_first_request:
            self._hook_cache.clear()
            self._got_first_request = True
        try:
            if signals.request_started.receivers:
                signals.request_started.send(self, _async_wrapper=self.ensure_sync)
            rv = self.preprocess_request(ctx=ctx)
            if rv is None:
                rv = self.dispatch_request(ctx=ctx)
        except Exception as e:
            rv = self.handle_user_exception(e, ctx=ctx)
            # An HTTP error no handler took (it is the response), or a routing error:
            # wsgi_app drops its traceback once the request is over.
            if e is ctx.request.routing_exception or (isinstance(rv, HTTPException) and rv is e):
                ctx._spent_error = e
        return self.finalize_request(rv, ctx=ctx)

    def preprocess_request(
        self, ctx: RequestContext | None = None
    ) -> ft.ResponseReturnValue | None:
        """Run URL value preprocessors, CSRF checks and before-request hooks.

        Returns the first non-None value a hook returns, which ends the request.
        """
        if ctx is None:
            ctx = _current_request_ctx()
        req = ctx.request
        rule = req.url_rule
        blueprint = (rule.endpoint.rpartition(".")[0] or None) if rule is not None else None
        hooks = self._hook_cache.get(blueprint) or self._hooks(blueprint)
        ctx._hooks = hooks
        for preprocess in hooks.url_value_preprocessors:
            preprocess(req.endpoint, req.view_args)
        if req.method not in csrf.SAFE_METHODS:
            csrf.protect(ctx.app, req)
        for before in hooks.before:
            rv = before()
            if rv is not None:
                return rv  # type: ignore[no-any-return]
        return None

    def dispatch_request(self, ctx: RequestContext | None = None) -> ft.ResponseReturnValue:
        """Call the matched view, or answer OPTIONS; raise the routing error if any."""
        if ctx is None:
            ctx = _current_request_ctx()
        req = ctx.request
        if req.routing_exception is not None:
            self.raise_routing_exception(req)
        rule: Rule = req.url_rule  # type: ignore[assignment]
        if req.method == "OPTIONS" and getattr(rule, "provide_automatic_options", False):
            return self.make_default_options_response(ctx=ctx)
        view = self.view_functions[rule.endpoint]
        try:
            sync_view = self._sync_views[view]
        except KeyError:
            sync_view = self._sync_views[view] = self.ensure_sync(view)
        except TypeError:  # an unhashable callable object
            sync_view = self.ensure_sync(view)
        return sync_view(**req.view_args)  # type: ignore[arg-type,no-any-return]

    def raise_routing_exception(self, request: Request) -> t.NoReturn:
        """Raise the error that URL matching stored on *request*.

        :raises AssertionError: in debug mode, instead of a 301 or 302 routing redirect
            for a request with a body, which browsers would resend without it.
        """
        error = t.cast(HTTPException, request.routing_exception)
        if (
            isinstance(error, RequestRedirect)
            and self.debug
            and error.code not in (307, 308)
            and request.method not in _BODYLESS_METHODS
        ):
            raise AssertionError(
                f"A {request.method} request to {request.url!r} was redirected by routing to"
                f" the canonical URL {error.new_url!r} with a {error.code}, so the browser"
                " would drop the form data. Send requests to the canonical URL (mind a"
                " rule's trailing slash), or keep routing redirects 307 or 308. This check"
                " only runs in debug mode."
            ) from error
        raise error

    def make_default_options_response(self, ctx: RequestContext | None = None) -> Response:
        """Return an empty response whose ``Allow`` header lists the URL's methods."""
        if ctx is None:
            ctx = _current_request_ctx()
        rv = self.response_class()
        rv.allow.update(t.cast(MapAdapter, ctx.url_adapter).allowed_methods())
        return rv

    def finalize_request(
        self,
        rv: ft.ResponseReturnValue | HTTPException,
        from_error_handler: bool = False,
        ctx: RequestContext | None = None,
    ) -> Response:
        """Turn *rv* into a response and run the after-request processing."""
        if ctx is None:
            ctx = _current_request_ctx()
        response = self.make_response(rv)
        try:
            response = self.process_response(response, ctx=ctx)
            if signals.request_finished.receivers:
                signals.request_finished.send(
                    self, _async_wrapper=self.ensure_sync, response=response
                )
        except Exception:
            if not from_error_handler:
                raise
            self._log_error(
                "Request finalizing failed with an error while handling an error", sys.exc_info()
            )
        return response

    def process_response(self, response: Response, ctx: RequestContext | None = None) -> Response:
        """Run after-this-request and after-request hooks, then save the session."""
        if ctx is None:
            ctx = _current_request_ctx()
        for func in ctx._after_request_functions:
            response = self.ensure_sync(func)(response)
        for after in (ctx._hooks or self._hooks(ctx.request.blueprint)).after:
            response = after(response)
        session = ctx._session
        if session is None and "HTTP_COOKIE" in ctx.request.environ:
            if self._should_refresh_session(ctx):
                session = ctx.session
                session.accessed = False  # opened to refresh it, not read by the app
        if session is not None and not self.session_interface.is_null_session(session):
            self.session_interface.save_session(ctx.app, session, response)
        return response

    def _should_refresh_session(self, ctx: RequestContext) -> bool:
        """Whether an untouched session must be opened to refresh its cookie."""
        if (
            "HTTP_COOKIE" not in ctx.request.environ
            or not self.config["SESSION_REFRESH_EACH_REQUEST"]
        ):
            return False
        interface = self.session_interface
        peek = getattr(interface, "may_need_refresh", None)
        if peek is not None:
            return bool(peek(ctx.app, ctx.request))
        return interface.get_cookie_name(ctx.app) in ctx.request.cookies

    def do_teardown_request(self, exc: BaseException | None = None) -> None:
        """Run every teardown-request function, innermost blueprint first.

        Each runs even if an earlier one raised; the first error is raised at the end.
        """
        ctx = _cv_request.get()
        teardown = (ctx._hooks or self._hooks(ctx.request.blueprint)).teardown
        if teardown:
            _run_all(teardown, exc)
        if signals.request_tearing_down.receivers:
            signals.request_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    def do_teardown_appcontext(self, exc: BaseException | None = None) -> None:
        """Run every teardown-appcontext function, last registered first."""
        _run_all([self.ensure_sync(f) for f in reversed(self.teardown_appcontext_funcs)], exc)
        if signals.appcontext_tearing_down.receivers:
            signals.appcontext_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    def should_ignore_error(self, error: BaseException | None) -> bool:
        """Return True to hide *error* from the teardown functions."""
        return False

    # -- errors ------------------------------------------------------------------------

    def _find_error_handler(
        self, e: Exception, blueprints: list[str]
    ) -> ft.ErrorHandlerCallable | None:
        """Return the handler for *e*: by code, then by class MRO, innermost bp first."""
        exc_class = type(e)
        # The class's code, as handlers are registered by class (an instance may set its own).
        code = getattr(exc_class, "code", None) if isinstance(e, HTTPException) else None
        spec = self.error_handler_spec
        if not spec:
            return None
        for c in (code, None) if code is not None else (None,):
            for name in chain(blueprints, (None,)):
                handler_map = spec.get(name, {}).get(c)
                if not handler_map:
                    continue
                for cls in exc_class.__mro__:
                    handler = handler_map.get(cls)
                    if handler is not None:
                        return handler
        return None

    def trap_http_exception(self, e: Exception) -> bool:
        """Return whether *e* should propagate instead of going to its handler."""
        if self.config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_request = self.config["TRAP_BAD_REQUEST_ERRORS"]
        if trap_bad_request is None and self.debug and isinstance(e, BadRequestKeyError):
            return True
        if trap_bad_request:
            return isinstance(e, BadRequest)
        return False

    def handle_http_exception(
        self, e: HTTPException, ctx: RequestContext | None = None
    ) -> HTTPException | ft.ResponseReturnValue:
        """Return the registered handler's result for *e*, or *e* itself."""
        if e.code is None or isinstance(e, RequestRedirect) or not self.error_handler_spec:
            return e
        if ctx is None:
            ctx = _current_request_ctx()
        handler = self._find_error_handler(e, ctx.request.blueprints)
        if handler is None:
            return e
        return self.ensure_sync(handler)(e)  # type: ignore[no-any-return]

    def handle_user_exception(
        self, e: Exception, ctx: RequestContext | None = None
    ) -> HTTPException | ft.ResponseReturnValue:
        """Handle an error raised by a hook or view; re-raise it if nothing handles it."""
        if ctx is None:
            ctx = _current_request_ctx()
        if isinstance(e, BadRequestKeyError) and (
            self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]
        ):
            e.show_exception = True
        if isinstance(e, HTTPException) and not self.trap_http_exception(e):
            return self.handle_http_exception(e, ctx=ctx)
        handler = self._find_error_handler(e, ctx.request.blueprints)
        if handler is None:
            raise
        return self.ensure_sync(handler)(e)  # type: ignore[no-any-return]

    def handle_exception(self, e: Exception, ctx: RequestContext | None = None) -> Response:
        """Handle an unhandled error: propagate it, or log it and answer 500.

        The 500 handler, if any, gets an ``InternalServerError`` whose
        ``original_exception`` is *e*; if that handler fails too, a plain 500 is sent.
        """
        if ctx is None:
            ctx = _current_request_ctx()
        exc_info = sys.exc_info()
        if signals.got_request_exception.receivers:
            signals.got_request_exception.send(self, _async_wrapper=self.ensure_sync, exception=e)
        propagate = self.config["PROPAGATE_EXCEPTIONS"]
        if propagate is None:
            propagate = self.testing or self.debug
        if propagate:
            if exc_info[1] is e:
                raise
            raise e
        self.log_exception(exc_info)
        server_error: InternalServerError | ft.ResponseReturnValue
        server_error = InternalServerError(original_exception=e)
        handler = self._find_error_handler(server_error, ctx.request.blueprints)
        if handler is not None:
            try:
                server_error = self.ensure_sync(handler)(server_error)
            except Exception:
                self._log_error("The 500 error handler raised an error", sys.exc_info())
                server_error = InternalServerError(original_exception=e)
        return self.finalize_request(server_error, from_error_handler=True, ctx=ctx)

    def log_exception(self, exc_info: t.Any) -> None:
        """Log an unhandled error with its traceback to :attr:`logger`."""
        ctx = _cv_request.get(None)
        where = f" on {ctx.request.path} [{ctx.request.method}]" if ctx else ""
        self._log_error(f"Exception{where}", exc_info)

    # -- responses ---------------------------------------------------------------------

    def make_response(self, rv: ft.ResponseReturnValue | HTTPException) -> Response:
        """Convert a view's return value into a :attr:`response_class` instance.

        :raises TypeError: for None, a bad tuple, or a type that is not a response.
        """
        if rv.__class__ is str:
            return self.response_class(rv)
        status = headers = None
        if isinstance(rv, tuple):
            rv, status, headers = _unpack_tuple(rv)
        if rv is None:
            raise TypeError(
                f"The view function for {_current_endpoint()!r} did not return a valid"
                " response: it returned None or ended without a return statement. Return"
                " a string, dict, list, tuple with headers or status, Response instance,"
                " or WSGI callable."
            )
        if not isinstance(rv, self.response_class):
            if isinstance(rv, (str, bytes, bytearray, cabc.Iterator)):
                rv = self.response_class(rv, status=status, headers=headers)
                status = headers = None
            else:
                rv = self._coerce_response(rv)
        if status is not None:
            if isinstance(status, (str, bytes, bytearray)):
                rv.status = status  # type: ignore[assignment]
            else:
                rv.status_code = status
        if headers:
            rv.headers.update(headers)
        return rv

    def _coerce_response(self, rv: t.Any) -> Response:
        """Turn a dict or list into JSON, and a WSGI app or response into ours."""
        if isinstance(rv, (dict, list)):
            return self.json.response(rv)
        ctx = _cv_request.get(None)
        environ = ctx.request.environ if ctx else None
        if (  # TEMP hook for typed views (lead will replace)
            isinstance(rv, HTTPException)
            and rv.response is None
            and (rv.code or 0) >= 400
            and ctx is not None
        ):
            from .problem import problem_response, wants_problem_json

            if wants_problem_json(ctx.request):
                return problem_response(self, rv)  # type: ignore[arg-type]
        if (
            isinstance(rv, HTTPException)
            and rv.response is None
            and type(rv).get_response is HTTPException.get_response
        ):
            # What ``get_response`` builds, made directly as our response class: cheaper
            # than running the exception as a WSGI app through ``force_type``.
            return self.response_class(rv.get_body(environ), rv.code, rv.get_headers(environ))
        if not (isinstance(rv, BaseResponse) or callable(rv)):
            raise TypeError(_bad_return_message(rv))
        try:
            return t.cast("Response", self.response_class.force_type(rv, environ))
        except TypeError as e:
            raise TypeError(f"{e}\n{_bad_return_message(rv)}") from None


def _current_request_ctx() -> RequestContext:
    """Return the active request context; outside one, raise ``request``'s RuntimeError."""
    return t.cast(RequestContext, request_ctx._get_current_object())  # type: ignore[attr-defined]


def _takes_ctx(func: t.Callable[..., t.Any]) -> bool:
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):  # no signature to read: adapting it is always safe
        return False
    return any(p.name == "ctx" or p.kind is p.VAR_KEYWORD for p in params)


def _without_ctx(func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    """Wrap a Flask-style override so the cycle's ``ctx=`` is not passed to it.

    The same wrapper serves a function set on a class (``self`` comes first in *args*)
    and a callable set on an instance.
    """

    def adapter(*args: t.Any, ctx: RequestContext | None = None, **kwargs: t.Any) -> t.Any:
        return func(*args, **kwargs)

    return update_wrapper(adapter, func)


def _drop_tracebacks(error: BaseException) -> None:
    """Free a spent HTTP error's traceback, and those of the routing errors behind it.

    They hold the request's frames, which hold the errors: cycles only the garbage
    collector would free. Errors the app raised itself are left as they are.
    """
    error.__traceback__ = None
    context = error.__context__
    while isinstance(context, _ROUTING_ERRORS) and context.__traceback__ is not None:
        context.__traceback__ = None  # a cleared one ends the walk: no loop can spin
        context = context.__context__


def _run_all(funcs: t.Iterable[t.Callable[[t.Any], t.Any]], exc: BaseException | None) -> None:
    """Call each of *funcs* with *exc*; raise the first error once all have run."""
    error: BaseException | None = None
    for func in funcs:
        try:
            func(exc)
        except Exception as e:
            error = error or e
    if error is not None:
        raise error


def _unpack_tuple(rv: tuple[t.Any, ...]) -> tuple[t.Any, t.Any, t.Any]:
    if len(rv) == 3:
        return rv[0], rv[1], rv[2]
    if len(rv) == 2:
        if isinstance(rv[1], (Headers, dict, tuple, list)):
            return rv[0], None, rv[1]
        return rv[0], rv[1], None
    raise TypeError(
        f"The view function for {_current_endpoint()!r} returned a tuple of"
        f" {len(rv)} items. The tuple must have the form (body, status, headers),"
        " (body, status), or (body, headers)."
    )


def _current_endpoint() -> str | None:
    ctx = _cv_request.get(None)
    return ctx.request.endpoint if ctx else None


def _bad_return_message(rv: object) -> str:
    return (
        f"The view function for {_current_endpoint()!r} did not return a valid response."
        " The return type must be a string, dict, list, tuple with headers or status,"
        f" Response instance, or WSGI callable, but it was a {type(rv).__name__}."
    )
