"""Paging the index, and its posts block served alone as a fragment."""

from __future__ import annotations

import pytest
from blog.db import get_db

from microflask import Microflask
from microflask.testing import MicroflaskClient

from .conftest import AuthActions, add_posts


@pytest.fixture
def app(app: Microflask) -> Microflask:
    """Return the blog with six posts, two a page."""
    app.config["POSTS_PER_PAGE"] = 2
    add_posts(app, 5)
    return app


def _titles(html: str) -> list[str]:
    return [part.split("</h3>")[0] for part in html.split("<h3>")[1:]]


def test_first_page_shows_the_newest_posts_and_links_to_older(client: MicroflaskClient) -> None:
    response = client.get("/")
    assert _titles(response.text) == ["Post 5", "Post 4"]
    assert "Page 1 of 3" in response.text
    assert 'href="/?page=2" data-fragment="posts" rel="next"' in response.text
    assert 'rel="prev"' not in response.text
    assert "X-Fragment" in response.vary


def test_middle_page_links_both_ways(client: MicroflaskClient) -> None:
    page = client.get("/?page=2").text
    assert _titles(page) == ["Post 3", "Post 2"]
    assert 'href="/"\n             data-fragment="posts" rel="prev"' in page
    assert 'href="/?page=3"' in page


def test_last_page_has_no_older_link(client: MicroflaskClient) -> None:
    page = client.get("/?page=3").text
    assert _titles(page) == ["Post 1", "First post"]
    assert 'rel="next"' not in page
    assert 'href="/?page=2"' in page


def test_fragment_request_gets_the_posts_block_only(client: MicroflaskClient) -> None:
    full = client.get("/?page=2").text
    response = client.get("/?page=2", headers={"X-Fragment": "posts"})
    assert response.status_code == 200
    assert response.headers["X-Fragment"] == "posts"
    assert "X-Fragment" in response.vary
    fragment = response.text
    assert "<html" not in fragment
    assert "<nav>" not in fragment
    assert _titles(fragment) == ["Post 3", "Post 2"]
    assert f'<section id="posts" data-fragment-root tabindex="-1">{fragment}</section>' in full


def test_fragment_shows_the_authors_edit_links(client: MicroflaskClient, auth: AuthActions) -> None:
    auth.login()
    fragment = client.get("/?page=3", headers={"X-Fragment": "posts"}).text
    assert 'href="/1/update"' in fragment


def test_other_fragment_names_get_the_whole_page(client: MicroflaskClient) -> None:
    response = client.get("/", headers={"X-Fragment": "comments"})
    assert "<html" in response.text
    assert "X-Fragment" not in response.headers


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("page=4", 404, "There is no page 4 of posts; the last is page 3."),
        ("page=0", 400, "The page must be a whole number from 1, not &#39;0&#39;."),
        ("page=two", 400, "The page must be a whole number from 1, not &#39;two&#39;."),
        ("page=%C2%B2", 400, "not &#39;²&#39;."),
        ("page=000", 400, "The page must be a whole number from 1, not &#39;000&#39;."),
        ("page=0003", 200, "Page 3 of 3"),
        # More digits than int() reads (4300): a 404, not a 500.
        ("page=" + "9" * 5000, 404, "There is no such page of posts."),
        ("page=" + "1" * 19, 404, "There is no such page of posts."),
    ],
)
def test_bad_page_number_is_a_readable_error(
    client: MicroflaskClient, query: str, status: int, message: str
) -> None:
    response = client.get(f"/?{query}")
    assert response.status_code == status
    assert message in response.text


def test_empty_blog_has_one_page(client: MicroflaskClient, app: Microflask) -> None:
    with app.app_context():
        get_db().execute("DELETE FROM post")
        get_db().commit()
    page = client.get("/").text
    assert "No posts yet." in page
    assert 'class="pager"' not in page
