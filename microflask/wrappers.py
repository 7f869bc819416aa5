"""The request and response objects: Werkzeug's, plus what routing and config add."""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request as _WerkzeugRequest
from werkzeug.wrappers import Response as _WerkzeugResponse

from . import json
from .globals import _cv_app

if t.TYPE_CHECKING:
    from werkzeug.routing import Rule

__all__ = ["Request", "Response"]


class _ConfigLimit:
    """A request size limit read from the app's config unless set on the request."""

    def __init__(self, key: str, fallback: int | None) -> None:
        self.key = key
        self.fallback: int | None = fallback

    def __set_name__(self, owner: type, name: str) -> None:
        self.attr = f"_{name}"

    def __get__(self, obj: object, owner: type | None = None) -> int | None:
        if obj is None:
            return self.fallback
        value: t.Any = obj.__dict__.get(self.attr, self)
        if value is not self:
            return t.cast("int | None", value)
        app_ctx = _cv_app.get(None)
        if app_ctx is None:
            return self.fallback  # type: ignore[no-any-return]
        return t.cast("int | None", app_ctx.app.config[self.key])

    def __set__(self, obj: object, value: int | None) -> None:
        obj.__dict__[self.attr] = value


class Request(_WerkzeugRequest):
    """The incoming request, with the matched rule and the app's size limits."""

    json_module: t.Any = json
    url_rule: Rule | None = None
    view_args: dict[str, t.Any] | None = None
    routing_exception: HTTPException | None = None

    max_content_length = _ConfigLimit("MAX_CONTENT_LENGTH", None)
    max_form_memory_size = _ConfigLimit("MAX_FORM_MEMORY_SIZE", 500_000)
    max_form_parts = _ConfigLimit("MAX_FORM_PARTS", 1000)  # type: ignore[assignment]

    @property
    def endpoint(self) -> str | None:
        """The endpoint of the matched rule, or None if matching failed."""
        return self.url_rule.endpoint if self.url_rule is not None else None

    @property
    def blueprint(self) -> str | None:
        """The dotted name of the blueprint the endpoint belongs to, if any."""
        endpoint = self.endpoint
        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]
        return None

    @property
    def blueprints(self) -> list[str]:
        """The current blueprint and its parents, innermost first."""
        name = self.blueprint
        if name is None:
            return []
        parts = name.split(".")
        return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


class Response(_WerkzeugResponse):
    """The response object; HTML by default, cookie size limit from config."""

    default_mimetype: str | None = "text/html"
    json_module = json
    autocorrect_location_header = False

    @property
    def max_cookie_size(self) -> int:  # type: ignore[override]
        """The largest cookie that may be set, from ``MAX_COOKIE_SIZE``."""
        app_ctx = _cv_app.get(None)
        if app_ctx is None:
            return 4093
        return app_ctx.app.config["MAX_COOKIE_SIZE"]  # type: ignore[no-any-return]
