"""Tests for the test client and ``EnvironBuilder``."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.test import Client

from microflask import (
    Microflask,
    Request,
    Response,
    has_request_context,
    redirect,
    request,
    url_for,
)
from microflask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from microflask.testing import EnvironBuilder, MicroflaskClient


@pytest.fixture(autouse=True)
def testing_views(app: Microflask) -> None:
    """Add views the test client tests call to the shared app."""

    @app.route("/")
    def index() -> str:
        return f"index {request.args.get('x', '')}".strip()

    @app.route("/hop/<int:n>")
    def hop(n: int) -> t.Any:
        if n == 0:
            return redirect(url_for("index", x="done"))
        return redirect(url_for("hop", n=n - 1))

    @app.post("/echo")
    def echo() -> t.Any:
        return {"json": request.get_json(), "type": request.mimetype}


def test_client_is_a_werkzeug_client(client: MicroflaskClient) -> None:
    assert isinstance(client, Client)


def test_with_client_keeps_the_last_request_context(client: MicroflaskClient) -> None:
    with client:
        client.get("/?x=first")
        client.get("/?x=second")
        assert has_request_context()
        assert request.args["x"] == "second"
    assert not has_request_context()


def test_without_with_the_context_is_popped(client: MicroflaskClient) -> None:
    client.get("/")
    assert not has_request_context()


def test_with_client_runs_teardown_yet_keeps_the_context(app: Microflask) -> None:
    torn_down: list[str] = []
    app.teardown_request(lambda exc: torn_down.append(request.path))
    client = app.test_client()
    with client:
        client.get("/?x=kept")
        assert torn_down == ["/"]
        assert request.args["x"] == "kept"
    assert not has_request_context()


def test_with_client_cannot_nest(client: MicroflaskClient) -> None:
    with client:
        with pytest.raises(RuntimeError, match="Cannot nest client invocations"):
            client.__enter__()


def test_follow_redirects_reaches_the_final_page(client: MicroflaskClient) -> None:
    rv = client.get("/hop/2", follow_redirects=True)
    assert rv.status_code == 200
    assert rv.data == b"index done"
    assert rv.request.path == "/"
    assert [r.status_code for r in rv.history] == [302, 302, 302]


def test_without_follow_redirects_the_redirect_is_returned(client: MicroflaskClient) -> None:
    rv = client.get("/hop/0")
    assert rv.status_code == 302
    assert rv.location == "/?x=done"


def test_json_argument_sends_json(client: MicroflaskClient) -> None:
    rv = client.post("/echo", json={"a": [1, "b"]})
    assert rv.json == {"json": {"a": [1, "b"]}, "type": "application/json"}


def test_json_argument_uses_the_app_json_provider(app: Microflask) -> None:
    app.json.sort_keys = True  # type: ignore[attr-defined]
    builder = EnvironBuilder(app, json={"b": 1, "a": 2})
    try:
        assert builder.get_environ()["wsgi.input"].read() == b'{"a": 2, "b": 1}'
    finally:
        builder.close()


def test_response_json_parses_the_body(client: MicroflaskClient) -> None:
    assert client.post("/echo", json=None, data="null", content_type="application/json").json == {
        "json": None,
        "type": "application/json",
    }


def test_test_client_class_is_replaceable(app: Microflask) -> None:
    class MyClient(MicroflaskClient):
        marker = "custom"

    app.test_client_class = MyClient
    client = app.test_client()
    assert isinstance(client, MyClient)
    assert client.get("/").data == b"index"


def test_test_client_passes_options(app: Microflask) -> None:
    client = app.test_client(use_cookies=False)
    assert client._cookies is None


def test_response_class_is_replaceable(app: Microflask, client: MicroflaskClient) -> None:
    class TextResponse(Response):
        default_mimetype = "text/plain"

    app.response_class = TextResponse
    seen: list[type[Response]] = []

    @app.after_request
    def record(response: Response) -> Response:
        seen.append(type(response))
        return response

    rv = client.get("/")
    assert seen == [TextResponse]
    assert rv.mimetype == "text/plain"


def test_request_class_is_replaceable(app: Microflask, client: MicroflaskClient) -> None:
    class MyRequest(Request):
        @property
        def shout(self) -> str:
            return self.path.upper()

    app.request_class = MyRequest
    app.route("/whisper")(lambda: request.shout)  # type: ignore[attr-defined]
    assert client.get("/whisper").data == b"/WHISPER"


def test_client_sets_remote_addr_and_user_agent(app: Microflask, client: MicroflaskClient) -> None:
    app.route("/who")(lambda: f"{request.remote_addr} {request.user_agent.string}")
    assert client.get("/who").data.decode().startswith("127.0.0.1 Werkzeug/")


def test_environ_builder_defaults_to_localhost(app: Microflask) -> None:
    builder = EnvironBuilder(app, "/path")
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    assert environ["HTTP_HOST"] == "localhost"
    assert environ["wsgi.url_scheme"] == "http"
    assert environ["SCRIPT_NAME"] == ""
    assert environ["PATH_INFO"] == "/path"


def test_environ_builder_uses_server_name_root_and_scheme(app: Microflask) -> None:
    app.config.update(
        SERVER_NAME="example.com:8443",
        APPLICATION_ROOT="/root",
        PREFERRED_URL_SCHEME="https",
    )
    with app.test_request_context("/page?q=1"):
        assert request.url == "https://example.com:8443/root/page?q=1"
        assert request.script_root == "/root"
        assert request.path == "/page"


def test_client_uses_server_name_root_and_scheme(app: Microflask) -> None:
    app.config.update(
        SERVER_NAME="example.com", APPLICATION_ROOT="/root", PREFERRED_URL_SCHEME="https"
    )
    app.route("/url")(lambda: request.url)
    assert app.test_client().get("/url").data == b"https://example.com/root/url"


def test_environ_builder_subdomain_and_scheme(app: Microflask) -> None:
    app.config["SERVER_NAME"] = "example.com"
    with app.test_request_context(subdomain="api", url_scheme="https"):
        assert request.host_url == "https://api.example.com/"


def test_environ_builder_path_with_host_overrides_config(app: Microflask) -> None:
    app.config["SERVER_NAME"] = "example.com"
    with app.test_request_context("https://other.example/p?x=1"):
        assert request.url == "https://other.example/p?x=1"


def test_client_accepts_an_environ_builder(app: Microflask, client: MicroflaskClient) -> None:
    builder = EnvironBuilder(app, "/", query_string={"x": "built"})
    try:
        assert client.open(builder).data == b"index built"
    finally:
        builder.close()


def test_client_accepts_an_environ_dict(app: Microflask, client: MicroflaskClient) -> None:
    builder = EnvironBuilder(app, "/", query_string={"x": "environ"})
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    response = client.open(environ)
    assert response.data == b"index environ"
    assert response.request.environ["REMOTE_ADDR"] == "127.0.0.1"


def test_session_transaction_needs_cookies(app: Microflask) -> None:
    client = app.test_client(use_cookies=False)
    with pytest.raises(TypeError, match="use_cookies=True"), client.session_transaction():
        pass


def test_client_keeps_cookies_between_requests(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/set")
    def set_cookie() -> Response:
        rv = Response("set")
        rv.set_cookie("flavour", "oat")
        return rv

    app.route("/get")(lambda: request.cookies.get("flavour", "none"))
    client.get("/set")
    assert client.get("/get").data == b"oat"


def test_session_transaction_without_a_session_raises(client: MicroflaskClient) -> None:
    client.application.secret_key = None
    with pytest.raises(RuntimeError, match="Session backend did not open a session"):
        with client.session_transaction():
            pass


def test_session_transaction_saves_no_null_session(
    app: Microflask, client: MicroflaskClient
) -> None:
    saved: list[SessionMixin] = []

    class NullSessions(SecureCookieSessionInterface):
        def open_session(self, app: Microflask, request: Request) -> SecureCookieSession | None:
            return self.make_null_session(app)

        def save_session(self, app: Microflask, session: SessionMixin, response: Response) -> None:
            saved.append(session)

    app.session_interface = NullSessions()
    with client.session_transaction() as sess:
        assert app.session_interface.is_null_session(sess)
    assert saved == []
