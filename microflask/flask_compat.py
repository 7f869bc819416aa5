"""The bridge that lets Flask's extensions import microflask as ``flask``.

:func:`install_as_flask` (after PyMySQL's ``install_as_MySQLdb()``) makes
``import flask`` and every module name of Flask 3.1 resolve to microflask's
own module objects, by putting those very objects into ``sys.modules`` under
the Flask names: ``flask`` *is* the ``microflask`` package, ``flask.app`` is
``microflask.app``, so patching ``flask.helpers.x`` patches microflask. The
only module that is not one of ours is ``flask.sansio``: Flask's sans-I/O
layer has no counterpart here (one layer, no split), so ``flask.sansio`` is a
small package whose ``app``, ``blueprints`` and ``scaffold`` are microflask's
``app``, ``blueprints`` and ``scaffold``. Flask's spellings are set beside
ours on the same modules: every public name containing ``Microflask`` gets
its ``Flask`` twin (``flask.Flask is microflask.Microflask``,
``FlaskClient``, ``FlaskCliRunner``, ``FlaskGroup``), exported too (so
``from flask import *`` gives ``Flask``), plus ``flask.sansio.app.App``. A
meta-path finder placed first on ``sys.meta_path`` does two things: it serves
those objects again if a test tool drops them from ``sys.modules``, and it
refuses any other ``flask.*`` name, so the real Flask that pip installs as
the extensions' dependency is never imported. The same finder answers ``importlib.metadata`` for
``flask`` with :data:`FLASK_API_VERSION` when no real Flask distribution is
installed (flask-restx reads it); an installed one answers for itself.
Loaded with ``pytest -p microflask.flask_compat``, the module installs the
bridge as pytest registers it, before any conftest or test module runs.
Beside the bridge lives what microflask does only for Flask users' sake: the
error naming where a renamed Flask class went, the ``flask.commands`` entry
points the command line loads once the bridge is installed, and the hint for
a user who set ``FLASK_APP`` where microflask reads ``MICROFLASK_APP``.
"""

from __future__ import annotations

import importlib
import os
import shlex
import sys
import typing as t
from importlib.machinery import ModuleSpec
from types import ModuleType

from .hooks import blueprint_ancestry
from .scaffold import _find_package

if t.TYPE_CHECKING:
    from collections.abc import Iterator
    from importlib.abc import Loader
    from importlib.metadata import Distribution, DistributionFinder

__all__ = ["FLASK_API_VERSION", "flask_app_hint", "flask_command_groups", "install_as_flask"]

#: The Flask release whose public API microflask implements; the answer of
#: ``flask.__version__``, and of ``importlib.metadata.version("flask")`` when
#: no real Flask distribution is installed.
FLASK_API_VERSION = "3.1.3"

# Flask 3.1's module names, each mapped to the microflask module it is.
_ALIASES: dict[str, str] = {
    "flask": "microflask",
    "flask.app": "microflask.app",
    "flask.blueprints": "microflask.blueprints",
    "flask.cli": "microflask.cli",
    "flask.config": "microflask.config",
    "flask.ctx": "microflask.ctx",
    "flask.debughelpers": "microflask.debughelpers",
    "flask.globals": "microflask.globals",
    "flask.helpers": "microflask.helpers",
    "flask.json": "microflask.json",
    "flask.json.provider": "microflask.json.provider",
    "flask.json.tag": "microflask.json.tag",
    "flask.logging": "microflask.logging",
    "flask.sansio.app": "microflask.app",
    "flask.sansio.blueprints": "microflask.blueprints",
    "flask.sansio.scaffold": "microflask.scaffold",
    "flask.sessions": "microflask.sessions",
    "flask.signals": "microflask.signals",
    "flask.templating": "microflask.templating",
    "flask.testing": "microflask.testing",
    "flask.typing": "microflask.typing",
    "flask.views": "microflask.views",
    "flask.wrappers": "microflask.wrappers",
}

# Names Flask's modules hold only because they import them, which code still imports
# from there (``from flask.app import request``), and the template context processor
# Flask's templating module defines (apps import it to put it back in their processor
# lists): served from microflask's package, its templating or ctx module, Jinja or
# itsdangerous, where each is.
_IMPORTED_NAMES: dict[str, str] = {
    "flask.app": "current_app request request_ctx session get_flashed_messages"
    " send_from_directory request_started request_finished request_tearing_down"
    " got_request_exception appcontext_tearing_down Environment",
    "flask.blueprints": "current_app send_from_directory",
    "flask.cli": "current_app",
    "flask.ctx": "appcontext_popped appcontext_pushed",
    "flask.debughelpers": "request_ctx",
    "flask.helpers": "message_flashed",
    "flask.json": "current_app",
    "flask.logging": "request",
    "flask.sessions": "BadSignature URLSafeTimedSerializer",
    "flask.templating": "BaseLoader Template TemplateNotFound current_app"
    " _default_template_ctx_processor",
    "flask.wrappers": "current_app",
}

