"""The ``microflask`` command line and the command groups of apps.

App discovery, ``run``, ``routes``, ``shell``, and the groups (``app.cli``,
``bp.cli``) whose commands run in the app context. Other commands come from
``microflask.commands`` entry points (microflask's own ``openapi`` is one).
"""

from __future__ import annotations

import ast
import code
import contextlib
import importlib.metadata
import importlib.util
import inspect
import os
import platform
import re
import sys
import traceback
import typing as t
from functools import update_wrapper
from operator import itemgetter
from types import ModuleType

import click
from click.core import ParameterSource
from werkzeug.serving import is_running_from_reloader, run_simple
from werkzeug.utils import import_string

from .app import Microflask
from .flask_compat import flask_app_hint, flask_command_groups
from .globals import _cv_app
from .helpers import get_debug_flag, get_load_dotenv

if t.TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "AppGroup",
    "MicroflaskGroup",
    "NoAppException",
    "ScriptInfo",
    "cli",
    "find_app_by_string",
    "find_best_app",
    "get_version",
    "load_dotenv",
    "locate_app",
    "main",
    "pass_script_info",
    "prepare_import",
    "show_server_banner",
    "with_appcontext",
]

F = t.TypeVar("F", bound="Callable[..., t.Any]")


class NoAppException(click.UsageError):
    """Error raised when no application can be found or loaded."""


def _call_factory(
    module: ModuleType, spec: str, factory: Callable[..., t.Any], *args: t.Any, **kw: t.Any
) -> t.Any:
    """Call an app factory and return what it returns.

    Arguments the factory does not take raise :exc:`NoAppException`; a
    TypeError from inside the factory propagates.
    """
    name = module.__name__
    try:
        # The signature of what is called: a decorator may supply arguments.
        inspect.signature(factory, follow_wrapped=False).bind(*args, **kw)
    except TypeError as e:
        raise NoAppException(
            f"Could not call the factory {spec!r} in module {name!r}: {e}."
            f" Pass its arguments with '{name}:{factory.__name__}(args)'."
        ) from e
    return factory(*args, **kw)


def find_best_app(module: ModuleType) -> Microflask:
    """Return the app a module holds, calling a factory if it holds none.

    Tries ``app`` and ``application``, then the only Microflask instance, then a
    ``create_app`` or ``make_app`` function; else raises :exc:`NoAppException`.
    """
    name = module.__name__
    for attr in ("app", "application"):
        if isinstance(candidate := getattr(module, attr, None), Microflask):
            return candidate
    found = [v for v in vars(module).values() if isinstance(v, Microflask)]
    if len(found) > 1:
        raise NoAppException(
            f"Found {len(found)} Microflask apps in module {name!r}."
            f" Use '{name}:name' to choose one."
        )
    if found:
        return found[0]
    for attr in ("create_app", "make_app"):
        # A factory that returns no app is passed over, as Flask does.
        if inspect.isfunction(factory := getattr(module, attr, None)) and isinstance(
            app := _call_factory(module, attr, factory), Microflask
        ):
            return app
    raise NoAppException(
        f"No Microflask app in module {name!r}: tried the names 'app' and"
        " 'application', any Microflask instance, and the factories 'create_app'"
        f" and 'make_app' (a factory must return an app). Use '{name}:name' to name it."
    )


def find_app_by_string(module: ModuleType, app_name: str) -> Microflask:
    """Return the app *app_name* names in *module*, calling it if a function.

    *app_name* is a name or a call whose arguments are Python literals, such as
    ``create_app('dev')``; a call on an app instance names the instance.
    """
    try:
        node = ast.parse(app_name.strip(), mode="eval").body
    except SyntaxError:
        node = None
    if isinstance(node, ast.Name):  # a bare name is a call without arguments
        node = ast.Call(node, [], [])
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise NoAppException(
            f"Could not parse {app_name!r}: give an attribute name like 'app'"
            " or a factory call like 'create_app()'."
        )
    try:
        if any(k.arg is None for k in node.keywords):
            raise ValueError("**kwargs")
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {str(k.arg): ast.literal_eval(k.value) for k in node.keywords}
    except ValueError:
        raise NoAppException(
            f"The arguments in {app_name!r} must be Python literals"
            " (strings, numbers, lists, dicts, True, False, None), each written out:"
            " no * or ** unpacking."
        ) from None
    if not hasattr(module, node.func.id):
        raise NoAppException(f"Module {module.__name__!r} has no attribute {node.func.id!r}.")
    attr = getattr(module, node.func.id)
    if inspect.isfunction(attr):
        attr = _call_factory(module, app_name, attr, *args, **kwargs)
    if isinstance(attr, Microflask):
        return attr
    raise NoAppException(
        f"'{module.__name__}:{app_name}' gave {attr!r}, not a Microflask app:"
        " name an app, or a factory function that returns one."
    )


