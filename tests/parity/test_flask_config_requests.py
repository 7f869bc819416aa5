"""Compare config-driven URLs, request parsing, templates and streaming with Flask.

The same shape as the other differential tests (see ``flask_parity``): one
app per framework, the same requests, equal status, headers and body.
"""

from __future__ import annotations

import io
import os
import types
import typing as t

import pytest
from flask_parity import (
    Build,
    Request,
    Scaffold,
    answers,
    assert_same,
    blueprint,
    get,
    make_app,
    post,
)


def server_name(fw: types.ModuleType) -> t.Any:
    app = make_app(fw, subdomain_matching=True)
    app.config.update(
        SERVER_NAME="example.test:8080", APPLICATION_ROOT="/root", PREFERRED_URL_SCHEME="https"
    )
    api = blueprint(fw, "api", subdomain="api")

    @api.route("/v1")
    def v1() -> str:
        return str(fw.url_for("index", _external=True)) + " " + str(fw.url_for(".v1"))

    @app.route("/")
    def index() -> str:
        return f"{fw.request.host} {fw.request.url} {fw.url_for('api.v1')}"

    @app.route("/sub", subdomain="<user>")
    def user(user: str) -> str:
        return f"user {user} " + str(fw.url_for("user", user="bob"))

    app.register_blueprint(api)
    return app


SERVER_NAME = [
    get("/"),
    get("/", base_url="http://example.test:8080/root/"),
    get("/v1", base_url="http://api.example.test:8080/"),
    get("/sub", base_url="http://ada.example.test:8080/"),
    get("/v1"),
]


def host_matching(fw: types.ModuleType) -> t.Any:
    app = make_app(fw, host_matching=True, static_host="static.test")

    @app.route("/", host="a.test")
    def a() -> str:
        return "a " + str(fw.url_for("b", name="q", _external=False))

    @app.route("/", host="<name>.b.test")
    def b(name: str = "x") -> str:
        return f"b {name}"

    return app


HOST_MATCHING = [
    get("/", base_url="http://a.test/"),
    get("/", base_url="http://z.b.test/"),
    get("/", base_url="http://c.test/"),
    get("/static/hello.txt", base_url="http://static.test/"),
]


def uploads(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    app.config.update(MAX_CONTENT_LENGTH=2000, MAX_FORM_PARTS=4)

    @app.route("/upload", methods=["POST"])
    def upload() -> str:
        files = [
            (key, f.filename, f.mimetype, f.read()) for key, f in fw.request.files.items(multi=True)
        ]
        return repr((sorted(fw.request.form.items(multi=True)), files))

    @app.route("/values", methods=["GET", "POST"])
    def values() -> str:
        return repr(sorted(fw.request.values.items(multi=True)))

    @app.route("/data", methods=["POST"])
    def data() -> str:
        return repr((fw.request.get_data(), fw.request.content_length, fw.request.mimetype))

    return app


def _files() -> dict[str, t.Any]:
    return {"f": (io.BytesIO(b"file body"), "é.txt", "text/plain"), "x": "1"}


UPLOADS = [
    post("/upload", data=_files),  # made per request: a file is read once
    post("/upload", data={"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}),
    post("/upload", data={"big": "x" * 3000}),
    post("/upload", data=b"a=1&a=2&b=%FF", content_type="application/x-www-form-urlencoded"),
    post("/upload", data=b"--x\r\nbroken", content_type="multipart/form-data; boundary=x"),
    post("/upload", data=b"", content_type="multipart/form-data"),
    post("/values?q=1", data={"q": "2"}),
    get("/values?a=1&a=2&b="),
    post("/data", data=b"raw bytes", content_type="application/octet-stream"),
    post("/data", data=b"x" * 2001, content_type="application/octet-stream"),
]


def templates(fw: types.ModuleType) -> t.Any:
    app = make_app(fw, template_folder=os.path.join("..", "templates"))
    app.testing = False  # a missing template is a 500 answer

    app.context_processor(lambda: {"who": "<ada>"})
    app.add_template_filter(lambda value: value.upper() + "!", "shout")
    app.add_template_global(lambda: 42, "answer")
    app.add_template_test(lambda n: n % 2 == 0, "even")

    @app.route("/string")
    def string() -> str:
        source = (
            "{{ who }} {{ 'a' | shout }} {{ answer() }} {{ 4 is even }} {{ request.path }}"
            " {{ g.x }} {{ config.TESTING }} {{ url_for('string') }} {{ x | tojson }}"
            " {{ get_flashed_messages() }}"
        )
        fw.g.x = "<g>"
        return str(fw.render_template_string(source, x={"b": "</script>", "a": 1}))

    @app.route("/file/<path:name>")
    def file(name: str) -> str:
        return str(fw.render_template(name, value="<v>", items=[1, 2]))

    @app.route("/stream")
    def stream() -> t.Any:
        return fw.Response(fw.stream_template_string("{% for i in range(3) %}{{ i }}{% endfor %}"))

    @app.route("/with-context")
    def with_context() -> t.Any:
        def generate() -> t.Iterator[str]:
            yield fw.request.path
            yield " done"

        return fw.Response(fw.stream_with_context(generate()))

    return app


TEMPLATES = [
    get("/string"),
    get("/file/loop.html"),
    get("/file/child.html"),
    get("/file/missing.html"),
    get("/stream"),
    get("/with-context"),
]


CASES: list[tuple[str, Build, list[Request]]] = [
    ("server-name", server_name, SERVER_NAME),
    ("host-matching", host_matching, HOST_MATCHING),
    ("uploads", uploads, UPLOADS),
    ("templates", templates, TEMPLATES),
]


@pytest.mark.parametrize(
    ("build", "requests"),
    [pytest.param(build, requests, id=name) for name, build, requests in CASES],
)
def test_answers_are_flasks(build: Build, requests: list[Request]) -> None:
    assert_same(build, requests)


def test_urlencoded_body_over_form_memory_limit_is_413_where_flask_parses_it() -> None:
    def build(fw: types.ModuleType) -> Scaffold:
        app = make_app(fw)
        app.config["MAX_FORM_MEMORY_SIZE"] = 10
        app.add_url_rule("/f", "f", lambda: repr(dict(fw.request.form)), methods=["POST"])
        return app

    found = answers(build, [post("/f", data={"a": "b" * 20})])
    # Documented (CHANGES.md): Flask bounds a urlencoded body only by MAX_CONTENT_LENGTH.
    assert found["flask"][0].body == b"{'a': '" + b"b" * 20 + b"'}"
    assert found["microflask"][0].status == "413 REQUEST ENTITY TOO LARGE"