_installed: dict[str, ModuleType] = {}


def install_as_flask() -> None:
    """Make ``import flask`` and Flask's module names give microflask's.

    Call it before the first import of an extension. A second call does
    nothing.

    :raises RuntimeError: if the real Flask was imported already; the
        message names the module file and the modules that hold it.
    """
    if _installed:
        return
    _refuse_real_flask()
    modules = {name: importlib.import_module(target) for name, target in _ALIASES.items()}
    modules["flask.sansio"] = _sansio_package(modules)
    for module in modules.values():
        _add_flask_spellings(module)
    _add_imported_names(modules)
    package = modules["flask"]
    package.__dict__.update(
        Flask=package.Microflask, __version__=FLASK_API_VERSION, sansio=modules["flask.sansio"]
    )
    sys.modules.update(modules)
    sys.meta_path.insert(0, _FlaskFinder(modules))
    _installed.update(modules)


def flask_command_groups() -> tuple[str, ...]:
    """Return the entry-point groups of Flask's CLI plugins, once installed.

    Flask's extensions register commands under ``flask.commands``; loading
    them without the bridge could import the real Flask, so before
    :func:`install_as_flask` there are none.
    """
    return ("flask.commands",) if _installed else ()


def flask_app_hint() -> str:
    """Return a porting hint if Flask's ``FLASK_APP`` or ``.flaskenv`` is seen.

    The command line adds it to the error it shows when it finds no app; it
    is ``""`` when there is nothing to say.
    """
    flask_app = os.environ.get("FLASK_APP")
    if not flask_app:
        if os.path.isfile(".flaskenv"):  # where Flask projects usually set FLASK_APP
            return (
                " There is a '.flaskenv' here, but microflask reads '.microflaskenv':"
                " rename the file, and FLASK_APP in it to MICROFLASK_APP."
            )
        return ""
    return (
        f" FLASK_APP is set to {flask_app!r}, but microflask reads MICROFLASK_APP:"
        f" export MICROFLASK_APP={shlex.quote(flask_app)} or pass"
        f" --app {shlex.quote(flask_app)}."
    )


def _refuse_real_flask() -> None:
    real = sys.modules.get("flask")
    if real is None:
        return
    importers = _importers_of(real)
    held_by = ", ".join(importers) if importers else "no module still holding it was found"
    raise RuntimeError(
        f"The real Flask was imported before microflask.install_as_flask() ran"
        f" (flask is {getattr(real, '__file__', None)!r}; imported by: {held_by})."
        " Call install_as_flask() before the first import of flask or of a Flask"
        " extension, e.g. at the top of the module that creates the app, or run"
        " pytest with -p microflask.flask_compat."
    )


def _importers_of(real: ModuleType) -> list[str]:
    """Return the modules whose globals hold the real flask or its objects."""
    found = []
    for name, module in list(sys.modules.items()):
        if name == "flask" or name.startswith("flask.") or module is None:
            continue
        if any(_comes_from(value, real) for value in list(vars(module).values())):
            found.append(name)
    return found[:5]


def _comes_from(value: object, real: ModuleType) -> bool:
    if value is real:
        return True
    try:  # a context proxy such as flask.request raises outside a request
        origin = getattr(value, "__module__", None)
    except Exception:
        return False
    return isinstance(origin, str) and (origin == "flask" or origin.startswith("flask."))


def _sansio_package(modules: dict[str, ModuleType]) -> ModuleType:
    package = ModuleType("flask.sansio", "Flask's sans-I/O names, served by microflask.")
    package.__path__ = []
    package.__package__ = "flask.sansio"
    for name in ("app", "blueprints", "scaffold"):
        setattr(package, name, modules[f"flask.sansio.{name}"])
    app_module = modules["flask.sansio.app"]
    app_module.__dict__["App"] = app_module.Microflask
    # Flask's finder of an app's install prefix and folder, public there: apps call
    # it to find their instance folder before creating the app.
    for name in ("app", "scaffold"):
        vars(modules[f"flask.sansio.{name}"]).setdefault("find_package", _find_package)
    # Flask's app, blueprints and scaffold modules define the TypeVars of their
    # decorators, and typed extensions import them from there (``T_route``).
    typevars = {k: v for k, v in vars(modules["flask.typing"]).items() if k.startswith("T_")}
    for name in ("app", "blueprints", "scaffold"):
        for key, value in typevars.items():
            vars(modules[f"flask.sansio.{name}"]).setdefault(key, value)
    return package


def _add_flask_spellings(module: ModuleType) -> None:
    # Exported too, so that ``from flask import *`` gives ``Flask`` as Flask's does.
    exported = getattr(module, "__all__", None)
    for name, value in list(vars(module).items()):
        if "Microflask" in name:
            twin = name.replace("Microflask", "Flask")
            setattr(module, twin, value)
            if isinstance(exported, list) and name in exported and twin not in exported:
                exported.append(twin)


