"""Contexts never leak between threads sharing one app.

Eight threads send 500 requests each, every one carrying a unique token. The view
checks that ``request``, ``g`` and ``session`` all hold that request's own values —
and that the session still holds the token of the same thread's previous request —
while the thread switch interval is cut down so threads interleave inside the view.
"""

from __future__ import annotations

import sys
import threading
import typing as t

import pytest

from microflask import Microflask, g, jsonify, request, session

pytestmark = pytest.mark.reliability

THREADS = 8
REQUESTS_PER_THREAD = 500


def _make_app() -> Microflask:
    app = Microflask("reliability_threads")
    app.config.update(TESTING=True, SECRET_KEY="isolation")

    @app.before_request
    def remember_token() -> None:
        if "token" in g:
            raise AssertionError(f"g already holds {g.token!r}")
        g.token = request.args["token"]

    @app.route("/")
    def check() -> t.Any:
        token = request.args["token"]
        previous = session.get("token", "")
        session["token"] = token
        return jsonify(
            request=request.args["token"],
            g=g.token,
            session=session["token"],
            previous=previous,
            expected_previous=request.args["previous"],
        )

    return app


def _run_thread(
    app: Microflask, name: int, start: threading.Barrier, errors: list[str], counts: list[int]
) -> None:
    client = app.test_client()
    previous = ""
    start.wait()
    for number in range(REQUESTS_PER_THREAD):
        token = f"thread{name}-request{number}"
        response = client.get("/", query_string={"token": token, "previous": previous})
        seen = response.get_json()
        expected = {
            "request": token,
            "g": token,
            "session": token,
            "previous": previous,
            "expected_previous": previous,
        }
        if response.status_code != 200 or seen != expected:
            errors.append(f"{token}: {response.status} {seen!r}")
            return
        previous = token
        counts[name] += 1


def test_contexts_never_leak_between_threads() -> None:
    app = _make_app()
    errors: list[str] = []
    counts = [0] * THREADS
    start = threading.Barrier(THREADS)
    threads = [
        threading.Thread(target=_run_thread, args=(app, n, start, errors, counts))
        for n in range(THREADS)
    ]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)  # switch threads often, mid-request
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[:5]
    assert counts == [REQUESTS_PER_THREAD] * THREADS
    assert sum(counts) == 4000
