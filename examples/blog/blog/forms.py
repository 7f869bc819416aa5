"""Whether a request carries a form for its view to act on."""

from __future__ import annotations

from microflask import g, request


def form_submitted() -> bool:
    """Return whether this request sends a form to act on.

    False for a GET, and for a POST refused for its CSRF token, which the
    view answers as a GET: the form again, filled from ``request.form``.
    """
    return request.method == "POST" and not g.get("form_expired", False)


def mark_form_expired() -> None:
    """Make :func:`form_submitted` false for the rest of this request."""
    g.form_expired = True
