"""The decorator API shared by the application and blueprints.

Routes, request hooks, error handlers, URL processors, template helpers, and the static and
template folders all live here; the app applies them at once, a blueprint records them for later.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import sys
import typing as t
from collections import defaultdict
from datetime import timedelta
from functools import cached_property, update_wrapper

from werkzeug.exceptions import HTTPException, default_exceptions

from .ctx import _default_template_ctx_processor
from .globals import current_app
from .helpers import get_root_path, send_from_directory

if t.TYPE_CHECKING:
    from jinja2 import BaseLoader

    from . import typing as ft
    from .cli import AppGroup
    from .wrappers import Response

__all__ = ["Scaffold", "setupmethod"]

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
_NOT_SET = object()


def setupmethod(f: F) -> F:
    """Mark *f* as a setup method: an error once the app is already running."""
    f_name = f.__name__

    def wrapper_func(self: Scaffold, *args: t.Any, **kwargs: t.Any) -> t.Any:
        self._check_setup_finished(f_name)
        return f(self, *args, **kwargs)

    return t.cast(F, update_wrapper(wrapper_func, f))


class Scaffold:
    """What an app and a blueprint have in common: routes, hooks, folders."""

    name: str
    _static_folder: str | None = None
    _static_url_path: str | None = None

    def __init__(
        self,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        root_path: str | None = None,
    ) -> None:
        self.import_name = import_name
        self.static_folder = static_folder
        self.static_url_path = static_url_path
        self.template_folder = template_folder
        self.root_path = get_root_path(import_name) if root_path is None else root_path
        self.view_functions: dict[str, ft.RouteCallable] = {}
        self.error_handler_spec: dict[
            ft.AppOrBlueprintKey,
            dict[int | None, dict[type[BaseException], ft.ErrorHandlerCallable]],
        ] = defaultdict(lambda: defaultdict(dict))
        # The hook registries, live: each request reads them as it runs (hooks.py).
        self.before_request_funcs: dict[ft.AppOrBlueprintKey, list[ft.BeforeRequestCallable]] = (
            defaultdict(list)
        )
        self.after_request_funcs: dict[
            ft.AppOrBlueprintKey, list[ft.AfterRequestCallable[t.Any]]
        ] = defaultdict(list)
        self.teardown_request_funcs: dict[ft.AppOrBlueprintKey, list[ft.TeardownCallable]] = (
            defaultdict(list)
        )
        # Blueprints get the default processor too, as in Flask: their requests then see
        # the real ``g`` and ``request`` even when an app processor shadows those names.
        self.template_context_processors: dict[
            ft.AppOrBlueprintKey, list[ft.TemplateContextProcessorCallable]
        ] = defaultdict(list, {None: [_default_template_ctx_processor]})
        self.url_value_preprocessors: dict[
            ft.AppOrBlueprintKey, list[ft.URLValuePreprocessorCallable]
        ] = defaultdict(list)
        self.url_default_functions: dict[ft.AppOrBlueprintKey, list[ft.URLDefaultCallable]] = (
            defaultdict(list)
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def _check_setup_finished(self, f_name: str) -> None:
        raise NotImplementedError

    # -- folders -----------------------------------------------------------------------

    @property
    def static_folder(self) -> str | None:
        """The absolute path of the static folder, or None."""
        if self._static_folder is None:
            return None
        return os.path.join(self.root_path, self._static_folder)

    @static_folder.setter
    def static_folder(self, value: str | os.PathLike[str] | None) -> None:
        if value is not None:
            value = os.fspath(value).rstrip(r"\/")
        self._static_folder = value

    @property
    def has_static_folder(self) -> bool:
        """Whether a static folder is set."""
        return self.static_folder is not None

    @property
    def static_url_path(self) -> str | None:
        """The URL prefix of the static route; defaults to the folder's name."""
        if self._static_url_path is not None:
            return self._static_url_path
        if self.static_folder is not None:
            basename = os.path.basename(self.static_folder)
            return f"/{basename}".rstrip("/")
        return None

    @static_url_path.setter
    def static_url_path(self, value: str | None) -> None:
        if value is not None:
            value = value.rstrip("/")
        self._static_url_path = value

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """Return the cache max age for a static file, from the config."""
        value = current_app.config["SEND_FILE_MAX_AGE_DEFAULT"]
        if value is None:
            return None
        if isinstance(value, timedelta):
            return int(value.total_seconds())
        return value  # type: ignore[no-any-return]

    def send_static_file(self, filename: str) -> Response:
        """Serve *filename* from the static folder (the ``static`` view).

        :raises RuntimeError: if there is no static folder.
        """
        if not self.has_static_folder:
            raise RuntimeError("'static_folder' must be set to serve static_files.")
        max_age = self.get_send_file_max_age(filename)
        return send_from_directory(t.cast(str, self.static_folder), filename, max_age=max_age)

    @cached_property
    def jinja_loader(self) -> BaseLoader | None:
        """The loader for this object's template folder, or None."""
        if self.template_folder is None:
            return None
        from jinja2 import FileSystemLoader

        return FileSystemLoader(os.path.join(self.root_path, self.template_folder))

    @cached_property
    def cli(self) -> AppGroup:
        """The click group for this object's commands, created on first use."""
        from .cli import AppGroup

        return AppGroup(self.name)

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.Any]:
        """Open a file relative to :attr:`root_path` for reading.

        :raises ValueError: for a mode other than ``r``/``rt``/``rb``.
        """
        if mode not in {"r", "rt", "rb"}:
            raise ValueError(f"Resources can only be opened for reading, not {mode!r}.")
        path = os.path.join(self.root_path, resource)
        if mode == "rb":
            return open(path, mode)
        return open(path, mode, encoding=encoding or "utf-8")

    # -- routes ------------------------------------------------------------------------

    def _method_route(
        self, method: str, rule: str, options: dict[str, t.Any]
    ) -> t.Callable[[ft.T_route], ft.T_route]:
        if "methods" in options:
            raise TypeError("Use the 'route' decorator to use the 'methods' argument.")
        return self.route(rule, methods=[method], **options)

    @setupmethod
    def get(self, rule: str, **options: t.Any) -> t.Callable[[ft.T_route], ft.T_route]:
        """Register a GET route; shortcut for ``route(rule, methods=["GET"])``."""
        return self._method_route("GET", rule, options)

    @setupmethod
    def post(self, rule: str, **options: t.Any) -> t.Callable[[ft.T_route], ft.T_route]:
        """Register a POST route."""
        return self._method_route("POST", rule, options)

    @setupmethod
    def put(self, rule: str, **options: t.Any) -> t.Callable[[ft.T_route], ft.T_route]:
        """Register a PUT route."""
        return self._method_route("PUT", rule, options)

    @setupmethod
    def delete(self, rule: str, **options: t.Any) -> t.Callable[[ft.T_route], ft.T_route]:
        """Register a DELETE route."""
        return self._method_route("DELETE", rule, options)

    @setupmethod
    def patch(self, rule: str, **options: t.Any) -> t.Callable[[ft.T_route], ft.T_route]:
        """Register a PATCH route."""
        return self._method_route("PATCH", rule, options)

    @setupmethod
    def route(self, rule: str, **options: t.Any) -> t.Callable[[ft.T_route], ft.T_route]:
        """Register the decorated view for URL *rule*; see :meth:`add_url_rule`."""

        def decorator(f: ft.T_route) -> ft.T_route:
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, f, **options)
            return f

        return decorator

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Register a URL rule; options pass through to Werkzeug's ``Rule``."""
        raise NotImplementedError

    @setupmethod
    def endpoint(self, endpoint: str) -> t.Callable[[F], F]:
        """Register the decorated function as the view for *endpoint*."""

        def decorator(f: F) -> F:
            self.view_functions[endpoint] = f
            return f

        return decorator

    # -- request hooks -----------------------------------------------------------------

    @setupmethod
    def before_request(self, f: ft.T_before_request) -> ft.T_before_request:
        """Run *f* before each view; a non-None return value ends the request."""
        self.before_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def after_request(self, f: ft.T_after_request) -> ft.T_after_request:
        """Run *f* with each response; it must return a response (maybe new)."""
        self.after_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def teardown_request(self, f: ft.T_teardown) -> ft.T_teardown:
        """Run *f* when the request context pops, with the exception if any."""
        self.teardown_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def context_processor(
        self, f: ft.T_template_context_processor
    ) -> ft.T_template_context_processor:
        """Register a function whose dict is added to every template's context."""
        self.template_context_processors[None].append(f)
        return f

    @setupmethod
    def url_value_preprocessor(self, f: ft.T_url_value_preprocessor) -> ft.T_url_value_preprocessor:
        """Run *f(endpoint, values)* after matching, before the hooks."""
        self.url_value_preprocessors[None].append(f)
        return f

    @setupmethod
    def url_defaults(self, f: ft.T_url_defaults) -> ft.T_url_defaults:
        """Run *f(endpoint, values)* in ``url_for`` to fill in default values."""
        self.url_default_functions[None].append(f)
        return f

    # -- errors ------------------------------------------------------------------------

    @setupmethod
    def errorhandler(
        self, code_or_exception: type[Exception] | int
    ) -> t.Callable[[ft.T_error_handler], ft.T_error_handler]:
        """Register the decorated function for a status code or exception."""

        def decorator(f: ft.T_error_handler) -> ft.T_error_handler:
            self.register_error_handler(code_or_exception, f)
            return f

        return decorator

    @setupmethod
    def register_error_handler(
        self, code_or_exception: type[Exception] | int, f: ft.ErrorHandlerCallable
    ) -> None:
        """Register *f* for an HTTP status code or exception class."""
        exc_class, code = _get_exc_class_and_code(code_or_exception)
        self.error_handler_spec[None][code][exc_class] = f

    # -- templates ---------------------------------------------------------------------

    def _add_template_item(self, kind: str, f: t.Callable[..., t.Any], name: str) -> None:
        raise NotImplementedError

    @setupmethod
    def add_template_filter(self, f: ft.TemplateFilterCallable, name: str | None = None) -> None:
        """Register *f* as a Jinja filter, named *name* or the function's name."""
        self._add_template_item("filters", f, name or f.__name__)

    @setupmethod
    def add_template_test(self, f: ft.TemplateTestCallable, name: str | None = None) -> None:
        """Register *f* as a Jinja test."""
        self._add_template_item("tests", f, name or f.__name__)

    @setupmethod
    def add_template_global(self, f: ft.TemplateGlobalCallable, name: str | None = None) -> None:
        """Register *f* as a Jinja global."""
        self._add_template_item("globals", f, name or f.__name__)

    @t.overload
    def template_filter(self, name: ft.T_template_filter) -> ft.T_template_filter: ...
    @t.overload
    def template_filter(
        self, name: str | None = None
    ) -> t.Callable[[ft.T_template_filter], ft.T_template_filter]: ...
    @setupmethod
    def template_filter(self, name: t.Any = None) -> t.Any:
        """Register the decorated function as a Jinja filter.

        Works with or without parentheses.
        """
        return _template_decorator(self.add_template_filter, name)

    @t.overload
    def template_test(self, name: ft.T_template_test) -> ft.T_template_test: ...
    @t.overload
    def template_test(
        self, name: str | None = None
    ) -> t.Callable[[ft.T_template_test], ft.T_template_test]: ...
    @setupmethod
    def template_test(self, name: t.Any = None) -> t.Any:
        """Register the decorated function as a Jinja test.

        Works with or without parentheses.
        """
        return _template_decorator(self.add_template_test, name)

    @t.overload
    def template_global(self, name: ft.T_template_global) -> ft.T_template_global: ...
    @t.overload
    def template_global(
        self, name: str | None = None
    ) -> t.Callable[[ft.T_template_global], ft.T_template_global]: ...
    @setupmethod
    def template_global(self, name: t.Any = None) -> t.Any:
        """Register the decorated function as a Jinja global.

        Works with or without parentheses.
        """
        return _template_decorator(self.add_template_global, name)


