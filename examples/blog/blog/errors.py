"""Error pages in the blog's layout; refused forms sent back filled in.

A form whose CSRF token no longer matches the session (the user logged in
again in another tab, or the session cookie expired) is refused by
microflask before any ``before_request`` function runs. Rather than a bare
400 that loses what the user typed, the view is run again as for a GET: it
shows the form filled from ``request.form``, with a flash asking to submit
again. A user who is not logged in is sent to log in first, as
``login_required`` would.
"""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from microflask import (
    Microflask,
    current_app,
    flash,
    g,
    is_safe_redirect_url,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from .auth import load_logged_in_user, login_redirect
from .forms import mark_form_expired

if t.TYPE_CHECKING:
    from werkzeug.wrappers import Response


_EXPIRED = "This form had expired, so nothing was saved. Please check it and submit it again."
# A 500's own description could leak details; the page says this instead.
_SERVER_ERROR = "Something went wrong on our side. It has been logged; please try again later."


def error_page(error: HTTPException) -> Response:
    """Render *error* in the blog's layout, keeping its status and headers."""
    description: str | None = _SERVER_ERROR
    if not isinstance(error, InternalServerError):
        description = error.description
        if "user" not in g:  # refused before the before_request functions ran
            load_logged_in_user()
    response = make_response(render_template("error.html", error=error, description=description))
    response.status_code = error.code or 500
    for name, value in error.get_headers():
        if name.lower() != "content-type":  # e.g. the Allow list of a 405
            response.headers[name] = value
    return response


def bad_request(error: BadRequest) -> Response:
    """Send a form refused for its token back filled in; else a 400 page."""
    view = current_app.view_functions.get(request.endpoint or "")
    if not _is_csrf_failure(error) or view is None or request.url_rule is None:
        return error_page(error)
    load_logged_in_user()  # the token check ran before the before_request functions
    if getattr(view, "login_required", False) and g.user is None:
        return login_redirect()
    flash(_EXPIRED, "error")
    if "GET" not in (request.url_rule.methods or ()):
        # A button with nothing typed (delete, log out): back to its page.
        back = request.referrer
        return redirect(back if back and is_safe_redirect_url(back) else url_for("index"))
    mark_form_expired()
    try:
        response = make_response(view(**(request.view_args or {})))
    except HTTPException as refused:  # e.g. a 403: not the author of the post
        return error_page(refused)
    if response.status_code == 200:
        # The form is shown again, but this submission was refused.
        response.status_code = 400
    return response


def _is_csrf_failure(error: BadRequest) -> bool:
    # microflask.csrf raises a plain BadRequest for a missing or wrong token;
    # its description is the only mark that tells it from other 400s.
    return "CSRF token" in (error.description or "")


def init_app(app: Microflask) -> None:
    """Register the error pages and the refused-form handler on *app*."""
    # Every HTTP error, a 413 for a too-big form and a 500 included, gets the
    # blog's page; a handler for a code (400) wins over the one for the class.
    app.register_error_handler(HTTPException, error_page)
    app.register_error_handler(400, bad_request)
