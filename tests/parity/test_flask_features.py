"""Compare sessions, flash, JSON, static files, config, signals and views with Flask.

Where microflask differs from Flask on purpose (CHANGES.md: the session
cookie's ``SameSite=Lax`` default, cross-origin refusal, ``session.new``,
``Vary: Cookie`` rules), a test here asserts the difference itself.
"""

from __future__ import annotations

import importlib
import os
import types
import typing as t
from unittest import mock

import flask
import pytest
from flask_parity import (
    FRAMEWORKS,
    Build,
    Request,
    Scaffold,
    answers,
    app_class,
    assert_same,
    built,
    get,
    make_app,
    post,
    send,
)
from markupsafe import Markup

import microflask


def sessions(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)

    @app.route("/set")
    def set_values() -> str:
        for key, value in fw.request.args.items():
            fw.session[key] = value
        return "set"

    @app.route("/get")
    def get_values() -> str:
        return repr(sorted(fw.session.items()))

    @app.route("/permanent")
    def permanent() -> str:
        fw.session.permanent = True
        fw.session["p"] = 1
        return "permanent"

    @app.route("/nested")
    def nested() -> str:
        fw.session.setdefault("list", []).append(1)
        fw.session.modified = True
        return "nested"

    @app.route("/modified")
    def modified() -> str:
        fw.session["m"] = "x"
        return f"{fw.session.modified} {fw.session.accessed}"

    @app.route("/clear")
    def clear() -> str:
        fw.session.clear()
        return "cleared"

    @app.route("/pop")
    def pop() -> str:
        return repr(fw.session.pop("a", None))

    app.add_url_rule("/types", "types", lambda: _store_tagged_types(fw))
    app.add_url_rule("/untouched", "untouched", lambda: "untouched")
    return app


def _store_tagged_types(fw: types.ModuleType) -> str:
    fw.session["t"] = (1, b"b", Markup("<m>"), {"d": [1]})
    return "types"


SESSIONS = [
    get("/get"),
    get("/set?a=1&b=é"),
    get("/get"),
    get("/untouched"),
    get("/pop"),
    get("/get"),
    get("/nested"),
    get("/nested"),
    get("/get"),
    get("/modified"),
    get("/types"),
    get("/get"),
    get("/permanent"),
    get("/get"),
    get("/untouched"),
    get("/clear"),
    get("/get"),
    get("/clear"),
]


def flashing(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)

    @app.route("/flash")
    def flash_message() -> str:
        fw.flash(fw.request.args["m"], fw.request.args.get("c", "message"))
        return "flashed"

    @app.route("/messages")
    def messages() -> str:
        return repr(fw.get_flashed_messages(with_categories=True))

    @app.route("/errors")
    def error_messages() -> str:
        return repr(fw.get_flashed_messages(category_filter=["error"]))

    return app


FLASH = [
    get("/messages"),
    get("/flash?m=one"),
    get("/flash?m=two&c=error"),
    get("/errors"),
    get("/messages"),
    get("/flash?m=<b>"),
    get("/messages"),
]


def json_app(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)

    @app.route("/echo", methods=["POST"])
    def echo() -> t.Any:
        return fw.jsonify(fw.request.get_json())

    @app.route("/silent", methods=["POST"])
    def silent() -> t.Any:
        return fw.jsonify(fw.request.get_json(silent=True))

    @app.route("/force", methods=["POST"])
    def force() -> t.Any:
        return fw.jsonify(fw.request.get_json(force=True))

    @app.route("/data")
    def data() -> t.Any:
        return {"é": "ü", "b": [1.5, None, True], "a": {"z": 1, "y": 2}}

    @app.route("/unsorted")
    def unsorted() -> t.Any:
        fw.current_app.json.sort_keys = False
        try:
            return fw.current_app.json.response({"b": 1, "a": 2})
        finally:
            fw.current_app.json.sort_keys = True

    @app.route("/dumps")
    def dumps() -> str:
        return str(fw.json.dumps({"b": 1, "a": "é"})) + " " + repr(fw.json.loads('{"x": [1]}'))

    return app


