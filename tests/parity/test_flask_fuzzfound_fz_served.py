"""Check the served-request cases randomized testing found against Flask 3.1.

Each case is the smallest request that, sent over the wire to the same app
served by gunicorn on both frameworks, once answered differently from Flask.
The generator (raw HTTP/1.1 over sockets, drawn bodies, framings and limits)
lives outside the repository; the cases replay here as the WSGI environ
gunicorn builds, so they need no server.
"""

from __future__ import annotations

import io
import types
import typing as t
from urllib.parse import parse_qsl

import pytest
from flask_parity import FRAMEWORKS, assert_same, make_app, send
from werkzeug.test import run_wsgi_app


def _chunked_post(fw: types.ModuleType, body: bytes, max_content_length: int) -> str:
    """POST *body* as gunicorn passes a chunked one; return status and form or body."""
    app: t.Any = make_app(fw)
    app.config["MAX_CONTENT_LENGTH"] = max_content_length
    app.add_url_rule(
        "/form", "form", lambda: repr(sorted(fw.request.form.items())), methods=["POST"]
    )
    environ = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/form",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,  # no Content-Length: the server ends the body
        "wsgi.errors": io.StringIO(),
    }
    answer, status, _ = run_wsgi_app(app, environ, buffered=True)
    return f"{status} {b''.join(answer).decode()[-40:]}"


@pytest.mark.parametrize("body", [b"", b"c=", b"a=1&b=2"])
def test_chunked_form_with_max_content_length_zero_is_a_413(body: bytes) -> None:
    # microflask read nothing once the limit was reached, not even the first read that
    # Werkzeug's stream refuses: an empty form where Flask answers 413.
    found = {name: _chunked_post(fw, body, 0) for name, fw in FRAMEWORKS.items()}
    assert found["microflask"] == found["flask"]
    assert found["flask"].startswith("413 REQUEST ENTITY TOO LARGE")


@pytest.mark.parametrize(("body", "limit"), [(b"c=", 2), (b"c=", 5), (b"a=1&b=", 6)])
def test_chunked_form_within_max_content_length_reads_as_in_flask(body: bytes, limit: int) -> None:
    found = {name: _chunked_post(fw, body, limit) for name, fw in FRAMEWORKS.items()}
    assert found["microflask"] == found["flask"]
    assert found["flask"].startswith("200 OK")


@pytest.mark.parametrize(("body", "limit"), [(b"a=1&b=2", 3), (b"a=1&b=2", 6)])
def test_chunked_form_over_max_content_length_is_a_413_where_flask_cuts_it(
    body: bytes, limit: int
) -> None:
    # A deliberate difference (docs/porting.md): Werkzeug's stream stops at the limit and
    # Flask reads the form from what came before it, the rest dropped.
    found = {name: _chunked_post(fw, body, limit) for name, fw in FRAMEWORKS.items()}
    assert (
        found["flask"]
        == f"200 OK {sorted(parse_qsl(body[:limit].decode(), keep_blank_values=True))!r}"
    )
    assert found["microflask"].startswith("413 REQUEST ENTITY TOO LARGE")


def _error_data_seen_after_request(fw: types.ModuleType) -> t.Any:
    app: t.Any = make_app(fw)

    def show_data(response: t.Any) -> t.Any:
        response.headers["X-Data"] = repr(response.get_data()[:15])
        return response

    app.after_request(show_data)
    app.add_url_rule("/forbidden", "forbidden", lambda: fw.abort(403))
    return app


def test_http_error_answering_head_has_an_empty_body_in_after_request() -> None:
    # Flask runs the error as a WSGI app (force_type), which sends no body for HEAD;
    # microflask built the GET body directly. The Content-Length stays the GET one.
    requests = [send(method, path) for method in ("HEAD", "GET") for path in ("/forbidden", "/no")]
    assert_same(_error_data_seen_after_request, requests)
