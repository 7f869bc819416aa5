"""Compare with Flask 3.1 the response cases randomized testing found differing.

Each case is the smallest form of a difference a generator of views, return
values, error handlers and requests found between Flask and microflask.
"""

from __future__ import annotations

import json
import types
import typing as t

import pytest
from flask_parity import FRAMEWORKS, answers, assert_same, get, make_app
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

_JSON = {"Accept": "application/json"}


class _OwnResponseError(BadRequest):
    def get_response(self, environ: t.Any = None, scope: t.Any = None) -> WerkzeugResponse:
        body = json.dumps({"error": self.description})
        return WerkzeugResponse(body, self.code, mimetype="application/json")


class _OwnBodyError(BadRequest):
    def get_body(self, environ: t.Any = None, scope: t.Any = None) -> str:
        return json.dumps({"error": self.description})

    def get_headers(self, environ: t.Any = None, scope: t.Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "application/json")]


def _raise(error: Exception) -> t.NoReturn:
    raise error


def own_error_bodies(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    app.add_url_rule("/response", "response", lambda: _raise(_OwnResponseError("bad")))
    app.add_url_rule("/body", "body", lambda: _raise(_OwnBodyError("bad")))
    return app


def test_error_class_with_its_own_body_keeps_it_for_json_clients() -> None:
    # problem+json replaces Werkzeug's HTML page only, not a body the app's class makes.
    requests = [get(path, headers=_JSON) for path in ("/response", "/body")]
    assert_same(own_error_bodies, requests)


class _Described:
    def __str__(self) -> str:
        return "described <here>"


def descriptions(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/object", "object", lambda: fw.abort(400, description=_Described()))
    app.add_url_rule("/dict", "dict", lambda: fw.abort(409, description={"a": 1}))
    return app


def test_problem_detail_of_a_description_that_is_no_string_is_its_text() -> None:
    # Not a 500 from a description JSON cannot write: Flask's status, RFC 9457's string.
    requests = [get(path, headers=_JSON) for path in ("/object", "/dict")]
    found = answers(descriptions, requests)
    assert [a.status for a in found["microflask"]] == [a.status for a in found["flask"]]
    details = [json.loads(a.body)["detail"] for a in found["microflask"]]
    assert details == ["described <here>", "{'a': 1}"]


@pytest.mark.parametrize("name", sorted(FRAMEWORKS))
def test_redirect_in_an_app_ignores_the_response_class_argument(name: str) -> None:
    # Documented: ``Response`` is not used when an app is active, app.redirect is.
    fw = FRAMEWORKS[name]
    app = make_app(fw)
    with app.test_request_context():
        response = fw.redirect("/next", 301, Response=WerkzeugResponse)
        assert type(response) is app.response_class
        assert (response.status_code, response.location) == (301, "/next")


def test_redirect_with_a_response_class_still_refuses_control_characters() -> None:
    # microflask's 400 for a header-splitting location, also when a class is passed.
    app = make_app(FRAMEWORKS["microflask"])
    with app.test_request_context(), pytest.raises(HTTPException) as caught:
        FRAMEWORKS["microflask"].redirect("/\t/evil", Response=WerkzeugResponse)
    assert caught.value.code == 400


def test_problem_json_answer_varies_on_accept() -> None:
    # A 404 is cacheable by default: a shared cache must not serve the JSON to a browser.
    app = make_app(FRAMEWORKS["microflask"])
    response = app.test_client().get("/missing", headers=_JSON)
    assert (response.status_code, response.mimetype) == (404, "application/problem+json")
    assert response.headers["Vary"] == "Accept"
