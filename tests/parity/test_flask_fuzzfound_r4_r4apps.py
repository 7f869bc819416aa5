"""Check the cases real Flask applications found against Flask 3.1.

Each case is the smallest app, cut down from a Flask application on PyPI
(httpbin, Dash, moto) run on both frameworks, whose answer once differed
from Flask's. The applications themselves run outside the repository.
"""

from __future__ import annotations

import types
import typing as t

from flask_parity import assert_same, make_app, send


def _headers_assigned_a_dict(fw: types.ModuleType) -> t.Any:
    app: t.Any = make_app(fw)

    def teapot() -> t.Any:
        response = fw.make_response("teapot")
        response.status_code = 418
        response.headers = {"X-More-Info": "rfc2324"}
        return response

    app.add_url_rule("/status", "status", teapot, methods=["GET", "POST"])
    return app


def test_response_headers_assigned_a_plain_dict_are_sent() -> None:
    # httpbin's /status/418 replaces response.headers with a dict; Werkzeug copies
    # any mapping into Headers when sending, microflask's fast path raised.
    requests = [send(method, "/status") for method in ("GET", "HEAD", "POST")]
    assert_same(_headers_assigned_a_dict, requests)


def _error_without_http_exception_init(fw: types.ModuleType) -> t.Any:
    from werkzeug.exceptions import HTTPException
    from werkzeug.routing import RoutingException

    class Redirect303(HTTPException, RoutingException):
        code = 303

        def __init__(self, new_url: str) -> None:
            RoutingException.__init__(self, new_url)  # HTTPException's never runs
            self.new_url = new_url

        def get_response(self, environ: t.Any = None, scope: t.Any = None) -> t.Any:
            return fw.redirect(self.new_url, 303)

    app: t.Any = make_app(fw)

    def raise_redirect() -> t.Any:
        raise Redirect303("/login")

    app.add_url_rule("/redirect", "redirect", raise_redirect)
    return app


def test_http_error_whose_init_skips_http_exceptions_sends_its_response() -> None:
    # ihatemoney's Redirect303 never calls HTTPException.__init__, so it has no
    # .response attribute: microflask read it and answered 500, Flask runs its
    # get_response.
    requests = [send(method, "/redirect") for method in ("GET", "HEAD")]
    assert_same(_error_without_http_exception_init, requests)
