"""HTTP errors as RFC 9457 problem+json, for clients that ask for JSON.

An error may carry a ``problem`` dict of extra members (``type``, ``errors``...) that
are added to, or replace, the standard ``type``, ``title``, ``status`` and ``detail``.
"""

from __future__ import annotations

import typing as t

from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException

if t.TYPE_CHECKING:
    from .app import Microflask
    from .wrappers import Request, Response

__all__ = ["PROBLEM_MIMETYPE", "problem_details", "problem_response", "wants_problem_json"]

PROBLEM_MIMETYPE = "application/problem+json"
_OFFERS = ("text/html", PROBLEM_MIMETYPE, "application/json")


def wants_problem_json(request: Request) -> bool:
    """Return whether *request*'s Accept prefers JSON to HTML.

    ``*/*`` alone, or no Accept header, is False: HTML stays the default.
    """
    accept = request.environ.get("HTTP_ACCEPT", "").lower()  # media types ignore case
    if "json" not in accept and "application/*" not in accept:
        return False  # no JSON type named: skip parsing the header (browsers, */*, none)
    # Parameters (``application/json; charset=utf-8``) do not change which type is wanted;
    # Werkzeug would match such an entry only to an offer with the same parameters.
    ranked = [(value.partition(";")[0], q) for value, q in request.accept_mimetypes]
    best = MIMEAccept(ranked).best_match(_OFFERS)
    return best is not None and best != "text/html"


def problem_details(error: HTTPException) -> dict[str, t.Any]:
    """Return the problem members for *error*, its ``problem`` dict included.

    A description that is not a string, ``abort(400, description=obj)``, is
    sent as ``str(obj)``.
    """
    description = error.description
    details: dict[str, t.Any] = {
        "type": "about:blank",
        "title": error.name,
        "status": error.code,
        # RFC 9457's detail is a string; any other description reads as the HTML page shows it.
        "detail": description if description is None else str(description),
    }
    details.update(getattr(error, "problem", None) or {})
    return details


def problem_response(app: Microflask, error: HTTPException) -> Response:
    """Return *error* as a problem+json response, keeping its headers.

    It says ``Vary: Accept``: a cache must not give it to a browser asking for HTML.
    """
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    body = app.json.dumps(problem_details(error))
    response = app.response_class(body, error.code, headers, content_type=PROBLEM_MIMETYPE)
    response.vary.add("Accept")
    return response
