"""Compare with Flask 3.1 the cases the URL-building and host fuzzing found.

Each case is the smallest app and request sequence that once answered
differently from Flask; the generator lives outside the repository.
"""

from __future__ import annotations

import types
import typing as t

import flask
import pytest
from flask_parity import assert_same, get, make_app

import microflask


def _websocket_url(server_name: str) -> t.Callable[[types.ModuleType], t.Any]:
    def build(fw: types.ModuleType) -> t.Any:
        """A websocket rule whose view builds its own external URL."""
        app: t.Any = make_app(fw)
        app.config["SERVER_NAME"] = server_name
        app.add_url_rule("/ws", "ws", lambda: fw.url_for("ws", _external=True), websocket=True)
        return app

    return build


@pytest.mark.parametrize(
    ("server_name", "scheme"), [("example.test:80", "ws"), ("example.test:443", "wss")]
)
def test_server_name_default_port_is_dropped_for_websocket_schemes(
    server_name: str, scheme: str
) -> None:
    # Werkzeug leaves out :80 for ws and :443 for wss, as for http and https.
    request = get(
        "/ws", base_url=f"http://{server_name}", environ_overrides={"wsgi.url_scheme": scheme}
    )
    assert_same(_websocket_url(server_name), [request])


def test_empty_server_name_is_taken_as_unset_where_flask_builds_hostless_urls() -> None:
    # A deliberate difference (docs/porting.md): Flask binds the empty host.
    urls = {}
    for fw in (flask, microflask):
        app: t.Any = make_app(fw)
        app.config["SERVER_NAME"] = ""
        app.add_url_rule("/here", "here", lambda fw=fw: fw.url_for("here", _external=True))
        app.add_url_rule("/dir/", "dir", lambda: "dir")
        client = app.test_client()
        here = client.get("/here", base_url="http://example.test").text
        urls[fw.__name__] = (here, client.get("/dir", base_url="http://example.test").location)
    assert urls["flask"] == ("http:///here", "http:///dir/")
    assert urls["microflask"] == ("http://example.test/here", "http://example.test/dir/")


def _trusting_request_class(options: dict[str, t.Any]) -> t.Callable[[types.ModuleType], t.Any]:
    def build(fw: types.ModuleType) -> t.Any:
        """A request class with its own ``trusted_hosts``, no TRUSTED_HOSTS setting."""
        app: t.Any = make_app(fw, **options)
        app.config["SERVER_NAME"] = "good.test"
        app.request_class = type("TrustingRequest", (app.request_class,), {})
        app.request_class.trusted_hosts = ["good.test"]
        app.add_url_rule("/here", "here", lambda: "here", host="good.test")
        return app

    return build


@pytest.mark.parametrize(
    "options", [{}, {"subdomain_matching": True}, {"host_matching": True, "static_folder": None}]
)
def test_request_class_trusted_hosts_are_checked_as_in_flask(options: dict[str, t.Any]) -> None:
    # Flask reads the host (400 if untrusted) whatever SERVER_NAME and matching say.
    requests = [get("/here", base_url=f"http://{host}") for host in ("good.test", "evil.test")]
    assert_same(_trusting_request_class(options), requests)
