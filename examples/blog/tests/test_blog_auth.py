"""Registering, logging in and out, and the CSRF token on every form."""

from __future__ import annotations

import typing as t

import pytest
from blog.db import get_db
from werkzeug.security import check_password_hash

from microflask import Microflask, g, session
from microflask.testing import MicroflaskClient

if t.TYPE_CHECKING:
    from .conftest import AuthActions, Forms


def test_register_form_carries_a_csrf_token(client: MicroflaskClient) -> None:
    response = client.get("/auth/register")
    assert response.status_code == 200
    assert 'name="csrf_token" value="' in response.text


def test_register_stores_a_password_hash(app: Microflask, forms: Forms) -> None:
    response = forms.submit("/auth/register", username="ada", password="s3cret")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    with app.app_context():
        row = get_db().execute("SELECT password FROM user WHERE username = 'ada'").fetchone()
    assert row["password"] != "s3cret"
    assert check_password_hash(row["password"], "s3cret")


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", "x", "Username is required."),
        ("ada", "", "Password is required."),
        ("test", "x", "User test is already registered."),
        ("a" * 81, "x", "The username is too long: 80 characters at most."),
    ],
)
def test_register_flashes_what_is_wrong(
    forms: Forms, username: str, password: str, message: str
) -> None:
    response = forms.submit("/auth/register", username=username, password=password)
    assert response.status_code == 200
    assert f'<p class="flash error" role="status">{message}</p>' in response.text


def test_login_starts_a_session_for_the_user(client: MicroflaskClient, auth: AuthActions) -> None:
    assert auth.login().headers["Location"] == "/"
    with client:
        page = client.get("/")
        assert session["user_id"] == 1
        assert g.user["username"] == "test"
    assert "Welcome, test." in page.text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "javascript:x"])
def test_login_does_not_redirect_off_site(auth: AuthActions, target: str) -> None:
    response = auth.login(path=f"/auth/login?next={target}")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(("username", "password"), [("nobody", "test"), ("test", "wrong")])
def test_login_refusal_does_not_say_which_part_was_wrong(
    auth: AuthActions, username: str, password: str
) -> None:
    response = auth.login(username, password)
    assert response.status_code == 200
    assert "Incorrect username or password." in response.text


def test_logout_ends_the_session(client: MicroflaskClient, auth: AuthActions) -> None:
    auth.login()
    assert auth.logout().status_code == 302
    with client:
        client.get("/")
        assert "user_id" not in session
        assert g.user is None


def test_logout_is_post_only(client: MicroflaskClient) -> None:
    assert client.get("/auth/logout").status_code == 405


@pytest.mark.parametrize("token", [None, "forged"])
def test_login_without_a_valid_csrf_token_comes_back_filled_in(
    client: MicroflaskClient, token: str | None
) -> None:
    client.get("/auth/login")
    data = {"username": "test", "password": "test"}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/auth/login", data=data)
    assert response.status_code == 400
    assert "This form had expired, so nothing was saved." in response.text
    assert 'id="username" value="test"' in response.text
    with client:
        client.get("/")
        assert "user_id" not in session


def test_cross_origin_form_is_refused(forms: Forms) -> None:
    token = forms.token("/auth/login")
    response = forms.client.post(
        "/auth/login",
        data={"username": "test", "password": "test", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
