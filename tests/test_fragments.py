"""Tests for ``render_block`` and ``stream_block``: one template block.

The templates are in ``tests/templates/fragments``: ``page.html`` extends
``section.html``, which extends ``layout.html``; ``page.html`` imports a
macro and sets a variable at its top level.
"""

from __future__ import annotations

import os
import traceback
import typing as t
from pathlib import Path

import jinja2
import pytest

from microflask import (
    Microflask,
    g,
    render_block,
    render_template,
    session,
    stream_block,
)
from microflask.signals import before_render_template, template_rendered
from microflask.testing import MicroflaskClient

PAGE = "fragments/page.html"
PAGE_CONTENT = "<h1>Page heading</h1>Hello &lt;b&gt;!<ul><li>one</li><li>&lt;two&gt;</li></ul>"
PAGE_ASIDE = "page aside, then [section aside|layout aside]"


def _block(
    app: Microflask,
    template: str | jinja2.Template | list[str | jinja2.Template],
    block: str,
    **context: t.Any,
) -> str:
    with app.test_request_context("/"):
        return render_block(template, block, **context)


def _page_context() -> dict[str, t.Any]:
    return {"name": "<b>", "items": ["one", "<two>"], "year": 2026}


@pytest.fixture
def app(app: Microflask) -> Microflask:
    app.add_url_rule("/", "index", lambda: "index")
    return app


# --- inheritance ---------------------------------------------------------------------


def test_block_runs_top_level_import_and_set_and_escapes(app: Microflask) -> None:
    assert _block(app, PAGE, "content", **_page_context()) == PAGE_CONTENT


def test_nested_block_renders_alone(app: Microflask) -> None:
    rendered = _block(app, PAGE, "items", items=["a", "b"])
    assert rendered == "<li>a</li><li>b</li>"


def test_super_reaches_through_every_parent(app: Microflask) -> None:
    assert _block(app, PAGE, "aside") == PAGE_ASIDE


def test_block_only_a_grandparent_defines_is_found(app: Microflask) -> None:
    assert _block(app, PAGE, "footer", year=2026) == "footer 2026"


def test_parent_block_nests_the_childs_overrides(app: Microflask) -> None:
    rendered = _block(app, PAGE, "main", **_page_context())
    assert rendered == f"<section>{PAGE_CONTENT}</section><aside>{PAGE_ASIDE}</aside>"


@pytest.mark.parametrize("block", ["title", "nav", "main", "content", "aside", "footer"])
def test_block_is_the_same_text_as_in_the_full_page(app: Microflask, block: str) -> None:
    with app.test_request_context("/"):
        page = render_template(PAGE, **_page_context())
        fragment = render_block(PAGE, block, **_page_context())
    assert fragment
    assert fragment in page


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"plain": True, "value": "<i>"}, "&lt;i&gt;"),
        ({"plain": False, "layout": "fragments/layout.html", "year": 1}, "footer 1"),
        ({"plain": None}, "[section aside|layout aside]"),
    ],
)
def test_parent_chosen_at_render_time_is_followed(
    app: Microflask, context: dict[str, t.Any], expected: str
) -> None:
    block = {True: "value", False: "footer", None: "aside"}[context["plain"]]
    assert _block(app, "fragments/dynamic.html", block, **context) == expected


def test_undefined_dynamic_parent_raises_jinjas_error(app: Microflask) -> None:
    with pytest.raises(jinja2.UndefinedError, match="'layout' is undefined"):
        _block(app, "fragments/dynamic.html", "content", plain=False)


@pytest.mark.parametrize(("items", "expected"), [([1, 2], "2 items"), ([], "-1 items")])
def test_top_level_loop_runs_before_the_block(
    app: Microflask, items: list[int], expected: str
) -> None:
    with app.test_request_context("/"):
        page = render_template("fragments/counted.html", items=items)
        fragment = render_block("fragments/counted.html", "content", items=items)
    assert fragment == expected
    assert f"<section>{expected}</section>" in page
    assert "not shown" not in page


def test_top_level_output_is_not_run(app: Microflask) -> None:
    class Items(list[str]):
        iterated = False

        def __iter__(self) -> t.Iterator[str]:
            Items.iterated = True
            return super().__iter__()

    assert _block(app, "fragments/listing.html", "total", items=Items(["a"])) == "1 items"
    assert not Items.iterated


