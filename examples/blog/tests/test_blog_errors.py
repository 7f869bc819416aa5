"""The blog fails gracefully: error pages, refused forms kept."""

from __future__ import annotations

import re
import typing as t

import pytest
from blog.db import get_db

from microflask import Microflask, session
from microflask.testing import MicroflaskClient

if t.TYPE_CHECKING:
    from .conftest import AuthActions, Forms

EXPIRED = "This form had expired, so nothing was saved."


def _titles(app: Microflask) -> list[str]:
    with app.app_context():
        rows = get_db().execute("SELECT title FROM post ORDER BY id").fetchall()
    return [row["title"] for row in rows]


def _in_layout(html: str) -> bool:
    return '<link rel="stylesheet" href="/static/style.css">' in html and "Microblog</a>" in html


# --- error pages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status", "title", "text"),
    [
        ("GET", "/nope", 404, "404 Not Found", "The requested URL was not found"),
        ("GET", "/auth/logout", 405, "405 Method Not Allowed", "This address accepts POST."),
        ("GET", "/?page=x", 400, "400 Bad Request", "not &#39;x&#39;"),
        ("POST", "/nope", 404, "404 Not Found", "The requested URL was not found"),
    ],
)
def test_error_page_is_in_the_blogs_layout(
    client: MicroflaskClient, method: str, path: str, status: int, title: str, text: str
) -> None:
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert f"<h2>{title}</h2>" in response.text
    assert f"<title>{title} · Microblog</title>" in response.text
    assert text in response.text
    assert _in_layout(response.text)


def test_405_page_keeps_the_allow_header(client: MicroflaskClient) -> None:
    response = client.get("/auth/logout")
    assert set(response.allow) == {"POST", "OPTIONS"}


def test_403_page_for_another_authors_post(client: MicroflaskClient, auth: AuthActions) -> None:
    auth.login("other", "other")
    response = client.get("/1/update")
    assert response.status_code == 403
    assert "<h2>403 Forbidden</h2>" in response.text
    assert '<span class="user">other</span>' in response.text


