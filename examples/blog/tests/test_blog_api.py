"""The read-only JSON API under /api, whose errors are JSON too."""

from __future__ import annotations

import typing as t

import pytest

from microflask import Microflask
from microflask.testing import MicroflaskClient

if t.TYPE_CHECKING:
    from .conftest import Forms

FIRST_POST = {
    "id": 1,
    "title": "First post",
    "body": "Written by the test fixture.",
    "created": "2025-01-01 00:00:00",
    "author": "test",
}


def test_posts_are_listed_as_json(client: MicroflaskClient) -> None:
    response = client.get("/api/posts")
    assert response.status_code == 200
    assert response.json == {"posts": [FIRST_POST]}


def test_one_post_as_json(client: MicroflaskClient) -> None:
    assert client.get("/api/posts/1").json == FIRST_POST


def test_missing_post_is_a_json_404(client: MicroflaskClient) -> None:
    response = client.get("/api/posts/9")
    assert response.status_code == 404
    assert response.json == {
        "status": 404,
        "error": "Not Found",
        "message": "Post 9 does not exist.",
    }


def test_unknown_url_under_the_prefix_is_a_json_404(client: MicroflaskClient) -> None:
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.is_json
    assert response.json is not None and response.json["error"] == "Not Found"


def test_wrong_method_under_the_prefix_is_a_json_405_with_allow(forms: Forms) -> None:
    # The token passes the CSRF check, so routing gets to refuse the method.
    token = forms.token("/auth/login")
    response = forms.client.delete("/api/posts/1", headers={"X-CSRF-Token": token})
    assert response.status_code == 405
    assert response.is_json
    assert response.json is not None and response.json["error"] == "Method Not Allowed"
    assert set(response.allow) == {"GET", "HEAD", "OPTIONS"}


def test_wrong_method_without_a_token_is_a_405_not_a_csrf_400(client: MicroflaskClient) -> None:
    assert client.delete("/api/posts/1").status_code == 405


@pytest.mark.parametrize("path", ["/nope", "/apix", "/apix/posts"])
def test_outside_the_prefix_404_is_the_blogs_html_page(client: MicroflaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h2>404 Not Found</h2>" in response.text


def test_id_too_big_for_sqlite_is_a_json_404(client: MicroflaskClient) -> None:
    response = client.get("/api/posts/99999999999999999999")
    assert response.status_code == 404
    assert response.json is not None and response.json["error"] == "Not Found"


def test_server_error_under_the_prefix_is_json_without_the_detail(
    client: MicroflaskClient, app: Microflask
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom() -> str:
        raise RuntimeError("secret detail")

    app.view_functions["api.list_posts"] = boom
    response = client.get("/api/posts")
    assert response.status_code == 500
    assert response.json is not None and response.json["error"] == "Internal Server Error"
    assert "secret detail" not in response.text
