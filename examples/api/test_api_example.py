"""The to-do API: pagination, validation, and errors in JSON."""

from __future__ import annotations

import typing as t

import pytest
from api import MAX_PER_PAGE, create_app

from microflask import Microflask
from microflask.testing import MicroflaskClient

if t.TYPE_CHECKING:
    from werkzeug.test import TestResponse


@pytest.fixture
def app() -> Microflask:
    return create_app({"TESTING": True})


def _json(response: TestResponse) -> t.Any:
    """Return the response's JSON body, failing the test if it has none."""
    body = response.json
    assert body is not None, response.data
    return body


def _add(client: MicroflaskClient, count: int) -> None:
    for n in range(1, count + 1):
        assert client.post("/tasks", json={"title": f"task {n}"}).status_code == 201


def test_create_answers_201_with_the_task_and_its_location(client: MicroflaskClient) -> None:
    response = client.post("/tasks", json={"title": "write docs", "done": True})
    assert response.status_code == 201
    assert response.json == {"id": 1, "title": "write docs", "done": True}
    assert response.headers["Location"] == "/tasks/1"
    assert client.get("/tasks/1").json == response.json


def test_list_starts_empty(client: MicroflaskClient) -> None:
    response = client.get("/tasks")
    assert response.mimetype == "application/json"
    assert response.json == {"items": [], "page": 1, "per_page": 20, "total": 0, "pages": 1}


def test_list_pages_through_the_tasks(client: MicroflaskClient) -> None:
    _add(client, 5)
    body = _json(client.get("/tasks?page=2&per_page=2"))
    assert [task["title"] for task in body["items"]] == ["task 3", "task 4"]
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (2, 2, 5, 3)
    assert _json(client.get("/tasks?page=4&per_page=2"))["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=x", "page"),
        ("page=%C2%B2", "page"),
        (f"per_page={MAX_PER_PAGE + 1}", "per_page"),
    ],
)
def test_bad_page_arguments_are_400(client: MicroflaskClient, query: str, field: str) -> None:
    response = client.get(f"/tasks?{query}")
    assert response.status_code == 400
    assert list(_json(response)["fields"]) == [field]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"title": "Required: a non-empty string."}),
        ({"title": "  "}, {"title": "Required: a non-empty string."}),
        ({"title": "x" * 201}, {"title": "At most 200 characters."}),
        (
            {"title": 3, "done": "yes", "owner": "me"},
            {
                "title": "Required: a non-empty string.",
                "done": "Must be true or false.",
                "owner": "Unknown field.",
            },
        ),
    ],
)
def test_create_lists_every_bad_field(
    client: MicroflaskClient, body: dict[str, object], fields: dict[str, str]
) -> None:
    response = client.post("/tasks", json=body)
    assert response.status_code == 400
    assert response.json == {
        "error": "Bad Request",
        "status": 400,
        "message": "Some fields are invalid; see 'fields'.",
        "fields": fields,
    }
    assert _json(client.get("/tasks"))["total"] == 0


@pytest.mark.parametrize(
    "kwargs", [{"data": "title=x"}, {"data": "{not json", "content_type": "application/json"}]
)
def test_body_that_is_not_a_json_object_is_400(
    client: MicroflaskClient, kwargs: dict[str, str]
) -> None:
    response = client.post("/tasks", **kwargs)
    assert response.status_code == 400
    assert _json(response)["message"].startswith("Send a JSON object")


def test_patch_changes_only_the_given_fields(client: MicroflaskClient) -> None:
    _add(client, 1)
    response = client.patch("/tasks/1", json={"done": True})
    assert response.json == {"id": 1, "title": "task 1", "done": True}
    assert client.patch("/tasks/1", json={"title": ""}).status_code == 400


def test_delete_answers_204_then_the_task_is_gone(client: MicroflaskClient) -> None:
    _add(client, 1)
    response = client.delete("/tasks/1")
    assert response.status_code == 204
    assert response.data == b""
    assert client.get("/tasks/1").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/tasks/9"), ("patch", "/tasks/9"), ("delete", "/tasks/9")],
)
def test_missing_task_is_404_json(client: MicroflaskClient, method: str, path: str) -> None:
    response = client.open(path, method=method.upper(), json={"done": True})
    assert response.status_code == 404
    assert response.json == {"error": "Not Found", "status": 404, "message": "There is no task 9."}


def test_unknown_url_is_404_json(client: MicroflaskClient) -> None:
    response = client.get("/nothing")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert _json(response)["error"] == "Not Found"


def test_wrong_method_is_405_json_with_allow(client: MicroflaskClient) -> None:
    response = client.put("/tasks/1")
    assert response.status_code == 405
    assert response.mimetype == "application/json"
    assert _json(response)["error"] == "Method Not Allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PATCH", "DELETE"}
