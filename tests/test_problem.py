"""problem+json (RFC 9457) for HTTP errors when the client prefers JSON to HTML."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Conflict, HTTPException, Unauthorized

from microflask import Microflask, abort
from microflask.problem import problem_details, problem_response, wants_problem_json
from microflask.testing import MicroflaskClient

if t.TYPE_CHECKING:
    from werkzeug.test import TestResponse

    from microflask import Response

JSON = {"Accept": "application/json"}


def _json(response: TestResponse | Response) -> t.Any:
    """Return the JSON body of *response*; the tests index it freely."""
    return response.json


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, False),
        ("*/*", False),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),
        ("application/json", True),
        ("application/problem+json", True),
        ("application/json, text/plain, */*", True),
        ("text/html;q=0.5, application/json", True),
        ("text/html, application/json;q=0.9", False),
        ("image/png", False),
        ("application/*", True),
        ("text/html, application/*;q=0.5", False),
        ("Application/JSON", True),
        ("application/json; charset=utf-8", True),
        ("application/json;charset=UTF-8, text/html;q=0.9", True),
        ("application/problem+json; charset=utf-8", True),
        ("text/html;level=1, application/json;q=0.9", False),
        ("text/html;charset=utf-8, application/json;q=0.9", False),
    ],
)
def test_wants_problem_json(app: Microflask, accept: str | None, expected: bool) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    with app.test_request_context(headers=headers) as ctx:
        assert wants_problem_json(ctx.request) is expected


def test_problem_details_adds_the_errors_problem_members() -> None:
    error = Conflict("Out of credit.")
    error.problem = {"type": "https://example.com/probs/credit", "balance": 30}  # type: ignore[attr-defined]
    assert problem_details(error) == {
        "type": "https://example.com/probs/credit",
        "title": "Conflict",
        "status": 409,
        "detail": "Out of credit.",
        "balance": 30,
    }


def test_problem_response_keeps_the_errors_headers(app: Microflask) -> None:
    error = Unauthorized(www_authenticate=WWWAuthenticate("Bearer", {"realm": "api"}))
    with app.app_context():
        response = problem_response(app, error)
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == "Bearer realm=api"
    assert _json(response)["title"] == "Unauthorized"


def test_abort_answers_problem_json_to_a_json_client(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.route("/gone")
    def gone() -> str:
        abort(410, "It moved away.")

    response = client.get("/gone", headers=JSON)
    assert response.status_code == 410
    assert response.mimetype == "application/problem+json"
    assert response.json == {
        "type": "about:blank",
        "title": "Gone",
        "status": 410,
        "detail": "It moved away.",
    }


def test_html_stays_the_default(app: Microflask, client: MicroflaskClient) -> None:
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "text/html"}):
        response = client.get("/missing", headers=headers)
        assert response.status_code == 404
        assert response.mimetype == "text/html"


def test_routing_errors_answer_problem_json(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/only-get")
    def only_get() -> str:
        return "ok"

    missing = client.get("/nothing", headers=JSON)
    assert (missing.status_code, missing.mimetype) == (404, "application/problem+json")
    wrong = client.delete("/only-get", headers=JSON)
    assert wrong.status_code == 405
    assert _json(wrong)["title"] == "Method Not Allowed"
    assert set(wrong.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_redirects_are_not_problems(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/folder/")
    def folder() -> str:
        return "ok"

    response = client.get("/folder", headers=JSON)
    assert response.status_code == 308
    assert response.mimetype != "application/problem+json"


def test_unhandled_error_is_a_500_problem(app: Microflask, client: MicroflaskClient) -> None:
    app.testing = False

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    response = client.get("/boom", headers=JSON)
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert _json(response)["title"] == "Internal Server Error"
    assert b"secret detail" not in response.data


def test_registered_handler_still_wins(app: Microflask, client: MicroflaskClient) -> None:
    @app.errorhandler(404)
    def missing(error: HTTPException) -> tuple[str, int]:
        return "my own 404", 404

    response = client.get("/nothing", headers=JSON)
    assert (response.status_code, response.text) == (404, "my own 404")
