"""Blueprints: routes and hooks recorded now, applied to an app later."""

from __future__ import annotations

import os
import typing as t
from functools import update_wrapper

from .scaffold import Scaffold, _endpoint_from_view_func, setupmethod

if t.TYPE_CHECKING:
    from . import typing as ft
    from .app import Microflask

__all__ = ["Blueprint", "BlueprintSetupState"]

DeferredSetupFunction = t.Callable[["BlueprintSetupState"], None]
F = t.TypeVar("F", bound=t.Callable[..., t.Any])
_sentinel = object()


class BlueprintSetupState:
    """What a deferred setup function learns about one blueprint registration."""

    def __init__(
        self,
        blueprint: Blueprint,
        app: Microflask,
        options: t.Any,
        first_registration: bool,
    ) -> None:
        self.app = app
        self.blueprint = blueprint
        self.options = options
        self.first_registration = first_registration
        subdomain = options.get("subdomain")
        self.subdomain = blueprint.subdomain if subdomain is None else subdomain
        url_prefix = options.get("url_prefix")
        self.url_prefix = blueprint.url_prefix if url_prefix is None else url_prefix
        self.name: str = options.get("name", blueprint.name)
        self.name_prefix: str = options.get("name_prefix", "")
        self.url_defaults = dict(blueprint.url_values_defaults)
        self.url_defaults.update(options.get("url_defaults", ()))

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        **options: t.Any,
    ) -> None:
        """Register a rule on the app with the blueprint's prefix and name."""
        if self.url_prefix is not None:
            if rule:
                rule = "/".join((self.url_prefix.rstrip("/"), rule.lstrip("/")))
            else:
                rule = self.url_prefix
        options.setdefault("subdomain", self.subdomain)
        if endpoint is None:
            if view_func is None:
                raise AssertionError(f"add_url_rule({rule!r}) needs an endpoint or a view_func.")
            endpoint = _endpoint_from_view_func(view_func)
        defaults = self.url_defaults
        if "defaults" in options:
            defaults = dict(defaults, **options.pop("defaults"))
        self.app.add_url_rule(
            rule,
            f"{self.name_prefix}.{self.name}.{endpoint}".lstrip("."),
            view_func,
            defaults=defaults,
            **options,
        )


