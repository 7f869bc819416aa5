"""Tests for routing: rule registration, Rule options, automatic methods, 404 and 405."""

from __future__ import annotations

import gc
import typing as t

import pytest
from werkzeug.routing import BaseConverter, Map, Rule

from microflask import Microflask, request
from microflask.routing import Map as MicroflaskMap
from microflask.testing import MicroflaskClient

SHORTCUTS = ["get", "post", "put", "delete", "patch"]


def test_route_registers_rule_and_view(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/hello")
    def hello() -> str:
        return "hello"

    assert app.view_functions["hello"] is hello
    assert client.get("/hello").data == b"hello"


def test_route_returns_the_function_unchanged(app: Microflask) -> None:
    def view() -> str:
        return ""

    assert app.route("/")(view) is view


def test_add_url_rule_endpoint_defaults_to_function_name(app: Microflask) -> None:
    def show_user() -> str:
        return ""

    app.add_url_rule("/user", view_func=show_user)
    (rule,) = app.url_map.iter_rules("show_user")
    assert rule.rule == "/user"


def test_add_url_rule_with_explicit_endpoint(app: Microflask, client: MicroflaskClient) -> None:
    app.add_url_rule("/custom", "my_endpoint", lambda: "custom")
    assert "my_endpoint" in app.view_functions
    assert client.get("/custom").data == b"custom"


def test_add_url_rule_without_view_or_endpoint_raises(app: Microflask) -> None:
    with pytest.raises(AssertionError, match="needs an endpoint or a view_func"):
        app.add_url_rule("/nothing")


def test_endpoint_decorator_attaches_view_to_rule(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.add_url_rule("/later", "later")

    @app.endpoint("later")
    def later_view() -> str:
        return "attached later"

    assert app.view_functions["later"] is later_view
    assert client.get("/later").data == b"attached later"


def test_duplicate_endpoint_with_other_function_raises_naming_both(app: Microflask) -> None:
    def first_view() -> str:
        return "1"

    def second_view() -> str:
        return "2"

    app.add_url_rule("/one", "shared", first_view)
    with pytest.raises(AssertionError) as excinfo:
        app.add_url_rule("/two", "shared", second_view)
    message = str(excinfo.value)
    assert "'shared'" in message
    assert "first_view" in message
    assert "second_view" in message


def test_same_function_may_serve_several_rules(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/a")
    @app.route("/b")
    def both() -> str:
        return request.path

    assert client.get("/a").data == b"/a"
    assert client.get("/b").data == b"/b"


@pytest.mark.parametrize("shortcut", SHORTCUTS)
def test_method_shortcut_accepts_its_method(
    app: Microflask, client: MicroflaskClient, shortcut: str
) -> None:
    getattr(app, shortcut)("/thing")(lambda: f"{request.method} done")
    rv = client.open("/thing", method=shortcut.upper())
    assert rv.status_code == 200
    assert rv.data == f"{shortcut.upper()} done".encode()


@pytest.mark.parametrize("shortcut", SHORTCUTS)
def test_method_shortcut_refuses_other_methods(
    app: Microflask, client: MicroflaskClient, shortcut: str
) -> None:
    getattr(app, shortcut)("/thing")(lambda: "x")
    other = "PUT" if shortcut != "put" else "POST"
    assert client.open("/thing", method=other).status_code == 405


@pytest.mark.parametrize("shortcut", SHORTCUTS)
def test_method_shortcut_rejects_methods_argument(app: Microflask, shortcut: str) -> None:
    with pytest.raises(TypeError, match="Use the 'route' decorator"):
        getattr(app, shortcut)("/thing", methods=["GET"])


def test_methods_as_a_string_raises_type_error(app: Microflask) -> None:
    with pytest.raises(TypeError, match="Allowed methods must be a list of strings"):
        app.route("/", methods="POST")(lambda: "x")


def test_methods_are_case_insensitive(app: Microflask, client: MicroflaskClient) -> None:
    app.route("/", methods=["post"])(lambda: "posted")
    assert client.post("/").data == b"posted"


def test_methods_default_to_view_attribute(app: Microflask, client: MicroflaskClient) -> None:
    def view() -> str:
        return "via attribute"

    view.methods = ["PUT"]  # type: ignore[attr-defined]
    app.add_url_rule("/", view_func=view)
    assert client.put("/").data == b"via attribute"
    assert client.get("/").status_code == 405


def test_rule_defaults_fill_view_arguments(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/page/", defaults={"number": 1})
    @app.route("/page/<int:number>")
    def page(number: int) -> str:
        return f"page {number}"

    assert client.get("/page/").data == b"page 1"
    assert client.get("/page/7").data == b"page 7"


def test_subdomain_rule_matches_with_subdomain_matching() -> None:
    app = Microflask("x", subdomain_matching=True, static_folder=None)
    app.config["SERVER_NAME"] = "example.com"
    app.route("/", subdomain="api")(lambda: "api root")
    app.route("/", endpoint="main")(lambda: "main root")
    client = app.test_client()
    assert client.get("/", base_url="http://api.example.com/").data == b"api root"
    assert client.get("/", base_url="http://example.com/").data == b"main root"


def test_host_rule_matches_with_host_matching() -> None:
    app = Microflask("x", host_matching=True, static_folder=None)
    app.route("/", host="a.example.com")(lambda: "host a")
    app.route("/", host="b.example.com", endpoint="b")(lambda: "host b")
    client = app.test_client()
    assert client.get("/", base_url="http://a.example.com/").data == b"host a"
    assert client.get("/", base_url="http://b.example.com/").data == b"host b"
    assert client.get("/", base_url="http://c.example.com/").status_code == 404


def test_strict_slashes_redirects_to_the_slash_url(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.route("/folder/")(lambda: "folder")
    rv = client.get("/folder")
    assert rv.status_code == 308
    assert rv.location.endswith("/folder/")


@pytest.mark.parametrize(
    ("raw", "location"),
    [
        ("a=1&b=x", "/folder/?a=1&b=x"),
        ("a=\xc3\xa9", "/folder/?a=%C3%A9"),  # raw UTF-8, as a WSGI server passes it
        ("a=%C3%A9", "/folder/?a=%C3%A9"),
        ("a=\xff", "/folder/?a=%FF"),  # not UTF-8: passed on percent-encoded
        ("a=1\r\nSet-Cookie: x=1", "/folder/?a=1%0D%0ASet-Cookie:%20x=1"),  # no 500
    ],
)
def test_slash_redirect_keeps_the_query_string(
    app: Microflask, client: MicroflaskClient, raw: str, location: str
) -> None:
    app.route("/folder/")(lambda: "folder")
    rv = client.get("/folder", environ_overrides={"QUERY_STRING": raw})
    assert rv.headers["Location"] == "http://localhost" + location


def test_strict_slashes_false_matches_without_slash(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.route("/folder/", strict_slashes=False)(lambda: "folder")
    rv = client.get("/folder")
    assert rv.status_code == 200
    assert rv.data == b"folder"


def test_redirect_to_redirects_without_calling_a_view(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.add_url_rule("/old/<int:item>", "old", redirect_to="/new/<item>")
    rv = client.get("/old/5")
    assert rv.status_code == 308
    assert rv.location.endswith("/new/5")


def test_merge_slashes_redirects_doubled_slashes(app: Microflask, client: MicroflaskClient) -> None:
    app.route("/a/b")(lambda: "ab")
    rv = client.get("/a//b")
    assert rv.status_code == 308
    assert rv.location.endswith("/a/b")


def test_merge_slashes_false_keeps_doubled_slashes(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.route("/a//b", merge_slashes=False)(lambda: "double")
    assert client.get("/a//b").data == b"double"
    assert client.get("/a/b").status_code == 404


def test_head_is_answered_automatically_without_body(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.route("/")(lambda: "some body")
    rv = client.head("/")
    assert rv.status_code == 200
    assert rv.data == b""
    assert rv.content_length == len(b"some body")


def test_options_is_answered_automatically_with_allow(
    app: Microflask, client: MicroflaskClient
) -> None:
    called = []

    @app.route("/", methods=["GET", "POST"])
    def view() -> str:
        called.append(True)
        return "view"

    rv = client.options("/")
    assert rv.status_code == 200
    assert sorted(rv.allow) == ["GET", "HEAD", "OPTIONS", "POST"]
    assert called == []


def test_options_in_methods_goes_to_the_view(app: Microflask, client: MicroflaskClient) -> None:
    app.route("/", methods=["GET", "OPTIONS"])(lambda: f"own {request.method}")
    assert client.options("/").data == b"own OPTIONS"


@pytest.mark.parametrize("how", ["argument", "view_attribute", "config"])
def test_automatic_options_can_be_turned_off(
    app: Microflask, client: MicroflaskClient, how: str
) -> None:
    def view() -> str:
        return "x"

    if how == "view_attribute":
        view.provide_automatic_options = False  # type: ignore[attr-defined]
    elif how == "config":
        app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    automatic = False if how == "argument" else None
    app.add_url_rule("/", view_func=view, provide_automatic_options=automatic)
    assert client.options("/").status_code == 405
    assert "OPTIONS" not in (next(app.url_map.iter_rules("view")).methods or ())


class ListConverter(BaseConverter):
    """Match ``a,b,c`` as a list of strings."""

    def to_python(self, value: str) -> list[str]:
        return value.split(",")

    def to_url(self, value: t.Any) -> str:
        return ",".join(value)


def test_custom_converter_parses_view_arguments(app: Microflask, client: MicroflaskClient) -> None:
    app.url_map.converters["list"] = ListConverter

    @app.route("/tags/<list:tags>")
    def tags(tags: list[str]) -> dict[str, t.Any]:
        return {"tags": tags}

    assert client.get("/tags/a,b,c").json == {"tags": ["a", "b", "c"]}
    with app.test_request_context():
        assert app.url_for("tags", tags=["x", "y"]) == "/tags/x,y"


def test_builtin_converters_are_available(app: Microflask) -> None:
    assert set(Map.default_converters) <= set(app.url_map.converters)


def test_unknown_url_is_404(client: MicroflaskClient) -> None:
    rv = client.get("/missing")
    assert rv.status_code == 404
    assert b"Not Found" in rv.data


def test_wrong_method_is_405_with_allow(app: Microflask, client: MicroflaskClient) -> None:
    app.route("/", methods=["GET", "PUT"])(lambda: "x")
    rv = client.post("/")
    assert rv.status_code == 405
    assert sorted(rv.allow) == ["GET", "HEAD", "OPTIONS", "PUT"]


def test_routing_errors_are_werkzeug_exceptions(app: Microflask) -> None:
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    app.route("/")(lambda: "x")
    with app.test_request_context("/nope"):
        assert isinstance(request.routing_exception, NotFound)
    with app.test_request_context("/", method="DELETE"):
        assert isinstance(request.routing_exception, MethodNotAllowed)


def test_websocket_rule_matches_an_upgrade_request(app: Microflask) -> None:
    app.add_url_rule("/ws", "ws", lambda: request.scheme, websocket=True)
    rv = app.test_client().get("/ws", headers={"Upgrade": "websocket", "Connection": "Upgrade"})
    assert rv.status_code == 200
    assert rv.text == "http"


def test_websocket_rule_refuses_a_plain_request(app: Microflask, client: MicroflaskClient) -> None:
    app.add_url_rule("/ws", "ws", lambda: "ws", websocket=True)
    assert client.get("/ws").status_code == 400


def test_empty_path_redirects_to_the_mount_point_with_a_slash(app: Microflask) -> None:
    from werkzeug.test import Client

    app.add_url_rule("/", "index", lambda: "index")
    rv = Client(app).get("/", environ_overrides={"SCRIPT_NAME": "/mount", "PATH_INFO": ""})
    assert rv.status_code == 308
    assert rv.headers["Location"] == "http://localhost/mount/"


@pytest.mark.parametrize("code", [301, 302])
def test_debug_mode_refuses_a_routing_redirect_that_drops_the_body(
    app: Microflask, client: MicroflaskClient, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    from werkzeug.routing import RequestRedirect

    app.add_url_rule("/user/", "user", lambda: "user", methods=["GET", "POST"])
    app.debug = True
    monkeypatch.setattr(RequestRedirect, "code", code)
    with pytest.raises(AssertionError, match="canonical URL 'http://localhost/user/'"):
        client.post("/user", data={"status": "x"})
    assert client.get("/user").status_code == code
    app.debug = False
    assert client.post("/user").status_code == code


def test_debug_mode_keeps_308_routing_redirects(app: Microflask, client: MicroflaskClient) -> None:
    app.add_url_rule("/user/", "user", lambda: request.form["status"], methods=["POST"])
    app.debug = True
    rv = client.post("/user", data={"status": "kept"}, follow_redirects=True)
    assert rv.data == b"kept"


# --- the static-path shortcut (its parity with Werkzeug: tests/parity) ------


def test_app_url_map_uses_the_shortcut_and_leaves_no_cycles(app: Microflask) -> None:
    @app.route("/static-path")
    def static_path() -> str:
        return "ok"

    def garbage_after_matching(url_map: Map) -> int:
        adapter = url_map.bind("localhost")
        adapter.match("/static-path")  # the first match also sorts the rules
        gc.collect()
        gc.disable()
        try:
            for _ in range(10):
                adapter.match("/static-path")
            return gc.collect()
        finally:
            gc.enable()

    assert isinstance(app.url_map, MicroflaskMap)
    assert garbage_after_matching(app.url_map) == 0
    # Werkzeug's own matcher leaves a closure cycle per match: the check can fail.
    assert garbage_after_matching(Map([Rule("/static-path", endpoint="x")])) > 0


def test_map_takes_werkzeugs_arguments_positionally_too() -> None:
    url_map = MicroflaskMap([Rule("/a/", endpoint="a")], "www", False)
    assert (url_map.default_subdomain, url_map.strict_slashes) == ("www", False)
    assert url_map.bind("example.com", subdomain="www").match("/a") == ("a", {})


def test_static_index_follows_rules_added_after_matching() -> None:
    url_map = MicroflaskMap([Rule("/a", endpoint="a")])
    urls = url_map.bind("example.com")
    assert urls.match("/a") == ("a", {})
    url_map.add(Rule("/b/c", endpoint="bc"))
    assert urls.match("/b/c") == ("bc", {})
    assert urls.match("/a") == ("a", {})
