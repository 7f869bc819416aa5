"""Pin the cases hostile-input testing found: a 4xx, never a 500.

Each case is the smallest request that, drawn by a Hypothesis generator or
sent by a table of hostile values (bad bytes, lone surrogates, malformed
headers and URLs), made a small app answer 500, in process or under
gunicorn, or let an exception escape it. Where Flask 3.1 behaves well the
answer must equal Flask's; where Flask gives a 500, microflask answers a 4xx
(listed in docs/porting.md, "Bad input is a 4xx").
"""

from __future__ import annotations

import io
import types
import typing as t

import pytest
from flask_parity import FRAMEWORKS, make_app

import microflask


def _authorization_app(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)

    @app.route("/")
    def index() -> str:
        return repr(fw.request.authorization)

    return app


@pytest.mark.parametrize("name", FRAMEWORKS)
@pytest.mark.parametrize("value", ["Basic %%%", "Basic Og=", "Basic /w=="])
def test_malformed_basic_credentials_are_no_authorization(name: str, value: str) -> None:
    client = _authorization_app(FRAMEWORKS[name]).test_client()
    assert client.get("/", headers={"Authorization": value}).text == "None"


@pytest.mark.parametrize("value", ["Basic \xff", "Basic w\xff8="])
def test_non_ascii_basic_credentials_are_no_authorization(value: str) -> None:
    # Werkzeug catches bad base64 but not a non-ASCII header: in Flask, a 500.
    client = _authorization_app(microflask).test_client()
    response = client.get("/", headers={"Authorization": value})
    assert (response.status_code, response.text) == (200, "None")


def _redirect_app() -> microflask.Microflask:
    app = microflask.Microflask(__name__)

    @app.route("/go")
    def go() -> t.Any:
        return microflask.redirect(microflask.request.args["next"])

    return app


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://a:b@example.com:99999/", "Port out of range"),
        ("http://" + "a" * 64 + "/", "label too long"),
    ],
)
def test_redirect_to_a_location_werkzeug_cannot_send_is_a_400(location: str, reason: str) -> None:
    # Werkzeug turns the Location into a URI while sending the response, outside
    # Flask's error handling: the exception reaches the WSGI server, a 500.
    response = _redirect_app().test_client().get("/go", query_string={"next": location})
    assert response.status_code == 400
    assert "Redirect location is not a valid URL" in response.text and reason in response.text


def test_redirect_to_a_valid_ipv6_location_is_sent() -> None:
    response = _redirect_app().test_client().get("/go?next=http://[::1]:8080/x")
    assert (response.status_code, response.location) == (302, "http://[::1]:8080/x")


def _download_app() -> microflask.Microflask:
    app = microflask.Microflask(__name__)

    @app.route("/export")
    def export() -> t.Any:
        name = microflask.request.args["name"]
        return microflask.send_file(io.BytesIO(b"data"), download_name=name, as_attachment=True)

    return app


@pytest.mark.parametrize("name", ["a\r\nSet-Cookie: x=1", "a\x00.txt", "a\x01b", "a\x7f"])
def test_download_name_with_control_characters_is_a_400(name: str) -> None:
    # Werkzeug raises for a line break in Content-Disposition (a 500 in Flask); the
    # other control characters pass it, and gunicorn refuses the header: a 500 too.
    response = _download_app().test_client().get("/export", query_string={"name": name})
    assert response.status_code == 400
    assert "Download name contains control characters" in response.text


def test_download_name_with_non_ascii_characters_is_sent() -> None:
    response = _download_app().test_client().get("/export", query_string={"name": "é\u2028.txt"})
    assert response.status_code == 200
    assert "filename*=UTF-8''%C3%A9%E2%80%A8.txt" in response.headers["Content-Disposition"]


def _greeting_app(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    app.testing = False  # Flask's 500 is the answer compared, not a raised error

    @app.route("/hello", methods=["POST"])
    def hello() -> str:
        name = fw.request.get_json()["name"]
        return str(fw.render_template_string("Hello {{ name }}!", name=name))

    return app


@pytest.mark.parametrize(
    "body", ['{"name": "\\ud800"}', '{"name": "a\\uDC80"}', b'{"name": "\xed\xa0\x80"}']
)
def test_json_string_with_an_unpaired_surrogate_is_a_400(body: str | bytes) -> None:
    # json.loads accepts it; the str it gives cannot be encoded, so rendering it or
    # sending it as text raised UnicodeEncodeError: a 500, as in Flask.
    found = {}
    for name, fw in FRAMEWORKS.items():
        client = _greeting_app(fw).test_client()
        found[name] = client.post("/hello", data=body, content_type="application/json").status_code
    assert found == {"flask": 500, "microflask": 400}


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_json_string_with_a_surrogate_pair_loads(name: str) -> None:
    client = _greeting_app(FRAMEWORKS[name]).test_client()
    response = client.post(
        "/hello", data='{"name": "\\ud83d\\ude00"}', content_type="application/json"
    )
    assert response.text == "Hello \U0001f600!"
