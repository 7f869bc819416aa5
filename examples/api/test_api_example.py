"""The to-do API: pagination, validation, errors in problem+json, its OpenAPI document."""

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
    """Return the JSON body of *response*; the tests index it freely."""
    return response.json


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


def _problem(response: TestResponse, status: int) -> dict[str, t.Any]:
    """Return the problem+json body of *response*, checking its status."""
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body: dict[str, t.Any] = _json(response)
    assert body["status"] == status
    return body


def _bad_fields(response: TestResponse) -> list[list[str | int]]:
    return [error["loc"] for error in _problem(response, 422)["errors"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=x", "page"),
        ("page=%C2%B2", "page"),
        (f"per_page={MAX_PER_PAGE + 1}", "per_page"),
    ],
)
def test_bad_page_arguments_are_422(client: MicroflaskClient, query: str, field: str) -> None:
    assert _bad_fields(client.get(f"/tasks?{query}")) == [["query", field]]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, [["body", "title"]]),
        ({"title": "  "}, [["body", "title"]]),
        ({"title": "x" * 201}, [["body", "title"]]),
        (
            {"title": 3, "done": "yes", "owner": "me"},
            [["body", f] for f in ("title", "done", "owner")],
        ),
    ],
)
def test_create_lists_every_bad_field(
    client: MicroflaskClient, body: dict[str, object], fields: list[list[str]]
) -> None:
    response = client.post("/tasks", json=body)
    assert _bad_fields(response) == fields
    assert _json(response)["title"] == "Unprocessable Entity"
    assert all(error["msg"] for error in _json(response)["errors"])
    assert _json(client.get("/tasks"))["total"] == 0


def test_body_that_is_not_json_is_415(client: MicroflaskClient) -> None:
    body = _problem(client.post("/tasks", data="title=x"), 415)
    assert "application/json" in body["detail"]


def test_body_that_does_not_parse_is_400(client: MicroflaskClient) -> None:
    response = client.post("/tasks", data="{not json", content_type="application/json")
    assert _problem(response, 400)["detail"] == "The body is not valid JSON."


def test_patch_changes_only_the_given_fields(client: MicroflaskClient) -> None:
    _add(client, 1)
    response = client.patch("/tasks/1", json={"done": True})
    assert response.json == {"id": 1, "title": "task 1", "done": True}
    assert _bad_fields(client.patch("/tasks/1", json={"title": ""})) == [["body", "title"]]


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
def test_missing_task_is_404_problem(client: MicroflaskClient, method: str, path: str) -> None:
    response = client.open(path, method=method.upper(), json={"done": True})
    assert _problem(response, 404) == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "There is no task 9.",
    }


def test_unknown_url_is_404_problem(client: MicroflaskClient) -> None:
    assert _problem(client.get("/nothing"), 404)["title"] == "Not Found"


def test_wrong_method_is_405_problem_with_allow(client: MicroflaskClient) -> None:
    response = client.put("/tasks/1")
    assert _problem(response, 405)["title"] == "Method Not Allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PATCH", "DELETE"}


def test_responses_show_only_the_models_fields(client: MicroflaskClient) -> None:
    _add(client, 1)
    assert client.patch("/tasks/1", json={"done": True, "title": None}).json == {
        "id": 1,
        "title": "task 1",
        "done": True,
    }


def test_the_api_documents_itself(client: MicroflaskClient) -> None:
    from openapi_spec_validator import validate

    document = _json(client.get("/openapi.json"))
    validate(document)
    assert set(document["paths"]) == {"/tasks", "/tasks/{id}"}
    post = document["paths"]["/tasks"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewTask"
    }
    assert set(post["responses"]) == {"201", "422"}
    page = document["paths"]["/tasks"]["get"]["parameters"][0]
    assert page["name"] == "page" and page["in"] == "query"
    assert client.get("/docs").status_code == 200