def prepare_import(path: str) -> str:
    """Turn a module path into an importable module name.

    Climbs out of packages (folders with ``__init__.py``), so ``src/pkg/app.py``
    gives ``pkg.app``, and puts the folder above them first on ``sys.path``.
    """
    path = os.path.realpath(path).removesuffix(".py").removesuffix(f"{os.sep}__init__")
    path, name = os.path.split(path)
    while os.path.isfile(os.path.join(path, "__init__.py")):
        path, package = os.path.split(path)
        name = f"{package}.{name}"
    if sys.path[0] != path:
        sys.path.insert(0, path)
    return name


@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: t.Literal[True] = True
) -> Microflask: ...
@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = ...
) -> Microflask | None: ...
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = True
) -> Microflask | None:
    """Import *module_name*; return the app *app_name* names, or the best.

    Returns None if the module does not exist and *raise_if_not_found* is false.
    :raises NoAppException: for any other failure, saying what was tried.
    """
    try:
        # Not import_module: a traceback below then skips importlib's own frames.
        __import__(module_name)
    except ImportError as e:
        # Not found: the module itself or a package above it, not an import inside it.
        if isinstance(e, ModuleNotFoundError) and f"{module_name}.".startswith(f"{e.name}."):
            if not raise_if_not_found:
                return None
            raise NoAppException(f"Could not import {module_name!r}.") from None
        raise NoAppException(
            f"Importing {module_name!r} failed:\n\n{traceback.format_exc()}"
        ) from None
    module = sys.modules[module_name]
    return find_best_app(module) if app_name is None else find_app_by_string(module, app_name)


# Tried in the working directory without --app: modules or packages, as in Flask.
_DEFAULT_MODULES = ("wsgi.py", "wsgi/__init__.py", "app.py", "app/__init__.py")


class ScriptInfo:
    """The state a command line run shares: how to find the app, and the app.

    :param app_import_path: ``module``, ``module:name`` or a file path.
    :param create_app: a callable returning the app; wins over the import path.
    :param set_debug_flag: set ``app.debug`` from ``MICROFLASK_DEBUG`` on load.
    :param load_dotenv_defaults: load ``.env`` and ``.microflaskenv``, unless
        ``MICROFLASK_SKIP_DOTENV`` is set.
    """

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: Callable[..., Microflask] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
    ) -> None:
        self.app_import_path = app_import_path
        self.create_app = create_app
        self.set_debug_flag = set_debug_flag
        self.load_dotenv_defaults = get_load_dotenv(load_dotenv_defaults)
        self.data: dict[t.Any, t.Any] = {}
        self._loaded_app: Microflask | None = None

    def load_app(self) -> Microflask:
        """Load the app on the first call; return the same app on every call."""
        if self._loaded_app is not None:
            return self._loaded_app
        if self.create_app is not None:
            app = self.create_app()
            if app is None:
                raise NoAppException(
                    f"The app factory {self.create_app!r} returned None, not an app:"
                    " make it return the Microflask instance it creates."
                )
        elif self.app_import_path:
            # A colon followed by a slash is a Windows drive, not "module:name".
            path, *name = re.split(r":(?![\\/])", self.app_import_path, maxsplit=1)
            app = locate_app(prepare_import(path), name[0] if name else None)
        elif found := [p for p in _DEFAULT_MODULES if os.path.isfile(p)]:
            if hint := flask_app_hint():
                click.echo(f"Note: loading {found[0]!r}, not FLASK_APP.{hint}", err=True)
            app = locate_app(prepare_import(found[0]), None)
        else:
            raise NoAppException(
                "Could not find a Microflask app: no '--app' option, no"
                " 'MICROFLASK_APP' environment variable, and no 'wsgi.py' or"
                f" 'app.py' (or such a package) in {os.getcwd()!r}." + flask_app_hint()
            )
        if self.set_debug_flag:
            app.debug = get_debug_flag()
        self._loaded_app = app
        return app


