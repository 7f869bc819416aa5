"""Tests for the debug-mode explanations."""

from __future__ import annotations

import logging

import jinja2
import pytest
from werkzeug.routing import RequestRedirect

from microflask import Microflask, request
from microflask.debughelpers import (
    DebugFilesKeyError,
    FormDataRoutingRedirect,
    explain_template_loading_attempts,
)


@pytest.fixture
def upload_app(app: Microflask) -> Microflask:
    @app.post("/upload")
    def upload() -> str:
        return request.files["photo"].filename or ""

    return app


def test_file_read_from_urlencoded_form_is_explained_in_debug(upload_app: Microflask) -> None:
    upload_app.debug = True
    client = upload_app.test_client()
    with pytest.raises(DebugFilesKeyError) as info:
        client.post("/upload", data={"photo": "cat.png"})
    message = str(info.value)
    assert "request.files has no file 'photo'" in message
    assert "'application/x-www-form-urlencoded'" in message
    assert "['cat.png']" in message
    assert 'enctype="multipart/form-data"' in message
    assert isinstance(info.value, KeyError) and isinstance(info.value, AssertionError)


def test_file_key_missing_from_the_form_too_stays_a_400(upload_app: Microflask) -> None:
    upload_app.debug = True
    upload_app.config["TRAP_BAD_REQUEST_ERRORS"] = False
    response = upload_app.test_client().post("/upload", data={"other": "x"})
    assert response.status_code == 400


def test_file_read_without_debug_is_a_plain_400(upload_app: Microflask) -> None:
    response = upload_app.test_client().post("/upload", data={"photo": "cat.png"})
    assert response.status_code == 400


def test_multipart_upload_in_debug_works(upload_app: Microflask) -> None:
    import io

    upload_app.debug = True
    response = upload_app.test_client().post(
        "/upload", data={"photo": (io.BytesIO(b"meow"), "cat.png")}
    )
    assert response.text == "cat.png"


def test_form_data_routing_redirect_explains_the_trailing_slash(app: Microflask) -> None:
    with app.test_request_context("/notes", method="POST", data={"a": "b"}) as ctx:
        ctx.request.routing_exception = RequestRedirect("http://localhost/notes/")
        error = FormDataRoutingRedirect(ctx.request)
    message = str(error)
    assert isinstance(error, AssertionError)
    assert "A POST request to 'http://localhost/notes'" in message
    assert "'http://localhost/notes/' with a 308" in message
    assert "trailing slash" in message
    assert "only runs in debug mode" in message


def test_form_data_routing_redirect_to_another_url(app: Microflask) -> None:
    with app.test_request_context("/old", method="PUT") as ctx:
        redirect = RequestRedirect("http://localhost/new")
        redirect.code = 301
        ctx.request.routing_exception = redirect
        message = str(FormDataRoutingRedirect(ctx.request))
    assert "'http://localhost/new' with a 301" in message
    assert "trailing slash" not in message


def test_explain_with_no_loaders(app: Microflask, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        explain_template_loading_attempts(app, "page.html", [])
    message = caplog.records[-1].getMessage()
    assert message.startswith("Locating template 'page.html':")
    assert "No template folder is configured" in message


def test_explain_one_match_gives_no_advice(
    app: Microflask, caplog: pytest.LogCaptureFixture
) -> None:
    loader = jinja2.DictLoader({"page.html": "hi"})
    loader._cache_hint = "private"  # type: ignore[attr-defined]
    source = loader.get_source(jinja2.Environment(), "page.html")
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        explain_template_loading_attempts(app, "page.html", [(app, loader, source)])
    message = caplog.records[-1].getMessage()
    assert "-> found ('<string>')" in message
    assert "class: jinja2.loaders.DictLoader" in message
    assert "Error" not in message and "Warning" not in message
    assert "_cache_hint" not in message
