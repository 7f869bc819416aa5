"""Pin the session, flash and config differences randomized testing found.

Each case is the shrunk form of a discrepancy a Hypothesis generator found
between Flask 3.1 and microflask (same app, same requests, see
``flask_parity``); the answers must now be Flask's.
"""

from __future__ import annotations

import types
import typing as t

import pytest
from flask_parity import FRAMEWORKS, app_class, assert_same, get, make_app


def stored_flashes(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)

    @app.route("/store/<kind>")
    def store(kind: str) -> str:
        fw.session["_flashes"] = {"lists": [["error", "disk"]], "none": None}[kind]
        return "stored"

    @app.route("/read")
    def read() -> str:
        return repr(fw.get_flashed_messages(with_categories=True))

    return app


def test_flashes_with_categories_come_back_as_stored() -> None:
    # Flask returns the stored list itself: pairs stored as lists stay lists.
    requests = [get("/store/lists"), get("/read"), get("/store/none"), get("/read")]
    assert_same(stored_flashes, requests)


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_prefixed_env_nesting_into_a_non_dict_is_a_type_error(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fw = FRAMEWORKS[name]
    prefix = "FLASK" if name == "flask" else "MICROFLASK"
    monkeypatch.setenv(f"{prefix}_OUTER", "1")
    monkeypatch.setenv(f"{prefix}_OUTER__INNER__DEEP", "2")
    app = app_class(fw)(__name__)
    with pytest.raises(TypeError):
        app.config.from_prefixed_env()
    assert app.config["OUTER"] == 1
