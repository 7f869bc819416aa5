"""Tests for ``url_for``: values, external URLs, anchors, methods, hooks and errors."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.routing import BuildError

from microflask import Blueprint, Microflask, g, url_for
from microflask.testing import MicroflaskClient


@pytest.fixture(autouse=True)
def url_for_views(app: Microflask) -> None:
    """Add the views that URLs are built for to the shared app."""

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/user/<name>")
    def user(name: str) -> str:
        return name


@pytest.mark.parametrize(
    ("endpoint", "values", "expected"),
    [
        ("index", {}, "/"),
        ("user", {"name": "ann"}, "/user/ann"),
        ("user", {"name": "a b"}, "/user/a%20b"),
        ("index", {"page": 2}, "/?page=2"),
        ("user", {"name": "ann", "tab": "posts"}, "/user/ann?tab=posts"),
        ("index", {"tag": ["a", "b"]}, "/?tag=a&tag=b"),
        ("index", {"q": "x&y"}, "/?q=x%26y"),
    ],
)
def test_values_fill_the_rule_then_the_query_string(
    app: Microflask, endpoint: str, values: dict[str, t.Any], expected: str
) -> None:
    with app.test_request_context():
        assert url_for(endpoint, **values) == expected


def test_external_url_uses_the_request_host(app: Microflask) -> None:
    with app.test_request_context(base_url="http://shop.example/"):
        assert url_for("user", name="ann", _external=True) == "http://shop.example/user/ann"


def test_scheme_implies_external_in_a_request(app: Microflask) -> None:
    with app.test_request_context():
        assert url_for("index", _scheme="https") == "https://localhost/"


def test_scheme_without_external_raises_value_error(app: Microflask) -> None:
    with app.test_request_context(), pytest.raises(ValueError, match="'_external' must be True"):
        url_for("index", _scheme="https", _external=False)


@pytest.mark.parametrize(
    ("anchor", "fragment"),
    [
        ("top", "top"),
        ("a b", "a%20b"),
        ("x/y?z=1&w", "x/y?z=1&w"),
        ("<tag>", "%3Ctag%3E"),
        ("already%20quoted", "already%20quoted"),
        ("ü", "%C3%BC"),
    ],
)
def test_anchor_is_quoted_and_appended(app: Microflask, anchor: str, fragment: str) -> None:
    with app.test_request_context():
        assert url_for("index", _anchor=anchor) == f"/#{fragment}"


def test_method_selects_the_rule(app: Microflask) -> None:
    app.add_url_rule("/read", "item", lambda: "r", methods=["GET"])
    app.add_url_rule("/write", "item", methods=["POST"])
    with app.test_request_context():
        assert url_for("item", _method="GET") == "/read"
        assert url_for("item", _method="POST") == "/write"


def test_outside_request_uses_server_name_root_and_scheme(app: Microflask) -> None:
    app.config.update(
        SERVER_NAME="example.com:8080",
        APPLICATION_ROOT="/prefix",
        PREFERRED_URL_SCHEME="https",
    )
    with app.app_context():
        assert url_for("user", name="ann") == "https://example.com:8080/prefix/user/ann"


def test_outside_request_external_false_gives_a_path(app: Microflask) -> None:
    app.config.update(SERVER_NAME="example.com", APPLICATION_ROOT="/prefix")
    with app.app_context():
        assert url_for("index", _external=False) == "/prefix/"


def test_app_url_for_works_without_any_context(app: Microflask) -> None:
    app.config["SERVER_NAME"] = "example.com"
    assert app.url_for("index") == "http://example.com/"


def test_outside_request_without_server_name_raises(app: Microflask) -> None:
    with app.app_context(), pytest.raises(RuntimeError, match="without 'SERVER_NAME'"):
        url_for("index")


def test_outside_app_context_raises(app: Microflask) -> None:
    with pytest.raises(RuntimeError, match="outside of application context"):
        url_for("index")


def test_unknown_endpoint_raises_build_error(app: Microflask) -> None:
    with app.test_request_context(), pytest.raises(BuildError, match="Did you mean 'index'"):
        url_for("indx")


def test_missing_rule_value_raises_build_error(app: Microflask) -> None:
    with app.test_request_context(), pytest.raises(BuildError, match="user"):
        url_for("user")


def test_url_defaults_fill_missing_values(app: Microflask) -> None:
    app.add_url_rule("/<lang>/about", "about", lambda lang: lang)

    @app.url_defaults
    def add_language(endpoint: str, values: dict[str, t.Any]) -> None:
        if endpoint == "about":
            values.setdefault("lang", "en")

    with app.test_request_context():
        assert url_for("about") == "/en/about"
        assert url_for("about", lang="fr") == "/fr/about"


def test_url_value_preprocessor_can_pop_values(app: Microflask, client: MicroflaskClient) -> None:
    seen = []

    @app.url_value_preprocessor
    def pull_language(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        seen.append(endpoint)
        if values is not None:
            g.lang = values.pop("lang", None)

    @app.route("/<lang>/hello")
    def hello() -> str:
        return f"hello in {g.lang}"

    assert client.get("/de/hello").data == b"hello in de"
    assert seen == ["hello"]


def test_build_error_handler_can_supply_a_url(app: Microflask) -> None:
    calls = []

    def fallback(error: Exception, endpoint: str, values: dict[str, t.Any]) -> str:
        calls.append((type(error), endpoint, values["_anchor"]))
        return f"/fallback/{endpoint}"

    app.url_build_error_handlers.append(fallback)
    with app.test_request_context():
        assert url_for("nowhere", _anchor="a") == "/fallback/nowhere"
    assert calls == [(BuildError, "nowhere", "a")]


def test_build_error_handler_returning_none_lets_error_raise(app: Microflask) -> None:
    app.url_build_error_handlers.append(lambda error, endpoint, values: None)  # type: ignore[arg-type, return-value]
    with app.test_request_context(), pytest.raises(BuildError):
        url_for("nowhere")


def test_build_error_handler_raising_build_error_passes_it_on(app: Microflask) -> None:
    own = BuildError("own", {}, None)

    def reraise(error: Exception, endpoint: str, values: dict[str, t.Any]) -> str:
        raise own

    app.url_build_error_handlers.append(reraise)
    with app.test_request_context(), pytest.raises(BuildError) as excinfo:
        url_for("nowhere")
    assert excinfo.value is own


def test_dot_endpoint_is_relative_to_the_current_blueprint(app: Microflask) -> None:
    bp = Blueprint("shop", __name__, url_prefix="/shop")
    bp.route("/")(lambda: "shop")
    bp.add_url_rule("/cart", "cart", lambda: "cart")
    app.register_blueprint(bp)
    with app.test_request_context("/shop/"):
        assert url_for(".cart") == "/shop/cart"
    with app.test_request_context("/"):
        assert url_for(".index") == "/"


def test_values_may_be_named_self(app: Microflask) -> None:
    app.add_url_rule("/<self>", "show", lambda self: self)
    with app.test_request_context():
        assert url_for("show", self="me") == "/me"
        assert app.url_for("show", self="you") == "/you"


@pytest.mark.parametrize(
    ("server_name", "base_url", "expected"),
    [
        ("localhost:80", "http://localhost/", "http://localhost/x"),
        ("example.test:443", "https://example.test/", "https://example.test/x"),
        ("example.test:8080", "http://example.test:8080/", "http://example.test:8080/x"),
    ],
)
def test_server_name_default_port_is_left_out_of_request_urls(
    app: Microflask, server_name: str, base_url: str, expected: str
) -> None:
    app.add_url_rule("/x", "x", lambda: "")
    app.config["SERVER_NAME"] = server_name
    with app.test_request_context("/", base_url=base_url):
        assert url_for("x", _external=True) == expected
