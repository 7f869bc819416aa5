"""Tests for flashed messages: storage, categories, filters and the signal."""

from __future__ import annotations

import typing as t

import pytest
from markupsafe import Markup

from microflask import Microflask, flash, get_flashed_messages, redirect
from microflask.signals import message_flashed
from microflask.testing import MicroflaskClient


@pytest.fixture(autouse=True)
def flash_views(app: Microflask) -> None:
    """Add views that flash messages and show them to the shared app."""

    @app.post("/save")
    def save() -> t.Any:
        flash("Saved.")
        flash("Disk almost full.", "warning")
        flash("Could not email.", category="error")
        return redirect("/show")

    @app.get("/show")
    def show() -> str:
        return repr(get_flashed_messages())

    @app.get("/categories")
    def categories() -> str:
        return repr(get_flashed_messages(with_categories=True))

    @app.get("/problems")
    def problems() -> str:
        return repr(
            get_flashed_messages(with_categories=True, category_filter=["warning", "error"])
        )

    @app.get("/errors")
    def errors() -> str:
        return repr(get_flashed_messages(category_filter=["error"]))


def test_flashed_messages_survive_a_redirect(client: MicroflaskClient) -> None:
    response = client.post("/save", follow_redirects=True)
    assert response.text == "['Saved.', 'Disk almost full.', 'Could not email.']"


def test_flashed_messages_are_shown_once(client: MicroflaskClient) -> None:
    client.post("/save")
    client.get("/show")
    assert client.get("/show").text == "[]"


def test_with_categories_gives_pairs_and_default_category(
    client: MicroflaskClient,
) -> None:
    client.post("/save")
    assert client.get("/categories").text == (
        "[('message', 'Saved.'), ('warning', 'Disk almost full.'), ('error', 'Could not email.')]"
    )


def test_category_filter_keeps_only_chosen_categories(
    client: MicroflaskClient,
) -> None:
    client.post("/save")
    assert client.get("/problems").text == (
        "[('warning', 'Disk almost full.'), ('error', 'Could not email.')]"
    )


def test_category_filter_without_categories(client: MicroflaskClient) -> None:
    client.post("/save")
    assert client.get("/errors").text == "['Could not email.']"


def test_category_filter_may_be_a_single_string(app: Microflask) -> None:
    # Flask tests each category with ``in``, so a plain string works as a filter.
    with app.test_request_context():
        flash("Disk almost full.", "warning")
        flash("Could not email.", "error")
        assert get_flashed_messages(category_filter="error") == ["Could not email."]


def test_filtered_read_still_consumes_all_messages(client: MicroflaskClient) -> None:
    client.post("/save")
    client.get("/errors")
    assert client.get("/show").text == "[]"


def test_messages_read_twice_in_one_request_are_the_same(app: Microflask) -> None:
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_flashes"] = [("message", "hello")]

    @app.get("/twice")
    def twice() -> str:
        return repr([get_flashed_messages(), get_flashed_messages()])

    assert client.get("/twice").text == "[['hello'], ['hello']]"


def test_flash_is_stored_in_the_session(client: MicroflaskClient) -> None:
    client.post("/save")
    with client.session_transaction() as sess:
        assert [category for category, _ in sess["_flashes"]] == [
            "message",
            "warning",
            "error",
        ]


def test_markup_message_keeps_its_type(app: Microflask) -> None:
    @app.post("/markup")
    def markup() -> str:
        flash(Markup("<b>bold</b>"))
        return ""

    @app.get("/markup-type")
    def markup_type() -> str:
        (message,) = get_flashed_messages()
        return type(message).__name__

    client = app.test_client()
    client.post("/markup")
    assert client.get("/markup-type").text == "Markup"


def test_message_flashed_signal(app: Microflask, client: MicroflaskClient) -> None:
    received: list[tuple[object, str, str]] = []

    def record(sender: object, message: str, category: str, **extra: t.Any) -> None:
        received.append((sender, message, category))

    with message_flashed.connected_to(record, app):
        client.post("/save")
    assert received == [
        (app, "Saved.", "message"),
        (app, "Disk almost full.", "warning"),
        (app, "Could not email.", "error"),
    ]


def test_flash_without_secret_key_raises(app: Microflask) -> None:
    app.secret_key = None
    with pytest.raises(RuntimeError, match=r"app\.secret_key"):
        app.test_client().post("/save")


def test_no_messages_gives_empty_list(client: MicroflaskClient) -> None:
    assert client.get("/show").text == "[]"
    assert client.get("/categories").text == "[]"