pass_script_info = click.make_pass_decorator(ScriptInfo, ensure=True)


def with_appcontext(f: F) -> F:
    """Wrap a command callback to run it in the app context, if none is pushed.

    Commands on ``app.cli`` and ``bp.cli`` get this without the decorator.
    """

    @click.pass_context
    def wrapper(ctx: click.Context, /, *args: t.Any, **kwargs: t.Any) -> t.Any:
        if _cv_app.get(None) is None:
            app = ctx.ensure_object(ScriptInfo).load_app()
            ctx.with_resource(app.app_context())
        return ctx.invoke(f, *args, **kwargs)

    return t.cast(F, update_wrapper(wrapper, f))


class AppGroup(click.Group):
    """A click group whose commands run in the app context."""

    def command(  # type: ignore[override]
        self, *args: t.Any, **kwargs: t.Any
    ) -> Callable[[Callable[..., t.Any]], click.Command]:
        """Register a command, wrapped in :func:`with_appcontext` by default."""
        wrap = kwargs.pop("with_appcontext", True)

        def decorator(f: Callable[..., t.Any]) -> click.Command:
            register = click.Group.command(self, *args, **kwargs)
            return t.cast(click.Command, register(with_appcontext(f) if wrap else f))

        return decorator

    def group(  # type: ignore[override]
        self, *args: t.Any, **kwargs: t.Any
    ) -> Callable[[Callable[..., t.Any]], click.Group]:
        """Register a subgroup, an :class:`AppGroup` unless ``cls`` is given."""
        kwargs.setdefault("cls", AppGroup)
        return click.Group.group(self, *args, **kwargs)  # type: ignore[no-any-return]