def test_cross_origin_refusal_is_a_page_that_knows_the_user(
    forms: Forms, auth: AuthActions
) -> None:
    auth.login()
    token = forms.token("/create")
    response = forms.client.post(
        "/create",
        data={"csrf_token": token, "title": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert "Cross-origin request refused" in response.text
    # The refusal comes before the before_request functions; the page loads the user itself.
    assert '<span class="user">test</span>' in response.text


def test_500_page_hides_the_error(app: Microflask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "<h2>500 Internal Server Error</h2>" in response.text
    assert "Something went wrong on our side." in response.text
    assert "secret detail" not in response.text
    assert _in_layout(response.text)


def test_too_big_form_is_a_413_page_in_the_layout(forms: Forms, auth: AuthActions) -> None:
    auth.login()
    forms.client.application.config["MAX_FORM_MEMORY_SIZE"] = 1000
    response = forms.submit("/create", title="big", body="x" * 2000)
    assert response.status_code == 413
    assert "<h2>413 Request Entity Too Large</h2>" in response.text
    assert _in_layout(response.text)
    assert _titles(forms.client.application) == ["First post"]


@pytest.mark.parametrize("path", ["/99999999999999999999/update", "/9223372036854775808/delete"])
def test_id_too_big_for_sqlite_is_a_404_page(forms: Forms, auth: AuthActions, path: str) -> None:
    # SQLite's integers stop at 2**63 - 1; a larger id is no post, not an OverflowError.
    auth.login()
    method = "POST" if path.endswith("delete") else "GET"
    token = forms.token("/create")
    response = forms.client.open(path, method=method, data={"csrf_token": token})
    assert response.status_code == 404
    assert "<h2>404 Not Found</h2>" in response.text


def test_missing_post_message_is_shown(forms: Forms, auth: AuthActions) -> None:
    auth.login()
    response = forms.client.get("/7/update")
    assert response.status_code == 404
    assert "Post 7 does not exist." in response.text
    assert _in_layout(response.text)


# --- a form sent with a token from an older session ---------------------------------------


def _login_elsewhere(auth: AuthActions) -> None:
    """Log in again, as in another tab: the session, and so its token, is new."""
    auth.login()


def test_expired_new_post_comes_back_filled_in_then_publishes(
    app: Microflask, forms: Forms, auth: AuthActions
) -> None:
    auth.login()
    old_token = forms.token("/create")
    _login_elsewhere(auth)
    response = forms.client.post(
        "/create", data={"csrf_token": old_token, "title": "Kept <title>", "body": "kept body"}
    )
    assert response.status_code == 400
    assert f'<p class="flash error" role="status">{EXPIRED}' in response.text
    assert 'value="Kept &lt;title&gt;"' in response.text
    assert ">kept body</textarea>" in response.text
    assert _titles(app) == ["First post"]

    match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert match is not None and match.group(1) != old_token
    again = forms.client.post(
        "/create", data={"csrf_token": match.group(1), "title": "Kept", "body": "kept body"}
    )
    assert again.status_code == 302
    assert _titles(app) == ["First post", "Kept"]


def test_expired_edit_comes_back_with_what_was_typed(
    app: Microflask, forms: Forms, auth: AuthActions
) -> None:
    auth.login()
    old_token = forms.token("/1/update")
    _login_elsewhere(auth)
    response = forms.client.post(
        "/1/update", data={"csrf_token": old_token, "title": "Typed", "body": "typed body"}
    )
    assert response.status_code == 400
    assert 'value="Typed"' in response.text
    assert ">typed body</textarea>" in response.text
    assert EXPIRED in response.text
    assert _titles(app) == ["First post"]


def test_expired_edit_of_another_authors_post_is_still_403(forms: Forms, auth: AuthActions) -> None:
    auth.login("other", "other")
    response = forms.client.post("/1/update", data={"csrf_token": "stale", "title": "x"})
    assert response.status_code == 403


def test_expired_delete_goes_back_to_its_page_and_deletes_nothing(
    app: Microflask, forms: Forms, auth: AuthActions
) -> None:
    auth.login()
    response = forms.client.post(
        "/1/delete",
        data={"csrf_token": "stale"},
        headers={"Referer": "http://localhost/1/update"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "http://localhost/1/update"
    assert _titles(app) == ["First post"]
    assert EXPIRED in forms.client.get("/1/update").text


@pytest.mark.parametrize("referrer", [None, "https://evil.example/"])
def test_expired_button_without_a_safe_referrer_goes_to_the_index(
    forms: Forms, auth: AuthActions, referrer: str | None
) -> None:
    auth.login()
    headers = {"Referer": referrer} if referrer else {}
    response = forms.client.post("/auth/logout", data={"csrf_token": "stale"}, headers=headers)
    assert response.headers["Location"] == "/"
    with forms.client:
        forms.client.get("/")
        assert session["user_id"] == 1  # still logged in: the logout was refused


# --- logged out: the login page wins, whatever the token -----------------------------------


@pytest.mark.parametrize("path", ["/create", "/1/update", "/1/delete"])
@pytest.mark.parametrize("token", ["valid", "stale", "missing"])
def test_logged_out_post_goes_to_login_whatever_the_token(
    app: Microflask, forms: Forms, path: str, token: str
) -> None:
    data = {"title": "t", "body": "b"}
    if token == "valid":  # a token of the anonymous session: the login check refuses
        data["csrf_token"] = forms.token("/auth/login")
    elif token == "stale":
        data["csrf_token"] = "from-a-session-that-ended"
    response = forms.client.post(path, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/auth/login?next={path}"
    assert _titles(app) == ["First post"]
    page = forms.client.get(response.headers["Location"]).text
    assert "Please log in first." in page
    assert EXPIRED not in page


def test_logout_in_another_tab_then_submit_goes_to_login(
    app: Microflask, forms: Forms, auth: AuthActions
) -> None:
    auth.login()
    token = forms.token("/create")
    auth.logout()
    response = forms.client.post("/create", data={"csrf_token": token, "title": "Lost?"})
    assert response.headers["Location"] == "/auth/login?next=/create"
    assert _titles(app) == ["First post"]


# --- flashes ---------------------------------------------------------------------------------


def test_logout_flashes(client: MicroflaskClient, auth: AuthActions) -> None:
    auth.login()
    response = auth.logout()
    assert response.headers["Location"] == "/"
    assert '<p class="flash message" role="status">You are logged out.</p>' in client.get("/").text
