"""Tests for blueprints: registration, nesting, scoped hooks, folders and CLI groups."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from werkzeug.exceptions import NotFound

from microflask import (
    Blueprint,
    BlueprintSetupState,
    Microflask,
    abort,
    g,
    render_template,
    render_template_string,
    request,
    url_for,
)
from microflask.testing import MicroflaskClient

Calls = list[str]


def _rule(app: Microflask, endpoint: str) -> t.Any:
    """Return the single URL rule registered for *endpoint*."""
    (rule,) = app.url_map.iter_rules(endpoint)
    return rule


def _three_deep() -> tuple[Blueprint, Blueprint, Blueprint]:
    """Return parent -> child -> grandchild, each with an ``index`` view naming itself."""
    parent = Blueprint("parent", __name__, url_prefix="/p")
    child = Blueprint("child", __name__, url_prefix="/c")
    grandchild = Blueprint("grandchild", __name__, url_prefix="/g")
    for bp in (parent, child, grandchild):
        bp.add_url_rule("/", "index", lambda name=bp.name: name)
    child.register_blueprint(grandchild)
    parent.register_blueprint(child)
    return parent, child, grandchild


# --- the constructor -------------------------------------------------------------


@pytest.mark.parametrize(
    ("argument", "value", "attribute", "expected"),
    [
        ("static_folder", "/srv/assets", "static_folder", "/srv/assets"),
        ("static_url_path", "/files", "static_url_path", "/files"),
        ("template_folder", "bp_templates", "template_folder", "bp_templates"),
        ("url_prefix", "/admin", "url_prefix", "/admin"),
        ("subdomain", "api", "subdomain", "api"),
        ("url_defaults", {"page": 1}, "url_values_defaults", {"page": 1}),
        ("root_path", "/srv/bp", "root_path", "/srv/bp"),
        ("cli_group", "tools", "cli_group", "tools"),
    ],
)
def test_constructor_stores_argument(
    argument: str, value: object, attribute: str, expected: object
) -> None:
    bp = Blueprint("bp", "tests.test_blueprints", **{argument: value})  # type: ignore[arg-type]
    assert getattr(bp, attribute) == expected


def test_constructor_stores_name_and_import_name() -> None:
    bp = Blueprint("admin", "tests.test_blueprints")
    assert (bp.name, bp.import_name) == ("admin", "tests.test_blueprints")


def test_root_path_defaults_to_the_import_names_folder() -> None:
    bp = Blueprint("bp", __name__)
    assert bp.root_path == str(Path(__file__).parent)


@pytest.mark.parametrize("name", ["", "a.b"])
def test_invalid_blueprint_name_raises_value_error(name: str) -> None:
    with pytest.raises(ValueError, match="name"):
        Blueprint(name, __name__)


def test_blueprint_url_defaults_reach_the_view(app: Microflask, client: MicroflaskClient) -> None:
    bp = Blueprint("bp", __name__, url_defaults={"page": 7})
    bp.add_url_rule("/list", "list", lambda page: f"page {page}")
    app.register_blueprint(bp)
    assert client.get("/list").text == "page 7"


def test_blueprint_subdomain_is_set_on_its_rules(app: Microflask) -> None:
    bp = Blueprint("bp", __name__, subdomain="api")
    bp.add_url_rule("/", "index", lambda: "")
    app.register_blueprint(bp)
    assert _rule(app, "bp.index").subdomain == "api"


def test_blueprint_route_endpoint_defaults_to_the_function_name(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.route("/items")
    def list_items() -> str:
        return "items"

    app.register_blueprint(bp)
    assert app.view_functions["bp.list_items"] is list_items
    assert client.get("/bp/items").text == "items"


def test_empty_rule_is_the_url_prefix(app: Microflask, client: MicroflaskClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.add_url_rule("", "index", lambda: "bp root")
    app.register_blueprint(bp)
    assert _rule(app, "bp.index").rule == "/bp"
    assert client.get("/bp").text == "bp root"


def test_rule_defaults_merge_with_blueprint_url_defaults(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = Blueprint("bp", __name__, url_defaults={"page": 1, "size": 10})
    bp.add_url_rule("/list", "list", lambda page, size: f"{page}/{size}", defaults={"size": 5})
    app.register_blueprint(bp)
    assert client.get("/list").text == "1/5"


# --- register_blueprint options --------------------------------------------------


@pytest.mark.parametrize(
    ("bp_prefix", "option", "expected_rule"),
    [
        (None, None, "/view"),
        ("/bp", None, "/bp/view"),
        (None, "/opt", "/opt/view"),
        ("/bp", "/opt", "/opt/view"),
        ("/bp/", None, "/bp/view"),
        ("/", None, "/view"),
    ],
)
def test_url_prefix_option_overrides_the_blueprints(
    app: Microflask, bp_prefix: str | None, option: str | None, expected_rule: str
) -> None:
    bp = Blueprint("bp", __name__, url_prefix=bp_prefix)
    bp.add_url_rule("/view", "view", lambda: "")
    app.register_blueprint(bp, **({} if option is None else {"url_prefix": option}))
    assert _rule(app, "bp.view").rule == expected_rule


def test_subdomain_option_overrides_the_blueprints(app: Microflask) -> None:
    bp = Blueprint("bp", __name__, subdomain="api")
    bp.add_url_rule("/", "index", lambda: "")
    app.register_blueprint(bp, subdomain="admin")
    assert _rule(app, "bp.index").subdomain == "admin"


def test_url_defaults_option_overrides_the_blueprints(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = Blueprint("bp", __name__, url_defaults={"page": 1, "size": 10})
    bp.add_url_rule("/list", "list", lambda page, size: f"{page}/{size}")
    app.register_blueprint(bp, url_defaults={"page": 2})
    assert client.get("/list").text == "2/10"


def test_name_option_renames_the_endpoints(app: Microflask, client: MicroflaskClient) -> None:
    bp = Blueprint("bp", __name__)
    bp.add_url_rule("/", "index", lambda: request.blueprint or "")
    app.register_blueprint(bp, name="renamed")
    assert "renamed.index" in app.view_functions
    assert "bp.index" not in app.view_functions
    assert app.blueprints == {"renamed": bp}
    assert client.get("/").text == "renamed"


def test_blueprint_registered_twice_under_distinct_names(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = Blueprint("bp", __name__)
    bp.add_url_rule("/", "index", lambda: request.blueprint or "")
    app.register_blueprint(bp, url_prefix="/one")
    app.register_blueprint(bp, url_prefix="/two", name="two")
    assert (client.get("/one/").text, client.get("/two/").text) == ("bp", "two")
    with app.test_request_context():
        assert url_for("bp.index") == "/one/"
        assert url_for("two.index") == "/two/"


def test_blueprint_hooks_run_for_each_registration(
    app: Microflask, client: MicroflaskClient
) -> None:
    calls: Calls = []
    bp = Blueprint("bp", __name__)
    bp.before_request(lambda: calls.append(request.blueprint or ""))
    bp.add_url_rule("/", "index", lambda: "")
    app.register_blueprint(bp, url_prefix="/one")
    app.register_blueprint(bp, url_prefix="/two", name="two")
    client.get("/one/")
    client.get("/two/")
    assert calls == ["bp", "two"]


def test_app_wide_hook_of_a_blueprint_registered_twice_runs_once(
    app: Microflask, client: MicroflaskClient
) -> None:
    calls: Calls = []
    bp = Blueprint("bp", __name__)
    bp.before_app_request(lambda: calls.append("hit"))
    app.register_blueprint(bp)
    app.register_blueprint(bp, name="two")
    app.add_url_rule("/", "index", lambda: "")
    client.get("/")
    assert calls == ["hit"]


def test_registering_a_blueprint_twice_with_one_name_raises(app: Microflask) -> None:
    bp = Blueprint("bp", __name__)
    app.register_blueprint(bp)
    with pytest.raises(ValueError, match=r"'bp' is already registered for this blueprint.*name="):
        app.register_blueprint(bp, url_prefix="/again")


def test_two_blueprints_with_one_name_raise(app: Microflask) -> None:
    app.register_blueprint(Blueprint("bp", __name__))
    with pytest.raises(ValueError, match=r"'bp' is already registered for a different blueprint"):
        app.register_blueprint(Blueprint("bp", __name__))


@pytest.mark.parametrize(
    ("endpoint", "view_name"), [("a.b", "view"), (None, "a.b")], ids=["endpoint", "view_name"]
)
def test_dotted_blueprint_endpoint_raises(endpoint: str | None, view_name: str) -> None:
    def view() -> str:
        return ""

    view.__name__ = view_name
    bp = Blueprint("bp", __name__)
    with pytest.raises(ValueError, match="dot"):
        bp.add_url_rule("/", endpoint, view)


def test_nested_name_clash_raises_with_the_dotted_name(app: Microflask) -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)
    parent.register_blueprint(child, url_prefix="/one")
    parent.register_blueprint(child, url_prefix="/two")
    with pytest.raises(ValueError, match=r"'child' is already registered.*'parent\.child'"):
        app.register_blueprint(parent)


def test_registering_a_blueprint_on_itself_raises() -> None:
    bp = Blueprint("bp", __name__)
    with pytest.raises(ValueError, match="itself"):
        bp.register_blueprint(bp)


# --- nesting ---------------------------------------------------------------------


def test_nested_endpoints_are_dotted_paths(app: Microflask) -> None:
    parent, _, _ = _three_deep()
    app.register_blueprint(parent)
    assert {"parent.index", "parent.child.index", "parent.child.grandchild.index"} <= set(
        app.view_functions
    )
    assert list(app.blueprints) == ["parent", "parent.child", "parent.child.grandchild"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/p/", "parent"), ("/p/c/", "child"), ("/p/c/g/", "grandchild")],
)
def test_nested_prefixes_combine(
    app: Microflask, client: MicroflaskClient, path: str, expected: str
) -> None:
    parent, _, _ = _three_deep()
    app.register_blueprint(parent)
    assert client.get(path).text == expected


def test_nested_prefixes_combine_under_the_registration_prefix(app: Microflask) -> None:
    parent, _, _ = _three_deep()
    app.register_blueprint(parent, url_prefix="/root")
    assert _rule(app, "parent.child.grandchild.index").rule == "/root/c/g/"


def test_renaming_the_parent_renames_nested_endpoints(
    app: Microflask, client: MicroflaskClient
) -> None:
    parent, _, _ = _three_deep()
    app.register_blueprint(parent, name="top", url_prefix="/top")
    assert "top.child.grandchild.index" in app.view_functions
    assert client.get("/top/c/g/").text == "grandchild"


def test_nested_blueprint_without_prefix_inherits_the_parents(app: Microflask) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/p")
    child = Blueprint("child", __name__)
    child.add_url_rule("/x", "x", lambda: "")
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert _rule(app, "parent.child.x").rule == "/p/x"


def test_nested_registration_options_override_the_childs_prefix(app: Microflask) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/p")
    child = Blueprint("child", __name__, url_prefix="/c")
    child.add_url_rule("/x", "x", lambda: "")
    parent.register_blueprint(child, url_prefix="/other", name="renamed")
    app.register_blueprint(parent)
    assert _rule(app, "parent.renamed.x").rule == "/p/other/x"


@pytest.mark.parametrize(
    ("subdomains", "expected"),
    [
        (("api", "v1", "beta"), "beta.v1.api"),
        (("api", None, "beta"), "beta.api"),
        ((None, "v1", None), "v1"),
        ((None, None, None), ""),
    ],
)
def test_nested_subdomains_combine(
    app: Microflask, subdomains: tuple[str | None, str | None, str | None], expected: str
) -> None:
    parent_sub, child_sub, grandchild_sub = subdomains
    parent = Blueprint("parent", __name__, subdomain=parent_sub)
    child = Blueprint("child", __name__, subdomain=child_sub)
    grandchild = Blueprint("grandchild", __name__, subdomain=grandchild_sub)
    grandchild.add_url_rule("/", "index", lambda: "")
    child.register_blueprint(grandchild)
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert _rule(app, "parent.child.grandchild.index").subdomain == expected


def test_nested_subdomain_route_is_matched_on_that_host() -> None:
    app = Microflask(__name__, subdomain_matching=True)
    app.config.update(TESTING=True, SERVER_NAME="example.test")
    parent = Blueprint("parent", __name__, subdomain="api")
    child = Blueprint("child", __name__, subdomain="v1")
    child.add_url_rule("/", "index", lambda: "v1 api")
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    client = app.test_client()
    assert client.get("/", base_url="http://v1.api.example.test").text == "v1 api"
    assert client.get("/", base_url="http://example.test").status_code == 404


def test_nested_subdomain_option_overrides_the_childs(app: Microflask) -> None:
    parent = Blueprint("parent", __name__, subdomain="api")
    child = Blueprint("child", __name__, subdomain="v1")
    child.add_url_rule("/", "index", lambda: "")
    parent.register_blueprint(child, subdomain="v2")
    app.register_blueprint(parent)
    assert _rule(app, "parent.child.index").subdomain == "v2.api"


def test_same_child_nested_in_two_parents_gets_two_names(
    app: Microflask, client: MicroflaskClient
) -> None:
    child = Blueprint("child", __name__)
    child.add_url_rule("/", "index", lambda: request.blueprint or "")
    one = Blueprint("one", __name__, url_prefix="/one")
    two = Blueprint("two", __name__, url_prefix="/two")
    one.register_blueprint(child)
    two.register_blueprint(child)
    app.register_blueprint(one)
    app.register_blueprint(two)
    assert (client.get("/one/").text, client.get("/two/").text) == ("one.child", "two.child")


# --- record, record_once, BlueprintSetupState ------------------------------------


def test_record_runs_on_every_registration(app: Microflask) -> None:
    states: list[BlueprintSetupState] = []
    bp = Blueprint("bp", __name__)
    bp.record(states.append)
    app.register_blueprint(bp)
    app.register_blueprint(bp, name="again")
    assert [(s.name, s.first_registration) for s in states] == [("bp", True), ("again", False)]


def test_record_once_runs_on_the_first_registration_only(app: Microflask) -> None:
    states: list[BlueprintSetupState] = []
    bp = Blueprint("bp", __name__)
    bp.record_once(states.append)
    app.register_blueprint(bp)
    app.register_blueprint(bp, name="again")
    assert [s.name for s in states] == ["bp"]


def test_record_once_runs_again_for_another_app() -> None:
    apps: list[Microflask] = []
    bp = Blueprint("bp", __name__)
    bp.record_once(lambda state: apps.append(state.app))
    first, second = Microflask(__name__), Microflask(__name__)
    first.register_blueprint(bp)
    second.register_blueprint(bp)
    assert apps == [first, second]


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [
        ("url_prefix", "/opt"),
        ("subdomain", "api"),
        ("name", "renamed"),
        ("name_prefix", ""),
        ("first_registration", True),
        ("url_defaults", {"page": 1, "lang": "en"}),
        ("options", {"url_prefix": "/opt", "name": "renamed", "url_defaults": {"lang": "en"}}),
    ],
)
def test_setup_state_attribute(app: Microflask, attribute: str, expected: object) -> None:
    states: list[BlueprintSetupState] = []
    bp = Blueprint("bp", __name__, url_prefix="/bp", subdomain="api", url_defaults={"page": 1})
    bp.record(states.append)
    app.register_blueprint(bp, url_prefix="/opt", name="renamed", url_defaults={"lang": "en"})
    (state,) = states
    assert getattr(state, attribute) == expected


def test_setup_state_references_app_and_blueprint(app: Microflask) -> None:
    states: list[BlueprintSetupState] = []
    bp = Blueprint("bp", __name__)
    bp.record(states.append)
    app.register_blueprint(bp)
    assert (states[0].app, states[0].blueprint) == (app, bp)


def test_setup_state_of_a_nested_blueprint_has_the_name_prefix(app: Microflask) -> None:
    states: list[BlueprintSetupState] = []
    parent, child, grandchild = _three_deep()
    grandchild.record(states.append)
    app.register_blueprint(parent)
    assert (states[0].name_prefix, states[0].url_prefix) == ("parent.child", "/p/c/g")


def test_setup_state_add_url_rule_prefixes_rule_and_endpoint(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.record(lambda state: state.add_url_rule("/hello", "hello", lambda: "hi"))
    app.register_blueprint(bp)
    assert _rule(app, "bp.hello").rule == "/bp/hello"
    assert client.get("/bp/hello").text == "hi"


def test_endpoint_decorator_on_a_blueprint_names_an_app_endpoint(
    app: Microflask, client: MicroflaskClient
) -> None:
    # Flask documents bp.endpoint() for rules added without a view; the name is
    # taken as given, so it pairs with an app-level rule of the same endpoint.
    bp = Blueprint("bp", __name__)

    @bp.endpoint("bar")
    def foobar() -> str:
        return request.endpoint or ""

    app.register_blueprint(bp, url_prefix="/bp_prefix")
    app.add_url_rule("/", endpoint="bar")
    assert app.view_functions["bar"] is foobar
    assert "bp.bar" not in app.view_functions
    assert client.get("/").text == "bar"


# --- hooks scoped to a blueprint, and their app-wide variants ----------------------


def _before(calls: Calls) -> t.Callable[[], None]:
    return lambda: calls.append("hit")


def _after(calls: Calls) -> t.Callable[[t.Any], t.Any]:
    def after(response: t.Any) -> t.Any:
        calls.append("hit")
        return response

    return after


def _teardown(calls: Calls) -> t.Callable[[BaseException | None], None]:
    return lambda exc: calls.append("hit")


def _two_args(calls: Calls) -> t.Callable[[str | None, t.Any], None]:
    return lambda endpoint, values: calls.append("hit")


def _context_processor(calls: Calls) -> t.Callable[[], dict[str, t.Any]]:
    def processor() -> dict[str, t.Any]:
        calls.append("hit")
        return {}

    return processor


SCOPED_HOOKS = [
    ("before_request", "before_app_request", _before),
    ("after_request", "after_app_request", _after),
    ("teardown_request", "teardown_app_request", _teardown),
    ("url_value_preprocessor", "app_url_value_preprocessor", _two_args),
    ("url_defaults", "app_url_defaults", _two_args),
    ("context_processor", "app_context_processor", _context_processor),
]


def _app_and_bp_views(app: Microflask, bp: Blueprint) -> None:
    """Give app and bp a view that builds its own URL and renders a template."""

    def render(endpoint: str) -> str:
        return render_template_string("{{ url }}", url=url_for(endpoint))

    app.add_url_rule("/", "index", lambda: render("index"))
    bp.add_url_rule("/", "index", lambda: render("bp.index"))
    app.register_blueprint(bp, url_prefix="/bp")


@pytest.mark.parametrize(("scoped", "app_wide", "make"), SCOPED_HOOKS)
def test_blueprint_hook_runs_only_for_its_own_views(
    app: Microflask,
    client: MicroflaskClient,
    scoped: str,
    app_wide: str,
    make: t.Callable[[Calls], t.Any],
) -> None:
    calls: Calls = []
    bp = Blueprint("bp", __name__)
    getattr(bp, scoped)(make(calls))
    _app_and_bp_views(app, bp)
    assert client.get("/").text == "/"
    assert calls == []
    assert client.get("/bp/").text == "/bp/"
    assert calls == ["hit"]


@pytest.mark.parametrize(("scoped", "app_wide", "make"), SCOPED_HOOKS)
def test_blueprint_app_variant_runs_for_every_view(
    app: Microflask,
    client: MicroflaskClient,
    scoped: str,
    app_wide: str,
    make: t.Callable[[Calls], t.Any],
) -> None:
    calls: Calls = []
    bp = Blueprint("bp", __name__)
    getattr(bp, app_wide)(make(calls))
    _app_and_bp_views(app, bp)
    assert client.get("/").text == "/"
    assert calls == ["hit"]
    assert client.get("/bp/").text == "/bp/"
    assert calls == ["hit", "hit"]


def test_blueprint_before_request_return_value_ends_request(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = Blueprint("bp", __name__)
    bp.before_request(lambda: ("stopped", 403))
    bp.add_url_rule("/", "index", lambda: "view")
    app.register_blueprint(bp, url_prefix="/bp")
    response = client.get("/bp/")
    assert (response.status_code, response.text) == (403, "stopped")


def test_blueprint_url_processors_pull_and_push_a_language(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = Blueprint("i18n", __name__, url_prefix="/<lang>")

    @bp.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        g.lang = t.cast(dict[str, t.Any], values).pop("lang")

    @bp.url_defaults
    def push_lang(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("lang", g.lang)

    @bp.route("/page")
    def page() -> str:
        return f"{g.lang} {url_for('.page')}"

    app.register_blueprint(bp)
    assert client.get("/de/page").text == "de /de/page"


def test_blueprint_url_defaults_apply_only_to_its_endpoints(app: Microflask) -> None:
    bp = Blueprint("bp", __name__)
    bp.url_defaults(lambda endpoint, values: values.setdefault("tag", "bp"))
    bp.add_url_rule("/bp", "index", lambda: "")
    app.add_url_rule("/", "index", lambda: "")
    app.register_blueprint(bp)
    with app.test_request_context():
        assert (url_for("bp.index"), url_for("index")) == ("/bp?tag=bp", "/")


def test_blueprint_context_processor_values_reach_its_templates(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = Blueprint("bp", __name__)
    bp.context_processor(lambda: {"who": "bp"})
    bp.add_url_rule("/bp", "index", lambda: render_template_string("{{ who }}"))
    app.add_url_rule("/", "index", lambda: render_template_string("{{ who }}"))
    app.register_blueprint(bp)
    assert (client.get("/bp").text, client.get("/").text) == ("bp", "")


def test_app_context_processor_values_reach_every_template(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = Blueprint("bp", __name__)
    bp.app_context_processor(lambda: {"who": "everyone"})
    app.add_url_rule("/", "index", lambda: render_template_string("{{ who }}"))
    app.register_blueprint(bp)
    assert client.get("/").text == "everyone"


def _filter_test_global(
    bp: Blueprint, style: str
) -> tuple[t.Callable[..., t.Any], t.Callable[..., t.Any], t.Callable[..., t.Any]]:
    def reverse(s: str) -> str:
        return s[::-1]

    def odd(n: int) -> bool:
        return n % 2 == 1

    def answer() -> int:
        return 42

    if style == "decorator":
        bp.app_template_filter("rev")(reverse)
        bp.app_template_test("odd")(odd)
        bp.app_template_global("answer")(answer)
    elif style == "add":
        bp.add_app_template_filter(reverse, "rev")
        bp.add_app_template_test(odd, "odd")
        bp.add_app_template_global(answer, "answer")
    else:
        bp.template_filter("rev")(reverse)
        bp.template_test("odd")(odd)
        bp.template_global("answer")(answer)
    return reverse, odd, answer


@pytest.mark.parametrize("style", ["decorator", "add", "scaffold"])
def test_blueprint_template_filter_test_and_global_are_registered_on_the_app(
    app: Microflask, client: MicroflaskClient, style: str
) -> None:
    bp = Blueprint("bp", __name__)
    reverse, odd, answer = _filter_test_global(bp, style)
    app.add_url_rule(
        "/",
        "index",
        lambda: render_template_string("{{ 'abc'|rev }} {{ 3 is odd }} {{ answer() }}"),
    )
    app.register_blueprint(bp)
    env = app.jinja_env
    assert (env.filters["rev"], env.tests["odd"], env.globals["answer"]) == (reverse, odd, answer)
    assert client.get("/").text == "cba True 42"


@pytest.mark.parametrize("decorator", ["app_template_filter", "app_template_test"])
def test_blueprint_template_helper_without_name_uses_the_function_name(
    app: Microflask, decorator: str
) -> None:
    bp = Blueprint("bp", __name__)

    def shout(value: t.Any) -> t.Any:
        return value

    getattr(bp, decorator)()(shout)
    app.register_blueprint(bp)
    kind = "filters" if decorator == "app_template_filter" else "tests"
    assert getattr(app.jinja_env, kind)["shout"] is shout


# --- hook execution order, three deep ---------------------------------------------


def _record_hooks(scaffold: Microflask | Blueprint, label: str, calls: Calls) -> None:
    """Register two of each hook on *scaffold*, each appending ``kind:label<n>``."""
    for n in (1, 2):
        tag = f"{label}{n}"

        def before(tag: str = tag) -> None:
            calls.append(f"before:{tag}")

        def after(response: t.Any, tag: str = tag) -> t.Any:
            calls.append(f"after:{tag}")
            return response

        def teardown(exc: BaseException | None, tag: str = tag) -> None:
            calls.append(f"teardown:{tag}")

        def preprocess(endpoint: str | None, values: t.Any, tag: str = tag) -> None:
            calls.append(f"preprocess:{tag}")

        scaffold.url_value_preprocessor(preprocess)
        scaffold.before_request(before)
        scaffold.after_request(after)
        scaffold.teardown_request(teardown)


@pytest.fixture
def hook_calls(app: Microflask) -> Calls:
    """Three-deep blueprints and the app, each with recording hooks."""
    calls: Calls = []
    parent, child, grandchild = _three_deep()
    for scaffold, label in ((app, "app"), (parent, "p"), (child, "c"), (grandchild, "g")):
        _record_hooks(scaffold, label, calls)

    def view() -> str:
        calls.append("view")
        return "ok"

    grandchild.add_url_rule("/view", "view", view)
    app.register_blueprint(parent)
    return calls


def test_hooks_run_app_first_outer_to_inner_then_reversed(
    client: MicroflaskClient, hook_calls: Calls
) -> None:
    assert client.get("/p/c/g/view").text == "ok"
    levels = ["app", "p", "c", "g"]
    outer_first = [f"{level}{n}" for level in levels for n in (1, 2)]
    inner_first = outer_first[::-1]
    assert hook_calls == [
        *(f"preprocess:{tag}" for tag in outer_first),
        *(f"before:{tag}" for tag in outer_first),
        "view",
        *(f"after:{tag}" for tag in inner_first),
        *(f"teardown:{tag}" for tag in inner_first),
    ]


def test_hooks_of_deeper_blueprints_do_not_run_for_a_parent_view(
    client: MicroflaskClient, hook_calls: Calls
) -> None:
    assert client.get("/p/c/").text == "child"
    assert [call for call in hook_calls if call.startswith("before:")] == [
        "before:app1",
        "before:app2",
        "before:p1",
        "before:p2",
        "before:c1",
        "before:c2",
    ]
    assert [call for call in hook_calls if call.startswith("teardown:")] == [
        "teardown:c2",
        "teardown:c1",
        "teardown:p2",
        "teardown:p1",
        "teardown:app2",
        "teardown:app1",
    ]


def test_only_app_hooks_run_for_an_app_view(
    app: Microflask, client: MicroflaskClient, hook_calls: Calls
) -> None:
    app.add_url_rule("/", "index", lambda: "app")
    assert client.get("/").text == "app"
    assert {call.split(":")[1] for call in hook_calls} == {"app1", "app2"}


def test_context_processors_run_app_first_and_the_innermost_value_wins(
    app: Microflask, client: MicroflaskClient
) -> None:
    calls: Calls = []
    parent, child, grandchild = _three_deep()
    for scaffold, label in ((app, "app"), (parent, "p"), (child, "c"), (grandchild, "g")):

        def processor(label: str = label) -> dict[str, t.Any]:
            calls.append(label)
            return {"who": label, label: "yes"}

        scaffold.context_processor(processor)
    grandchild.add_url_rule(
        "/view", "view", lambda: render_template_string("{{ who }} {{ app }}{{ p }}{{ c }}{{ g }}")
    )
    app.register_blueprint(parent)
    assert client.get("/p/c/g/view").text == "g yesyesyesyes"
    assert calls == ["app", "p", "c", "g"]


# --- error handlers --------------------------------------------------------------


class _Boom(Exception):
    pass


@pytest.mark.parametrize(
    ("handled_by", "expected"),
    [
        (("app", "parent", "child", "grandchild"), "grandchild"),
        (("app", "parent", "child"), "child"),
        (("app", "parent"), "parent"),
        (("app",), "app"),
        (("parent", "grandchild"), "grandchild"),
        (("app", "child"), "child"),
    ],
)
def test_innermost_blueprint_error_handler_wins(
    app: Microflask, client: MicroflaskClient, handled_by: tuple[str, ...], expected: str
) -> None:
    parent, child, grandchild = _three_deep()
    scaffolds: dict[str, Microflask | Blueprint] = {
        "app": app,
        "parent": parent,
        "child": child,
        "grandchild": grandchild,
    }
    for name in handled_by:
        scaffolds[name].register_error_handler(_Boom, lambda e, name=name: (name, 500))

    def boom() -> str:
        raise _Boom

    grandchild.add_url_rule("/boom", "boom", boom)
    app.register_blueprint(parent)
    assert client.get("/p/c/g/boom").text == expected


def test_blueprint_generic_handler_beats_the_apps_exact_one(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = Blueprint("bp", __name__)
    bp.register_error_handler(Exception, lambda e: ("bp generic", 500))
    app.register_error_handler(_Boom, lambda e: ("app exact", 500))

    def boom() -> str:
        raise _Boom

    bp.add_url_rule("/boom", "boom", boom)
    app.register_blueprint(bp)
    assert client.get("/boom").text == "bp generic"


def test_blueprint_500_handler_handles_its_unhandled_errors(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    bp = Blueprint("bp", __name__)
    bp.errorhandler(500)(lambda e: (f"bp 500 {type(e.original_exception).__name__}", 500))

    def boom() -> str:
        raise _Boom

    bp.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/boom", "boom", boom)
    app.register_blueprint(bp, url_prefix="/bp")
    assert client.get("/bp/boom").text == "bp 500 _Boom"
    assert "bp 500" not in client.get("/boom").text


def test_blueprint_error_handler_for_a_code(app: Microflask, client: MicroflaskClient) -> None:
    bp = Blueprint("bp", __name__)
    bp.errorhandler(403)(lambda e: ("bp forbids", 403))
    bp.add_url_rule("/", "index", lambda: abort(403))
    app.register_blueprint(bp, url_prefix="/bp")
    response = client.get("/bp/")
    assert (response.status_code, response.text) == (403, "bp forbids")


def test_blueprint_error_handler_ignores_errors_of_other_views(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = Blueprint("bp", __name__)
    bp.errorhandler(403)(lambda e: ("bp forbids", 403))
    app.add_url_rule("/", "index", lambda: abort(403))
    app.register_blueprint(bp)
    response = client.get("/")
    assert response.status_code == 403
    assert "bp forbids" not in response.text


def _scoped_api(app: Microflask) -> None:
    """Register ``api`` at /api (handling 404 and 405) with ``v1`` nested at /api/v1."""
    api = Blueprint("api", __name__, url_prefix="/api")
    v1 = Blueprint("v1", __name__, url_prefix="/v1")
    api.register_error_handler(404, lambda e: ({"error": "api 404"}, 404))
    api.errorhandler(405)(
        lambda e: ({"error": "api 405"}, 405, {"Allow": ", ".join(e.valid_methods)})
    )
    v1.errorhandler(404)(lambda e: ({"error": "v1 404"}, 404))
    api.add_url_rule("/items", "items", lambda: "items")
    v1.add_url_rule("/things", "things", lambda: "things")
    api.register_blueprint(v1)
    app.register_blueprint(api)
    app.errorhandler(404)(lambda e: ("app 404", 404))


@pytest.mark.parametrize(
    ("method", "path", "status", "body"),
    [
        ("GET", "/api/missing", 404, "api 404"),
        ("GET", "/api", 404, "api 404"),
        ("DELETE", "/api/items", 405, "api 405"),
        ("GET", "/api/v1/missing", 404, "v1 404"),
        ("DELETE", "/api/v1/things", 405, "api 405"),
        ("GET", "/apix", 404, "app 404"),
        ("GET", "/missing", 404, "app 404"),
    ],
)
def test_routing_404_and_405_go_to_the_blueprint_whose_prefix_holds_the_url(
    app: Microflask, client: MicroflaskClient, method: str, path: str, status: int, body: str
) -> None:
    _scoped_api(app)
    response = client.open(path, method=method)
    assert response.status_code == status
    assert body in response.text
    if status == 405:
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_routing_404_under_a_subdomain_blueprint_is_scoped_by_subdomain() -> None:
    app = Microflask(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    bp = Blueprint("shop", __name__, url_prefix="/s", subdomain="shop")
    bp.errorhandler(404)(lambda e: ("shop 404", 404))
    bp.add_url_rule("/", "index", lambda: "")
    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/s/x", base_url="http://shop.example.test").text == "shop 404"
    assert "shop 404" not in client.get("/s/x", base_url="http://example.test").text


def test_subdomain_blueprint_without_a_prefix_takes_its_subdomains_routing_errors() -> None:
    app = Microflask(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    api = _answers_404(Blueprint("api", __name__, subdomain="api"), "api 404")
    api.add_url_rule("/items", "items", lambda: "items")
    api.errorhandler(405)(lambda e: ("api 405", 405))
    docs = _answers_404(Blueprint("docs", __name__, url_prefix="/docs"), "docs 404")
    api.register_blueprint(docs)
    app.register_blueprint(api)
    app.errorhandler(404)(lambda e: ("app 404", 404))
    client = app.test_client()
    on_api = "http://api.example.test"
    assert client.get("/nope", base_url=on_api).text == "api 404"
    assert client.post("/items", base_url=on_api).text == "api 405"
    assert client.get("/docs/nope", base_url=on_api).text == "docs 404"  # a prefix is closer
    assert client.get("/nope", base_url="http://example.test").text == "app 404"
    assert client.get("/nope", base_url="http://www.example.test").text == "app 404"


def test_blueprint_without_a_prefix_does_not_take_routing_errors(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = Blueprint("bp", __name__)
    bp.errorhandler(404)(lambda e: ("bp 404", 404))
    bp.add_url_rule("/bp-page", "index", lambda: "")
    app.register_blueprint(bp)
    response = client.get("/missing")
    assert response.status_code == 404
    assert "bp 404" not in response.text


def _answers_404(bp: Blueprint, text: str) -> Blueprint:
    bp.errorhandler(404)(lambda e: (text, 404))
    return bp


def test_routing_404_scope_with_a_default_subdomain() -> None:
    # The blueprint's rules live on the map's default subdomain: so does its scope.
    app = Microflask(__name__)
    app.config["SERVER_NAME"] = "example.test"
    app.url_map.default_subdomain = "www"
    bp = _answers_404(Blueprint("api", __name__, url_prefix="/api"), "api 404")
    bp.add_url_rule("/items", "items", lambda: "items")
    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/api/items", base_url="http://www.example.test").text == "items"
    assert client.get("/api/x", base_url="http://www.example.test").text == "api 404"


def test_routing_404_scope_of_a_prefix_with_a_url_variable(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = _answers_404(Blueprint("i18n", __name__, url_prefix="/<lang>"), "i18n 404")
    bp.add_url_rule("/about", "about", lambda lang: lang)
    bp.errorhandler(405)(lambda e: ("i18n 405", 405))
    deep = _answers_404(Blueprint("docs", __name__, url_prefix="/docs/<path:page>"), "docs 404")
    deep.add_url_rule("/raw", "raw", lambda page: page)
    app.register_blueprint(bp)
    app.register_blueprint(deep)
    app.errorhandler(404)(lambda e: ("app 404", 404))
    app.errorhandler(405)(lambda e: ("app 405", 405))
    assert client.get("/fr/about").text == "fr"
    assert client.get("/fr/nope").text == "i18n 404"
    assert client.post("/fr/about").text == "i18n 405"
    assert client.get("/docs/a/b/c/nope").text == "docs 404"
    assert client.get("/").text == "app 404"


@pytest.mark.parametrize(
    ("path", "expected"), [("/api/nope", "api 404"), ("/fr/nope", "i18n 404"), ("/api", "api 404")]
)
def test_routing_404_scope_prefers_a_literal_prefix_to_a_url_variable(
    app: Microflask, client: MicroflaskClient, path: str, expected: str
) -> None:
    # Both prefixes hold /api/nope at one segment; routing too prefers the literal one.
    app.register_blueprint(
        _answers_404(Blueprint("i18n", __name__, url_prefix="/<lang>"), "i18n 404")
    )
    app.register_blueprint(_answers_404(Blueprint("api", __name__, url_prefix="/api"), "api 404"))
    app.errorhandler(404)(lambda e: ("app 404", 404))
    assert client.get(path).text == expected


@pytest.mark.parametrize(
    ("children", "expected"), [(["child"], "child 404"), (["first", "second"], "parent 404")]
)
def test_routing_404_scope_of_nested_blueprints_without_a_prefix_of_their_own(
    app: Microflask, client: MicroflaskClient, children: list[str], expected: str
) -> None:
    # One such child is the innermost holder of its parent's prefix; siblings sharing
    # it give way to their parent.
    parent = _answers_404(Blueprint("parent", __name__, url_prefix="/p"), "parent 404")
    for name in children:
        child = _answers_404(Blueprint(name, __name__), f"{name} 404")
        child.add_url_rule(f"/{name}", name, lambda: "page")
        parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get("/p/nope").text == expected


def test_routing_404_scope_a_slash_prefix_holds_no_urls(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = _answers_404(Blueprint("root", __name__, url_prefix="/"), "root 404")
    bp.add_url_rule("/a", "a", lambda: "a")
    app.register_blueprint(bp)
    assert client.get("/a").text == "a"
    assert "root 404" not in client.get("/nope").text


def test_app_errorhandler_handles_errors_of_every_view(
    app: Microflask, client: MicroflaskClient
) -> None:
    bp = Blueprint("bp", __name__)

    @bp.app_errorhandler(NotFound)
    def not_found(e: NotFound) -> tuple[str, int]:
        return "app-wide 404", 404

    app.register_blueprint(bp)
    response = client.get("/nowhere")
    assert (response.status_code, response.text) == (404, "app-wide 404")


# --- url_for and the request's blueprint ------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "/"),
        ("/p/", "/p/"),
        ("/p/c/", "/p/c/"),
        ("/p/c/g/", "/p/c/g/"),
    ],
)
def test_relative_url_for_uses_the_current_blueprint(
    app: Microflask, client: MicroflaskClient, path: str, expected: str
) -> None:
    parent, child, grandchild = _three_deep()
    for scaffold in (app, parent, child, grandchild):
        scaffold.add_url_rule("/here", "here", lambda: url_for(".index"))
    app.add_url_rule("/", "index", lambda: "app")
    app.register_blueprint(parent)
    assert client.get(f"{path}here").text == expected


def test_relative_url_for_outside_a_blueprint_builds_an_app_endpoint(app: Microflask) -> None:
    app.add_url_rule("/top", "top", lambda: "")
    with app.test_request_context("/"):
        assert url_for(".top") == "/top"


@pytest.mark.parametrize(
    ("path", "blueprint", "blueprints"),
    [
        ("/", None, []),
        ("/p/", "parent", ["parent"]),
        ("/p/c/", "parent.child", ["parent.child", "parent"]),
        (
            "/p/c/g/",
            "parent.child.grandchild",
            ["parent.child.grandchild", "parent.child", "parent"],
        ),
    ],
)
def test_request_blueprint_and_blueprints(
    app: Microflask, path: str, blueprint: str | None, blueprints: list[str]
) -> None:
    parent, _, _ = _three_deep()
    app.add_url_rule("/", "index", lambda: "app")
    app.register_blueprint(parent)
    with app.test_request_context(path):
        assert (request.blueprint, request.blueprints) == (blueprint, blueprints)


# --- static and template folders -------------------------------------------------


@pytest.fixture
def static_bp(tmp_path: Path) -> Blueprint:
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "app.css").write_text("body { color: red }")
    return Blueprint("admin", __name__, static_folder=folder, url_prefix="/admin")


def test_blueprint_static_file_is_served(
    app: Microflask, client: MicroflaskClient, static_bp: Blueprint
) -> None:
    app.register_blueprint(static_bp)
    response = client.get("/admin/static/app.css")
    assert (response.status_code, response.text) == (200, "body { color: red }")
    assert response.mimetype == "text/css"
    response.close()


def test_blueprint_static_url_for(app: Microflask, static_bp: Blueprint) -> None:
    app.register_blueprint(static_bp)
    with app.test_request_context():
        assert url_for("admin.static", filename="app.css") == "/admin/static/app.css"


def test_blueprint_static_url_path_changes_the_url(app: Microflask, tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "x.js").write_text("1")
    bp = Blueprint("bp", __name__, static_folder=tmp_path / "static", static_url_path="/assets")
    app.register_blueprint(bp, url_prefix="/bp")
    response = app.test_client().get("/bp/assets/x.js")
    assert response.text == "1"
    response.close()
    with app.test_request_context():
        assert url_for("bp.static", filename="x.js") == "/bp/assets/x.js"


def test_blueprint_static_file_outside_the_folder_is_404(
    app: Microflask, client: MicroflaskClient, static_bp: Blueprint
) -> None:
    app.register_blueprint(static_bp)
    assert client.get("/admin/static/../../etc/passwd").status_code == 404


@pytest.fixture
def template_app(tmp_path: Path) -> Microflask:
    """An app and a blueprint with template folders under *tmp_path*."""
    app_folder = tmp_path / "templates"
    bp_folder = tmp_path / "bp_templates"
    for folder in (app_folder, bp_folder):
        folder.mkdir()
    (app_folder / "shared.html").write_text("shared from app")
    (bp_folder / "shared.html").write_text("shared from bp")
    (bp_folder / "bp_only.html").write_text("only in bp: {{ value }}")
    app = Microflask("template_app", root_path=str(tmp_path))
    app.config["TESTING"] = True
    bp = Blueprint("bp", __name__, template_folder=bp_folder)
    bp.add_url_rule("/<name>", "page", lambda name: render_template(name, value=1))
    app.register_blueprint(bp, url_prefix="/bp")
    return app


def test_blueprint_template_folder_is_searched(template_app: Microflask) -> None:
    assert template_app.test_client().get("/bp/bp_only.html").text == "only in bp: 1"


def test_app_template_folder_wins_over_a_blueprints(template_app: Microflask) -> None:
    assert template_app.test_client().get("/bp/shared.html").text == "shared from app"


def test_first_registered_blueprint_template_wins(app: Microflask, tmp_path: Path) -> None:
    blueprints = []
    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "clash_only_in_bps.html").write_text(name)
        blueprints.append(Blueprint(name, __name__, template_folder=folder))
    for bp in blueprints:
        app.register_blueprint(bp)
    with app.app_context():
        assert render_template("clash_only_in_bps.html") == "first"


def test_blueprint_template_folder_relative_to_its_root_path(
    app: Microflask, tmp_path: Path
) -> None:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "rel_only.html").write_text("relative")
    bp = Blueprint("bp", __name__, root_path=str(tmp_path), template_folder="tpl")
    app.register_blueprint(bp)
    with app.app_context():
        assert render_template("rel_only.html") == "relative"


# --- CLI -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bp_kwargs", "register_kwargs", "path"),
    [
        ({}, {}, ("bp", "hello")),
        ({"cli_group": None}, {}, ("hello",)),
        ({"cli_group": "tools"}, {}, ("tools", "hello")),
        ({}, {"cli_group": "ops"}, ("ops", "hello")),
        ({"cli_group": "tools"}, {"cli_group": None}, ("hello",)),
        ({}, {"name": "renamed"}, ("renamed", "hello")),
    ],
)
def test_blueprint_cli_commands_are_grouped(
    app: Microflask,
    bp_kwargs: dict[str, t.Any],
    register_kwargs: dict[str, t.Any],
    path: tuple[str, ...],
) -> None:
    bp = Blueprint("bp", __name__, **bp_kwargs)

    @bp.cli.command("hello")
    def hello() -> None:
        print("hello from bp")

    app.register_blueprint(bp, **register_kwargs)
    node: t.Any = app.cli
    for part in path:
        node = node.commands[part]
    assert node is hello
    result = app.test_cli_runner().invoke(args=list(path))
    assert (result.exit_code, result.output) == (0, "hello from bp\n")


def test_blueprint_without_commands_adds_no_group(app: Microflask) -> None:
    app.register_blueprint(Blueprint("bp", __name__))
    assert "bp" not in app.cli.commands


# --- setup after registration -----------------------------------------------------


def _do_nothing(*args: t.Any) -> None:
    return None


# Typed Any: it stands in for views, hooks and handlers of every signature.
_noop: t.Any = _do_nothing


SETUP_CALLS: list[tuple[str, t.Callable[[Blueprint], object]]] = [
    ("route", lambda bp: bp.route("/late")),
    ("add_url_rule", lambda bp: bp.add_url_rule("/late", "late", _noop)),
    ("before_request", lambda bp: bp.before_request(_noop)),
    ("after_request", lambda bp: bp.after_request(_noop)),
    ("teardown_request", lambda bp: bp.teardown_request(_noop)),
    ("errorhandler", lambda bp: bp.errorhandler(404)),
    ("register_error_handler", lambda bp: bp.register_error_handler(404, _noop)),
    ("url_value_preprocessor", lambda bp: bp.url_value_preprocessor(_noop)),
    ("url_defaults", lambda bp: bp.url_defaults(_noop)),
    ("context_processor", lambda bp: bp.context_processor(_noop)),
    ("record", lambda bp: bp.record(_noop)),
    ("record_once", lambda bp: bp.record_once(_noop)),
    ("register_blueprint", lambda bp: bp.register_blueprint(Blueprint("late", __name__))),
    ("before_app_request", lambda bp: bp.before_app_request(_noop)),
    ("after_app_request", lambda bp: bp.after_app_request(_noop)),
    ("teardown_app_request", lambda bp: bp.teardown_app_request(_noop)),
    ("app_errorhandler", lambda bp: bp.app_errorhandler(404)),
    ("app_context_processor", lambda bp: bp.app_context_processor(_noop)),
    ("app_url_value_preprocessor", lambda bp: bp.app_url_value_preprocessor(_noop)),
    ("app_url_defaults", lambda bp: bp.app_url_defaults(_noop)),
    ("add_app_template_filter", lambda bp: bp.add_app_template_filter(_noop, "late")),
    ("add_app_template_test", lambda bp: bp.add_app_template_test(_noop, "late")),
    ("add_app_template_global", lambda bp: bp.add_app_template_global(_noop, "late")),
    ("app_template_filter", lambda bp: bp.app_template_filter("late")(_noop)),
]


@pytest.mark.parametrize(("method", "call"), SETUP_CALLS)
def test_setup_after_registration_raises(
    app: Microflask, method: str, call: t.Callable[[Blueprint], object]
) -> None:
    bp = Blueprint("bp", __name__)
    app.register_blueprint(bp)
    with pytest.raises(AssertionError, match=rf"'{method}'.*'bp'.*registered"):
        call(bp)


def test_url_for_relative_in_a_blueprints_routing_404_handler_is_the_blueprints(
    app: Microflask,
) -> None:
    # The handler a ported app wrote for abort(404) in its views links ".index";
    # for an unknown URL under the prefix it must mean the same page, not a 500.
    shop = Blueprint("shop", __name__, url_prefix="/shop")
    shop.add_url_rule("/", "index", lambda: "shop")
    shop.errorhandler(404)(lambda e: (url_for(".index"), 404))
    app.register_blueprint(shop)
    client = app.test_client()
    assert client.get("/shop/nope").text == "/shop/"
    with app.test_request_context("/shop/nope"):
        assert request.blueprint is None  # as Flask documents for a routing error


def test_url_for_relative_in_the_apps_404_handler_stays_the_apps(app: Microflask) -> None:
    # A blueprint without a handler of its own: the app's handler keeps Flask's reading.
    shop = Blueprint("shop", __name__, url_prefix="/shop")
    shop.add_url_rule("/", "index", lambda: "shop")
    app.add_url_rule("/", "index", lambda: "home")
    app.errorhandler(404)(lambda e: (url_for(".index"), 404))
    app.register_blueprint(shop)
    assert app.test_client().get("/shop/nope").text == "/"