def _set_app(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(ScriptInfo).app_import_path = value


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    # Through the environment, so a factory sees it before the app exists.
    source = ctx.get_parameter_source(str(param.name))
    if source not in (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
        os.environ["MICROFLASK_DEBUG"] = "1" if value else "0"


def _load_env_file(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None and importlib.util.find_spec("dotenv") is None:
        raise click.BadParameter(
            "python-dotenv must be installed to load an env file:"
            " pip install 'microflask[dotenv]'.",
            ctx=ctx,
            param=param,
        )
    defaults = ctx.ensure_object(ScriptInfo).load_dotenv_defaults
    if value is not None or defaults:
        load_dotenv(value, load_defaults=defaults)


def get_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """Print the Python, Microflask and Werkzeug versions, then exit.

    The callback of ``--version``; it does nothing unless the flag is given.
    """
    if value and not ctx.resilient_parsing:
        version = importlib.metadata.version
        click.echo(
            f"Python {platform.python_version()}\nMicroflask"
            f" {version('microflask')}\nWerkzeug {version('werkzeug')}"
        )
        ctx.exit()


# Eager options run in order: the env file first, so it can set MICROFLASK_APP.
_env_file_option = click.Option(
    ["-e", "--env-file"],
    type=click.Path(exists=True, dir_okay=False),
    is_eager=True,
    expose_value=False,
    callback=_load_env_file,
    help="Load environment variables from this file; it wins over .env and"
    " .microflaskenv, the real environment wins over all. Needs python-dotenv.",
)
_app_option = click.Option(
    ["-A", "--app"],
    metavar="IMPORT",
    is_eager=True,
    expose_value=False,
    callback=_set_app,
    help="The app or factory to load, as 'module:name'. The module may be a"
    " dotted name or a file path; name defaults to app, application, create_app"
    " or make_app, and may be 'factory(args)'.",
)
_debug_option = click.Option(
    ["--debug/--no-debug"], expose_value=False, callback=_set_debug, help="Set debug mode."
)
version_option = click.Option(
    ["--version"],
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=get_version,
    help="Show the Python, Microflask and Werkzeug versions.",
)


class MicroflaskGroup(AppGroup):
    """The ``microflask`` command group: built-in, plugin and app commands.

    :param add_default_commands: add ``run``, ``shell`` and ``routes``.
    :param create_app: a callable returning the app, instead of discovery.
    :param add_version_option: add ``--version``.
    :param load_dotenv: load ``.env`` and ``.microflaskenv`` when present.
    :param set_debug_flag: set ``app.debug`` from ``MICROFLASK_DEBUG``.
    """

    def __init__(
        self,
        add_default_commands: bool = True,
        create_app: Callable[..., Microflask] | None = None,
        add_version_option: bool = True,
        load_dotenv: bool = True,
        set_debug_flag: bool = True,
        **extra: t.Any,
    ) -> None:
        params = [*(extra.pop("params", None) or ()), _env_file_option, _app_option, _debug_option]
        if add_version_option:
            params.append(version_option)
        extra.setdefault("context_settings", {}).setdefault("auto_envvar_prefix", "MICROFLASK")
        super().__init__(params=params, **extra)
        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag
        self._plugin_groups: set[str] = set()
        # Beyond-Flask commands give way to an app's or a Flask plugin's of the same
        # name: flask-smorest and flask-openapi3 add their own ``openapi`` to app.cli.
        self._yielding: set[str] = set()
        if add_default_commands:
            for command in (run_command, shell_command, routes_command):
                self.add_command(command)

    def _load_plugin_commands(self) -> None:
        """Add the commands of entry points, each group once.

        The groups are ``microflask.commands`` and those the Flask bridge adds
        once it serves ``flask`` (see :func:`.flask_compat.flask_command_groups`).
        """
        for group in ("microflask.commands", *flask_command_groups()):
            if group in self._plugin_groups:
                continue
            self._plugin_groups.add(group)
            for entry in importlib.metadata.entry_points(group=group):
                if entry.name not in self.commands or entry.name in self._yielding:
                    self.add_command(entry.load(), entry.name)
                    if group == "microflask.commands":
                        self._yielding.add(entry.name)
                    else:
                        self._yielding.discard(entry.name)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """Find a built-in or plugin command, else one from ``app.cli``."""
        self._load_plugin_commands()
        command = super().get_command(ctx, name)
        if command is not None and name not in self._yielding:
            return command
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except Exception as e:
            if command is not None:  # the app's error shows when the command runs
                return command
            if not isinstance(e, NoAppException):
                raise
            click.secho(f"Error: {e.format_message()}\n", err=True, fg="red")
            return None
        current = _cv_app.get(None)
        if current is None or current.app is not app:
            ctx.with_resource(app.app_context())
        self._load_plugin_commands()  # loading the app may have installed the bridge
        if name in self._yielding:
            return app.cli.get_command(ctx, name) or super().get_command(ctx, name)
        return super().get_command(ctx, name) or app.cli.get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """List built-in, plugin and app commands; show why the app failed."""
        names: set[str] = set()
        try:
            names.update(ctx.ensure_object(ScriptInfo).load_app().cli.list_commands(ctx))
        except NoAppException as e:
            click.secho(f"Error: {e.format_message()}\n", err=True, fg="red")
        except Exception:
            click.secho(f"{traceback.format_exc()}\n", err=True, fg="red")
        self._load_plugin_commands()  # after the app, which may install the bridge
        return sorted(names.union(super().list_commands(ctx)))

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: t.Any,
    ) -> click.Context:
        """Make the context with a :class:`ScriptInfo` as its ``obj``."""
        # Tells app.run() to do nothing when a module calls it at import time.
        os.environ["MICROFLASK_RUN_FROM_CLI"] = "true"
        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )
        return super().make_context(info_name, args, parent=parent, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Apply ``--env-file`` and ``--app`` early when only help is shown."""
        # Help skips eager options, so app commands would be missing from it.
        help_only = len(args) == 1 and args[0] in self.get_help_option_names(ctx)
        if (not args and self.no_args_is_help) or help_only:
            _env_file_option.handle_parse_result(ctx, {}, [])
            _app_option.handle_parse_result(ctx, {}, [])
        try:
            return super().parse_args(ctx, args)
        except BaseException:
            # Help and usage errors end parsing before click can close the
            # context, which would leave the app context that get_command pushed.
            ctx.close()
            raise


def load_dotenv(path: str | os.PathLike[str] | None = None, load_defaults: bool = True) -> bool:
    """Load environment variables from dotenv files; True if they held any.

    *path* wins over ``.env``, which wins over ``.microflaskenv`` (both searched
    for upwards from the working directory); variables already set are never
    replaced. Does nothing without python-dotenv.
    """
    try:
        import dotenv
    except ImportError:
        if path or os.path.isfile(".env") or os.path.isfile(".microflaskenv"):
            click.secho(
                " * Tip: there are .env files here; install python-dotenv to use them.",
                fg="yellow",
                err=True,
            )
        return False
    values: dict[str, str | None] = {}
    for name in (".microflaskenv", ".env") if load_defaults else ():
        if found := dotenv.find_dotenv(name, usecwd=True):
            values.update(dotenv.dotenv_values(found, encoding="utf-8"))
    if path is not None and os.path.isfile(path):
        values.update(dotenv.dotenv_values(path, encoding="utf-8"))
    for key, value in values.items():
        if value is not None and key not in os.environ:
            os.environ[key] = value
    return bool(values)


# click >= 8.3 makes ParamType generic; older ones, still supported, cannot be subscripted.
class CertParamType(click.ParamType):  # type: ignore[type-arg]
    """Take ``--cert`` as a file, ``"adhoc"`` or an ``ssl.SSLContext`` import."""

    name = "path"

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        """Return the file's real path, ``"adhoc"`` or the imported context."""
        # Imported only for a --cert: a Python built without ssl can still serve HTTP.
        try:
            import ssl
        except ImportError:
            self.fail("Needs a Python built with the ssl module.", param, ctx)
        if isinstance(value, ssl.SSLContext):
            return value
        if os.path.isfile(value):
            return os.path.realpath(value)
        if value.lower() == "adhoc":
            try:
                importlib.import_module("cryptography")
            except ImportError:
                self.fail(
                    "'adhoc' needs the cryptography library: pip install cryptography.", param, ctx
                )
            return "adhoc"
        if isinstance(obj := import_string(value, silent=True), ssl.SSLContext):
            return obj
        self.fail(f"Not a file, 'adhoc' or an SSLContext import: {value!r}.", param, ctx)


def _validate_key(ctx: click.Context, param: click.Parameter, value: t.Any) -> t.Any:
    """Check ``--key`` against ``--cert`` and merge them into a pair."""
    cert = ctx.params.get("cert")
    cert_is_file = isinstance(cert, str) and cert != "adhoc"
    if cert_is_file and value is None:
        raise click.BadParameter("Required when '--cert' is a file.", ctx, param)
    if value is not None and not cert_is_file:
        raise click.BadParameter("Only used with a '--cert' file.", ctx, param)
    if cert_is_file:
        ctx.params["cert"] = (cert, value)
    return value


class SeparatedPathType(click.Path):
    """Take a list of paths joined by :data:`os.pathsep`, as ``PATH`` is."""

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        """Split the value and check each path as :class:`click.Path` does."""
        convert = super().convert  # not in the comprehension: super() needs this frame
        return [convert(item, param, ctx) for item in self.split_envvar_value(value)]


def show_server_banner(debug: bool | None, app_import_path: str | None) -> None:
    """Print which app the development server runs, and its debug mode.

    Printed once: not again by the reloader's child process. A part that is
    None is left out.
    """
    if is_running_from_reloader():
        return
    if app_import_path is not None:
        # Quoted as Flask quotes it, not repr(): the path is shown as typed.
        click.echo(f" * Serving Microflask app '{app_import_path}'")
    if debug is not None:
        click.echo(f" * Debug mode: {'on' if debug else 'off'}")


@click.command("run", short_help="Run a development server.")
@click.option("--host", "-h", default="127.0.0.1", help="The interface to bind to.")
@click.option("--port", "-p", default=5000, help="The port to bind to.")
@click.option("--cert", type=CertParamType(), is_eager=True, help="A TLS certificate.")
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, resolve_path=True),
    callback=_validate_key,
    expose_value=False,
    help="The key file for a '--cert' file.",
)
@click.option("--reload/--no-reload", default=None, help="Reload on code changes.")
@click.option("--debugger/--no-debugger", default=None, help="Use the debugger.")
@click.option("--with-threads/--without-threads", default=True, help="Use threads.")
@click.option(
    "--extra-files",
    type=SeparatedPathType(),
    help=f"More files that trigger a reload, separated by {os.pathsep!r}.",
)
@click.option(
    "--exclude-patterns",
    type=SeparatedPathType(),
    help=f"fnmatch patterns of files that never trigger a reload, by {os.pathsep!r}.",
)
@pass_script_info
def run_command(
    info: ScriptInfo,
    host: str,
    port: int,
    reload: bool | None,
    debugger: bool | None,
    with_threads: bool,
    cert: ssl.SSLContext | tuple[str, str] | str | None,
    extra_files: list[str] | None,
    exclude_patterns: list[str] | None,
) -> None:
    """Run the development server; not for production.

    --debug turns on the reloader and the debugger.
    """
    try:
        app: WSGIApplication = info.load_app()
    except Exception as e:
        if not is_running_from_reloader():
            raise
        # Keep serving the error, so that the next edit can fix it.
        traceback.print_exc()
        error = e

        def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            raise error from None

    debug = get_debug_flag()
    show_server_banner(debug, info.app_import_path)
    run_simple(
        host,
        port,
        app,
        use_reloader=debug if reload is None else reload,
        use_debugger=debug if debugger is None else debugger,
        threaded=with_threads,
        ssl_context=cert,  # type: ignore[arg-type]
        extra_files=extra_files,
        exclude_patterns=exclude_patterns,
    )