class Blueprint(Scaffold):
    """A set of routes, hooks, templates and static files for an app."""

    _got_registered_once = False

    def __init__(
        self,
        name: str,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, t.Any] | None = None,
        root_path: str | None = None,
        cli_group: str | None = _sentinel,  # type: ignore[assignment]
    ) -> None:
        super().__init__(import_name, static_folder, static_url_path, template_folder, root_path)
        if not name:
            raise ValueError("A blueprint's 'name' may not be empty.")
        if "." in name:
            raise ValueError(
                f"A blueprint's name may not contain a dot: {name!r}. Nest blueprints"
                " with register_blueprint instead."
            )
        self.name = name
        self.url_prefix = url_prefix
        self.subdomain = subdomain
        self.deferred_functions: list[DeferredSetupFunction] = []
        self.url_values_defaults = {} if url_defaults is None else url_defaults
        self.cli_group = cli_group
        self._blueprints: list[tuple[Blueprint, dict[str, t.Any]]] = []

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_registered_once:
            raise AssertionError(
                f"The setup method {f_name!r} can no longer be called on the blueprint"
                f" {self.name!r}. It has already been registered at least once, so"
                " changes would not be applied consistently. Set the blueprint up"
                " completely before registering it."
            )

    @setupmethod
    def record(self, func: DeferredSetupFunction) -> None:
        """Call *func(state)* each time the blueprint is registered."""
        self.deferred_functions.append(func)

    @setupmethod
    def record_once(self, func: DeferredSetupFunction) -> None:
        """Call *func(state)* on the blueprint's first registration only."""

        def wrapper(state: BlueprintSetupState) -> None:
            if state.first_registration:
                func(state)

        self.record(update_wrapper(wrapper, func))

    def make_setup_state(
        self,
        app: Microflask,
        options: dict[str, t.Any],
        first_registration: bool = False,
    ) -> BlueprintSetupState:
        """Return the state passed to the deferred setup functions."""
        return BlueprintSetupState(self, app, options, first_registration)

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Nest *blueprint* in this one; prefixes, subdomains and names combine."""
        if blueprint is self:
            raise ValueError("Cannot register a blueprint on itself.")
        self._blueprints.append((blueprint, options))

    def register(self, app: Microflask, options: dict[str, t.Any]) -> None:
        """Apply the blueprint to *app* (called by ``app.register_blueprint``).

        :raises ValueError: if its name is already taken on the app.
        """
        self_name = options.get("name", self.name)
        name = f"{options.get('name_prefix', '')}.{self_name}".lstrip(".")
        if name in app.blueprints:
            which = "this" if app.blueprints[name] is self else "a different"
            raise ValueError(
                f"The name {self_name!r} is already registered for {which} blueprint"
                f" ({name!r}). Pass name='...' to register_blueprint to give this"
                " registration a unique name."
            )
        first_registration = not any(bp is self for bp in app.blueprints.values())
        app.blueprints[name] = self
        self._got_registered_once = True
        state = self.make_setup_state(app, options, first_registration)
        app.blueprint_url_scopes[name] = (state.subdomain, state.url_prefix)
        if self.has_static_folder:
            state.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                view_func=self.send_static_file,
                endpoint="static",
            )
        self._merge_blueprint_funcs(app, name)
        for deferred in self.deferred_functions:
            deferred(state)
        self._register_cli(app, options, name)
        for blueprint, bp_options in self._blueprints:
            blueprint.register(app, _nested_options(state, blueprint, bp_options, name))

    def _register_cli(self, app: Microflask, options: dict[str, t.Any], name: str) -> None:
        if "cli" not in vars(self) or not self.cli.commands:  # no group made, no commands
            return
        group = options.get("cli_group", self.cli_group)
        if group is None:
            app.cli.commands.update(self.cli.commands)
            return
        self.cli.name = name if group is _sentinel else group
        app.cli.add_command(self.cli)

    def _merge_blueprint_funcs(self, app: Microflask, name: str) -> None:
        def key_for(key: str | None) -> str:
            return name if key is None else f"{name}.{key}"

        for key, spec in self.error_handler_spec.items():
            merged = app.error_handler_spec[key_for(key)]
            for code, handlers in spec.items():
                merged[code].update(handlers)
        # As in Flask, ``bp.endpoint(name)`` names an app endpoint as given, unprefixed.
        app.view_functions.update(self.view_functions)
        for attr in (
            "before_request_funcs",
            "after_request_funcs",
            "teardown_request_funcs",
            "url_default_functions",
            "url_value_preprocessors",
            "template_context_processors",
        ):
            for key, funcs in getattr(self, attr).items():
                getattr(app, attr)[key_for(key)].extend(funcs)

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Record a URL rule to add, prefixed, when the blueprint is registered.

        :raises ValueError: if the endpoint or the view's name contains a dot.
        """
        if endpoint and "." in endpoint:
            raise ValueError(f"A blueprint endpoint may not contain a dot: {endpoint!r}.")
        if view_func and "." in getattr(view_func, "__name__", ""):
            raise ValueError(
                f"A blueprint view function's name may not contain a dot:"
                f" {view_func.__name__!r}. Pass endpoint='...'."
            )
        options["provide_automatic_options"] = provide_automatic_options
        self.record(lambda s: s.add_url_rule(rule, endpoint, view_func, **options))

    def _add_template_item(self, kind: str, f: t.Callable[..., t.Any], name: str) -> None:
        def register(state: BlueprintSetupState) -> None:
            getattr(state.app.jinja_env, kind)[name] = f

        self.record_once(register)

    # -- app-wide variants ---------------------------------------------------------------

    @setupmethod
    def app_template_filter(
        self, name: str | None = None
    ) -> t.Callable[[ft.T_template_filter], ft.T_template_filter]:
        """Register a Jinja filter on the app (filters are app-wide anyway)."""
        return self.template_filter(name)

    @setupmethod
    def add_app_template_filter(
        self, f: ft.TemplateFilterCallable, name: str | None = None
    ) -> None:
        """Register *f* as a Jinja filter on the app."""
        self.add_template_filter(f, name)

    @setupmethod
    def app_template_test(
        self, name: str | None = None
    ) -> t.Callable[[ft.T_template_test], ft.T_template_test]:
        """Register a Jinja test on the app."""
        return self.template_test(name)

    @setupmethod
    def add_app_template_test(self, f: ft.TemplateTestCallable, name: str | None = None) -> None:
        """Register *f* as a Jinja test on the app."""
        self.add_template_test(f, name)

    @setupmethod
    def app_template_global(
        self, name: str | None = None
    ) -> t.Callable[[ft.T_template_global], ft.T_template_global]:
        """Register a Jinja global on the app."""
        return self.template_global(name)

    @setupmethod
    def add_app_template_global(
        self, f: ft.TemplateGlobalCallable, name: str | None = None
    ) -> None:
        """Register *f* as a Jinja global on the app."""
        self.add_template_global(f, name)

    def _app_wide(self, attr: str, f: F) -> F:
        # setdefault, as in Flask: a registry may have been replaced by a plain dict.
        self.record_once(lambda s: getattr(s.app, attr).setdefault(None, []).append(f))
        return f

    @setupmethod
    def before_app_request(self, f: ft.T_before_request) -> ft.T_before_request:
        """Run *f* before every request to the app, not only this blueprint's."""
        return self._app_wide("before_request_funcs", f)

    @setupmethod
    def after_app_request(self, f: ft.T_after_request) -> ft.T_after_request:
        """Run *f* after every request to the app."""
        return self._app_wide("after_request_funcs", f)

    @setupmethod
    def teardown_app_request(self, f: ft.T_teardown) -> ft.T_teardown:
        """Run *f* when any request's context pops."""
        return self._app_wide("teardown_request_funcs", f)

    @setupmethod
    def app_context_processor(
        self, f: ft.T_template_context_processor
    ) -> ft.T_template_context_processor:
        """Register an app-wide template context processor."""
        return self._app_wide("template_context_processors", f)

    @setupmethod
    def app_url_value_preprocessor(
        self, f: ft.T_url_value_preprocessor
    ) -> ft.T_url_value_preprocessor:
        """Register an app-wide URL value preprocessor."""
        return self._app_wide("url_value_preprocessors", f)

    @setupmethod
    def app_url_defaults(self, f: ft.T_url_defaults) -> ft.T_url_defaults:
        """Register an app-wide URL defaults function."""
        return self._app_wide("url_default_functions", f)

    @setupmethod
    def app_errorhandler(
        self, code: type[Exception] | int
    ) -> t.Callable[[ft.T_error_handler], ft.T_error_handler]:
        """Register an error handler for the whole app."""

        def decorator(f: ft.T_error_handler) -> ft.T_error_handler:
            self.record_once(lambda s: s.app.register_error_handler(code, f))
            return f

        return decorator


def _nested_options(
    state: BlueprintSetupState,
    blueprint: Blueprint,
    options: dict[str, t.Any],
    name: str,
) -> dict[str, t.Any]:
    """Combine a parent's registration state with a nested blueprint's options."""
    options = options.copy()
    subdomain = options.get("subdomain")
    if subdomain is None:
        subdomain = blueprint.subdomain
    if state.subdomain is not None and subdomain is not None:
        options["subdomain"] = f"{subdomain}.{state.subdomain}"
    elif subdomain is not None or state.subdomain is not None:
        options["subdomain"] = subdomain if subdomain is not None else state.subdomain
    prefix = options.get("url_prefix")
    if prefix is None:
        prefix = blueprint.url_prefix
    if state.url_prefix is not None and prefix is not None:
        options["url_prefix"] = f"{state.url_prefix.rstrip('/')}/{prefix.lstrip('/')}"
    elif prefix is not None or state.url_prefix is not None:
        options["url_prefix"] = prefix if prefix is not None else state.url_prefix
    options["name_prefix"] = name
    return options
