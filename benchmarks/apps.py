"""The same small apps on bare WSGI, raw Werkzeug, Flask, Bottle, microflask.

``create_app(framework, kind)`` builds one of four apps: ``main`` (hello, path
params, JSON, template, form, 404; Bottle's answers hello, path params, JSON and
404 only), ``secret`` (hello and a session counter on an
app with a secret key), ``big`` (1,000 routes) and ``typed`` (a JSON body validated
and answered through pydantic models, in ``typed_apps.py``; Flask runs it with
flask-openapi3). Flask and microflask run the
very same view code; Flask is imported only when asked for, so this module can
load without it. The raw-Werkzeug app is the floor a competent developer writes
by hand (Map/Rule, a dispatch dict, itsdangerous for the session); the bare WSGI
callable is the ceiling and only answers where that makes sense. Bottle, the
fastest pure-Python framework in common use, is the bar issue 18 sets; it is
imported only when asked for, like Flask.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response as _WerkzeugResponse

from benchmarks.common import (
    FORM_FIELDS,
    HELLO,
    JSON_ROWS,
    ROUTE_COUNT,
    SECRET_KEY,
    TEMPLATE_FOLDER,
    TEMPLATE_ITEMS,
    TEMPLATE_NAME,
    TEMPLATE_TITLE,
    form_answer,
)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_F = TypeVar("_F", bound=Callable[..., Any])


class _FlaskLike(Protocol):
    """The part of the Flask and microflask app API these apps use."""

    secret_key: str | bytes | None

    def route(self, rule: str, **options: Any) -> Callable[[_F], _F]: ...

    def add_url_rule(
        self, rule: str, endpoint: str | None = None, view_func: Any = None, **options: Any
    ) -> None: ...


class _BottleLike(Protocol):
    """The part of Bottle's app API the Bottle app uses."""

    def route(self, path: str) -> Callable[[_F], _F]: ...

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]: ...


FRAMEWORKS = ("bare", "raw", "flask", "bottle", "microflask")
KINDS = ("main", "secret", "big", "typed")