run_command.params.insert(0, _debug_option)


@click.command("shell", short_help="Run a Python shell in the app context.")
@with_appcontext
def shell_command() -> None:
    """Run a Python shell in the app context.

    The shell has 'app', 'g' and the values of the shell context processors.
    """
    app = _cv_app.get().app
    banner = (
        f"Python {sys.version} on {sys.platform}\n"
        f"App: {app.import_name}\nInstance: {app.instance_path}"
    )
    namespace: dict[str, t.Any] = {}
    startup = os.environ.get("PYTHONSTARTUP")
    if startup and os.path.isfile(startup):
        with open(startup, encoding="utf-8") as f:
            exec(compile(f.read(), startup, "exec"), namespace)
    namespace.update(app.make_shell_context())
    # The hook Python's own prompt runs: tab completion and ~/.python_history.
    if (interactive_hook := getattr(sys, "__interactivehook__", None)) is not None:
        with contextlib.suppress(ImportError):  # readline is missing on Windows
            import readline
            from rlcompleter import Completer

            readline.set_completer(Completer(namespace).complete)
        interactive_hook()
    code.interact(banner=banner, local=namespace)


_ROUTE_COLUMNS = ("endpoint", "methods", "domain", "rule")


@click.command("routes", short_help="Show the app's routes.")
@click.option(
    "--sort",
    "-s",
    type=click.Choice((*_ROUTE_COLUMNS, "match")),
    default="endpoint",
    help="Sort by this column; 'match' keeps the order rules were added in.",
)
@click.option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS too.")
@with_appcontext
def routes_command(sort: str, all_methods: bool) -> None:
    """Show every URL rule with its endpoint and methods."""
    url_map = _cv_app.get().app.url_map
    hidden = set() if all_methods else {"HEAD", "OPTIONS"}
    by_host = url_map.host_matching
    rows = []
    for rule in url_map.iter_rules():
        methods = ", ".join(sorted((rule.methods or set()) - hidden))
        domain = (rule.host if by_host else rule.subdomain) or ""
        rows.append([rule.endpoint, methods, domain, rule.rule])
    if not rows:
        click.echo("No routes were registered.")
        return
    if sort != "match":
        rows.sort(key=itemgetter(_ROUTE_COLUMNS.index(sort)))
    table = [["Endpoint", "Methods", "Host" if by_host else "Subdomain", "Rule"], *rows]
    if not any(row[2] for row in rows):
        table = [row[:2] + row[3:] for row in table]
    widths = [max(map(len, column)) for column in zip(*table, strict=True)]
    table.insert(1, ["-" * width for width in widths])
    for row in table:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


cli = MicroflaskGroup(
    name="microflask",
    help="A command line for Microflask apps. Name the app with '--app', the 'MICROFLASK_APP'"
    " environment variable, or a 'wsgi.py' or 'app.py' file in the working directory.",
)


def main() -> None:
    """Run the ``microflask`` command line."""
    cli.main()
