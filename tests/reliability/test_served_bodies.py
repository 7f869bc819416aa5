"""Request bodies the WSGI server ends itself (chunked), sent over a socket to gunicorn.

gunicorn decodes the chunked encoding and sets ``wsgi.input_terminated``; its errors
for a malformed encoding are neither ``OSError`` nor ``ValueError``, and Werkzeug's
stream stops a longer body at ``MAX_CONTENT_LENGTH`` without a word. Each must be a
clear 4xx, never a 500 or a body cut short.
"""

from __future__ import annotations

import socket

import pytest

from microflask import Microflask, request

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

LIMIT = 16


@pytest.fixture
def app() -> Microflask:
    app = Microflask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = LIMIT

    @app.post("/data")
    def data() -> bytes:
        return request.get_data()

    @app.post("/form")
    def form() -> str:
        return repr(sorted(request.form.items()))

    return app


def _chunked(path: str, body: bytes, content_type: str = "text/plain") -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    return head.encode() + body


def _send(live_server: str, raw: bytes) -> tuple[int, bytes]:
    port = int(live_server.rpartition(":")[2])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _chunks(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


FORM = "application/x-www-form-urlencoded"


def test_chunked_bodies_over_the_wire(live_server: str) -> None:
    # A well-formed body within the limit, read whole.
    assert _send(live_server, _chunked("/data", _chunks(b"hello ", b"world"))) == (
        200,
        b"hello world",
    )
    status, body = _send(live_server, _chunked("/form", _chunks(b"a=1&", b"b=2"), FORM))
    assert (status, body) == (200, b"[('a', '1'), ('b', '2')]")
    # Exactly at the limit is still whole; one byte more is a 413, never a cut body.
    at_limit = b"x" * LIMIT
    assert _send(live_server, _chunked("/data", _chunks(at_limit))) == (200, at_limit)
    for path, content_type in (("/data", "text/plain"), ("/form", FORM)):
        raw = _chunked(path, _chunks(b"a=1&b=2&", b"c=3&d=4&e"), content_type)
        status, body = _send(live_server, raw)
        assert status == 413, body
    # A malformed encoding: a bad chunk size, a chunk without its line end.
    for malformed in (b"zz\r\n", b"2\r\nabXX0\r\n\r\n"):
        status, body = _send(live_server, _chunked("/data", malformed))
        assert status == 400, body
        assert b"The request body is malformed" in body