def create_app(framework: str, kind: str) -> WSGIApp | None:
    """Build the ``kind`` app on ``framework``; None if it has no such app.

    :raises ValueError: for an unknown framework or kind.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown app kind {kind!r}; expected one of {KINDS}.")
    if kind == "typed" and framework in FRAMEWORKS:
        # Imports pydantic (and flask-openapi3): only when the typed app is asked for.
        from benchmarks.typed_apps import create_app as create_typed_app

        return create_typed_app(framework)
    if framework == "bare":
        return _bare_main if kind == "main" else None
    if framework == "raw":
        return _RAW_BUILDERS[kind]()
    if framework == "flask":
        return _flasklike("flask", "Flask", kind)
    if framework == "microflask":
        return _flasklike("microflask", "Microflask", kind)
    if framework == "bottle":
        return _bottle_main() if kind == "main" else None
    raise ValueError(f"Unknown framework {framework!r}; expected one of {FRAMEWORKS}.")


# --- bare WSGI: the ceiling -------------------------------------------------


def _bare_main(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    if path == "/":
        status, mimetype, body = "200 OK", "text/html", HELLO.encode()
    elif path == "/json":
        status, mimetype = "200 OK", "application/json"
        body = json.dumps(JSON_ROWS, separators=(",", ":")).encode()
    else:
        status, mimetype, body = "404 NOT FOUND", "text/html", b"<h1>Not Found</h1>"
    headers = [
        ("Content-Type", f"{mimetype}; charset=utf-8"),
        ("Content-Length", str(len(body))),
    ]
    start_response(status, headers)
    return [body]


# --- raw Werkzeug: the floor ------------------------------------------------


class _Response(_WerkzeugResponse):
    default_mimetype = "text/html"


_View = Callable[..., _WerkzeugResponse]


class _RawApp:
    """A hand-written Werkzeug app: match the URL, call the view by endpoint."""

    def __init__(self, rules: list[Rule], views: dict[str, _View]) -> None:
        self.url_map = Map(rules)
        self.views = views

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        adapter = self.url_map.bind_to_environ(environ)
        response: Any
        try:
            endpoint, args = adapter.match()
            response = self.views[endpoint](request, **args)
        except HTTPException as error:
            response = error
        return response(environ, start_response)  # type: ignore[no-any-return]


_jinja = Environment(
    loader=FileSystemLoader(TEMPLATE_FOLDER),
    autoescape=select_autoescape(),
    auto_reload=False,
)


def _raw_hello(request: Request) -> _WerkzeugResponse:
    return _Response(HELLO)


def _raw_params(request: Request, name: str, post_id: int) -> _WerkzeugResponse:
    return _Response(f"{name} {post_id}")


def _raw_json(request: Request) -> _WerkzeugResponse:
    body = json.dumps(JSON_ROWS, separators=(",", ":"))
    return _Response(body, mimetype="application/json")


def _raw_template(request: Request) -> _WerkzeugResponse:
    template = _jinja.get_template(TEMPLATE_NAME)
    return _Response(template.render(title=TEMPLATE_TITLE, items=TEMPLATE_ITEMS))


def _raw_form(request: Request) -> _WerkzeugResponse:
    return _Response(form_answer([request.form[field] for field in FORM_FIELDS]))


def _build_raw_main() -> WSGIApp:
    rules = [
        Rule("/", endpoint="hello"),
        Rule("/user/<name>/post/<int:post_id>", endpoint="params"),
        Rule("/json", endpoint="json"),
        Rule("/template", endpoint="template"),
        Rule("/form", endpoint="form", methods=["POST"]),
    ]
    views: dict[str, _View] = {
        "hello": _raw_hello,
        "params": _raw_params,
        "json": _raw_json,
        "template": _raw_template,
        "form": _raw_form,
    }
    return _RawApp(rules, views)


_SESSION_LIFETIME = timedelta(days=31)
_session_serializer = URLSafeTimedSerializer(
    SECRET_KEY,
    salt="cookie-session",
    signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256},
)


def _raw_counter(request: Request) -> _WerkzeugResponse:
    data: dict[str, Any] = {}
    cookie = request.cookies.get("session")
    if cookie:
        try:
            max_age = int(_SESSION_LIFETIME.total_seconds())
            data = _session_serializer.loads(cookie, max_age=max_age)
        except BadSignature:
            data = {}
    data["count"] = data.get("count", 0) + 1
    response = _Response(str(data["count"]))
    response.set_cookie("session", _session_serializer.dumps(data), httponly=True, samesite="Lax")
    response.vary.add("Cookie")
    return response


def _build_raw_secret() -> WSGIApp:
    rules = [Rule("/", endpoint="hello"), Rule("/session", endpoint="counter")]
    return _RawApp(rules, {"hello": _raw_hello, "counter": _raw_counter})


def _raw_route_view(number: int) -> _View:
    def view(request: Request) -> _WerkzeugResponse:
        return _Response(f"route {number}")

    return view


def _build_raw_big() -> WSGIApp:
    rules = [Rule(f"/route{i}", endpoint=f"route{i}") for i in range(ROUTE_COUNT)]
    views = {f"route{i}": _raw_route_view(i) for i in range(ROUTE_COUNT)}
    return _RawApp(rules, views)


_RAW_BUILDERS: dict[str, Callable[[], WSGIApp]] = {
    "main": _build_raw_main,
    "secret": _build_raw_secret,
    "big": _build_raw_big,
}


# --- Flask and microflask: one source, two frameworks -----------------------


def _flasklike(module_name: str, class_name: str, kind: str) -> WSGIApp:
    api = importlib.import_module(module_name)
    app: _FlaskLike = getattr(api, class_name)(__name__, template_folder=str(TEMPLATE_FOLDER))
    if kind == "main":
        _add_main_views(app, api)
    elif kind == "secret":
        app.secret_key = SECRET_KEY
        _add_secret_views(app, api)
    else:
        _add_big_views(app)
    return app  # type: ignore[return-value]


def _add_main_views(app: _FlaskLike, api: Any) -> None:
    request, jsonify, render_template = api.request, api.jsonify, api.render_template

    @app.route("/")
    def hello() -> str:
        return HELLO

    @app.route("/user/<name>/post/<int:post_id>")
    def params(name: str, post_id: int) -> str:
        return f"{name} {post_id}"

    @app.route("/json")
    def json_list() -> Any:
        return jsonify(JSON_ROWS)

    @app.route("/template")
    def template() -> str:
        return render_template(  # type: ignore[no-any-return]
            TEMPLATE_NAME, title=TEMPLATE_TITLE, items=TEMPLATE_ITEMS
        )

    @app.route("/form", methods=["POST"])
    def form() -> str:
        return form_answer([request.form[field] for field in FORM_FIELDS])


def _add_secret_views(app: _FlaskLike, api: Any) -> None:
    session = api.session

    @app.route("/")
    def hello() -> str:
        return HELLO

    @app.route("/session")
    def counter() -> str:
        session["count"] = session.get("count", 0) + 1
        return str(session["count"])


def _flasklike_route_view(number: int) -> Callable[[], str]:
    def view() -> str:
        return f"route {number}"

    return view


def _add_big_views(app: _FlaskLike) -> None:
    for i in range(ROUTE_COUNT):
        app.add_url_rule(f"/route{i}", f"route{i}", _flasklike_route_view(i))


# --- Bottle: the bar to reach -----------------------------------------------


def _bottle_main() -> WSGIApp:
    # bottle ships no type information; its app is typed by the protocol.
    bottle: Any = importlib.import_module("bottle")
    app: _BottleLike = bottle.Bottle()
    response = bottle.response

    @app.route("/")
    def hello() -> str:
        return HELLO

    @app.route("/user/<name>/post/<post_id:int>")
    def params(name: str, post_id: int) -> str:
        return f"{name} {post_id}"

    @app.route("/json")
    def json_list() -> str:
        # Bottle turns only a returned dict into JSON; a list is dumped by hand.
        response.content_type = "application/json"
        return json.dumps(JSON_ROWS, separators=(",", ":"))

    return app