def test_top_level_set_of_a_template_without_parent_is_run(app: Microflask) -> None:
    assert _block(app, "fragments/standalone.html", "greeting") == "Hello world"


def test_template_object_renders_its_own_blocks(app: Microflask) -> None:
    with app.app_context():
        template = app.jinja_env.from_string("{% block a %}A{{ x }}{% endblock %}")
        assert render_block(template, "a", x="<") == "A&lt;"


def test_first_existing_template_of_a_list_is_used(app: Microflask) -> None:
    assert _block(app, ["fragments/nope.html", PAGE], "aside") == PAGE_ASIDE


def test_each_templates_source_is_parsed_once(
    app: Microflask, monkeypatch: pytest.MonkeyPatch
) -> None:
    loader = app.jinja_env.loader
    assert loader is not None
    get_source = loader.get_source
    read: list[str] = []

    def counted(environment: jinja2.Environment, name: str) -> t.Any:
        read.append(name)
        return get_source(environment, name)

    monkeypatch.setattr(loader, "get_source", counted)
    assert _block(app, PAGE, "aside") == PAGE_ASIDE
    assert "fragments/layout.html" in read
    reads = len(read)
    assert _block(app, PAGE, "aside") == PAGE_ASIDE
    assert len(read) == reads


def test_changed_parent_is_picked_up_after_reload(tmp_path: Path) -> None:
    app = Microflask(__name__, template_folder=str(tmp_path))
    app.config["TEMPLATES_AUTO_RELOAD"] = True
    (tmp_path / "a.html").write_text("{% block b %}from a{% endblock %}")
    (tmp_path / "b.html").write_text("{% block b %}from b{% endblock %}")
    child = tmp_path / "child.html"
    child.write_text('{% extends "a.html" %}')
    with app.app_context():
        assert render_block("child.html", "b") == "from a"
        child.write_text('{% extends "b.html" %}')
        mtime = child.stat().st_mtime + 10
        os.utime(child, (mtime, mtime))
        assert render_block("child.html", "b") == "from b"


def test_top_level_set_after_extends_can_call_a_parent_block(tmp_path: Path) -> None:
    # Found by fuzzing: the parent's blocks were stacked only after the
    # child's whole top level had run, so self.z() there was undefined.
    app = Microflask(__name__, template_folder=str(tmp_path))
    (tmp_path / "base.html").write_text("{% block z %}Z{% endblock %}{% block a %}{% endblock %}")
    (tmp_path / "child.html").write_text(
        "{% extends 'base.html' %}{% set v = self.z() %}{% block a %}[{{ v }}]{% endblock %}"
    )
    with app.app_context():
        assert render_template("child.html") == "Z[Z]"
        assert render_block("child.html", "a") == "[Z]"


def test_required_block_not_overridden_raises_as_the_full_page_does(tmp_path: Path) -> None:
    app = Microflask(__name__, template_folder=str(tmp_path))
    (tmp_path / "base.html").write_text("[{% block body required %}{% endblock %}]")
    (tmp_path / "child.html").write_text(
        "{% extends 'base.html' %}{% block body %}filled{% endblock %}"
    )
    with app.app_context():
        assert render_block("child.html", "body") == "filled"
        for render in (render_template, lambda name: render_block(name, "body")):
            with pytest.raises(jinja2.TemplateRuntimeError, match="Required block 'body'"):
                render("base.html")


# --- autoescaping ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("fragments/plain.html", "&lt;b&gt;"),
        ("fragments/plain.txt", "<b>"),
        # The child's own text is not escaped; super() runs the .html parent's code.
        ("fragments/text_child.txt", "<b> / &lt;b&gt;"),
    ],
)
def test_autoescaping_follows_each_templates_extension(
    app: Microflask, template: str, expected: str
) -> None:
    assert _block(app, template, "value", value="<b>") == expected


# --- the request's context ---------------------------------------------------------------


def test_block_sees_context_processors_g_request_session_url_for_config(
    app: Microflask,
) -> None:
    app.config["GREETING"] = "hi"

    @app.context_processor
    def greeting() -> dict[str, str]:
        return {"greeting": "processed"}

    with app.test_request_context("/there"):
        g.user = "ada"
        session["name"] = "lovelace"
        rendered = render_block("fragments/context.html", "content")
    assert rendered == "processed|/there|ada|lovelace|/|hi"


def test_explicit_context_wins_over_a_context_processor(app: Microflask) -> None:
    app.context_processor(lambda: {"year": 1999})
    assert _block(app, PAGE, "footer", year=2026) == "footer 2026"


