"""Compare with Flask 3.1 the cases the routing and hooks fuzzing found.

Each case is the smallest app and request sequence that once answered
differently from Flask; the generator lives outside the repository.
"""

from __future__ import annotations

import types
import typing as t

from flask_parity import assert_same, get, make_app


def lists_stored_into_hook_registries(fw: types.ModuleType) -> t.Any:
    """Hooks appended to a list the app stored: Flask keeps that list, so they run."""
    app: t.Any = make_app(fw)  # its registries are assigned to, as an extension may
    log: list[str] = []
    bp = fw.Blueprint("bp", __name__)
    bp.add_url_rule("/b", "b", lambda: "b")
    app.register_blueprint(bp)
    before: list[t.Callable[[], None]] = []
    app.before_request_funcs["bp"] = before
    after: list[t.Callable[[t.Any], t.Any]] = []
    app.after_request_funcs = {None: after}

    def record_after(response: t.Any) -> t.Any:
        log.append("after")
        return response

    def add() -> str:
        before.append(lambda: log.append("before"))
        after.append(record_after)
        return "added"

    def show_log() -> str:
        text = " ".join(log)
        log.clear()
        return text

    app.add_url_rule("/add", "add", add)
    app.add_url_rule("/log", "log", show_log)
    return app


def test_hooks_added_to_a_stored_list_run_as_in_flask() -> None:
    requests = [get("/b"), get("/log"), get("/add"), get("/log"), get("/b"), get("/log")]
    assert_same(lists_stored_into_hook_registries, requests)
