"""Cross-site request forgery protection, on by default.

Two layers guard unsafe methods. The first, on unless
``CSRF_CROSS_ORIGIN_PROTECTION`` is False, needs no token: it refuses a
request the browser marks ``Sec-Fetch-Site: cross-site`` or ``same-site``,
or, from browsers without that header, one whose ``Origin`` is not the
request's host, unless the origin is in ``CSRF_TRUSTED_ORIGINS`` or the
request is one a browser sends only after a CORS preflight the app approved
(a method other than GET/HEAD/POST, or a body type a plain form cannot send,
such as ``application/json``), so an app whose CORS policy lets a front end
write keeps working. The second, on when ``CSRF_ENABLED`` is True, wants a
per-session token from :func:`csrf_token` back in the ``csrf_token`` form
field or the ``X-CSRF-Token`` header. The core calls :func:`protect` before
the ``before_request`` functions; failures are 403 or 400 HTTP errors.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import typing as t
from urllib.parse import urlsplit

from werkzeug.exceptions import BadRequest, Forbidden

from .globals import _cv_app, _cv_request, current_app, session
from .sessions import signing_keys

if t.TYPE_CHECKING:
    from itsdangerous import URLSafeSerializer

    from .app import Microflask
    from .blueprints import Blueprint
    from .wrappers import Request

__all__ = ["csrf_exempt", "csrf_token", "generate_csrf", "protect"]

#: The form field and the header a token is read from.
TOKEN_FIELD = "csrf_token"
TOKEN_HEADER = "X-CSRF-Token"
#: Also read: Flask-WTF's header, which scripts ported from Flask-WTF apps send.
_FLASK_WTF_HEADER = "X-CSRFToken"
#: Methods that must not change state, so are never checked.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_SESSION_KEY = "_csrf_token"
_PASSING_FETCH_SITES = frozenset({"same-origin", "none"})
# What a page may send cross-origin without a CORS preflight (the Fetch
# standard's CORS-safelisted methods and Content-Type values), plus the
# report types a browser posts on its own, also unpreflighted.
_NO_PREFLIGHT_METHODS = frozenset({"GET", "HEAD", "POST"})
_NO_PREFLIGHT_TYPES = frozenset(
    {
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "text/plain",
        "application/csp-report",
        "application/reports+json",
    }
)
# The app.extensions key of the CSRF_TRUSTED_ORIGINS entries last validated, and their
# normal form.
_TRUSTED_KEY = "microflask.csrf.trusted_origins"

F = t.TypeVar("F", bound="t.Callable[..., t.Any] | Blueprint")


def csrf_exempt(view: F) -> F:
    """Mark a view so :func:`protect` lets every request to it through.

    *view* is a view function, a view class (``MethodView``), or a blueprint,
    whose nested blueprints are then exempt too.
    """
    view._csrf_exempt = True  # type: ignore[union-attr]
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
    if _is_exempt(app, request):
        return
    if check_origin:
        _check_origin(app, request)
    if check_token:
        _check_token(app, request)


def _is_exempt(app: Microflask, request: Request) -> bool:
    endpoint = request.endpoint or ""
    view = app.view_functions.get(endpoint)
    if getattr(view, "_csrf_exempt", False):
        return True
    if getattr(getattr(view, "view_class", None), "_csrf_exempt", False):
        return True
    return "." in endpoint and any(  # only a blueprint's endpoint has a dot
        getattr(app.blueprints.get(name), "_csrf_exempt", False) for name in request.blueprints
    )


def _check_origin(app: Microflask, request: Request) -> None:
    environ = request.environ
    fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
    origin = environ.get("HTTP_ORIGIN")
    trusted = _trusted_origins(app)  # validated first, so a bad entry shows at once
    if fetch_site in _PASSING_FETCH_SITES:
        return
    if fetch_site is None and origin is not None and _origin_host(origin) == request.host.lower():
        return
    if origin is not None and origin.rstrip("/").lower() in trusted:
        return
    if _needed_preflight(request):
        return
    _refuse(app, request, fetch_site, origin)


def _needed_preflight(request: Request) -> bool:
    """Return whether a browser sends *request* only after a CORS preflight.

    A browser sends such a request only if the app's answer to the preflight
    allowed its origin, so the app's CORS policy has already approved it.
    """
    environ = request.environ
    mode = environ.get("HTTP_SEC_FETCH_MODE")
    if mode is not None and mode != "cors":
        return False
    if request.method not in _NO_PREFLIGHT_METHODS:
        return True
    content_type = environ.get("CONTENT_TYPE")
    if not content_type:
        return False
    return content_type.partition(";")[0].strip().lower() not in _NO_PREFLIGHT_TYPES


def _refuse(app: Microflask, request: Request, fetch_site: str | None, origin: str | None) -> None:
    if fetch_site is not None:
        why = f"Sec-Fetch-Site is {fetch_site!r}."
        if origin is not None:
            why += f" The request came from Origin {origin!r}."
    else:
        why = f"Origin {origin!r} does not match the host {request.host!r}."
    app.logger.warning(
        "Refused a cross-origin %s to %s from origin %r (%s) Add the origin to"
        " CSRF_TRUSTED_ORIGINS to accept it.",
        request.method,
        request.path,
        origin,
        why.rstrip("."),
    )
    try:  # suggest only an entry the setting takes ('', 'null' and 'http://[::1' it does not)
        entry = _validated_origin(origin) if origin != "null" else None
    except ValueError:
        entry = None
    if entry is None:
        hint = "Without a real Origin header, the sender cannot be trusted."
    else:
        hint = f"To accept writes from it, set CSRF_TRUSTED_ORIGINS = [{entry!r}]."
    raise Forbidden(
        f"Cross-origin request refused: {why} {hint} Requests a browser sends only"
        " after a CORS preflight (a JSON body, PUT, PATCH, DELETE) pass when the"
        " app's CORS policy allows them."
    )


def _origin_host(origin: str) -> str | None:
    try:
        return urlsplit(origin).netloc.lower()
    except ValueError:  # a malformed IPv6 literal
        return None


def _trusted_origins(app: Microflask) -> frozenset[str]:
    """Return ``CSRF_TRUSTED_ORIGINS`` normalised, validated once per value.

    :raises TypeError: if the setting is a string or None rather than a list.
    :raises ValueError: for an entry that is not ``scheme://host[:port]``.
    """
    configured = app.config["CSRF_TRUSTED_ORIGINS"]
    try:
        if isinstance(configured, str):
            raise TypeError
        entries = tuple(configured)  # None, or another value not a list, raises too
    except TypeError:
        raise TypeError(
            f"CSRF_TRUSTED_ORIGINS must be a list of origins, got {configured!r};"
            " write ['https://example.com'], not 'https://example.com'."
        ) from None
    cached = app.extensions.get(_TRUSTED_KEY)
    if cached is not None and cached[0] == entries:
        return cached[1]  # type: ignore[no-any-return]
    normal = frozenset(_validated_origin(entry) for entry in entries)
    app.extensions[_TRUSTED_KEY] = (entries, normal)
    return normal


def _validated_origin(entry: t.Any) -> str:
    """Return *entry* as a browser's Origin header spells it.

    That is in lower case, with its host in IDNA (punycode) form and without
    the scheme's default port, which browsers leave out.
    """
    try:
        parts = urlsplit(entry) if isinstance(entry, str) else None
        netloc = parts.netloc.lower().encode("idna").decode("ascii") if parts else ""
        port = parts.port if parts else None  # a port not a number in range raises
    except (ValueError, UnicodeError):
        parts = None
    if (
        parts is None
        or not (parts.scheme and netloc)
        or any(char in netloc for char in "*@ ")
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ValueError(
            f"CSRF_TRUSTED_ORIGINS entry {entry!r} is not an origin: write it as the"
            " browser's Origin header does, scheme://host[:port], e.g."
            f" {_suggest_origin(entry)!r} (no user, path, query or wildcard)."
        )
    scheme = parts.scheme.lower()
    if port is not None and (scheme, port) in (("http", 80), ("https", 443)):
        netloc = netloc.rpartition(":")[0]
    return f"{scheme}://{netloc.rstrip(':')}"


def _suggest_origin(entry: t.Any) -> str:
    text = str(entry).strip().rstrip("/")
    scheme, found, rest = text.partition("://")
    if not found:
        scheme, rest = "", text
    # "//host" has no scheme either; a wildcard's suggestion is one of its hosts.
    host = rest.lstrip("/").split("/")[0].removeprefix("*.").rpartition("@")[2]
    if not scheme:
        scheme = "http" if host.startswith(("localhost", "127.0.0.1", "[::1]")) else "https"
    return f"{scheme}://{host}"


def _serializer(app: Microflask) -> URLSafeSerializer:
    # Imported here: an app that never makes a token never loads itsdangerous.
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(
        signing_keys(app),
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
        raw = session[_SESSION_KEY] = os.urandom(32).hex()
    return str(_serializer(current_app).dumps(raw))


def csrf_token() -> str:
    """Return the token to put in a form; the template global of that name."""
    return generate_csrf()


class _TemplateToken:
    """The ``csrf_token`` template global: true only while tokens are on.

    Calling it gives the token either way. Templates written for Flask-WTF (Flask-Admin's)
    test ``{% if csrf_token %}`` to decide whether to add a token field; with tokens off
    that field would only set a session cookie on every page.
    """

    def __call__(self) -> str:
        return csrf_token()

    def __bool__(self) -> bool:
        app_ctx = _cv_app.get(None)
        return app_ctx is not None and bool(app_ctx.app.config["CSRF_ENABLED"])


template_csrf_token = _TemplateToken()


def _check_token(app: Microflask, request: Request) -> None:
    headers = request.headers
    sent = (
        request.form.get(TOKEN_FIELD) or headers.get(TOKEN_HEADER) or headers.get(_FLASK_WTF_HEADER)
    )
    if not sent:
        raise BadRequest(
            f"The CSRF token is missing. Send it in the {TOKEN_FIELD!r} form field"
            f" or the {TOKEN_HEADER!r} header."
        )
    expected = _cv_request.get().session.get(_SESSION_KEY)
    from itsdangerous import BadData

    try:
        # itsdangerous drops non-ASCII characters before decoding: a token is never one.
        raw = _serializer(app).loads(sent) if sent.isascii() else None
    except BadData:
        raw = None
    if not (
        isinstance(raw, str) and isinstance(expected, str) and hmac.compare_digest(raw, expected)
    ):
        raise BadRequest("The CSRF token is invalid.")
