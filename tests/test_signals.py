"""Tests for the blinker signals: when each is sent, with what, and never to nobody."""

from __future__ import annotations

import asyncio
import typing as t

import jinja2
import pytest
from blinker import Signal

from microflask import Microflask, flash, g, render_template_string, signals
from microflask.testing import MicroflaskClient
from microflask.wrappers import Response

Received = list[tuple[t.Any, dict[str, t.Any]]]


class _Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def signal_views(app: Microflask) -> None:
    """Make the shared app answer 500 instead of propagating; add views."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/flash")
    def flash_view() -> str:
        flash("saved", "info")
        return "flashed"

    @app.route("/render")
    def render() -> str:
        return render_template_string("{{ value }}", value=42)

    @app.route("/fail")
    def fail() -> str:
        raise _Boom("failed")


def _receiver(received: Received) -> t.Callable[..., None]:
    def receive(sender: t.Any, **extra: t.Any) -> None:
        received.append((sender, extra))

    return receive


@pytest.mark.parametrize(
    "signal",
    [signals.request_started, signals.appcontext_pushed, signals.appcontext_popped],
    ids=lambda s: s.name,
)
def test_signal_is_sent_with_the_app_only(
    app: Microflask, client: MicroflaskClient, signal: Signal
) -> None:
    received: Received = []
    with signal.connected_to(_receiver(received), app):
        assert client.get("/").text == "index"
    assert received == [(app, {})]


def test_request_finished_carries_the_response(app: Microflask, client: MicroflaskClient) -> None:
    received: Received = []
    with signals.request_finished.connected_to(_receiver(received), app):
        client.get("/")
    [(sender, extra)] = received
    assert sender is app
    assert list(extra) == ["response"]
    response = extra["response"]
    assert isinstance(response, Response)
    assert (response.status_code, response.get_data(as_text=True)) == (200, "index")


@pytest.mark.parametrize(
    ("signal", "path", "exc_type"),
    [
        (signals.request_tearing_down, "/", None),
        (signals.request_tearing_down, "/fail", _Boom),
        (signals.appcontext_tearing_down, "/", None),
        (signals.appcontext_tearing_down, "/fail", _Boom),
    ],
    ids=["request-ok", "request-error", "appcontext-ok", "appcontext-error"],
)
def test_tearing_down_signal_carries_the_error(
    app: Microflask,
    client: MicroflaskClient,
    signal: Signal,
    path: str,
    exc_type: type[Exception] | None,
) -> None:
    received: Received = []
    with signal.connected_to(_receiver(received), app):
        client.get(path)
    [(sender, extra)] = received
    assert sender is app
    assert list(extra) == ["exc"]
    if exc_type is None:
        assert extra["exc"] is None
    else:
        assert isinstance(extra["exc"], exc_type)


def test_appcontext_tearing_down_outside_a_request(app: Microflask) -> None:
    received: Received = []
    with signals.appcontext_tearing_down.connected_to(_receiver(received), app):
        with app.app_context():
            pass
    assert received == [(app, {"exc": None})]


def test_appcontext_pushed_and_popped_outside_a_request(app: Microflask) -> None:
    events: list[str] = []
    with (
        signals.appcontext_pushed.connected_to(lambda sender: events.append("pushed"), app),
        signals.appcontext_popped.connected_to(lambda sender: events.append("popped"), app),
    ):
        with app.app_context():
            events.append("inside")
    assert events == ["pushed", "inside", "popped"]


def test_appcontext_pushed_receiver_can_set_g_for_the_view(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.route("/user")
    def user() -> str:
        return str(g.user)

    def set_user(sender: Microflask, **extra: t.Any) -> None:
        g.user = "ada"

    with signals.appcontext_pushed.connected_to(set_user, app):
        assert client.get("/user").text == "ada"


def test_got_request_exception_carries_the_exception(
    app: Microflask, client: MicroflaskClient
) -> None:
    received: Received = []
    with signals.got_request_exception.connected_to(_receiver(received), app):
        assert client.get("/fail").status_code == 500
    [(sender, extra)] = received
    assert sender is app
    assert list(extra) == ["exception"]
    assert isinstance(extra["exception"], _Boom)
    assert str(extra["exception"]) == "failed"


def test_got_request_exception_is_sent_before_propagating(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = True
    received: Received = []
    with signals.got_request_exception.connected_to(_receiver(received), app):
        with pytest.raises(_Boom):
            client.get("/fail")
    assert [type(extra["exception"]) for _, extra in received] == [_Boom]


def test_got_request_exception_is_not_sent_for_a_handled_error(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.register_error_handler(_Boom, lambda e: ("handled", 500))
    received: Received = []
    with signals.got_request_exception.connected_to(_receiver(received), app):
        assert client.get("/fail").text == "handled"
    assert received == []


def test_message_flashed_carries_message_and_category(
    app: Microflask, client: MicroflaskClient
) -> None:
    received: Received = []
    with signals.message_flashed.connected_to(_receiver(received), app):
        assert client.get("/flash").text == "flashed"
    assert received == [(app, {"message": "saved", "category": "info"})]


@pytest.mark.parametrize(
    "signal", [signals.before_render_template, signals.template_rendered], ids=lambda s: s.name
)
def test_template_signal_carries_template_and_context(
    app: Microflask, client: MicroflaskClient, signal: Signal
) -> None:
    received: Received = []
    with signal.connected_to(_receiver(received), app):
        assert client.get("/render").text == "42"
    [(sender, extra)] = received
    assert sender is app
    assert set(extra) == {"template", "context"}
    assert isinstance(extra["template"], jinja2.Template)
    assert extra["context"]["value"] == 42
    assert {"g", "request"} <= set(extra["context"])


def test_before_render_template_may_change_the_context(
    app: Microflask, client: MicroflaskClient
) -> None:
    def change(sender: Microflask, template: jinja2.Template, context: dict[str, t.Any]) -> None:
        context["value"] = "changed"

    with signals.before_render_template.connected_to(change, app):
        assert client.get("/render").text == "changed"


def test_request_lifecycle_signals_are_sent_in_order(
    app: Microflask, client: MicroflaskClient
) -> None:
    names = [
        signals.appcontext_pushed,
        signals.request_started,
        signals.before_render_template,
        signals.template_rendered,
        signals.request_finished,
        signals.request_tearing_down,
        signals.appcontext_tearing_down,
        signals.appcontext_popped,
    ]
    events: list[str] = []
    receivers = [
        (signal, lambda sender, name=signal.name, **extra: events.append(name)) for signal in names
    ]
    for signal, receiver in receivers:
        signal.connect(receiver, app)
    try:
        client.get("/render")
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver, app)
    assert events == [signal.name for signal in names]


def test_async_receiver_is_awaited(app: Microflask, client: MicroflaskClient) -> None:
    received: Received = []

    async def receive(sender: Microflask, **extra: t.Any) -> None:
        await asyncio.sleep(0)
        received.append((sender, extra))

    with signals.request_started.connected_to(receive, app):
        assert client.get("/").text == "index"
    assert received == [(app, {})]


def test_receiver_for_another_app_is_not_called(app: Microflask, client: MicroflaskClient) -> None:
    received: Received = []
    with signals.request_started.connected_to(_receiver(received), Microflask("other")):
        client.get("/")
    assert received == []


# --- nobody listening ------------------------------------------------------------

ALL_SIGNALS = [
    signals.request_started,
    signals.request_finished,
    signals.request_tearing_down,
    signals.got_request_exception,
    signals.appcontext_tearing_down,
    signals.appcontext_pushed,
    signals.appcontext_popped,
    signals.message_flashed,
    signals.template_rendered,
    signals.before_render_template,
]


def _exercise(client: MicroflaskClient) -> None:
    """Make requests that would send every signal once somebody listens."""
    assert client.get("/flash").status_code == 200
    assert client.get("/render").status_code == 200
    assert client.get("/fail").status_code == 500


@pytest.mark.parametrize("signal", ALL_SIGNALS, ids=lambda s: s.name)
def test_signal_is_not_sent_without_receivers(
    client: MicroflaskClient, signal: Signal, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[t.Any] = []
    monkeypatch.setattr(signal, "send", lambda *args, **kwargs: sent.append(args))
    assert not signal.receivers
    _exercise(client)
    assert sent == []
    # The same requests do send it once a receiver is connected.
    with signal.connected_to(lambda sender, **extra: None):
        _exercise(client)
    assert sent
