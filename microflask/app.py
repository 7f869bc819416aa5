"""The application: views, hooks and config, and the request cycle.

``Microflask`` records routes, hooks and error handlers (through ``Scaffold``), and handles
each WSGI request: ``wsgi_app`` pushes a request context, runs the hooks and the view, turns
the return value into a response, handles the errors on the way, and always pops the
context so every teardown runs.
"""

from __future__ import annotations

import collections.abc as cabc
import importlib
import inspect
import os
import sys
import typing as t
import weakref
from datetime import timedelta
from functools import cached_property, update_wrapper
from itertools import chain
from urllib.parse import quote as _url_quote

from werkzeug.datastructures import Headers, ImmutableDict
from werkzeug.exceptions import (
    BadRequest,
    BadRequestKeyError,
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
)
from werkzeug.routing import BuildError, MapAdapter, RequestRedirect, Rule
from werkzeug.routing.exceptions import NoMatch, RoutingException
from werkzeug.urls import iri_to_uri
from werkzeug.utils import redirect as _wz_redirect
from werkzeug.wrappers import Response as BaseResponse

from . import csrf, signals
from .config import Config, ConfigAttribute
from .ctx import AppContext, RequestContext, _AppCtxGlobals
from .globals import _NO_REQUEST_CTX, _cv_app, _cv_request, g
from .helpers import CONTROL_CHARS, Aborter, get_debug_flag, get_load_dotenv
from .hooks import blueprint_ancestry, blueprint_of, blueprints_for_path, request_hooks
from .json.provider import DefaultJSONProvider, JSONProvider
from .problem import problem_response, wants_problem_json
from .routing import Map, bind_request
from .scaffold import Scaffold, _endpoint_from_view_func, _find_package, setupmethod
from .sessions import SecureCookieSessionInterface, SessionInterface
from .wrappers import Request, Response

if t.TYPE_CHECKING:
    import logging
    from types import TracebackType

    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from . import typing as ft
    from .blueprints import Blueprint
    from .templating import DispatchingJinjaLoader, Environment
    from .testing import MicroflaskClient, MicroflaskCliRunner

__all__ = ["Microflask"]

_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"
_BODYLESS_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
_ROUTING_ERRORS = (NoMatch, RoutingException)
# do_teardown_*'s default: not passed, told apart from an explicit None.
_NO_EXC: t.Any = object()
# A context variable's value where it has none (async_to_sync's restore).
_UNSET = object()


class _LazyClassAttribute:
    """A class attribute imported on first read, off the import path.

    A subclass or an instance may set the attribute as usual.
    """

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __get__(self, obj: object, owner: type | None = None) -> t.Any:
        return getattr(importlib.import_module(self.module, __package__), self.name)


def _make_timedelta(value: t.Any) -> t.Any:
    """Return *value* as a timedelta, seconds if a number; None stays None."""
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(seconds=value)