def _endpoint_from_view_func(view_func: t.Callable[..., t.Any] | None) -> str:
    """Return the endpoint a view gets when none is given: its name.

    Flask's private name for it, which extensions (flask-restx) import.

    :raises AssertionError: for no view, as Flask's does.
    """
    if view_func is None:
        raise AssertionError("No endpoint and no view function: pass endpoint= or view_func=.")
    return view_func.__name__


def _template_decorator(
    add: t.Callable[..., None], name: str | None | t.Callable[..., t.Any]
) -> t.Any:
    if callable(name):  # used bare, without parentheses
        add(name)
        return name

    def decorator(f: F) -> F:
        add(f, name=name)
        return f

    return decorator


def _get_exc_class_and_code(
    exc_class_or_code: type[Exception] | int,
) -> tuple[type[Exception], int | None]:
    """Return the exception class and HTTP code for a handler registration.

    :raises ValueError: for an unknown code or a class that is not an Exception.
    :raises TypeError: for an instance (of an exception or anything else).
    """
    exc_class: type[Exception]
    if isinstance(exc_class_or_code, int):
        try:
            exc_class = default_exceptions[exc_class_or_code]
        except KeyError:
            raise ValueError(
                f"'{exc_class_or_code}' is not a recognized HTTP error code. Use a"
                " subclass of HTTPException with that code instead."
            ) from None
    else:
        exc_class = exc_class_or_code
    if not isinstance(exc_class, type):
        raise TypeError(
            f"{exc_class!r} is an instance, not a class. Handlers can only be"
            " registered for Exception classes or HTTP error codes."
        )
    if not issubclass(exc_class, Exception):
        raise ValueError(
            f"{exc_class.__name__!r} is not a subclass of Exception."
            " Handlers can only be registered for Exception classes or HTTP error codes."
        )
    if issubclass(exc_class, HTTPException):
        return exc_class, exc_class.code
    return exc_class, None


