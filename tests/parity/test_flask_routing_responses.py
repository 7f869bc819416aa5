"""Compare routing and view return values with Flask 3.1, request by request.

Each case builds one app on Flask and on microflask (see ``flask_parity``)
and sends both the same requests: static and converter routes, slash
redirects, 404, 405 with ``Allow``, automatic OPTIONS and HEAD, and every
shape a view may return.
"""

from __future__ import annotations

import types
import typing as t

import pytest
from flask_parity import Build, Request, assert_same, get, make_app, post, send

_RULES: list[tuple[str, str, dict[str, t.Any]]] = [
    ("/", "index", {}),
    ("/user/<name>", "user", {}),
    ("/n/<int:n>", "number", {}),
    ("/f/<float:x>", "real", {}),
    ("/p/<path:rest>", "rest", {}),
    ("/u/<uuid:u>", "uid", {}),
    ("/any/<any(a, b):which>", "which", {}),
    ("/dir/", "directory", {}),
    ("/loose/", "loose", {"strict_slashes": False}),
    ("/form", "form", {"methods": ["POST", "PUT"]}),
    ("/opts", "opts", {"methods": ["GET", "OPTIONS"]}),
    ("/page", "page", {"defaults": {"n": 1}}),
    ("/page/<int:n>", "page", {}),
    ("/old", "old", {"redirect_to": "/dir/"}),
    ("/noopts", "noopts", {"provide_automatic_options": False}),
]


def routing(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)

    def view(**values: t.Any) -> str:
        request = fw.request
        form = sorted(request.form.items())
        return f"{request.endpoint} {request.method} {sorted(values.items())} {form}"

    for rule, endpoint, options in _RULES:
        app.add_url_rule(rule, endpoint, view, **options)
    return app


ROUTING = [
    get("/"),
    get("/user/ada"),
    get("/user/a%20b"),
    get("/user/"),
    get("/n/42"),
    get("/n/-1"),
    get("/n/x"),
    get("/f/1.5"),
    get("/p/a/b/c"),
    get("/u/12345678-1234-5678-1234-567812345678"),
    get("/u/nope"),
    get("/any/a"),
    get("/any/c"),
    get("/dir"),
    get("/dir?x=1"),
    get("/dir/"),
    get("/loose"),
    get("/loose/"),
    get("//dir//"),
    get("/page"),
    get("/page/1"),
    get("/page/3"),
    get("/old"),
    get("/missing"),
    get("/form"),
    post("/form", data={"a": "1"}),
    send("PUT", "/form", data={"a": "1"}),
    send("DELETE", "/form"),
    send("OPTIONS", "/form"),
    send("OPTIONS", "/"),
    send("OPTIONS", "/opts"),
    send("OPTIONS", "/noopts"),
    send("OPTIONS", "/missing"),
    send("HEAD", "/"),
    send("HEAD", "/user/x"),
    send("HEAD", "/missing"),
    send("PATCH", "/"),
    post("/dir", data={"a": "1"}),
]


def returns(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    rules: dict[str, t.Callable[[], t.Any]] = {
        "/str": lambda: "text é",
        "/bytes": lambda: b"raw",
        "/dict": lambda: {"b": 1, "a": [1, "é"]},
        "/list": lambda: [1, 2, {"x": None}],
        "/tuple-status": lambda: ("created", 201),
        "/tuple-status-text": lambda: ("teapot", "418 I AM A TEAPOT"),
        "/tuple-headers": lambda: ("h", {"X-A": "1"}),
        "/tuple-list-headers": lambda: ("h", [("X-A", "1"), ("X-A", "2")]),
        "/tuple-3": lambda: ("all", 202, {"X-B": "2", "Content-Type": "text/plain"}),
        "/tuple-dict": lambda: ({"k": "v"}, 400),
        "/response": lambda: fw.Response("resp", status=203, mimetype="text/plain"),
        "/response-tuple": lambda: (fw.Response("r"), 299, {"X-C": "3"}),
        "/make-response": lambda: fw.make_response("made", 206),
        "/make-response-tuple": lambda: fw.make_response(("made", 207, {"X-D": "4"})),
        "/generator": lambda: (part for part in ["a", "b", "c"]),
        "/iterator-bytes": lambda: iter([b"x", b"y"]),
        "/wsgi-app": lambda: _wsgi_app,
        "/none": lambda: None,
        "/int": lambda: 42,
        "/tuple-one": lambda: ("only",),
        "/tuple-four": lambda: ("a", 200, {}, 1),
        "/jsonify": lambda: fw.jsonify(b=2, a="é"),
        "/jsonify-list": lambda: fw.jsonify([1, 2]),
        "/jsonify-args": lambda: fw.jsonify(1, 2),
        "/empty": lambda: "",
        "/204": lambda: ("", 204),
        "/304": lambda: ("body", 304),
    }
    for rule, view in rules.items():
        app.add_url_rule(rule, rule, view)
    return app


def _wsgi_app(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"from wsgi"]


RETURNS = [
    get(path)
    for path in [
        "/str",
        "/bytes",
        "/dict",
        "/list",
        "/tuple-status",
        "/tuple-status-text",
        "/tuple-headers",
        "/tuple-list-headers",
        "/tuple-3",
        "/tuple-dict",
        "/response",
        "/response-tuple",
        "/make-response",
        "/make-response-tuple",
        "/generator",
        "/iterator-bytes",
        "/wsgi-app",
        "/jsonify",
        "/jsonify-list",
        "/empty",
        "/204",
        "/304",
    ]
] + [send("HEAD", "/str"), send("HEAD", "/generator")]


def returns_errors(fw: types.ModuleType) -> t.Any:
    app = returns(fw)
    app.testing = False  # a bad return value is a 500 page, not an exception in the test
    return app


RETURN_ERRORS = [
    get("/none"),
    get("/int"),
    get("/tuple-one"),
    get("/tuple-four"),
    get("/jsonify-args"),
]


CASES: list[tuple[str, Build, list[Request]]] = [
    ("routing", routing, ROUTING),
    ("returns", returns, RETURNS),
    ("return-errors", returns_errors, RETURN_ERRORS),
]


@pytest.mark.parametrize(
    ("build", "request_"),
    [
        pytest.param(build, request, id=f"{name}: {request}")
        for name, build, requests in CASES
        for request in requests
    ],
)
def test_answer_is_flasks(build: Build, request_: Request) -> None:
    assert_same(build, [request_])
