"""Compare hooks, error handlers, abort, redirect and url_for with Flask 3.1.

The hook cases log each call on the app; ``GET /log`` answers the log so far
and clears it, so the order every hook ran in is part of the compared body.
"""

from __future__ import annotations

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
    send,
)


def _log_route(app: Scaffold) -> list[str]:
    log: list[str] = []

    @app.route("/log")
    def show_log() -> str:
        text = " ".join(log)
        log.clear()
        return text

    return log


def _register_hooks(app: Scaffold, bp: Scaffold, child: Scaffold, log: list[str]) -> None:
    def recorder(name: str, response: bool = False) -> t.Callable[..., t.Any]:
        def hook(arg: t.Any = None, *rest: t.Any) -> t.Any:
            log.append(name)
            return arg if response else None

        return hook

    app.before_request(recorder("app.before"))
    app.after_request(recorder("app.after", response=True))
    app.teardown_request(recorder("app.teardown"))
    app.teardown_appcontext(recorder("app.teardown_appctx"))
    bp.before_request(recorder("bp.before"))
    bp.after_request(recorder("bp.after", response=True))
    bp.teardown_request(recorder("bp.teardown"))
    bp.before_app_request(recorder("bp.before_app"))
    bp.after_app_request(recorder("bp.after_app", response=True))
    bp.teardown_app_request(recorder("bp.teardown_app"))
    child.before_request(recorder("child.before"))
    child.after_request(recorder("child.after", response=True))


