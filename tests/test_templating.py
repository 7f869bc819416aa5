"""Tests for the Jinja2 environment, loader, renderers and template hooks."""

from __future__ import annotations

import logging
import os
import typing as t
from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

import microflask.csrf
from microflask import (
    Blueprint,
    Microflask,
    flash,
    g,
    get_template_attribute,
    render_template,
    render_template_string,
    request,
    session,
    stream_template,
    stream_template_string,
)
from microflask.signals import before_render_template, template_rendered
from microflask.templating import DispatchingJinjaLoader, Environment

TEMPLATES = Path(__file__).parent / "templates"


def _render(
    app: Microflask, template: str | list[str | jinja2.Template], /, **context: t.Any
) -> str:
    with app.app_context():
        return render_template(template, **context)


# --- the environment -------------------------------------------------------------


def test_jinja_env_is_created_on_first_use_and_cached(app: Microflask) -> None:
    assert "jinja_env" not in app.__dict__
    env = app.jinja_env
    assert isinstance(env, Environment)
    assert env.app is app
    assert app.jinja_env is env


def test_jinja_options_are_passed_to_the_environment(app: Microflask) -> None:
    app.jinja_options = {"trim_blocks": True, "line_statement_prefix": "%"}
    env = app.jinja_env
    assert env.trim_blocks is True
    assert env.line_statement_prefix == "%"


def test_jinja_options_autoescape_overrides_the_default(app: Microflask) -> None:
    app.jinja_options = {"autoescape": False}
    with app.app_context():
        assert render_template("autoescape/page.html", value="<b>", trusted="") == ("<b>|")


def test_jinja_environment_class_can_be_replaced() -> None:
    class CustomEnvironment(Environment):
        pass

    class CustomApp(Microflask):
        jinja_environment = CustomEnvironment

    assert type(CustomApp(__name__).jinja_env) is CustomEnvironment


def test_create_jinja_environment_can_be_overridden() -> None:
    class CustomApp(Microflask):
        def create_jinja_environment(self) -> Environment:
            env = super().create_jinja_environment()
            env.globals["site"] = "example"
            return env

    app = CustomApp(__name__)
    with app.app_context():
        assert render_template_string("{{ site }}") == "example"


def test_loader_is_the_dispatching_loader(app: Microflask) -> None:
    assert isinstance(app.jinja_env.loader, DispatchingJinjaLoader)
    assert isinstance(app.jinja_loader, jinja2.FileSystemLoader)
    assert Path(app.jinja_loader.searchpath[0]) == TEMPLATES


def test_no_template_folder_means_no_app_loader() -> None:
    app = Microflask(__name__, template_folder=None)
    assert app.jinja_loader is None
    with app.app_context(), pytest.raises(jinja2.TemplateNotFound):
        render_template("base.html")


