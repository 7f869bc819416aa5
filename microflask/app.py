"""The application: configuration, registration, hooks, URL building, templates.

``Microflask`` is the central registry of views, hooks and config; the request cycle it runs
(``wsgi_app`` and the error handling) lives in ``dispatch.py``, mixed into the class.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
import typing as t
import weakref
from datetime import timedelta
from functools import cached_property, lru_cache, update_wrapper
from urllib.parse import quote as _url_quote

from werkzeug.datastructures import ImmutableDict
from werkzeug.exceptions import (
    BadHost,
    BadRequest,
)
from werkzeug.routing import BuildError, MapAdapter, Rule
from werkzeug.utils import redirect as _wz_redirect
from werkzeug.wrappers import Response as BaseResponse

from . import typing as ft
from .config import Config, ConfigAttribute
from .ctx import AppContext, RequestContext, _AppCtxGlobals
from .dispatch import RequestCycle
from .globals import _cv_app, _cv_request, g
from .helpers import Aborter, get_debug_flag, get_load_dotenv
from .json.provider import DefaultJSONProvider, JSONProvider
from .logging import create_logger
from .routing import Map
from .scaffold import Scaffold, _find_package, setupmethod
from .sessions import SecureCookieSessionInterface, SessionInterface
from .templating import (
    DispatchingJinjaLoader,
    Environment,
    _create_environment,
    _default_template_ctx_processor,
)
from .wrappers import Request, Response

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from .blueprints import Blueprint
    from .testing import MicroflaskClient, MicroflaskCliRunner

__all__ = ["Microflask"]

_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"
# CR/LF would split the header; browsers drop tabs and newlines, turning
# "/\t/evil.example" into "//evil.example".
_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f]")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _make_timedelta(value: t.Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return timedelta(seconds=value)


def _blueprint_ancestry(name: str | None) -> list[str]:
    """Return ``a.b.c``'s blueprints innermost first: ``a.b.c``, ``a.b``, ``a``."""
    if not name:
        return []
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


class _HookChain(t.NamedTuple):
    """The resolved hooks for one blueprint path, in the order they run."""

    url_value_preprocessors: tuple[ft.URLValuePreprocessorCallable, ...]
    before: tuple[t.Callable[[], t.Any], ...]
    after: tuple[t.Callable[[t.Any], t.Any], ...]
    teardown: tuple[t.Callable[[BaseException | None], t.Any], ...]
    context_processors: tuple[t.Callable[[], dict[str, t.Any]], ...]
    url_defaults: tuple[ft.URLDefaultCallable, ...]


