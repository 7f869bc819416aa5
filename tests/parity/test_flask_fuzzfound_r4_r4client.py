"""Pin the test client, cookie and session differences round 4 found.

Each case is the shrunk form of a discrepancy found between Flask 3.1 and
microflask (same app, same client calls); the answers must now be Flask's.
"""

from __future__ import annotations

import types

import pytest
from flask_parity import FRAMEWORKS, make_app


def _session_read_back(fw: types.ModuleType, cookie_name: str) -> bytes:
    """Set a session value, send its cookie back by hand, return what is read."""
    app = make_app(fw)
    app.config["SESSION_COOKIE_NAME"] = cookie_name

    @app.route("/set")
    def set_value() -> str:
        fw.session["n"] = 1
        return "set"

    @app.route("/get")
    def get_value() -> str:
        return repr(dict(fw.session))

    # The test client cannot store a cookie with such a name.
    client = app.test_client(use_cookies=False)
    cookie = client.get("/set").headers["Set-Cookie"].partition(";")[0]
    assert cookie.startswith(f"{cookie_name}=")
    body: bytes = client.get("/get", headers={"Cookie": cookie}).get_data()
    return body


@pytest.mark.parametrize("name", ["my session", "my\tsession"])
def test_session_cookie_name_with_a_space_is_never_read_back(name: str) -> None:
    """Werkzeug reads no cookie whose name holds a space or tab; nor does the session."""
    read = {fw_name: _session_read_back(fw, name) for fw_name, fw in FRAMEWORKS.items()}
    assert read["microflask"] == read["flask"] == b"{}"