def test_template_folder_can_be_changed(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text("from tmp_path")
    app = Microflask(__name__, template_folder=str(tmp_path))
    assert _render(app, "page.txt") == "from tmp_path"


@pytest.mark.parametrize(
    ("config", "debug", "expected"),
    [
        (None, False, False),
        (None, True, True),
        (True, False, True),
        (False, True, False),
    ],
)
def test_templates_auto_reload_follows_config_then_debug(
    app: Microflask, config: bool | None, debug: bool, expected: bool
) -> None:
    app.config["TEMPLATES_AUTO_RELOAD"] = config
    app.debug = debug
    assert app.jinja_env.auto_reload is expected


def test_jinja_options_auto_reload_wins_over_config(app: Microflask) -> None:
    app.config["TEMPLATES_AUTO_RELOAD"] = True
    app.jinja_options = {"auto_reload": False}
    assert app.jinja_env.auto_reload is False


def test_debug_set_late_updates_auto_reload(app: Microflask) -> None:
    assert app.jinja_env.auto_reload is False
    app.debug = True
    assert app.jinja_env.auto_reload is True


def test_auto_reload_picks_up_a_changed_file(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("first")
    app = Microflask(__name__, template_folder=str(tmp_path))
    app.config["TEMPLATES_AUTO_RELOAD"] = True
    assert _render(app, "page.txt") == "first"
    page.write_text("second")
    # The loader compares modification times; make sure this one differs.
    stat = page.stat()
    os.utime(page, (stat.st_atime, stat.st_mtime + 5))
    assert _render(app, "page.txt") == "second"


def test_without_auto_reload_a_changed_file_is_not_reread(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("first")
    app = Microflask(__name__, template_folder=str(tmp_path))
    assert _render(app, "page.txt") == "first"
    page.write_text("second")
    assert _render(app, "page.txt") == "first"


def test_json_dumps_policy_is_the_app_provider(app: Microflask) -> None:
    assert app.jinja_env.policies["json.dumps_function"] == app.json.dumps


# --- autoescaping ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("extension", "escaped"),
    [
        ("html", True),
        ("htm", True),
        ("xml", True),
        ("xhtml", True),
        ("svg", True),
        ("txt", False),
    ],
)
def test_autoescape_depends_on_the_extension(
    app: Microflask, extension: str, escaped: bool
) -> None:
    rv = _render(app, f"autoescape/page.{extension}", value="<b>&", trusted=Markup("<i>"))
    assert rv == ("&lt;b&gt;&amp;|<i>" if escaped else "<b>&|<i>")


def test_select_jinja_autoescape_without_a_name_is_on(app: Microflask) -> None:
    assert app.select_jinja_autoescape(None) is True
    assert app.select_jinja_autoescape("page.HTML") is False
    assert app.select_jinja_autoescape("page.svg") is True


def test_render_template_string_autoescapes(app: Microflask) -> None:
    with app.app_context():
        assert render_template_string("{{ v }}", v="<script>") == "&lt;script&gt;"


def test_autoescape_can_be_turned_off_in_the_template(app: Microflask) -> None:
    source = "{% autoescape false %}{{ v }}{% endautoescape %}|{{ v }}"
    with app.app_context():
        assert render_template_string(source, v="<b>") == "<b>|&lt;b&gt;"


# --- rendering -------------------------------------------------------------------


def test_child_template_extends_base(app: Microflask) -> None:
    rv = _render(app, "child.html", name="<World>")
    assert "<title>Child of Base title</title>" in rv
    assert "<main>Hello &lt;World&gt;!</main>" in rv


def test_render_template_takes_a_list_and_uses_the_first_found(app: Microflask) -> None:
    assert _render(app, ["missing.html", "shared.html", "base.html"]) == "from the app"


def test_render_template_takes_a_template_object(app: Microflask) -> None:
    with app.app_context():
        template = app.jinja_env.from_string("{{ a }}{{ b }}")
        assert render_template(template, a=1, b=2) == "12"


def test_missing_template_raises_template_not_found(app: Microflask) -> None:
    with app.app_context(), pytest.raises(jinja2.TemplateNotFound) as info:
        render_template("missing.html")
    assert info.value.name == "missing.html"


def test_missing_templates_in_a_list_raise_templates_not_found(
    app: Microflask,
) -> None:
    with app.app_context(), pytest.raises(jinja2.TemplatesNotFound) as info:
        render_template(["missing.html", "absent.html"])
    assert info.value.templates == ["missing.html", "absent.html"]


@pytest.mark.parametrize(
    "render",
    [
        lambda: render_template("base.html"),
        lambda: render_template_string("x"),
        lambda: stream_template("base.html"),
        lambda: stream_template_string("x"),
        lambda: get_template_attribute("macros.html", "greet"),
    ],
)
def test_rendering_needs_an_app_context(render: t.Callable[[], t.Any]) -> None:
    with pytest.raises(RuntimeError, match="application context"):
        render()


def test_view_renders_a_template(app: Microflask) -> None:
    @app.route("/")
    def index() -> str:
        return render_template("loop.html", items=["a", "<b>"])

    response = app.test_client().get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.text == "<ul><li>1: a</li><li>2: &lt;b&gt;</li></ul>"


def test_loop_template_renders_twenty_items(app: Microflask) -> None:
    rv = _render(app, "loop.html", items=range(20))
    assert rv.count("<li>") == 20
    assert "<li>20: 19</li>" in rv


# --- default context and context processors --------------------------------------


def test_default_context_in_a_request(app: Microflask) -> None:
    app.config["GREETING"] = "hi"

    @app.route("/")
    def index() -> str:
        g.user = "ann"
        session["name"] = "Ann"
        flash("one")
        flash("two")
        return render_template("context.html")

    response = app.test_client().get("/")
    assert response.text.strip() == "hi|/|ann|Ann|/|one,two"


def test_default_context_outside_a_request(app: Microflask) -> None:
    app.config["GREETING"] = "hi"
    with app.app_context():
        g.user = "bob"
        rv = render_template_string("{{ config.GREETING }} {{ g.user }}")
    assert rv == "hi bob"


def test_default_context_processor_output(app: Microflask) -> None:
    from microflask.ctx import _default_template_ctx_processor

    assert _default_template_ctx_processor() == {}
    with app.app_context() as app_ctx:
        assert _default_template_ctx_processor() == {"g": app_ctx.g}
    with app.test_request_context("/x") as ctx:
        rv = _default_template_ctx_processor()
        assert rv == {"request": ctx.request, "g": g._get_current_object()}
        # As in Flask, "session" comes from the globals: rendering does not
        # open the session until a template reads it.
        assert ctx._session is None


def test_rendering_without_touching_session_leaves_cookie_alone(
    app: Microflask,
) -> None:
    @app.route("/")
    def index() -> str:
        return render_template("loop.html", items=[1])

    response = app.test_client().get("/")
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_imported_macros_see_request_through_globals(app: Microflask) -> None:
    @app.route("/deep/path")
    def index() -> str:
        return render_template("imports_macro.html")

    assert app.test_client().get("/deep/path").text.strip() == "/deep/path"


def test_default_globals(app: Microflask) -> None:
    globals_ = app.jinja_env.globals
    assert globals_["config"] is app.config
    assert globals_["request"] is request
    assert globals_["session"] is session
    assert globals_["g"] is g
    assert globals_["csrf_token"] is microflask.csrf.template_csrf_token
    assert callable(globals_["url_for"])
    assert callable(globals_["get_flashed_messages"])


def test_url_for_in_template_builds_external_urls(app: Microflask) -> None:
    @app.route("/page/<int:number>")
    def page(number: int) -> str:
        return render_template_string(
            "{{ url_for('page', number=2) }} {{ url_for('page', number=3, _external=True) }}"
        )

    rv = app.test_client().get("/page/1")
    assert rv.text == "/page/2 http://localhost/page/3"


def test_context_processor_adds_values(app: Microflask) -> None:
    @app.context_processor
    def inject() -> dict[str, t.Any]:
        return {"site": "Example", "user": "processor"}

    with app.app_context():
        assert render_template_string("{{ site }} {{ user }}", user="caller") == ("Example caller")


def test_context_processors_run_in_registration_order(app: Microflask) -> None:
    app.context_processor(lambda: {"value": "first"})
    app.context_processor(lambda: {"value": "second"})
    with app.app_context():
        assert render_template_string("{{ value }}") == "second"


def test_blueprint_context_processor_only_for_its_views(app: Microflask) -> None:
    bp = Blueprint("bp", __name__)

    @bp.context_processor
    def local() -> dict[str, str]:
        return {"scope": "bp"}

    @bp.app_context_processor
    def everywhere() -> dict[str, str]:
        return {"everywhere": "yes"}

    source = "{{ scope|default('none') }} {{ everywhere }}"

    @bp.route("/bp")
    def in_bp() -> str:
        return render_template_string(source)

    @app.route("/app")
    def in_app() -> str:
        return render_template_string(source)

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/bp").text == "bp yes"
    assert client.get("/app").text == "none yes"


def test_blueprint_processor_overrides_app_processor(app: Microflask) -> None:
    bp = Blueprint("bp", __name__)
    app.context_processor(lambda: {"where": "app"})
    bp.context_processor(lambda: {"where": "bp"})

    @bp.route("/")
    def index() -> str:
        return render_template_string("{{ where }}")

    app.register_blueprint(bp)
    assert app.test_client().get("/").text == "bp"


# --- template filters, tests and globals -----------------------------------------


def test_template_filter_decorator(app: Microflask) -> None:
    @app.template_filter()
    def reverse(value: str) -> str:
        return value[::-1]

    assert reverse("ab") == "ba"
    assert app.jinja_env.filters["reverse"] is reverse
    with app.app_context():
        assert render_template_string("{{ 'abc'|reverse }}") == "cba"


def test_template_filter_decorator_with_name(app: Microflask) -> None:
    @app.template_filter("shout")
    def make_loud(value: str) -> str:
        return value.upper()

    assert "make_loud" not in app.jinja_env.filters
    with app.app_context():
        assert render_template_string("{{ 'hi'|shout }}") == "HI"


def test_add_template_filter(app: Microflask) -> None:
    app.add_template_filter(len)
    app.add_template_filter(str.upper, "upper_case")
    with app.app_context():
        assert render_template_string("{{ 'abc'|len }}{{ 'x'|upper_case }}") == "3X"


def test_template_test_decorator_and_add(app: Microflask) -> None:
    @app.template_test()
    def short(value: str) -> bool:
        return len(value) < 3

    app.add_template_test(lambda n: n % 2 == 0, "even_number")
    source = "{{ 'ab' is short }} {{ 'abcd' is short }} {{ 4 is even_number }}"
    with app.app_context():
        assert render_template_string(source) == "True False True"


def test_template_test_decorator_with_name(app: Microflask) -> None:
    @app.template_test("positive")
    def is_positive(n: int) -> bool:
        return n > 0

    with app.app_context():
        assert render_template_string("{{ 1 is positive }}") == "True"


def test_template_global_decorator_and_add(app: Microflask) -> None:
    @app.template_global()
    def double(n: int) -> int:
        return n * 2

    @app.template_global("triple")
    def times_three(n: int) -> int:
        return n * 3

    app.add_template_global(lambda: "answer", "answer")
    assert app.jinja_env.globals["double"] is double
    with app.app_context():
        assert render_template_string("{{ double(2) }}{{ triple(2) }}{{ answer() }}") == (
            "46answer"
        )


def test_blueprint_registers_app_template_helpers(app: Microflask) -> None:
    bp = Blueprint("bp", __name__)

    @bp.app_template_filter()
    def reverse(value: str) -> str:
        return value[::-1]

    @bp.app_template_test("long")
    def is_long(value: str) -> bool:
        return len(value) > 3

    @bp.app_template_global()
    def greeting() -> str:
        return "hello"

    bp.add_app_template_filter(str.upper, "upper_case")
    bp.add_app_template_test(lambda v: v == "", "blank")
    bp.add_app_template_global(lambda: 7, "seven")
    app.register_blueprint(bp)
    source = (
        "{{ 'ab'|reverse }} {{ 'abcd' is long }} {{ greeting() }}"
        " {{ 'x'|upper_case }} {{ '' is blank }} {{ seven() }}"
    )
    with app.app_context():
        assert render_template_string(source) == "ba True hello X True 7"


# --- signals ---------------------------------------------------------------------


def test_signals_are_sent_around_rendering(app: Microflask) -> None:
    events: list[tuple[str, str | None, dict[str, t.Any]]] = []

    def before(sender: Microflask, template: jinja2.Template, context: t.Any) -> None:
        assert sender is app
        events.append(("before", template.name, dict(context)))

    def after(sender: Microflask, template: jinja2.Template, context: t.Any) -> None:
        events.append(("after", template.name, dict(context)))

    with before_render_template.connected_to(before, app):
        with template_rendered.connected_to(after, app):
            _render(app, "child.html", name="x")
    assert [(e[0], e[1]) for e in events] == [
        ("before", "child.html"),
        ("after", "child.html"),
    ]
    assert events[0][2]["name"] == "x"
    assert "g" in events[0][2]


def test_before_render_template_can_change_the_context(app: Microflask) -> None:
    def change(sender: Microflask, template: t.Any, context: dict[str, t.Any]) -> None:
        context["name"] = "changed"

    with before_render_template.connected_to(change, app), app.app_context():
        assert render_template_string("{{ name }}", name="original") == "changed"


def test_signals_are_not_sent_without_receivers(
    app: Microflask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: t.Any, **kwargs: t.Any) -> None:
        raise AssertionError("a signal was sent with nobody listening")

    monkeypatch.setattr(before_render_template, "send", fail)
    monkeypatch.setattr(template_rendered, "send", fail)
    with app.app_context():
        assert render_template_string("ok") == "ok"
        assert "".join(stream_template_string("ok")) == "ok"


# --- streaming -------------------------------------------------------------------


def test_stream_template_keeps_the_request_context(app: Microflask) -> None:
    @app.route("/stream")
    def stream() -> t.Iterator[str]:
        return stream_template("stream.html", items=[1, 2, 3])

    response = app.test_client().get("/stream")
    assert response.status_code == 200
    assert response.text.strip() == "1;2;3;/stream"


def test_stream_template_string_in_a_view(app: Microflask) -> None:
    @app.route("/")
    def index() -> t.Iterator[str]:
        return stream_template_string("{{ request.method }} {{ v }}", v="<x>")

    assert app.test_client().get("/").text == "GET &lt;x&gt;"


def test_stream_template_yields_in_pieces(app: Microflask) -> None:
    with app.app_context():
        chunks = list(stream_template_string("a{% for i in n %}{{ i }}{% endfor %}", n=[1, 2]))
    assert "".join(chunks) == "a12"
    assert len(chunks) > 1


def test_stream_sends_template_rendered_after_the_last_chunk(app: Microflask) -> None:
    rendered: list[str | None] = []

    def after(sender: Microflask, template: jinja2.Template, context: t.Any) -> None:
        rendered.append(template.name)

    with template_rendered.connected_to(after, app), app.app_context():
        stream = stream_template("child.html", name="x")
        assert rendered == []
        assert "Hello x!" in "".join(stream)
    assert rendered == ["child.html"]


# --- get_template_attribute ------------------------------------------------------


def test_get_template_attribute_returns_a_macro(app: Microflask) -> None:
    with app.app_context():
        greet = get_template_attribute("macros.html", "greet")
        rv = greet("<Ann>")
    assert isinstance(rv, Markup)
    assert rv == "Hello &lt;Ann&gt;!"


def test_get_template_attribute_returns_a_variable(app: Microflask) -> None:
    with app.app_context():
        assert get_template_attribute("macros.html", "answer") == 42


def test_get_template_attribute_missing_raises(app: Microflask) -> None:
    with app.app_context(), pytest.raises(AttributeError):
        get_template_attribute("macros.html", "nothing")


# --- the dispatching loader ------------------------------------------------------


def _blueprint(name: str, folder: str | None) -> Blueprint:
    return Blueprint(name, __name__, template_folder=folder)


def test_blueprint_templates_are_found(app: Microflask) -> None:
    app.register_blueprint(_blueprint("one", "templates/bp_one"))
    assert _render(app, "only_in_blueprints.html").strip() == "blueprint one"


def test_app_templates_win_over_blueprint_templates(app: Microflask) -> None:
    app.register_blueprint(_blueprint("one", "templates/bp_one"))
    assert _render(app, "shared.html").strip() == "from the app"


def test_blueprints_are_searched_in_registration_order(app: Microflask) -> None:
    app.register_blueprint(_blueprint("two", "templates/bp_two"))
    app.register_blueprint(_blueprint("one", "templates/bp_one"))
    assert _render(app, "only_in_blueprints.html").strip() == "blueprint two"


def test_blueprint_without_template_folder_is_skipped(app: Microflask) -> None:
    app.register_blueprint(_blueprint("none", None))
    app.register_blueprint(_blueprint("one", "templates/bp_one"))
    assert _render(app, "only_in_blueprints.html").strip() == "blueprint one"


def test_list_templates_merges_all_folders(app: Microflask) -> None:
    app.register_blueprint(_blueprint("one", "templates/bp_one"))
    names = app.jinja_env.list_templates()
    assert names == sorted(set(names))
    assert {"base.html", "child.html", "only_in_blueprints.html"} <= set(names)
    assert "bp_one/shared.html" in names


def test_explain_template_loading_logs_every_attempt(
    app: Microflask, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    app.register_blueprint(_blueprint("one", "templates/bp_one"))
    app.register_blueprint(_blueprint("two", "templates/bp_two"))
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        assert _render(app, "only_in_blueprints.html").strip() == "blueprint one"
    [record] = [r for r in caplog.records if r.name == app.logger.name]
    message = record.getMessage()
    assert record.levelno == logging.INFO
    assert "Locating template 'only_in_blueprints.html'" in message
    assert f"    1: trying loader of application {app.import_name!r}\n" in message
    assert "       class: jinja2.loaders.FileSystemLoader\n" in message
    assert f"       searchpath:\n         - {TEMPLATES}\n" in message
    assert f"2: trying loader of blueprint 'one' ({__name__})" in message
    assert f"3: trying loader of blueprint 'two' ({__name__})" in message
    assert message.count("-> no match") == 1
    assert message.count("-> found") == 2
    assert "Warning: multiple loaders returned a match for the template." in message


def test_explain_template_loading_explains_a_missing_template(
    app: Microflask, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    bp = _blueprint("admin", "templates/bp_one")

    @bp.route("/")
    def index() -> str:
        return render_template("missing.html")

    app.register_blueprint(bp)
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        with app.test_request_context("/"), pytest.raises(jinja2.TemplateNotFound):
            index()
    message = caplog.records[-1].getMessage()
    assert "Locating template 'missing.html'" in message
    assert message.count("-> no match") == 2
    assert "Error: the template could not be found." in message
    assert "looked up from an endpoint that belongs to the blueprint 'admin'" in message


def test_explain_template_loading_without_folders(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Microflask(__name__, template_folder=None)
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        with app.app_context(), pytest.raises(jinja2.TemplateNotFound):
            render_template("base.html")
    assert "No template folder is configured" in caplog.records[-1].getMessage()


def test_explain_template_loading_off_logs_nothing(
    app: Microflask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        _render(app, "base.html")
    assert not [r for r in caplog.records if "Locating template" in r.getMessage()]


def test_template_decorators_work_without_parentheses(app: Microflask) -> None:
    @app.template_filter
    def exclaim(value: str) -> str:
        return f"{value}!"

    @app.template_test
    def empty(value: str) -> bool:
        return not value

    @app.template_global
    def three() -> int:
        return 3

    with app.app_context():
        assert render_template_string("{{ 'a'|exclaim }} {{ '' is empty }} {{ three() }}") == (
            "a! True 3"
        )


def test_jinja_options_loader_replaces_the_dispatching_loader(app: Microflask) -> None:
    app.jinja_options = {"loader": jinja2.DictLoader({"page.html": "from a dict"})}
    assert _render(app, "page.html") == "from a dict"


def test_csrf_token_in_a_form_is_accepted_back(app: Microflask) -> None:
    app.config["CSRF_ENABLED"] = True

    @app.route("/form", methods=["GET", "POST"])
    def form() -> str:
        if request.method == "POST":
            return "saved"
        return render_template_string('<input name="csrf_token" value="{{ csrf_token() }}">')

    client = app.test_client()
    page = client.get("/form").text
    token = page.split('value="', 1)[1].split('"', 1)[0]
    assert token
    assert client.post("/form", data={"csrf_token": "wrong"}).status_code == 400
    assert client.post("/form", data={"csrf_token": token}).text == "saved"


def test_explain_template_loading_single_match_from_any_loader(
    app: Microflask, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    bp = _blueprint("memory", None)
    # cached_property: an instance value replaces the folder-based loader.
    bp.__dict__["jinja_loader"] = jinja2.DictLoader({"memory.html": "in memory"})
    app.register_blueprint(bp)
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        assert _render(app, "memory.html") == "in memory"
    message = caplog.records[-1].getMessage()
    assert "blueprint 'memory'" in message
    assert "class: jinja2.loaders.DictLoader\n       -> found ('<string>')" in message
    assert "Warning" not in message
    assert "Error" not in message


# --- attribute lookup --------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ d.name }}", "value"),
        ("{{ d.missing is undefined }}", "True"),
        ("{{ d.missing|default('fallback') }}", "fallback"),
        ("{{ d.keys()|list|sort|join(',') }}", "items,name"),
        # Attributes come before items, as in Jinja: d.items is the method.
        ("{{ d.items is callable }} {{ d['items'] }}", "True shadowed"),
        ("{{ od.name }} {{ od.missing is undefined }}", "ordered True"),
        ("{{ obj.real }}", "3"),
    ],
)
def test_attribute_lookup_matches_jinja(app: Microflask, source: str, expected: str) -> None:
    from collections import OrderedDict

    context = {
        "d": {"name": "value", "items": "shadowed"},
        "od": OrderedDict(name="ordered"),
        "obj": 3,
    }
    with app.app_context():
        assert render_template_string(source, **context) == expected
    assert jinja2.Environment().from_string(source).render(**context) == expected


def test_missing_dict_key_is_strict_undefined_when_configured(
    app: Microflask,
) -> None:
    app.jinja_options = {"undefined": jinja2.StrictUndefined}
    with app.app_context(), pytest.raises(jinja2.UndefinedError, match="missing"):
        render_template_string("{{ d.missing }}", d={})