class Microflask(Scaffold):
    """A WSGI application: the central registry of views, hooks and config."""

    request_class: type[Request] = Request
    response_class: type[Response] = Response
    aborter_class = Aborter
    jinja_environment: type[Environment] = _LazyClassAttribute(  # type: ignore[assignment]
        ".templating", "Environment"
    )
    app_ctx_globals_class = _AppCtxGlobals
    config_class = Config
    testing = ConfigAttribute[bool]("TESTING")
    secret_key = ConfigAttribute["str | bytes | None"]("SECRET_KEY")
    permanent_session_lifetime = ConfigAttribute[timedelta](
        "PERMANENT_SESSION_LIFETIME", get_converter=_make_timedelta
    )
    json_provider_class: type[JSONProvider] = DefaultJSONProvider
    jinja_options: dict[str, t.Any] = {}
    url_rule_class = Rule
    url_map_class = Map
    test_client_class: type[MicroflaskClient] | None = None
    test_cli_runner_class: type[MicroflaskCliRunner] | None = None
    session_interface: SessionInterface = SecureCookieSessionInterface()
    default_config: dict[str, t.Any] = ImmutableDict(
        {
            "DEBUG": None,
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": None,
            "SECRET_KEY": None,
            "SECRET_KEY_FALLBACKS": None,
            "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
            "USE_X_SENDFILE": False,
            "TRUSTED_HOSTS": None,
            "SERVER_NAME": None,
            "APPLICATION_ROOT": "/",
            "SESSION_COOKIE_NAME": "session",
            "SESSION_COOKIE_DOMAIN": None,
            "SESSION_COOKIE_PATH": None,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SECURE": False,
            "SESSION_COOKIE_PARTITIONED": False,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_REFRESH_EACH_REQUEST": True,
            "MAX_CONTENT_LENGTH": None,
            "MAX_FORM_MEMORY_SIZE": 500_000,
            "MAX_FORM_PARTS": 1_000,
            "SEND_FILE_MAX_AGE_DEFAULT": None,
            "TRAP_BAD_REQUEST_ERRORS": None,
            "TRAP_HTTP_EXCEPTIONS": False,
            "EXPLAIN_TEMPLATE_LOADING": False,
            "PREFERRED_URL_SCHEME": "http",
            "TEMPLATES_AUTO_RELOAD": None,
            "MAX_COOKIE_SIZE": 4093,
            "PROVIDE_AUTOMATIC_OPTIONS": True,
            "CSRF_CROSS_ORIGIN_PROTECTION": True,
            "CSRF_TRUSTED_ORIGINS": (),
            "CSRF_ENABLED": False,
        }
    )

    def __init__(
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: str | os.PathLike[str] | None = "static",
        static_host: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: str | os.PathLike[str] | None = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
    ) -> None:
        super().__init__(import_name, static_folder, static_url_path, template_folder, root_path)
        if instance_path is None:
            instance_path = self.auto_find_instance_path()
        elif not os.path.isabs(instance_path):
            raise ValueError(
                "If an instance path is provided it must be absolute. A relative path was"
                f" given instead: {instance_path!r}. Pass an absolute path or leave it unset."
            )
        self.instance_path = instance_path
        self.config = self.make_config(instance_relative_config)
        self.aborter = self.make_aborter()
        self.json: JSONProvider = self.json_provider_class(self)
        self.url_build_error_handlers: list[
            t.Callable[[Exception, str, dict[str, t.Any]], str]
        ] = []
        self.teardown_appcontext_funcs: list[ft.TeardownCallable] = []
        self.shell_context_processors: list[ft.ShellContextProcessorCallable] = []
        self.blueprints: dict[str, Blueprint] = {}
        self.extensions: dict[str, t.Any] = {}
        self.url_map = self.url_map_class(host_matching=host_matching)
        self.subdomain_matching = subdomain_matching
        #: Each registered blueprint's ``(subdomain, url_prefix)`` by its dotted name: the
        #: URLs whose routing errors (404, 405) its error handlers take.
        self.blueprint_url_scopes: dict[str, tuple[str | None, str | None]] = {}
        self._got_first_request = False
        #: endpoint -> (view function, what calls it: the view or its typed adapter, sync;
        #: None until the first call of a view that is not typed)
        self._view_callers: dict[
            str, tuple[t.Callable[..., t.Any], t.Callable[..., t.Any] | None]
        ] = {}
        if self.has_static_folder:
            if bool(static_host) != host_matching:
                raise AssertionError(
                    "static_host must be set if and only if host_matching is True"
                    f" (static_host={static_host!r}, host_matching={host_matching!r})."
                )
            self_ref = weakref.ref(self)
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                host=static_host,
                view_func=lambda **kw: self_ref().send_static_file(**kw),  # type: ignore[union-attr]
            )

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_first_request:
            raise AssertionError(
                f"The setup method {f_name!r} can no longer be called on the application."
                " It has already handled its first request, so changes would not be"
                " applied consistently. Do all setup (imports, decorators, blueprint"
                " registration) before the app serves requests."
            )

    @cached_property
    def name(self) -> str:  # type: ignore[override]
        """The app's name: the import name, or the script's name for ``__main__``."""
        if self.import_name == "__main__":
            fn: str | None = getattr(sys.modules["__main__"], "__file__", None)
            if fn is None:
                return "__main__"
            return os.path.splitext(os.path.basename(fn))[0]
        return self.import_name

    @cached_property
    def logger(self) -> logging.Logger:
        """The ``logging.Logger`` named after the app."""
        from .logging import create_logger

        return create_logger(self)

    @cached_property
    def jinja_env(self) -> Environment:
        """The Jinja environment, created on first use."""
        return self.create_jinja_environment()

    def create_jinja_environment(self) -> Environment:
        """Create the Jinja environment from :attr:`jinja_options` and the app."""
        from .templating import create_environment

        return create_environment(self)

    def create_global_jinja_loader(self) -> DispatchingJinjaLoader:
        """Return the loader that searches the app, then each blueprint."""
        from .templating import DispatchingJinjaLoader

        return DispatchingJinjaLoader(self)

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Return whether autoescape is on for template *filename*."""
        if filename is None:
            return True
        return filename.endswith((".html", ".htm", ".xml", ".xhtml", ".svg"))

    @property
    def debug(self) -> bool:
        """Whether debug mode is on: the ``DEBUG`` config key, as set."""
        return t.cast(bool, self.config["DEBUG"])

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value
        if self.config["TEMPLATES_AUTO_RELOAD"] is None and "jinja_env" in self.__dict__:
            self.jinja_env.auto_reload = value

    def _log_error(self, message: str, exc_info: t.Any) -> None:
        # Logged from this module so records say "in app", as Flask's do, and for the
        # caller (stacklevel), whose name Flask's records carry as funcName.
        self.logger.error(message, exc_info=exc_info, stacklevel=2)

    def make_config(self, instance_relative: bool = False) -> Config:
        """Create the config, rooted at the instance folder if *instance_relative*."""
        root_path = self.instance_path if instance_relative else self.root_path
        defaults = dict(self.default_config)
        defaults["DEBUG"] = get_debug_flag()
        return self.config_class(root_path, defaults)

    def make_aborter(self) -> Aborter:
        """Create the object that :func:`abort` calls."""
        return self.aborter_class()

    def auto_find_instance_path(self) -> str:
        """Return the instance folder: beside the package, or under ``var/``."""
        prefix, package_path = _find_package(self.import_name)
        if prefix is None:
            return os.path.join(package_path, "instance")
        return os.path.join(prefix, "var", f"{self.name}-instance")

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> t.IO[t.Any]:
        """Open a file relative to :attr:`instance_path` (writing allowed)."""
        path = os.path.join(self.instance_path, resource)
        if "b" in mode:
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    # -- registration ------------------------------------------------------------------

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Register a URL rule; options pass through to Werkzeug's ``Rule``.

        :raises AssertionError: if *endpoint* is already mapped to another function, or
            if neither *endpoint* nor *view_func* is given.
        :raises TypeError: if ``methods`` is a string.
        """
        if endpoint is None:
            if view_func is None:
                raise AssertionError(f"add_url_rule({rule!r}) needs an endpoint or a view_func.")
            endpoint = _endpoint_from_view_func(view_func)
        options["endpoint"] = endpoint
        methods, automatic = self._rule_methods(
            view_func, options.pop("methods", None), provide_automatic_options
        )
        rule_obj = self.url_rule_class(rule, methods=methods, **options)
        rule_obj.provide_automatic_options = automatic  # type: ignore[attr-defined]
        if view_func is not None:
            old = self.view_functions.get(endpoint)
            if old is not None and old != view_func:
                raise AssertionError(
                    "View function mapping is overwriting an existing endpoint function:"
                    f" {endpoint!r} is mapped to {_qualname(old)}, cannot map it to"
                    f" {_qualname(view_func)} as well. Give one of them another endpoint."
                )
        self.url_map.add(rule_obj)
        if view_func is not None:
            self.view_functions[endpoint] = view_func
            # Checked once the rule is bound (its variables known): a mistake in a typed
            # view's annotations is an error at registration. None: not typed.
            self._view_callers[endpoint] = (view_func, self._typed_caller(rule_obj, view_func))

    def _typed_caller(self, rule: Rule, view: t.Any) -> t.Callable[..., t.Any] | None:
        """Return what calls *view* typed (see ``typed``), or None if it is not."""
        if "pydantic" not in sys.modules:  # only an app that imported pydantic has them
            return None
        from .typed import adapt_view

        adapter = adapt_view(self, rule, view)
        return None if adapter is None else self.ensure_sync(adapter)

    def _rule_methods(
        self, view_func: t.Any, methods: t.Any, provide_automatic_options: bool | None
    ) -> tuple[set[str], bool]:
        """Return a rule's methods and whether OPTIONS is answered automatically."""
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)
        if isinstance(methods, str):
            raise TypeError(
                f"Allowed methods must be a list of strings, not {methods!r}: for example"
                ' @app.route(..., methods=["POST"])'
            )
        methods = {item.upper() for item in methods}
        required = set(getattr(view_func, "required_methods", ()))
        if provide_automatic_options is None:
            provide_automatic_options = getattr(view_func, "provide_automatic_options", None)
        if provide_automatic_options is None:
            # Only when decided here is OPTIONS added to the methods, as in Flask: an
            # explicit True answers OPTIONS automatically only if the methods list it.
            provide_automatic_options = bool(
                "OPTIONS" not in methods and self.config["PROVIDE_AUTOMATIC_OPTIONS"]
            )
            if provide_automatic_options:
                required.add("OPTIONS")
        return methods | required, provide_automatic_options

    def _add_template_item(self, kind: str, f: t.Callable[..., t.Any], name: str) -> None:
        getattr(self.jinja_env, kind)[name] = f

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Register *blueprint*; options override its url_prefix, name, ..."""
        blueprint.register(self, options)

    def iter_blueprints(self) -> t.ValuesView[Blueprint]:
        """Return the registered blueprints in registration order."""
        return self.blueprints.values()

    @setupmethod
    def teardown_appcontext(self, f: ft.T_teardown) -> ft.T_teardown:
        """Run *f* when the app context pops, with the exception if any."""
        self.teardown_appcontext_funcs.append(f)
        return f

    @setupmethod
    def shell_context_processor(
        self, f: ft.T_shell_context_processor
    ) -> ft.T_shell_context_processor:
        """Register a function whose dict is added to the ``shell`` namespace."""
        self.shell_context_processors.append(f)
        return f

    def make_shell_context(self) -> dict[str, t.Any]:
        """Return the namespace for ``microflask shell``."""
        rv: dict[str, t.Any] = {"app": self, "g": g}
        for processor in self.shell_context_processors:
            rv.update(processor())
        return rv

    def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """Return *func*, run by :meth:`async_to_sync` if it is a coroutine."""
        if inspect.iscoroutinefunction(func):
            return self.async_to_sync(func)
        return func

    def async_to_sync(
        self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        """Return a function that runs coroutine function *func* to completion.

        The coroutine runs in a fresh event loop with the current contexts; if a loop already
        runs in this thread, it runs in a helper thread instead. Context variables it
        sets keep their values after it returns, as with Flask's asgiref.
        """

        import asyncio
        import contextvars
        from concurrent.futures import ThreadPoolExecutor

        async def keeping_context(
            coro: t.Awaitable[t.Any], ended: list[contextvars.Context]
        ) -> t.Any:
            try:
                return await coro
            finally:
                ended.append(contextvars.copy_context())

        def run_to_completion(coro: t.Coroutine[t.Any, t.Any, t.Any]) -> t.Any:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                pass
            else:
                context = contextvars.copy_context()
                with ThreadPoolExecutor(1) as pool:
                    return pool.submit(context.run, asyncio.run, coro).result()
            # Not run in the except block: the coroutine would see the loop lookup's
            # RuntimeError as sys.exc_info() and chain it to every error it raises.
            return _run_on_new_loop(coro)

        def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            ended: list[contextvars.Context] = []
            try:
                return run_to_completion(keeping_context(func(*args, **kwargs), ended))
            finally:
                for var, value in ended[0].items() if ended else ():
                    if var.get(_UNSET) is not value:
                        var.set(value)

        return update_wrapper(wrapper, func)

    # -- the request cycle -------------------------------------------------------------

    def app_context(self) -> AppContext:
        """Return a new application context; use it in a ``with`` block."""
        return AppContext(self)

    def request_context(self, environ: WSGIEnvironment) -> RequestContext:
        """Return a new request context for *environ*."""
        return RequestContext(self, environ)

    def test_request_context(self, *args: t.Any, **kwargs: t.Any) -> RequestContext:
        """Return a request context built from EnvironBuilder's arguments."""
        from .testing import EnvironBuilder

        builder = EnvironBuilder(self, *args, **kwargs)
        try:
            return self.request_context(builder.get_environ())
        finally:
            builder.close()

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """Bind the URL map to *request*, or to ``SERVER_NAME`` outside a request."""
        config = self.config
        if request is None:
            if config["SERVER_NAME"] is None:
                return None
            return self.url_map.bind(
                config["SERVER_NAME"],
                script_name=config["APPLICATION_ROOT"],
                url_scheme=config["PREFERRED_URL_SCHEME"],
            )
        if config["TRUSTED_HOSTS"] is not None:
            request.trusted_hosts = config["TRUSTED_HOSTS"]
        if request.trusted_hosts is not None:  # also a request class's own list
            # Reading the host checks it (400 if untrusted), even when SERVER_NAME
            # means routing never looks at it.
            _ = request.host
        if self.url_map.host_matching:
            # SERVER_NAME would replace the request's host, which host rules match on.
            return bind_request(self.url_map, request, None, None)
        if self.subdomain_matching:
            # The subdomain is the part of the host before SERVER_NAME.
            return bind_request(self.url_map, request, config["SERVER_NAME"], None)
        subdomain = self.url_map.default_subdomain or ""
        return bind_request(self.url_map, request, config["SERVER_NAME"], subdomain)

    def redirect(self, location: str, code: int = 302) -> BaseResponse:
        """Return a redirect response to *location*.

        :raises BadRequest: if *location* contains ASCII control characters
            or is not a URL Werkzeug can send.
        """
        if CONTROL_CHARS.search(location):
            raise BadRequest("Redirect location contains control characters.")
        try:
            iri_to_uri(location)  # what sending the response will do to the Location
        except ValueError as e:  # "http://[::1", a port out of range, a bad IDNA host
            raise BadRequest(f"Redirect location is not a valid URL: {e}.") from None
        return _wz_redirect(location, code=code, Response=self.response_class)

    def wsgi_app(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> cabc.Iterable[bytes]:
        """Handle one WSGI request: push a context, dispatch, always pop."""
        if not self._got_first_request and (
            self.config.get("OPENAPI_URL") or self.config.get("OPENAPI_DOCS_URL")
        ):
            # Before the first URL match, once the app's config is final.
            from .openapi import register_openapi_routes

            register_openapi_routes(self)
        ctx = self.request_context(environ)
        error: BaseException | None = None
        try:
            try:
                ctx.push()
                response = self.full_dispatch_request()
            except Exception as e:
                error = e
                response = self.handle_exception(e)
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
            if ctx.request.routing_exception is not None:
                _drop_tracebacks(ctx.request.routing_exception)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> cabc.Iterable[bytes]:
        return self.wsgi_app(environ, start_response)

    def full_dispatch_request(self) -> Response:
        """Run the before hooks and the view, then finalize the response."""
        self._got_first_request = True
        try:
            if signals.request_started.receivers:
                signals.request_started.send(self, _async_wrapper=self.ensure_sync)
            rv = self.preprocess_request()
            if rv is None:
                rv = self.dispatch_request()
        except Exception as e:
            rv = self.handle_user_exception(e)
            request = _cv_request.get(_NO_REQUEST_CTX).request
            if rv is t.cast(object, e) and e is not request.routing_exception:
                # An HTTP error no handler took is the response; nothing reads its
                # traceback, whose frames hold it in a cycle. (A routing error's is
                # dropped after teardown, which may read it.)
                _drop_tracebacks(e)
        return self.finalize_request(rv)

    def preprocess_request(self) -> ft.ResponseReturnValue | None:
        """Run URL value preprocessors, CSRF checks and before-request hooks.

        Returns the first non-None value a hook returns, which ends the request.
        """
        req = _cv_request.get(_NO_REQUEST_CTX).request
        blueprints: list[str] = []
        if self.url_value_preprocessors or self.before_request_funcs:
            blueprints = req.blueprints  # read once, as Flask: a preprocessor may change the rule
        if self.url_value_preprocessors:
            for preprocess in request_hooks(self, "url_value_preprocessors", blueprints):
                preprocess(req.endpoint, req.view_args)
        if req.url_rule is not None:  # a request routing refused runs no view: 404/405 first
            csrf.protect(self, req)
        if self.before_request_funcs:
            for before in request_hooks(self, "before_request_funcs", blueprints):
                rv = self.ensure_sync(before)()
                if rv is not None:
                    return rv  # type: ignore[no-any-return]
        return None

    def dispatch_request(self) -> ft.ResponseReturnValue:
        """Call the matched view or answer OPTIONS; raise any routing error."""
        req = _cv_request.get(_NO_REQUEST_CTX).request
        if req.routing_exception is not None:
            self.raise_routing_exception(req)
        rule: Rule = req.url_rule  # type: ignore[assignment]
        if req.method == "OPTIONS" and getattr(rule, "provide_automatic_options", False):
            return self.make_default_options_response()
        endpoint = rule.endpoint
        view = self.view_functions[endpoint]
        caller = self._view_callers.get(endpoint)
        if caller is None or caller[0] is not view:  # not from add_url_rule: inspect it now
            caller = self._view_callers[endpoint] = (view, self._typed_caller(rule, view))
        call = caller[1]
        if call is None:  # not typed: made sync on its first call
            call = self.ensure_sync(view)
            self._view_callers[endpoint] = (view, call)
        return call(**req.view_args)  # type: ignore[arg-type,no-any-return]

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
            from .debughelpers import FormDataRoutingRedirect

            raise FormDataRoutingRedirect(request) from error
        raise error

    def make_default_options_response(self) -> Response:
        """Return an empty response whose ``Allow`` header lists the URL's methods."""
        adapter = t.cast(MapAdapter, _cv_request.get(_NO_REQUEST_CTX).url_adapter)
        rv = self.response_class()
        rv.allow.update(adapter.allowed_methods())
        return rv

    def finalize_request(
        self, rv: ft.ResponseReturnValue | HTTPException, from_error_handler: bool = False
    ) -> Response:
        """Turn *rv* into a response and run the after-request processing."""
        response = self.make_response(rv)
        try:
            response = self.process_response(response)
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

    def process_response(self, response: Response) -> Response:
        """Run after-this-request and after-request hooks, then save the session."""
        ctx = _cv_request.get(_NO_REQUEST_CTX)
        for func in ctx.after_request_functions:
            response = self.ensure_sync(func)(response)
        if self.after_request_funcs:
            for after in request_hooks(self, "after_request_funcs", ctx.request.blueprints, True):
                response = self.ensure_sync(after)(response)
        session = ctx.opened_session()
        if session is None:
            request = ctx.request
            if "HTTP_COOKIE" not in request.environ or not self._should_refresh_session(request):
                return response
            session = ctx.session
            session.accessed = False  # opened to refresh it, not read by the app
        if not self.session_interface.is_null_session(session):
            self.session_interface.save_session(self, session, response)
        return response

    def _should_refresh_session(self, request: Request) -> bool:
        """Whether a session the app never opened must be, to refresh its cookie."""
        if not self.config["SESSION_REFRESH_EACH_REQUEST"]:
            return False
        interface = self.session_interface
        peek = getattr(interface, "may_need_refresh", None)
        if peek is not None:
            return bool(peek(self, request))
        return interface.get_cookie_name(self) in request.cookies

    def do_teardown_request(self, exc: BaseException | None = _NO_EXC) -> None:
        """Run every teardown-request function, innermost blueprint first.

        Each runs even if an earlier one raised; the first error is raised at the end.
        """
        if exc is _NO_EXC:  # not passed: the exception being handled, as in Flask
            exc = sys.exc_info()[1]
        if self.teardown_request_funcs:
            blueprints = _cv_request.get(_NO_REQUEST_CTX).request.blueprints
            hooks = request_hooks(self, "teardown_request_funcs", blueprints, True)
            _run_all(map(self.ensure_sync, hooks), exc)
        if signals.request_tearing_down.receivers:
            signals.request_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    def do_teardown_appcontext(self, exc: BaseException | None = _NO_EXC) -> None:
        """Run every teardown-appcontext function, last registered first."""
        if exc is _NO_EXC:  # not passed: the exception being handled, as in Flask
            exc = sys.exc_info()[1]
        if self.teardown_appcontext_funcs:
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
        """Return the handler for *e*: by code, then class, innermost first."""
        spec = self.error_handler_spec
        if not spec:
            return None
        exc_class = type(e)
        # The class's code, as handlers are registered by class (an instance may set its own).
        code = getattr(exc_class, "code", None) if isinstance(e, HTTPException) else None
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

    def _error_blueprints(self, e: Exception) -> list[str]:
        """Return the blueprints whose handlers may take *e*, innermost first.

        Those of the request's endpoint; for a 404 or 405 from routing, which has no
        endpoint, the blueprint whose URL scope holds the path, and its parents.
        """
        ctx = _cv_request.get(_NO_REQUEST_CTX)
        request = ctx.request
        if (
            e is request.routing_exception
            and isinstance(e, (NotFound, MethodNotAllowed))
            and ctx.url_adapter is not None
        ):
            subdomain = ctx.url_adapter.subdomain or ""
            default = self.url_map.default_subdomain or ""
            return blueprints_for_path(self.blueprint_url_scopes, subdomain, request.path, default)
        return request.blueprints

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

    def handle_http_exception(self, e: HTTPException) -> HTTPException | ft.ResponseReturnValue:
        """Return the registered handler's result for *e*, or *e* itself."""
        if e.code is None or isinstance(e, RoutingException) or not self.error_handler_spec:
            return e
        blueprints = self._error_blueprints(e)
        handler = self._find_error_handler(e, blueprints)
        if handler is None:
            return e
        request = _cv_request.get(_NO_REQUEST_CTX).request
        if (
            blueprints
            and request.url_rule is None
            and handler is not self._find_error_handler(e, [])
        ):
            request.routing_blueprint = blueprints[0]  # a blueprint's handler: see url_for
        return self.ensure_sync(handler)(e)  # type: ignore[no-any-return]

    def handle_user_exception(self, e: Exception) -> HTTPException | ft.ResponseReturnValue:
        """Handle an error from a hook or view; re-raise it if none handles it."""
        if isinstance(e, BadRequestKeyError) and (
            self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]
        ):
            e.show_exception = True
        if isinstance(e, HTTPException) and not self.trap_http_exception(e):
            return self.handle_http_exception(e)
        request = _cv_request.get(_NO_REQUEST_CTX).request
        handler = self._find_error_handler(e, request.blueprints)
        if handler is None:
            raise
        return self.ensure_sync(handler)(e)  # type: ignore[no-any-return]

    def handle_exception(self, e: Exception) -> Response:
        """Handle an unhandled error: propagate it, or log it and answer 500.

        The 500 handler, if any, gets an ``InternalServerError`` whose
        ``original_exception`` is *e*; if that handler fails too, a plain 500 is sent.
        """
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
        request = _cv_request.get(_NO_REQUEST_CTX).request
        handler = self._find_error_handler(server_error, request.blueprints)
        if handler is not None:
            try:
                server_error = self.ensure_sync(handler)(server_error)
            except Exception:
                self._log_error("The 500 error handler raised an error", sys.exc_info())
                server_error = InternalServerError(original_exception=e)
        return self.finalize_request(server_error, from_error_handler=True)

    def log_exception(
        self, exc_info: tuple[type, BaseException, TracebackType] | tuple[None, None, None]
    ) -> None:
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
                " response. The function either returned None or ended without a return"
                " statement."
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
        # A subclass whose __init__ skips HTTPException's has no .response: force_type.
        if isinstance(rv, HTTPException) and getattr(rv, "response", rv) is None:
            # An error class that makes its own body or response keeps it for every client.
            werkzeug_response = type(rv).get_response is HTTPException.get_response
            if (
                werkzeug_response
                and type(rv).get_body is HTTPException.get_body
                and ctx is not None
                and (rv.code or 0) >= 400
                and wants_problem_json(ctx.request)
            ):
                return problem_response(self, rv)
            # A HEAD request goes through ``force_type`` as in Flask: run as a WSGI app,
            # the error gives an empty body (with its GET Content-Length).
            if werkzeug_response and (ctx is None or ctx.request.method != "HEAD"):
                # What ``get_response`` builds, made directly as our response class:
                # cheaper than running the exception as a WSGI app through ``force_type``.
                body = _http_error_body(rv, environ)
                return self.response_class(body, rv.code, rv.get_headers(environ))
        if not (isinstance(rv, BaseResponse) or callable(rv)):
            raise TypeError(_bad_return_message(rv))
        try:
            return t.cast("Response", self.response_class.force_type(rv, environ))
        except TypeError as e:
            raise TypeError(f"{e}\n{_bad_return_message(rv)}") from None

    # -- URLs --------------------------------------------------------------------------

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: t.Any,
    ) -> str:
        """Build the URL of *endpoint*; extra *values* become the query string.

        :raises RuntimeError: outside a request without ``SERVER_NAME``.
        :raises werkzeug.routing.BuildError: if the URL cannot be built.
        """
        req_ctx = _cv_request.get(None)
        if req_ctx is not None:
            url_adapter = req_ctx.url_adapter
            if endpoint[:1] == ".":
                request = req_ctx.request
                blueprint = request.blueprint or request.routing_blueprint
                endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
            if _external is None:
                _external = _scheme is not None
        else:
            app_ctx = _cv_app.get(None)
            if app_ctx is not None and app_ctx.app is self:
                url_adapter = app_ctx.url_adapter
            else:
                url_adapter = self.create_url_adapter(None)
            if url_adapter is None:
                raise RuntimeError(
                    "Unable to build URLs outside an active request without 'SERVER_NAME'"
                    " configured. Also configure 'APPLICATION_ROOT' and"
                    " 'PREFERRED_URL_SCHEME' as needed."
                )
            if _external is None:
                _external = True
        if _scheme is not None and not _external:
            raise ValueError("When specifying '_scheme', '_external' must be True.")
        self.inject_url_defaults(endpoint, values)
        try:
            rv = t.cast(MapAdapter, url_adapter).build(
                endpoint,
                values,
                method=_method,
                url_scheme=_scheme,
                force_external=_external,
            )
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
            return self.handle_url_build_error(error, endpoint, values)
        if _anchor is not None:
            rv = f"{rv}#{_url_quote(_anchor, safe=_ANCHOR_SAFE)}"
        return rv

    def inject_url_defaults(self, endpoint: str, values: dict[str, t.Any]) -> None:
        """Let the app's and blueprints' ``url_defaults`` fill *values*."""
        if self.url_default_functions:
            blueprints = blueprint_ancestry(blueprint_of(endpoint))
            for func in request_hooks(self, "url_default_functions", blueprints):
                func(endpoint, values)

    def handle_url_build_error(
        self, error: BuildError, endpoint: str, values: dict[str, t.Any]
    ) -> str:
        """Try the build-error handlers; re-raise *error* if none returns a URL."""
        for handler in self.url_build_error_handlers:
            try:
                rv = handler(error, endpoint, values)
            except BuildError as e:
                error = e
                continue
            if rv is not None:
                return rv
        if error is sys.exc_info()[1]:
            raise
        raise error

    # -- templates ---------------------------------------------------------------------

    def update_template_context(self, context: dict[str, t.Any]) -> None:
        """Add the context processors' values; the caller's own values win."""
        ctx = _cv_request.get(None)
        blueprints = ctx.request.blueprints if ctx else []
        orig = context.copy()
        for func in request_hooks(self, "template_context_processors", blueprints):
            context.update(self.ensure_sync(func)())
        context.update(orig)

    def openapi(self) -> dict[str, t.Any]:
        """Return the app's OpenAPI 3.1 document, built from its URL map.

        Needs ``microflask[typed]``; see docs/typed-views.md.
        """
        from .openapi import build_openapi

        return build_openapi(self)

    # -- testing and running -----------------------------------------------------------

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> MicroflaskClient:
        """Return a test client for this app."""
        cls = self.test_client_class
        if cls is None:
            from .testing import MicroflaskClient

            cls = MicroflaskClient
        return cls(self, self.response_class, use_cookies=use_cookies, **kwargs)

    def test_cli_runner(self, **kwargs: t.Any) -> MicroflaskCliRunner:
        """Return a CLI runner for this app's commands."""
        cls = self.test_cli_runner_class
        if cls is None:
            from .testing import MicroflaskCliRunner

            cls = MicroflaskCliRunner
        return cls(self, **kwargs)

    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: t.Any,
    ) -> None:
        """Serve the app with Werkzeug's development server (not for production)."""
        import click
        from werkzeug.serving import is_running_from_reloader, run_simple

        from .cli import load_dotenv as _load_dotenv
        from .cli import show_server_banner

        if os.environ.get("MICROFLASK_RUN_FROM_CLI") == "true":
            # The 'microflask' command imported a module that calls run() at import time.
            if not is_running_from_reloader():
                click.secho(
                    " * Ignoring a call to 'app.run()' that would block the current"
                    " 'microflask' CLI command.\n   Only call 'app.run()' in an"
                    " 'if __name__ == \"__main__\"' guard.",
                    fg="red",
                )
            return
        if load_dotenv and get_load_dotenv():
            _load_dotenv()
            if "MICROFLASK_DEBUG" in os.environ:
                self.debug = get_debug_flag()
        if debug is not None:
            self.debug = bool(debug)
        sn_host, _, sn_port = (self.config.get("SERVER_NAME") or "").partition(":")
        host = host or sn_host or "127.0.0.1"
        port = int(port) if port or port == 0 else int(sn_port or 5000)
        options.setdefault("use_reloader", self.debug)
        options.setdefault("use_debugger", self.debug)
        options.setdefault("threaded", True)
        show_server_banner(self.debug, self.name)
        try:
            run_simple(host, port, self, **options)
        finally:
            # Once the server stops, the app may be set up again (from a shell, say).
            self._got_first_request = False


