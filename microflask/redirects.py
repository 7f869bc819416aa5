"""Safe redirects to targets users give, a feature beyond Flask.

:func:`is_safe_redirect_url` tells whether a target keeps the user on this site, and
:func:`redirect_back` follows a ``?next=`` argument only when it does.
"""

from __future__ import annotations

import typing as t
from urllib.parse import urlsplit

from werkzeug.sansio.utils import host_is_trusted

from .globals import current_app, request
from .helpers import CONTROL_CHARS, redirect, url_for

if t.TYPE_CHECKING:
    from werkzeug.wrappers import Response as BaseResponse

__all__ = ["is_safe_redirect_url", "redirect_back"]


def is_safe_redirect_url(target: str) -> bool:
    """Return whether redirecting to *target* keeps the user on this site.

    Accepts relative URLs, and http(s) URLs to the request's own host or one in
    ``TRUSTED_HOSTS``. Rejects other schemes, scheme-relative tricks such as
    ``//evil`` and ``https:evil``, backslashes, whitespace and control characters,
    which browsers each read in their own way. Needs a request context.
    """
    if not isinstance(target, str) or not target or target != target.strip():
        return False
    if "\\" in target or CONTROL_CHARS.search(target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    if not parts.scheme and not target.startswith("//"):
        return True
    if parts.scheme not in ("", "http", "https") or not parts.netloc or "@" in parts.netloc:
        return False
    netloc = parts.netloc.lower()
    if netloc == request.host.lower():
        return True
    # An empty list trusts every host to Werkzeug; here it trusts none but our own.
    trusted = current_app.config["TRUSTED_HOSTS"]
    return bool(trusted) and host_is_trusted(netloc, trusted)


def redirect_back(default_endpoint: str, **values: t.Any) -> BaseResponse:
    """Redirect to the ``next`` query argument if safe, else to an endpoint.

    *values* build the default URL with :func:`url_for`.
    """
    target = request.args.get("next", "")
    if not is_safe_redirect_url(target):
        target = url_for(default_endpoint, **values)
    return redirect(target)