def test_view_returns_a_fragment(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/aside")
    def aside() -> str:
        return render_block(PAGE, "aside")

    response = client.get("/aside")
    assert response.text == PAGE_ASIDE
    assert response.mimetype == "text/html"


# --- signals ---------------------------------------------------------------------------


def test_signals_carry_the_template_and_the_context(app: Microflask) -> None:
    seen: list[tuple[str, str | None, dict[str, t.Any]]] = []

    def before(sender: Microflask, template: jinja2.Template, context: dict[str, t.Any]) -> None:
        seen.append(("before", template.name, dict(context)))
        context["year"] = 1815  # a receiver may still change the context

    def rendered(sender: Microflask, template: jinja2.Template, context: dict[str, t.Any]) -> None:
        assert sender is app
        seen.append(("rendered", template.name, dict(context)))

    with (
        before_render_template.connected_to(before, app),
        template_rendered.connected_to(rendered, app),
    ):
        assert _block(app, PAGE, "footer", year=2026) == "footer 1815"
    assert [(kind, name) for kind, name, _ in seen] == [("before", PAGE), ("rendered", PAGE)]
    assert seen[0][2]["year"] == 2026
    assert seen[1][2]["year"] == 1815
    assert "request" in seen[1][2]


def test_stream_sends_template_rendered_after_the_last_chunk(app: Microflask) -> None:
    rendered: list[str | None] = []

    def record(sender: Microflask, template: jinja2.Template, context: dict[str, t.Any]) -> None:
        rendered.append(template.name)

    with template_rendered.connected_to(record, app), app.app_context():
        chunks = stream_block(PAGE, "aside")
        assert rendered == []
        assert "".join(chunks) == PAGE_ASIDE
    assert rendered == [PAGE]


# --- errors ----------------------------------------------------------------------------


def test_unknown_block_names_the_block_the_template_and_the_blocks(app: Microflask) -> None:
    with pytest.raises(LookupError) as excinfo:
        _block(app, PAGE, "contnet")
    message = str(excinfo.value)
    assert "'fragments/page.html' has no block 'contnet'" in message
    assert "['aside', 'content', 'footer', 'items', 'main', 'nav', 'title']" in message


def test_unknown_block_in_a_stream_raises_before_streaming(app: Microflask) -> None:
    with app.app_context(), pytest.raises(LookupError, match="no block 'nope'"):
        stream_block(PAGE, "nope")


def test_missing_template_raises_template_not_found(app: Microflask) -> None:
    with pytest.raises(jinja2.TemplateNotFound, match="fragments/missing.html"):
        _block(app, "fragments/missing.html", "content")


@pytest.mark.parametrize("function", [render_block, stream_block])
def test_outside_an_app_context_is_a_clear_error(function: t.Callable[..., t.Any]) -> None:
    with pytest.raises(RuntimeError, match=f"{function.__name__}\\(\\) needs the current app"):
        function(PAGE, "content")


def test_error_in_a_block_points_at_the_template_line(app: Microflask) -> None:
    with pytest.raises(jinja2.UndefinedError) as excinfo:
        _block(app, "fragments/broken.html", "content")
    frames = [(frame.filename, frame.lineno) for frame in traceback.extract_tb(excinfo.tb)]
    assert any(name.endswith("broken.html") and line == 2 for name, line in frames)


def test_error_while_streaming_raises_from_the_iterator(app: Microflask) -> None:
    with app.app_context():
        chunks = stream_block("fragments/broken.html", "content")
        with pytest.raises(jinja2.UndefinedError):
            "".join(chunks)


# --- streaming and async environments --------------------------------------------------


def test_stream_keeps_the_request_context_while_the_response_streams(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.route("/stream")
    def stream() -> t.Any:
        return app.response_class(stream_block("fragments/context.html", "content"))

    app.context_processor(lambda: {"greeting": "streamed"})
    response = client.get("/stream?x=1")
    assert response.text == "streamed|/stream||None|/|"


@pytest.mark.parametrize("function", [render_block, stream_block])
def test_async_environment_renders_blocks(
    app: Microflask, function: t.Callable[..., t.Any]
) -> None:
    app.jinja_options = {"enable_async": True}
    with app.test_request_context("/"):
        rendered = "".join(function(PAGE, "content", **_page_context()))
    assert rendered == PAGE_CONTENT
