"""Cases found by serving the examples under gunicorn and attacking them.

Where Flask has no such feature (the OpenAPI routes), the rule is that a
request never gets a 500 for microflask's own bookkeeping.
"""

from __future__ import annotations

import threading
import time
import typing as t

import pytest

import microflask.openapi
from microflask import Microflask


def test_first_requests_in_threads_register_the_openapi_routes_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # examples/api under gunicorn's gthread worker: the first requests, in
    # parallel, each added the routes, and all but one failed with "View function
    # mapping is overwriting an existing endpoint" (a bare 500 from the server).
    folder = microflask.openapi._swagger_ui_folder

    def slow_folder() -> t.Any:
        time.sleep(0.05)  # widen the window between the check and the add
        return folder()

    monkeypatch.setattr(microflask.openapi, "_swagger_ui_folder", slow_folder)
    app = Microflask(__name__)
    app.config.update(OPENAPI_URL="/openapi.json", OPENAPI_DOCS_URL="/docs")
    app.get("/ping")(lambda: "pong")
    start = threading.Barrier(4)
    answers: list[int | str] = []

    def get() -> None:
        start.wait()
        try:
            answers.append(app.test_client().get("/ping").status_code)
        except Exception as e:  # the failure under test
            answers.append(repr(e))

    threads = [threading.Thread(target=get) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 4
    assert app.test_client().get("/openapi.json").status_code == 200
