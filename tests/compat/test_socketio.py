"""Flask-SocketIO's test client, sharing the session of the app's test client."""

from __future__ import annotations

import typing as t

import flask
from flask import Flask, session
from flask_socketio import SocketIO, SocketIOTestClient, emit  # type: ignore[import-untyped]

import microflask


def make_app() -> tuple[microflask.Microflask, SocketIO]:
    # to mypy, flask.Flask is the real Flask's class; at run time it is Microflask
    app = t.cast(microflask.Microflask, Flask(__name__))
    app.secret_key = "socketio-test"
    socketio = SocketIO(app)

    @app.get("/login/<name>")
    def login(name: str) -> str:
        session["user"] = name
        return "logged in"

    @socketio.on("whoami")  # type: ignore[untyped-decorator]
    def whoami() -> None:
        emit("you are", session.get("user"))

    return app, socketio


def test_socketio_client_sees_the_http_clients_session() -> None:
    app, socketio = make_app()
    http_client = app.test_client()
    assert http_client.get("/login/ada").text == "logged in"
    client: SocketIOTestClient = socketio.test_client(app, flask_test_client=http_client)
    client.emit("whoami")
    assert client.get_received() == [{"name": "you are", "args": ["ada"], "namespace": "/"}]


def test_socketio_client_connects_with_query_string_and_headers() -> None:
    app, socketio = make_app()
    seen: list[tuple[str | None, str | None]] = []

    @socketio.on("connect")  # type: ignore[untyped-decorator]
    def connect() -> None:
        seen.append((flask.request.args.get("room"), flask.request.headers.get("X-Team")))

    http_client = app.test_client()
    socketio.test_client(
        app, query_string="room=7", headers={"X-Team": "blue"}, flask_test_client=http_client
    )
    assert seen == [("7", "blue")]
