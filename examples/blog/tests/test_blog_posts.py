"""Listing posts, and creating, editing and deleting them as their author."""

from __future__ import annotations

import typing as t

import pytest
from blog.db import get_db

from microflask import Microflask
from microflask.testing import MicroflaskClient

if t.TYPE_CHECKING:
    from .conftest import AuthActions, Forms


def _count_posts(app: Microflask) -> int:
    with app.app_context():
        return int(get_db().execute("SELECT COUNT(*) FROM post").fetchone()[0])


def test_index_for_visitors_offers_login_and_lists_posts(client: MicroflaskClient) -> None:
    page = client.get("/").text
    assert 'href="/auth/login"' in page
    assert 'href="/auth/register"' in page
    assert "First post" in page
    assert "by test on 2025-01-01" in page
    assert 'href="/1/update"' not in page


def test_index_for_the_author_offers_edit_and_logout(
    client: MicroflaskClient, auth: AuthActions
) -> None:
    auth.login()
    page = client.get("/").text
    assert "Log Out" in page
    assert 'href="/1/update"' in page
    assert 'href="/create"' in page


def test_index_uses_the_stylesheet_and_it_is_served(client: MicroflaskClient) -> None:
    assert 'href="/static/style.css"' in client.get("/").text
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    response.close()


@pytest.mark.parametrize("path", ["/create", "/1/update"])
def test_forms_need_a_login_then_come_back(
    client: MicroflaskClient, auth: AuthActions, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url == f"/auth/login?next={path}"
    assert auth.login(path=login_url).headers["Location"] == path


def test_delete_needs_a_login(app: Microflask, forms: Forms) -> None:
    response = forms.submit("/auth/login", "/1/delete")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?")
    assert _count_posts(app) == 1


def test_only_the_author_may_edit(forms: Forms, auth: AuthActions) -> None:
    auth.login("other", "other")
    assert forms.client.get("/1/update").status_code == 403
    response = forms.submit("/create", "/1/delete")
    assert response.status_code == 403
    assert 'href="/1/update"' not in forms.client.get("/").text


@pytest.mark.parametrize("path", ["/2/update", "/2/delete"])
def test_missing_post_is_404(forms: Forms, auth: AuthActions, path: str) -> None:
    auth.login()
    response = forms.submit("/create", path)
    assert response.status_code == 404
    assert "Post 2 does not exist." in response.text


def test_create_publishes_a_post(app: Microflask, forms: Forms, auth: AuthActions) -> None:
    auth.login()
    response = forms.submit("/create", title="Second", body="more")
    assert response.headers["Location"] == "/"
    assert _count_posts(app) == 2
    page = forms.client.get("/").text
    assert "Published “Second”." in page
    assert page.index("Second") < page.index("First post")


def test_update_saves_the_changes(app: Microflask, forms: Forms, auth: AuthActions) -> None:
    auth.login()
    assert 'value="First post"' in forms.client.get("/1/update").text
    forms.submit("/1/update", title="updated", body="new body")
    with app.app_context():
        post = get_db().execute("SELECT title, body FROM post WHERE id = 1").fetchone()
    assert tuple(post) == ("updated", "new body")


@pytest.mark.parametrize("path", ["/create", "/1/update"])
def test_empty_title_is_flashed_and_the_form_kept(
    forms: Forms, auth: AuthActions, path: str
) -> None:
    auth.login()
    response = forms.submit(path, title=" ", body="kept body")
    assert response.status_code == 200
    assert "Title is required." in response.text
    assert "kept body</textarea>" in response.text


@pytest.mark.parametrize("path", ["/create", "/1/update"])
def test_too_long_title_is_refused_not_put_in_the_session_cookie(
    app: Microflask, forms: Forms, auth: AuthActions, path: str
) -> None:
    # The "Published" flash held the whole title: a random 100 kB title made a
    # 100 kB Set-Cookie header, which browsers drop and proxies refuse.
    auth.login()
    response = forms.submit(path, title="t" * 201, body="kept body")
    assert response.status_code == 200
    assert "The title is too long: 200 characters at most." in response.text
    assert "kept body</textarea>" in response.text
    with app.app_context():
        titles = [row[0] for row in get_db().execute("SELECT title FROM post")]
    assert titles == ["First post"]


def test_delete_removes_the_post(app: Microflask, forms: Forms, auth: AuthActions) -> None:
    auth.login()
    response = forms.submit("/1/update", "/1/delete")
    assert response.headers["Location"] == "/"
    assert _count_posts(app) == 0
    assert "No posts yet." in forms.client.get("/").text