def _add_imported_names(modules: dict[str, ModuleType]) -> None:
    import itsdangerous
    import jinja2

    sources = (
        modules["flask"],
        modules["flask.templating"],
        modules["flask.ctx"],
        jinja2,
        itsdangerous,
    )
    for flask_name, names in _IMPORTED_NAMES.items():
        namespace = vars(modules[flask_name])
        for name in names.split():
            if name not in namespace:
                namespace[name] = next(getattr(s, name) for s in sources if hasattr(s, name))
    # Private helpers of Flask's that apps import: the outside-a-context messages, and
    # a blueprint name with its parents (Flask's gives [""] for "", the app's name).
    globals_module = vars(modules["flask.globals"])
    globals_module.setdefault("_no_app_msg", globals_module["_NO_APP"])
    globals_module.setdefault("_no_req_msg", globals_module["_NO_REQUEST"])
    vars(modules["flask.helpers"]).setdefault(
        "_split_blueprint_path", lambda name: blueprint_ancestry(name) or [name]
    )


class _AliasLoader:
    """Serve an existing module object under a second name."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        """Return the module this loader serves, as it is."""
        self.original_spec = self.module.__spec__
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        """Restore the module's own spec, which the import system replaced."""
        module.__spec__ = self.original_spec


class _FlaskFinder:
    """Serve Flask's module names from microflask and refuse the rest.

    A plain object with the finder methods: subclassing ``importlib.abc``
    would import ``importlib.metadata`` with ``import microflask``.
    """

    def __init__(self, modules: dict[str, ModuleType]) -> None:
        self.modules = modules

    def find_spec(
        self,
        fullname: str,
        path: t.Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        """Return a spec for a Flask module name; refuse other ``flask.*``."""
        if fullname != "flask" and not fullname.startswith("flask."):
            return None
        module = self.modules.get(fullname)
        if module is None:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: microflask's Flask bridge serves"
                f" Flask's public modules only ({', '.join(sorted(self.modules))}).",
                name=fullname,
            )
        return ModuleSpec(fullname, t.cast("Loader", _AliasLoader(module)))

    def find_distributions(
        self, context: DistributionFinder.Context | None = None
    ) -> Iterator[Distribution]:
        """Yield a stand-in ``flask`` distribution if none is installed."""
        # importlib_metadata (the backport) deletes PathFinder.find_distributions
        from importlib.metadata import DistributionFinder, MetadataPathFinder

        if context is None:
            context = DistributionFinder.Context()
        if context.name is not None and _normalize(context.name) != "flask":
            return
        lookup = DistributionFinder.Context(name="flask", path=context.path)
        if next(iter(MetadataPathFinder.find_distributions(lookup)), None) is None:
            yield _flask_api_distribution()


def _normalize(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _flask_api_distribution() -> Distribution:
    """Return the ``flask`` distribution microflask stands in for."""
    from importlib.metadata import Distribution

    class FlaskAPIDistribution(Distribution):
        def read_text(self, filename: str) -> str | None:
            if filename in ("METADATA", "PKG-INFO"):
                return (
                    "Metadata-Version: 2.1\nName: Flask\n"
                    f"Version: {FLASK_API_VERSION}\n"
                    "Summary: Flask's API, served by microflask.install_as_flask().\n"
                )
            return None

        def locate_file(self, path: t.Any) -> t.Any:
            return None  # nothing of it is on disk

    return FlaskAPIDistribution()


def pytest_addhooks(pluginmanager: t.Any) -> None:
    """Install the bridge as pytest registers this module as a plugin."""
    # pytest calls this hook the moment ``-p microflask.flask_compat`` is
    # registered, before it loads other plugins, conftest files or tests.
    try:
        install_as_flask()
    except RuntimeError as e:
        raise RuntimeError(
            f"{e} If a plugin loaded before this one imported it, put"
            " -p microflask.flask_compat before the other -p options."
        ) from None


# Flask's names for the classes microflask renames; where each one lives here.
_RENAMED = {
    "Flask": "microflask.Microflask",
    "FlaskClient": "microflask.testing.MicroflaskClient",
    "FlaskCliRunner": "microflask.testing.MicroflaskCliRunner",
    "FlaskGroup": "microflask.cli.MicroflaskGroup",
}


def missing_flask_name(name: str) -> ImportError | AttributeError:
    """Return the error for a name the ``microflask`` package lacks.

    For a Flask class microflask renames, an ImportError saying where it went (an
    AttributeError's message would be replaced by ``from microflask import ...``).
    """
    if name not in _RENAMED:
        return AttributeError(f"module 'microflask' has no attribute {name!r}")
    module, _, new_name = _RENAMED[name].rpartition(".")
    return ImportError(
        f"microflask has no {name!r}: the class is {new_name!r} (from {module} import"
        f" {new_name}). To run Flask code unchanged, call"
        " microflask.install_as_flask() before importing flask.",
        name="microflask",
    )
