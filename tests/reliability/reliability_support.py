"""Helpers shared by the reliability tests: raw WSGI requests through the test client."""

from __future__ import annotations

import io
import typing as t

from werkzeug.wrappers import Request as RawRequest

from microflask.testing import EnvironBuilder, MicroflaskClient

if t.TYPE_CHECKING:
    from werkzeug.test import TestResponse


def send_raw(
    client: MicroflaskClient,
    method: str = "GET",
    path: bytes = b"/",
    query: bytes = b"",
    headers: t.Mapping[str, str] | None = None,
    body: bytes = b"",
    content_type: str | None = None,
    content_length: str | None = None,
) -> TestResponse:
    """Send a request built at the WSGI level, bytes as a server would pass them on.

    The test client's own builder quotes and normalises what it is given; this puts
    *path* and *query* into the environ untouched (latin-1 decoded, per PEP 3333) and
    lets *content_length* disagree with *body*.
    """
    environ = EnvironBuilder(client.application, "/").get_environ()
    environ.update(
        REQUEST_METHOD=method,
        PATH_INFO=path.decode("latin-1"),
        QUERY_STRING=query.decode("latin-1"),
        CONTENT_LENGTH=str(len(body)) if content_length is None else content_length,
    )
    environ["wsgi.input"] = io.BytesIO(body)
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        else:
            environ[f"HTTP_{key}"] = value
    return client.open(RawRequest(environ))