JSON = [
    post("/echo", json={"b": 1, "a": "é"}),
    # A malformed body: see test_malformed_json_400_names_the_decoder_error below.
    post("/echo", data="[1]", content_type="text/plain"),
    post("/silent", data="{bad", content_type="application/json"),
    post("/force", data='{"x": 1}', content_type="text/plain"),
    get("/data"),
    get("/unsorted"),
    get("/dumps"),
]


def static_files(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    path = os.path.join(app.root_path, "static", "hello.txt")

    @app.route("/file")
    def file() -> t.Any:
        return fw.send_file(path)

    @app.route("/download")
    def download() -> t.Any:
        return fw.send_file(path, as_attachment=True, download_name="é.txt")

    @app.route("/from-dir/<path:name>")
    def from_dir(name: str) -> t.Any:
        return fw.send_from_directory(os.path.join(app.root_path, "static"), name)

    return app


STATIC = [
    get("/static/hello.txt"),
    get("/static/missing.txt"),
    get("/static/../flask_parity.py"),
    send("HEAD", "/static/hello.txt"),
    get("/static/hello.txt", headers={"Range": "bytes=0-4"}),
    get("/static/hello.txt", headers={"Range": "bytes=100-"}),
    get("/static/hello.txt", headers={"If-Modified-Since": "Tue, 01 Jan 2999 00:00:00 GMT"}),
    get("/static/hello.txt", headers={"If-None-Match": '"other"'}),
    get("/static/hello.txt", headers={"If-None-Match": "*"}),
    get("/static/hello.txt", headers={"If-Range": '"other"', "Range": "bytes=0-4"}),
    get("/file"),
    get("/download"),
    get("/from-dir/hello.txt"),
    get("/from-dir/../test_flask_features.py"),
    post("/static/hello.txt"),
]


def config(fw: types.ModuleType) -> t.Any:
    env = {"PARITY_NUMBER": "42", "PARITY_TEXT": "plain", "PARITY_NESTED__KEY": "true"}
    with mock.patch.dict(os.environ, env):
        app = make_app(fw)
        app.config.from_prefixed_env("PARITY")
    app.config.from_mapping({"MAPPED": 1}, LOWER=2, lower=3)

    @app.route("/config")
    def show() -> str:
        keys = ["NUMBER", "TEXT", "NESTED", "MAPPED", "LOWER", "lower"]
        return repr([(key, app.config.get(key)) for key in keys])

    @app.route("/namespace")
    def namespace() -> str:
        return repr(sorted(app.config.get_namespace("SESSION_COOKIE_").items()))

    return app


CONFIG = [get("/config"), get("/namespace")]


def signals(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    app.testing = False
    log: list[str] = []

    @app.route("/log")
    def show_log() -> str:
        text = " ".join(log)
        log.clear()
        return text

    names = [
        "request_started",
        "request_finished",
        "got_request_exception",
        "request_tearing_down",
        "appcontext_pushed",
        "appcontext_popped",
        "appcontext_tearing_down",
        "template_rendered",
        "before_render_template",
        "message_flashed",
    ]
    for name in names:

        def receiver(sender: t.Any, _name: str = name, **extra: t.Any) -> None:
            log.append(f"{_name}({sorted(extra)})")

        getattr(fw, name).connect(receiver, app, weak=False)
        app.extensions.setdefault("parity_receivers", []).append((getattr(fw, name), receiver))

    @app.route("/template")
    def template() -> str:
        fw.flash("hi")
        return fw.render_template_string("{{ x }}", x=1)  # type: ignore[no-any-return]

    app.add_url_rule("/fail", "fail", lambda: 1 / 0)
    return app


SIGNALS = [get("/template"), get("/log"), get("/fail"), get("/log")]


def views(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    fw_views = importlib.import_module(f"{fw.__name__}.views")

    class Items(fw_views.MethodView):  # type: ignore[name-defined,misc]
        init_every_request = False

        def get(self, n: int | None = None) -> str:
            return f"get {n}"

        def post(self) -> tuple[str, int]:
            return f"post {fw.request.form.get('x')}", 201

    class Plain(fw_views.View):  # type: ignore[name-defined,misc]
        methods = ["GET", "PUT"]

        def dispatch_request(self) -> str:
            return f"plain {fw.request.method}"

    items = Items.as_view("items")
    app.add_url_rule("/items", view_func=items, methods=["GET", "POST"])
    app.add_url_rule("/items/<int:n>", view_func=items, methods=["GET"])
    app.add_url_rule("/plain", view_func=Plain.as_view("plain"))

    @app.route("/async")
    async def async_view() -> str:
        return f"async {fw.request.path}"

    @app.before_request
    async def async_hook() -> None:
        fw.g.hooked = True

    @app.route("/g")
    def show_g() -> str:
        return repr(fw.g.get("hooked"))

    return app


VIEWS = [
    get("/items"),
    get("/items/3"),
    post("/items", data={"x": "1"}),
    send("DELETE", "/items"),
    send("OPTIONS", "/items"),
    get("/plain"),
    send("PUT", "/plain"),
    send("POST", "/plain"),
    get("/async"),
    get("/g"),
]


CASES: list[tuple[str, Build, list[Request]]] = [
    ("sessions", sessions, SESSIONS),
    ("flash", flashing, FLASH),
    ("json", json_app, JSON),
    ("static", static_files, STATIC),
    ("config", config, CONFIG),
    ("views", views, VIEWS),
]


@pytest.mark.parametrize(
    ("build", "requests"),
    [pytest.param(build, requests, id=name) for name, build, requests in CASES],
)
def test_answers_are_flasks(build: Build, requests: list[Request]) -> None:
    assert_same(build, requests)


def test_signals_are_sent_as_flask_sends_them() -> None:
    # Not cached: the receivers are disconnected after, as other tests check that
    # signals nobody listens to are not sent.
    apps = {name: signals(fw) for name, fw in FRAMEWORKS.items()}
    try:
        assert_same(signals, SIGNALS, apps)
    finally:
        for app in apps.values():
            for signal, receiver in app.extensions["parity_receivers"]:
                signal.disconnect(receiver)  # from every sender: receivers forgets it
            assert not any(signal.receivers for signal, _ in app.extensions["parity_receivers"])


# --- test client features -------------------------------------------------------


def test_follow_redirects_history_is_flasks() -> None:
    found = {}
    for name in FRAMEWORKS:
        client = built(views, name).test_client()
        rv = client.get("/items/", follow_redirects=True)
        found[name] = (rv.status, [r.status for r in rv.history], rv.request.path, rv.text)
    assert found["microflask"] == found["flask"]


def test_session_transaction_is_flasks() -> None:
    found = {}
    for name in FRAMEWORKS:
        client = built(sessions, name).test_client()
        with client.session_transaction() as sess:
            sess["a"] = "from transaction"
        text = client.get("/get").text
        with client.session_transaction() as sess:
            found[name] = (text, sorted(sess.items()))
    assert found["microflask"] == found["flask"]


def test_default_config_is_flasks() -> None:
    theirs = dict(flask.Flask("parity_app").config)
    ours = dict(microflask.Microflask("parity_app").config)
    # Beyond Flask, in their own modules (CHANGES.md): CSRF settings.
    extra = {key for key in ours if key not in theirs}
    assert {key for key in extra if not key.startswith("CSRF_")} == set()
    # Documented: the session cookie is SameSite=Lax unless configured otherwise.
    assert (theirs.pop("SESSION_COOKIE_SAMESITE"), ours.pop("SESSION_COOKIE_SAMESITE")) == (
        None,
        "Lax",
    )
    assert {key: ours.get(key) for key in theirs} == theirs


def test_cli_routes_output_is_flasks() -> None:
    outputs = {}
    for name in FRAMEWORKS:
        result = built(views, name).test_cli_runner().invoke(args=["routes"])
        outputs[name] = (result.exit_code, result.output)
        sorted_by_rule = built(views, name).test_cli_runner().invoke(args=["routes", "-s", "rule"])
        outputs[name + " -s rule"] = (sorted_by_rule.exit_code, sorted_by_rule.output)
    assert outputs["microflask"] == outputs["flask"]
    assert outputs["microflask -s rule"] == outputs["flask -s rule"]


# --- deliberate differences (CHANGES.md), asserted rather than skipped ------------


def _plain_session_app(fw: types.ModuleType) -> Scaffold:
    app = t.cast(Scaffold, app_class(fw)("parity_app"))
    app.config.update(TESTING=True, SECRET_KEY="k")

    @app.route("/set")
    def set_value() -> str:
        fw.session["a"] = 1
        return repr(getattr(fw.session, "new", None))

    return app


def test_session_cookie_defaults_to_samesite_lax_where_flask_sends_none() -> None:
    cookies = {
        name: _plain_session_app(fw).test_client().get("/set").headers["Set-Cookie"]
        for name, fw in FRAMEWORKS.items()
    }
    assert "SameSite" not in cookies["flask"]
    assert "SameSite=Lax" in cookies["microflask"]


def test_session_new_is_true_without_a_cookie_where_flask_says_false() -> None:
    bodies = {
        name: _plain_session_app(fw).test_client().get("/set").text
        for name, fw in FRAMEWORKS.items()
    }
    assert bodies == {"flask": "False", "microflask": "True"}


def test_cross_origin_post_is_refused_where_flask_accepts_it() -> None:
    def build(fw: types.ModuleType) -> t.Any:
        app = make_app(fw)
        app.add_url_rule("/post", "post", lambda: "posted", methods=["POST"])
        return app

    found = answers(build, [post("/post", headers={"Sec-Fetch-Site": "cross-site"})])
    assert found["flask"][0].status == "200 OK"
    assert found["microflask"][0].status.startswith("403")


def test_malformed_json_400_names_the_decoder_error_where_flask_is_generic() -> None:
    requests = [
        post("/echo", data="{bad", content_type="application/json"),
        post("/echo", data="", content_type="application/json"),
    ]
    found = answers(json_app, requests)
    for theirs, ours in zip(found["flask"], found["microflask"], strict=True):
        assert theirs.status == ours.status == "400 BAD REQUEST"
        assert b"could not understand" in theirs.body
        assert b"Failed to decode JSON object: Expecting" in ours.body


_READS: dict[str, t.Callable[[t.Any], object]] = {
    "in": lambda session: "a" in session,
    "len": len,
    "iter": list,
    "keys": lambda session: list(session.keys()),
    "items": lambda session: list(session.items()),
    "bool": bool,
    "get": lambda session: session.get("a"),
    "getitem": lambda session: session["a"],  # sent only once "a" is set
    "setdefault": lambda session: session.setdefault("a", "1"),
    "permanent": lambda session: session.permanent,
    "copy": lambda session: dict(session),
}


def session_reads(fw: types.ModuleType) -> Scaffold:
    app = make_app(fw)
    app.add_url_rule("/set", "set", lambda: fw.session.update(a="1") or "set")
    for name, read in _READS.items():
        app.add_url_rule(f"/{name}", name, lambda read=read: repr(read(fw.session)))
    return app


def test_session_reads_vary_by_cookie_as_in_flask() -> None:
    assert_same(session_reads, [get(f"/{name}") for name in _READS if name != "getitem"])
    assert_same(session_reads, [get("/set"), *(get(f"/{name}") for name in _READS)])
