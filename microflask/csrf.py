"""Cross-site request forgery protection, on by default.

Two layers guard unsafe methods. The first, on unless
``CSRF_CROSS_ORIGIN_PROTECTION`` is False, needs no token: it refuses a
request the browser marks ``Sec-Fetch-Site: cross-site``, or, from browsers
without that header, one whose ``Origin`` is not the request's host. The
second, on when ``CSRF_ENABLED`` is True, wants a per-session token from
:func:`csrf_token` back in the ``csrf_token`` form field or the
``X-CSRF-Token`` header. The core calls :func:`protect` before the
``before_request`` functions; failures are 403 or 400 HTTP errors.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import typing as t
from urllib.parse import urlsplit

from itsdangerous import BadData, URLSafeSerializer
from werkzeug.exceptions import BadRequest, Forbidden

from .globals import _cv_request, current_app, session
from .sessions import _signing_keys

if t.TYPE_CHECKING:
    from .app import Microflask
    from .wrappers import Request

__all__ = ["csrf_exempt", "csrf_token", "generate_csrf", "protect"]

#: The form field and the header a token is read from.
TOKEN_FIELD = "csrf_token"
TOKEN_HEADER = "X-CSRF-Token"
#: Methods that must not change state, so are never checked.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_SESSION_KEY = "_csrf_token"
_PASSING_FETCH_SITES = frozenset({"same-origin", "none"})

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


def csrf_exempt(view: F) -> F:
    """Mark a view function so :func:`protect` lets every request through."""
    view._csrf_exempt = True  # type: ignore[attr-defined]
    return view


def protect(app: Microflask, request: Request) -> None:
    """Check an unsafe request against both layers.

    :raises Forbidden: for a cross-origin request.
    :raises BadRequest: for a missing or wrong token.
    """
    if request.method in SAFE_METHODS:
        return
    config, environ = app.config, request.environ
    check_origin = config["CSRF_CROSS_ORIGIN_PROTECTION"] and (
        "HTTP_SEC_FETCH_SITE" in environ or "HTTP_ORIGIN" in environ
    )
    check_token = config["CSRF_ENABLED"]
    if not (check_origin or check_token):  # e.g. curl or the test client, tokens off
        return
    view = app.view_functions.get(request.endpoint or "")
    if getattr(view, "_csrf_exempt", False):
        return
    if check_origin:
        _check_origin(app, request)
    if check_token:
        _check_token(app, request)


def _check_origin(app: Microflask, request: Request) -> None:
    environ = request.environ
    fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
    origin = environ.get("HTTP_ORIGIN")
    if fetch_site is None and origin is None:  # curl, the test client, server-to-server
        return
    if fetch_site in _PASSING_FETCH_SITES or _is_trusted(app, origin):
        return
    if fetch_site is not None:
        raise Forbidden(f"Cross-origin request refused: Sec-Fetch-Site is {fetch_site!r}.")
    if origin is not None and _origin_host(origin) != request.host.lower():
        raise Forbidden(
            f"Cross-origin request refused: Origin {origin!r} does not match"
            f" the host {request.host!r}."
        )


def _origin_host(origin: str) -> str | None:
    try:
        return urlsplit(origin).netloc.lower()
    except ValueError:  # a malformed IPv6 literal
        return None


def _is_trusted(app: Microflask, origin: str | None) -> bool:
    trusted = app.config["CSRF_TRUSTED_ORIGINS"]
    if isinstance(trusted, str):
        raise TypeError(
            f"CSRF_TRUSTED_ORIGINS must be a list of origins, got {trusted!r};"
            " write ['https://example.com'], not 'https://example.com'."
        )
    if origin is None:
        return False
    return origin.rstrip("/").lower() in {o.rstrip("/").lower() for o in trusted}


def _serializer(app: Microflask) -> URLSafeSerializer:
    return URLSafeSerializer(
        _signing_keys(app),
        salt="csrf-token",
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def generate_csrf() -> str:
    """Return the signed CSRF token for the current session.

    The token is made once per session and stored in it.

    :raises RuntimeError: if no secret key is set.
    """
    raw = session.get(_SESSION_KEY)
    if not isinstance(raw, str):
        raw = session[_SESSION_KEY] = secrets.token_hex(32)
    return str(_serializer(current_app).dumps(raw))


def csrf_token() -> str:
    """Return the token to put in a form; the template global of that name."""
    return generate_csrf()


def _check_token(app: Microflask, request: Request) -> None:
    sent = request.form.get(TOKEN_FIELD) or request.headers.get(TOKEN_HEADER)
    if not sent:
        raise BadRequest("The CSRF token is missing.")
    expected = _cv_request.get().session.get(_SESSION_KEY)
    try:
        raw = _serializer(app).loads(sent)
    except BadData:
        raw = None
    if not (
        isinstance(raw, str) and isinstance(expected, str) and hmac.compare_digest(raw, expected)
    ):
        raise BadRequest("The CSRF token is invalid.")