def _qualname(f: t.Callable[..., t.Any]) -> str:
    return f"{getattr(f, '__module__', '?')}.{getattr(f, '__qualname__', repr(f))}"


def _run_on_new_loop(coro: t.Coroutine[t.Any, t.Any, t.Any]) -> t.Any:
    """Run *coro* to completion on a new event loop, as asyncio.run does.

    Unlike asyncio.run, it leaves the thread's current event loop set, as
    Flask's asgiref does (which runs the coroutine in another thread).
    """
    import asyncio

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        if tasks:  # gather() of nothing would make its future on the thread's loop
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def _drop_tracebacks(error: BaseException) -> None:
    """Free a spent HTTP error's traceback and its routing errors'.

    They hold the request's frames, which hold the errors: cycles only the garbage
    collector would free. Errors the app raised itself are left as they are.
    """
    error.__traceback__ = None
    context = error.__context__
    while isinstance(context, _ROUTING_ERRORS) and context.__traceback__ is not None:
        context.__traceback__ = None  # a cleared one ends the walk: no loop can spin
        context = context.__context__


# (class, code, description) -> the body Werkzeug makes for that error; bounded, as a
# description may hold any text the app passed to abort().
_error_bodies: dict[tuple[t.Any, ...], str] = {}
_MAX_ERROR_BODIES = 256


def _http_error_body(error: HTTPException, environ: WSGIEnvironment | None) -> str:
    """Return ``error.get_body(environ)``, made once per class, code, text.

    Werkzeug's own ``get_body`` reads nothing else (pinned by tests/parity); a class
    that changes how the body, description or name is made is asked every time.
    """
    cls = type(error)
    if (
        cls.get_body is not HTTPException.get_body
        or cls.get_description is not HTTPException.get_description
        or cls.name is not HTTPException.name
    ):
        return error.get_body(environ)
    # The type too: Markup('<b>') == '<b>', but Werkzeug escapes only the str.
    key = (cls, error.code, type(error.description), error.description)
    try:
        return _error_bodies[key]
    except KeyError:
        body = error.get_body(environ)
        if len(_error_bodies) < _MAX_ERROR_BODIES:
            _error_bodies[key] = body
        return body
    except TypeError:  # an unhashable description
        return error.get_body(environ)


def _run_all(funcs: t.Iterable[t.Callable[[t.Any], t.Any]], exc: BaseException | None) -> None:
    """Call each of *funcs* with *exc*; raise the first error at the end."""
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