def _register_url_processors(
    fw: types.ModuleType, app: Scaffold, bp: Scaffold, log: list[str]
) -> None:
    @app.url_value_preprocessor
    def app_values(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        log.append(f"app.values {endpoint} {sorted(values or {})}")

    @bp.url_value_preprocessor
    def bp_values(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        if values is not None:
            fw.g.lang = values.pop("lang", None)
        log.append(f"bp.values {endpoint}")

    @app.url_defaults
    def app_defaults(endpoint: str, values: dict[str, t.Any]) -> None:
        log.append(f"app.defaults {endpoint}")

    @bp.url_defaults
    def bp_defaults(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("lang", "en")


def hooks(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    log = _log_route(app)
    bp = blueprint(fw, "bp", url_prefix="/bp")
    child = blueprint(fw, "child", url_prefix="/child")
    _register_hooks(app, bp, child, log)
    _register_url_processors(fw, app, bp, log)

    @app.route("/")
    def index() -> str:
        log.append("view")

        def later(response: t.Any) -> t.Any:
            log.append("after_this_request")
            response.headers["X-Later"] = "1"
            return response

        fw.after_this_request(later)
        return "index"

    @app.route("/stop")
    def stop() -> str:
        return "not reached"

    @app.before_request
    def maybe_stop() -> str | None:
        return "stopped early" if fw.request.path == "/stop" else None

    @bp.route("/<lang>/page")
    def page() -> str:
        log.append(f"bp.view {fw.g.lang}")
        return str(fw.url_for(".page") + " " + fw.url_for("bp.page", lang="fr"))

    @child.route("/x")
    def child_view() -> str:
        return "child " + " ".join(fw.request.blueprints)

    bp.register_blueprint(child)
    app.register_blueprint(bp)
    return app


HOOKS = [
    get("/"),
    get("/log"),
    get("/stop"),
    get("/log"),
    get("/bp/de/page"),
    get("/log"),
    get("/bp/child/x"),
    get("/log"),
    get("/missing"),
    get("/log"),
    send("OPTIONS", "/"),
    get("/log"),
]


class _AppError(Exception):
    pass


class _SubError(_AppError):
    pass


def errors(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    app.testing = False  # unhandled exceptions become 500 answers, as in production
    bp = blueprint(fw, "bp", url_prefix="/bp")

    @app.errorhandler(404)
    def not_found(e: t.Any) -> tuple[str, int]:
        return f"app 404 {e.code} {fw.request.blueprint}", 404

    @app.errorhandler(_AppError)
    def app_error(e: Exception) -> tuple[str, int]:
        return f"app handler {type(e).__name__}", 409

    @app.errorhandler(LookupError)
    def lookup(e: Exception) -> tuple[str, int]:
        return f"lookup {type(e).__name__}", 410

    @app.errorhandler(500)
    def server_error(e: t.Any) -> tuple[str, int]:
        original = getattr(e, "original_exception", None)
        return f"500 handler {type(e).__name__} {type(original).__name__}", 500

    @app.errorhandler(418)
    def teapot(e: t.Any) -> t.Any:
        raise RuntimeError("handler fails")

    @bp.errorhandler(_SubError)
    def bp_sub(e: Exception) -> tuple[str, int]:
        return "bp handler", 422

    @bp.errorhandler(404)
    def bp_404(e: t.Any) -> tuple[str, int]:
        return "bp 404", 404

    views: dict[str, t.Callable[[], t.Any]] = {
        "/raise-app": lambda: _raise(_AppError()),
        "/raise-sub": lambda: _raise(_SubError()),
        "/raise-key": lambda: _raise(KeyError("k")),
        "/raise-zero": lambda: 1 / 0,
        "/abort-403": lambda: fw.abort(403),
        "/abort-418": lambda: fw.abort(418),
        "/abort-desc": lambda: fw.abort(400, description="bad thing"),
        "/abort-response": lambda: fw.abort(fw.Response("custom", 299)),
        "/abort-404": lambda: fw.abort(404),
        "/abort-unknown": lambda: fw.abort(499),
    }
    for rule, view in views.items():
        app.add_url_rule(rule, rule, view)
    for rule in ("/raise-app", "/raise-sub", "/abort-404"):
        bp.add_url_rule(rule, rule.strip("/"), views[rule])
    app.register_blueprint(bp)
    return app


def _raise(e: Exception) -> t.NoReturn:
    raise e


ERRORS = [
    get(path)
    for path in [
        "/raise-app",
        "/raise-sub",
        "/raise-key",
        "/raise-zero",
        "/abort-403",
        "/abort-418",
        "/abort-desc",
        "/abort-response",
        "/abort-404",
        "/abort-unknown",
        "/missing",
        "/bp/raise-app",
        "/bp/raise-sub",
        "/bp/abort-404",
    ]
] + [post("/raise-app")]


def unhandled(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    app.testing = False
    app.add_url_rule("/zero", "zero", lambda: 1 / 0)
    app.add_url_rule("/abort", "abort", lambda: fw.abort(405))
    return app


UNHANDLED = [get("/zero"), get("/abort"), get("/missing"), send("DELETE", "/zero")]


def urls(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    bp = blueprint(fw, "shop", url_prefix="/shop")

    @app.route("/item/<int:n>", methods=["GET", "POST"])
    def item(n: int) -> str:
        return str(n)

    @app.route("/")
    def index() -> str:
        args = fw.request.args
        kwargs: dict[str, t.Any] = {
            "_external": args.get("external") == "1",
            "_anchor": args.get("anchor"),
            "_method": args.get("method"),
            "_scheme": args.get("scheme"),
        }
        if not kwargs["_external"]:
            kwargs.pop("_scheme")
        return str(fw.url_for(args.get("endpoint", "item"), n=3, q=args.get("q", "é/&"), **kwargs))

    @bp.route("/cart")
    def cart() -> str:
        return str(fw.url_for(".cart") + " " + fw.url_for("index", _external=True))

    @app.route("/go")
    def go() -> t.Any:
        target = fw.request.args.get("to", "/")
        return fw.redirect(target, int(fw.request.args.get("code", 302)))

    app.register_blueprint(bp)
    return app


URLS = [
    get("/"),
    get("/?external=1"),
    get("/?external=1&scheme=https"),
    get("/?anchor=top%20it"),
    get("/?method=POST"),
    get("/?q=a+b"),
    get("/?endpoint=shop.cart"),
    get("/shop/cart"),
    get("/shop/cart", base_url="https://example.org:8443/"),
    get("/go"),
    get("/go?to=/item/1&code=301"),
    get("/go?to=http://other.test/x%20y"),
    get("/go?to=relative"),
    get("/go?to=/é"),
    get("/go?to=/item/1", follow_redirects=True),
]


CASES: list[tuple[str, Build, list[Request]]] = [
    ("hooks", hooks, HOOKS),
    ("errors", errors, ERRORS),
    ("unhandled", unhandled, UNHANDLED),
    ("urls", urls, URLS),
]


@pytest.mark.parametrize(
    ("build", "requests"),
    [pytest.param(build, requests, id=name) for name, build, requests in CASES],
)
def test_answers_are_flasks(build: Build, requests: list[Request]) -> None:
    assert_same(build, requests)


def test_routing_404_under_a_blueprint_prefix_is_the_documented_difference() -> None:
    """Flask gives it to the app's handler; microflask to the blueprint whose prefix holds it."""
    found = answers(errors, [get("/bp/missing")])
    assert found["flask"][0].body == b"app 404 404 None"
    assert found["microflask"][0].body == b"bp 404"
    assert found["flask"][0].status == found["microflask"][0].status == "404 NOT FOUND"