def _find_package(import_name: str) -> tuple[str | None, str]:
    """Return the install prefix (None if not installed) and package folder."""
    package_path = _find_package_path(import_name)
    py_prefix = os.path.abspath(sys.prefix)
    if pathlib.PurePath(package_path).is_relative_to(py_prefix):
        return py_prefix, package_path
    site_parent, site_folder = os.path.split(package_path)
    if site_folder.lower() == "site-packages":
        parent, folder = os.path.split(site_parent)
        if folder.lower() == "lib":
            return parent, package_path
        if os.path.basename(parent).lower() == "lib":
            return os.path.dirname(parent), package_path
        return site_parent, package_path
    return None, package_path


def _find_spec(import_name: str) -> importlib.machinery.ModuleSpec | None:
    """Return the spec of *import_name*, or None if it cannot be found."""
    try:
        return importlib.util.find_spec(import_name)
    except (ImportError, ValueError):
        return None


def _find_package_path(import_name: str) -> str:
    """Return the folder holding the top-level module of *import_name*."""
    spec = _find_spec(import_name.partition(".")[0])
    if spec is None or spec.origin in (None, "namespace", "built-in", "frozen"):
        if spec is not None and spec.submodule_search_locations:
            locations = list(spec.submodule_search_locations)
            # A namespace package: the folder holding the submodule named, as in Flask.
            package = _find_spec(import_name)
            if package is not None and package.submodule_search_locations:
                path = pathlib.Path(os.path.commonpath(package.submodule_search_locations))
                locations = [loc for loc in locations if path.is_relative_to(loc)] or locations
            return os.path.dirname(locations[0])
        return os.getcwd()
    if spec.submodule_search_locations:
        return os.path.dirname(os.path.dirname(spec.origin))
    return os.path.dirname(spec.origin)
