"""Compare drawn template setups and renders with Flask 3.1.

Hypothesis draws template folders for the app and two blueprints (names
overlap, extensions pick autoescaping), filters, tests and globals in their
Flask 3.1 forms, context processors at app and blueprint level (shadowing
``request`` and ``g`` too), and views rendering or streaming a template by
name, by list or from a string; both frameworks build the same app from the
drawing and must answer alike. Derandomized: the same examples on every run.
"""

from __future__ import annotations

import os
import tempfile
import types
import typing as t

from flask_parity import FRAMEWORKS, Answer, answer, app_class, get
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

OWNERS = ["app", "bp1", "bp2"]
_SNIPPETS = [
    "{{ v }}",
    "{{ v|f }}",
    "{% if v is t %}T{% endif %}",
    "{{ gl() }}",
    "{{ config.X }}",
    "{{ request.args.q }}",
    "{{ request.blueprint }}",
    "{{ g.x }}",
    "{{ session.a }}",
    "{{ url_for('.v0') }}",
    "{{ get_flashed_messages() }}",
    "{% autoescape false %}{{ v }}{% endautoescape %}",
    "{{ cp }}",
    "{{ v|tojson }}",
    "{% include 'inc.html' %}",
]
_VALUES: list[t.Any] = ["<b>&'", Markup("<i>"), 3, None, {"k": "<v>"}]
_FUNCS: dict[str, list[t.Any]] = {
    "filter": [lambda x: f"[{x}]", lambda x: Markup(f"<{x}>")],
    "test": [lambda x: isinstance(x, str), lambda x: x is None],
    "global": [lambda: "<gl>", lambda: Markup("<gm>")],
}
_NAMES = {"filter": "f", "test": "t", "global": "gl"}

Files = dict[str, str]
Reg = tuple[str, str, bool, int]
Proc = tuple[str, str, str]
View = tuple[str, str, str, t.Any]

_source = st.lists(st.sampled_from(_SNIPPETS), min_size=1, max_size=3).map("|".join)
_name = st.sampled_from(["t", "inc"]).flatmap(
    lambda n: st.sampled_from([".html", ".xml", ".svg", ".txt", ".HTML"]).map(lambda e: n + e)
)
_files = st.dictionaries(_name, _source, max_size=3)
_reg = st.tuples(
    st.sampled_from(OWNERS),
    st.sampled_from(sorted(_FUNCS)),
    st.booleans(),
    st.integers(0, 1),
)
_proc = st.tuples(
    st.sampled_from(OWNERS),
    st.sampled_from(["cp", "request", "g", "v"]),
    st.sampled_from(["app", "bp"]),
)
_how = st.sampled_from(["render_template", "stream_template", "list", "render_template_string"])
_view = st.tuples(st.sampled_from(OWNERS), _how, _name | _source, st.sampled_from(_VALUES))


def _register(fw: types.ModuleType, scaffolds: dict[str, t.Any], reg: Reg) -> None:
    """Register a filter, test or global in one of Flask 3.1's forms."""
    owner, kind, as_decorator, index = reg
    func = _FUNCS[kind][index]
    prefix = "" if owner == "app" else "app_"
    target = scaffolds[owner]
    if as_decorator:
        getattr(target, f"{prefix}template_{kind}")(_NAMES[kind])(func)
    else:
        getattr(target, f"add_{prefix}template_{kind}")(func, _NAMES[kind])


def _view_func(fw: types.ModuleType, how: str, ref: str, value: t.Any) -> t.Callable[[], t.Any]:
    def view() -> t.Any:
        fw.g.x = "<gx>"
        fw.session["a"] = "<sa>"
        fw.flash("<fl>")
        if how == "list":
            return fw.render_template(["missing.html", ref], v=value)
        return getattr(fw, how)(ref, v=value)

    return view


def _processor(key: str, value: str) -> t.Callable[[], dict[str, str]]:
    return lambda: {key: value}


def _answer(client: t.Any, path: str) -> Answer | str:
    """Return the answer, or the name of what the test client raised."""
    try:
        return answer(client, get(path))
    except Exception as e:  # a streamed template fails while the client reads it
        return f"raised {type(e).__name__}"


def _app(
    fw: types.ModuleType, root: str, regs: list[Reg], procs: list[Proc], views: list[View]
) -> t.Any:
    app = app_class(fw)("fuzz_templates", root_path=root, template_folder="app")
    app.config.update(TESTING=True, PROPAGATE_EXCEPTIONS=False, SECRET_KEY="k", X="<cfg>")
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.logger.disabled = True  # the 500s are expected; their tracebacks cost time
    scaffolds = {"app": app}
    for name in ("bp1", "bp2"):
        scaffolds[name] = fw.Blueprint(name, __name__, root_path=root, template_folder=name)
    for reg in regs:
        _register(fw, scaffolds, reg)
    for owner, key, scope in procs:
        processor = _processor(key, f"<{owner}>")
        if scope == "app" and owner != "app":
            scaffolds[owner].app_context_processor(processor)
        else:
            scaffolds[owner].context_processor(processor)
    for i, (owner, how, ref, value) in enumerate(views):
        scaffolds[owner].add_url_rule(f"/v{i}", f"v{i}", _view_func(fw, how, ref, value))
    app.register_blueprint(scaffolds["bp1"], url_prefix="/b1")
    app.register_blueprint(scaffolds["bp2"], url_prefix="/b2")
    return app


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    folders=st.fixed_dictionaries({owner: _files for owner in OWNERS}),
    regs=st.lists(_reg, max_size=3),
    procs=st.lists(_proc, min_size=1, max_size=3),
    views=st.lists(_view, min_size=1, max_size=3),
)
@example(  # found at random: a blueprint request sees the real request
    folders={"app": {}, "bp1": {}, "bp2": {}},
    regs=[],
    procs=[("app", "request", "app")],
    views=[("bp1", "render_template_string", "{{ request.args.q }}", 3)],
)
def test_drawn_templates_render_as_flask(
    folders: dict[str, Files], regs: list[Reg], procs: list[Proc], views: list[View]
) -> None:
    paths = [
        f"{'' if owner == 'app' else '/' + owner.replace('bp', 'b')}/v{i}?q=<q>"
        for i, (owner, *_rest) in enumerate(views)
    ]
    with tempfile.TemporaryDirectory() as root:
        for owner, files in folders.items():
            os.makedirs(os.path.join(root, owner))
            for name, source in files.items():
                with open(os.path.join(root, owner, name), "w") as f:
                    f.write(f"{owner}:{source}")
        found: dict[str, list[Answer | str]] = {}
        for name, fw in FRAMEWORKS.items():
            client = _app(fw, root, regs, procs, views).test_client()
            found[name] = [_answer(client, path) for path in paths]
    assert found["flask"] == found["microflask"], (folders, regs, procs, views)
