"""Tests for the open-redirect guard and ``redirect_back`` (``redirects.py``)."""

from __future__ import annotations

import pytest

from microflask import Microflask
from microflask.redirects import is_safe_redirect_url, redirect_back
from microflask.typing import ResponseReturnValue

HOST = "app.example"


@pytest.fixture(autouse=True)
def redirect_views(app: Microflask) -> None:
    """Add the views redirects go between to the shared app."""

    @app.get("/")
    def index() -> str:
        return "home"

    @app.get("/users/<name>")
    def profile(name: str) -> str:
        return name

    @app.get("/login")
    def login() -> ResponseReturnValue:
        return redirect_back("index")

    @app.get("/logout")
    def logout() -> ResponseReturnValue:
        return redirect_back("profile", name="guest")


SAFE = [
    "/",
    "/dashboard",
    "/search?q=flask&page=2#results",
    "page",
    "../up",
    "?tab=2",
    f"http://{HOST}/account",
    f"https://{HOST}/account",
    f"//{HOST}/account",
    f"HTTPS://{HOST.upper()}/account",
    "/path/with/%2F%2Fencoded",
]

UNSAFE = [
    "",
    "//evil.example",
    "//evil.example/path",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/path\\..\\x",
    "https:evil.example",
    "https:/evil.example",
    "http:///evil.example",
    "https://evil.example/",
    f"https://{HOST}.evil.example/",
    f"https://{HOST}@evil.example/",
    f"https://user@{HOST}/",
    f"https://{HOST}:8443/",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    f"ftp://{HOST}/file",
    "mailto:someone@example.com",
    "/\t/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/ok\r\nSet-Cookie: x=1",
    "/nul\x00byte",
    "/del\x7fchar",
    "https://[evil.example/",
]


@pytest.mark.parametrize("target", SAFE)
def test_safe_targets_are_accepted(app: Microflask, target: str) -> None:
    with app.test_request_context(base_url=f"http://{HOST}"):
        assert is_safe_redirect_url(target) is True


@pytest.mark.parametrize("target", UNSAFE)
def test_unsafe_targets_are_rejected(app: Microflask, target: str) -> None:
    with app.test_request_context(base_url=f"http://{HOST}"):
        assert is_safe_redirect_url(target) is False


@pytest.mark.parametrize("target", [None, 42, b"/bytes"])
def test_non_string_targets_are_rejected(app: Microflask, target: object) -> None:
    with app.test_request_context(base_url=f"http://{HOST}"):
        assert is_safe_redirect_url(target) is False  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("https://partner.example/back", True),
        ("https://shop.partner.example/back", False),
        ("https://api.internal.example/x", True),
        ("https://internal.example/x", True),
        ("https://evil.example/", False),
    ],
)
def test_trusted_hosts_are_accepted(app: Microflask, target: str, safe: bool) -> None:
    app.config["TRUSTED_HOSTS"] = [HOST, "partner.example", ".internal.example"]
    with app.test_request_context(base_url=f"http://{HOST}"):
        assert is_safe_redirect_url(target) is safe


def test_redirect_back_follows_a_safe_next(app: Microflask) -> None:
    response = app.test_client().get("/login?next=/users/ada")
    assert response.status_code == 302
    assert response.headers["Location"] == "/users/ada"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", ""])
def test_redirect_back_ignores_an_unsafe_next(app: Microflask, target: str) -> None:
    response = app.test_client().get("/login", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_redirect_back_without_next_goes_to_the_default(app: Microflask) -> None:
    response = app.test_client().get("/logout")
    assert response.headers["Location"] == "/users/guest"


def test_redirect_back_lands_on_the_page(app: Microflask) -> None:
    response = app.test_client().get(
        "/login", query_string={"next": "/users/ada"}, follow_redirects=True
    )
    assert response.text == "ada"