class Microflask(RequestCycle, Scaffold):
    """A WSGI application: the central registry of views, hooks and config."""

    request_class: type[Request] = Request
    response_class: type[Response] = Response
    aborter_class = Aborter
    jinja_environment = Environment
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
    default_config = ImmutableDict(
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
        self._got_first_request = False
        self._hook_cache: dict[str | None, _HookChain] = {}
        self._sync_views: dict[t.Callable[..., t.Any], t.Callable[..., t.Any]] = {}
        # Contexts skip the teardown calls when nothing would run; an override always runs.
        cls = type(self)
        self._custom_teardown_request = (
            cls.do_teardown_request is not Microflask.do_teardown_request
        )
        self._custom_teardown_appcontext = (
            cls.do_teardown_appcontext is not Microflask.do_teardown_appcontext
        )
        self.template_context_processors[None].append(_default_template_ctx_processor)

        from .cli import AppGroup

        self.cli = AppGroup()
        self.cli.name = self.name
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
        self._hook_cache.clear()

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
    def logger(self) -> t.Any:
        """The ``logging.Logger`` named after the app."""
        return create_logger(self)

    @cached_property
    def jinja_env(self) -> Environment:
        """The Jinja environment, created on first use."""
        return self.create_jinja_environment()

    def create_jinja_environment(self) -> Environment:
        """Create the Jinja environment from :attr:`jinja_options` and the app."""
        return _create_environment(self)

    def create_global_jinja_loader(self) -> DispatchingJinjaLoader:
        """Return the loader that searches the app, then each blueprint."""
        return DispatchingJinjaLoader(self)

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Return whether autoescape is on for template *filename*."""
        if filename is None:
            return True
        return filename.endswith((".html", ".htm", ".xml", ".xhtml", ".svg"))

    @property
    def debug(self) -> bool:
        """Whether debug mode is on (the ``DEBUG`` config key)."""
        return bool(self.config["DEBUG"])

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value
        if self.config["TEMPLATES_AUTO_RELOAD"] is None and "jinja_env" in self.__dict__:
            self.jinja_env.auto_reload = value

    def _log_error(self, message: str, exc_info: t.Any) -> None:
        # Logged from here so records say "in app", as Flask's do.
        self.logger.error(message, exc_info=exc_info)

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
        """Return ``<package>/instance``, or ``<prefix>/var/<name>-instance`` if installed."""
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
            return open(path, mode)  # noqa: SIM115
        return open(path, mode, encoding=encoding)  # noqa: SIM115

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
            endpoint = view_func.__name__
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
            # TEMP hook for typed views (lead will replace)
            if "pydantic" in sys.modules:
                from .typed import adapt_view

                adapted = adapt_view(self, rule_obj, view_func)
                if adapted is not None:
                    self._sync_views[view_func] = adapted

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
        """Register *blueprint*; options override its url_prefix, subdomain, name..."""
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
        self, f: ft.ShellContextProcessorCallable
    ) -> ft.ShellContextProcessorCallable:
        """Register a function whose dict is added to the ``shell`` namespace."""
        self.shell_context_processors.append(f)
        return f

    def make_shell_context(self) -> dict[str, t.Any]:
        """Return the namespace for ``microflask shell``."""
        rv: dict[str, t.Any] = {"app": self, "g": g}
        for processor in self.shell_context_processors:
            rv.update(processor())
        return rv

    # -- hook resolution ---------------------------------------------------------------

    def _hooks(self, blueprint: str | None) -> _HookChain:
        chain_ = self._hook_cache.get(blueprint)
        if chain_ is None:
            chain_ = self._hook_cache[blueprint] = self._build_hooks(blueprint)
        return chain_

    def _build_hooks(self, blueprint: str | None) -> _HookChain:
        inner_first: list[str | None] = [*_blueprint_ancestry(blueprint), None]
        outer_first = inner_first[::-1]
        sync = self.ensure_sync

        def collect(
            spec: t.Mapping[str | None, list[t.Any]],
            names: list[str | None],
            reverse: bool = False,
        ) -> tuple[t.Any, ...]:
            return tuple(
                sync(f)
                for name in names
                for f in (reversed(spec.get(name, ())) if reverse else spec.get(name, ()))
            )

        return _HookChain(
            collect(self.url_value_preprocessors, outer_first),
            collect(self.before_request_funcs, outer_first),
            collect(self.after_request_funcs, inner_first, True),
            collect(self.teardown_request_funcs, inner_first, True),
            collect(self.template_context_processors, outer_first),
            collect(self.url_default_functions, outer_first),
        )

    def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """Return *func*, wrapped by :meth:`async_to_sync` if it is a coroutine function."""
        if inspect.iscoroutinefunction(func):
            return self.async_to_sync(func)
        return func

    def async_to_sync(
        self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        """Return a function that runs coroutine function *func* to completion.

        The coroutine runs in a fresh event loop with the current contexts; if a loop already
        runs in this thread, it runs in a helper thread instead.
        """

        import asyncio
        import contextvars
        from concurrent.futures import ThreadPoolExecutor

        def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            coro = func(*args, **kwargs)
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return asyncio.run(coro)
            context = contextvars.copy_context()
            with ThreadPoolExecutor(1) as pool:
                return pool.submit(context.run, asyncio.run, coro).result()

        return update_wrapper(wrapper, func)

    # -- the request cycle -------------------------------------------------------------

    def app_context(self) -> AppContext:
        """Return a new application context; use it in a ``with`` block."""
        return AppContext(self)

    def request_context(self, environ: WSGIEnvironment) -> RequestContext:
        """Return a new request context for *environ*."""
        return RequestContext(self, environ)

    def test_request_context(self, *args: t.Any, **kwargs: t.Any) -> RequestContext:
        """Return a request context for a request built from EnvironBuilder's arguments."""
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
            # Reading the host checks it (400 if untrusted), even when SERVER_NAME
            # means routing never looks at it.
            _ = request.host
        if self.url_map.host_matching:
            # SERVER_NAME would replace the request's host, which host rules match on.
            return self.url_map.bind_to_environ(request.environ, server_name=None)
        if self.subdomain_matching:
            # The subdomain is the part of the host before SERVER_NAME.
            return self.url_map.bind_to_environ(request.environ, server_name=config["SERVER_NAME"])
        environ = request.environ
        if "HTTP_UPGRADE" in environ or not environ.get("PATH_INFO"):
            # Werkzeug's binding for the rare requests the shortcut below gets wrong: a
            # websocket upgrade (its scheme is ws/wss, which websocket rules match on) and an
            # empty path (the app's root without its slash, which redirects to add it).
            return self.url_map.bind_to_environ(
                environ,
                server_name=config["SERVER_NAME"],
                subdomain=self.url_map.default_subdomain or "",
            )
        # What Map.bind does, with the lowercasing and IDNA encoding of the host cached.
        return MapAdapter(
            self.url_map,
            _bound_host(config["SERVER_NAME"] or request.host, request.scheme),
            request.root_path,
            self.url_map.default_subdomain or "",
            request.scheme,
            request.path,
            request.method,
            request.query_string.decode(errors="replace"),
        )

    def redirect(self, location: str, code: int = 302) -> BaseResponse:
        """Return a redirect response to *location*.

        :raises BadRequest: if *location* contains ASCII control characters.
        """
        if _CONTROL_CHARS.search(location):
            raise BadRequest("Redirect location contains control characters.")
        return _wz_redirect(location, code=code, Response=self.response_class)

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
                blueprint = req_ctx.request.blueprint
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
        """Let the ``url_defaults`` functions of the app and blueprints fill *values*."""
        blueprint = endpoint.rpartition(".")[0] or None
        for func in self._hooks(blueprint).url_defaults:
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
        processors = self._hooks(ctx.request.blueprint if ctx else None).context_processors
        orig = context.copy()
        for func in processors:
            context.update(func())
        context.update(orig)

    def openapi(self) -> dict[str, t.Any]:
        """Return the OpenAPI 3.1 document of this app (TEMP hook, lead will replace)."""
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
        from werkzeug.serving import run_simple

        if os.environ.get("MICROFLASK_RUN_FROM_CLI") == "true":
            return
        if load_dotenv and get_load_dotenv():
            from .cli import load_dotenv as _load_dotenv

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
        run_simple(host, port, self, **options)


@lru_cache(maxsize=256)
def _bound_host(host: str, scheme: str) -> str:
    """Return *host* as ``Map.bind_to_environ`` stores it: lowercase, IDNA-encoded.

    The port is kept unless it is the default one for *scheme*.
    :raises werkzeug.exceptions.BadHost: for a name IDNA cannot encode.
    """
    name, sep, port = host.lower().partition(":")
    if _DEFAULT_PORTS.get(scheme) == port:
        sep = port = ""
    try:
        return f"{name.encode('idna').decode('ascii')}{sep}{port}"
    except UnicodeError as e:
        raise BadHost() from e


def _qualname(f: t.Callable[..., t.Any]) -> str:
    return f"{getattr(f, '__module__', '?')}.{getattr(f, '__qualname__', repr(f))}"
