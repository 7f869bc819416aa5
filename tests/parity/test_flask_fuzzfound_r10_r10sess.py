"""Pin the session and JSON differences round 10's generators found.

Each case is the shrunk form of a discrepancy found between Flask 3.1 and
microflask by running the same app, customised as real apps customise their
sessions, on both (see ``flask_parity``); the answers must now be Flask's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import types
import typing as t

import pytest
from flask_parity import FRAMEWORKS, Scaffold, assert_same, get, make_app
from itsdangerous import BadSignature

_SESSION_STEPS = [get(path) for path in ("/set", "/get", "/perm", "/get", "/plain", "/get")]


class ReversedJSONSigner:
    """A signer with only ``dumps`` and ``loads``, as encrypting recipes have.

    Its payload is the JSON text reversed, so neither the session's payload
    peek nor its nested-change check can read it.
    """

    def __init__(self, key: str) -> None:
        self.key = key.encode()

    def _signature(self, payload: str) -> str:
        return hmac.new(self.key, payload.encode(), hashlib.sha256).hexdigest()

    def dumps(self, obj: t.Any) -> str:
        text = json.dumps(obj, sort_keys=True)[::-1]
        payload = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
        return f"{payload}.0.{self._signature(payload)}"

    def loads(self, value: str, max_age: int | None = None) -> t.Any:
        payload, _, signature = value.rpartition(".0.")
        if not hmac.compare_digest(signature, self._signature(payload)):
            raise BadSignature("signature does not match")
        text = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        return json.loads(text[::-1])


def _session_views(fw: types.ModuleType, app: Scaffold) -> Scaffold:
    @app.route("/set")
    def set_value() -> str:
        fw.session["user"] = ["ada", 1]
        return "set"

    @app.route("/get")
    def get_value() -> str:
        return repr(fw.session.get("user"))

    @app.route("/perm")
    def make_permanent() -> str:
        fw.session.permanent = True
        return "permanent"

    @app.route("/plain")
    def plain() -> str:
        return "no session read"

    return app


def custom_signing_serializer(fw: types.ModuleType) -> t.Any:
    class Interface(fw.sessions.SecureCookieSessionInterface):  # type: ignore[name-defined,misc]
        def get_signing_serializer(self, app: t.Any) -> t.Any:
            return ReversedJSONSigner(app.secret_key) if app.secret_key else None

    app: t.Any = make_app(fw)
    app.session_interface = Interface()
    return _session_views(fw, app)


def test_signing_serializer_with_only_dumps_and_loads_works() -> None:
    # microflask asked the signer for its secret_keys (500 on every request with
    # a cookie), then read the payload itself to check for nested changes and
    # for a permanent session to refresh; Flask only calls dumps and loads.
    assert_same(custom_signing_serializer, _SESSION_STEPS)


def own_open_session(fw: types.ModuleType) -> t.Any:
    class Interface(fw.sessions.SecureCookieSessionInterface):  # type: ignore[name-defined,misc]
        def open_session(self, app: t.Any, request: t.Any) -> t.Any:
            signer = self.get_signing_serializer(app)
            value = request.headers.get("X-Session") or request.cookies.get("session")
            if signer is None or not value:
                return self.session_class()
            try:
                return self.session_class(signer.loads(value))
            except BadSignature:
                return self.session_class()

    app: t.Any = make_app(fw)
    app.session_interface = Interface()
    return _session_views(fw, app)


def test_session_from_an_overridden_open_session_is_not_resent_when_read() -> None:
    # A session the interface did not load itself has no cookie to compare with:
    # microflask took every read of it for a change and sent the cookie again.
    assert_same(own_open_session, _SESSION_STEPS)


def session_id_in_a_signed_cookie(fw: types.ModuleType) -> t.Any:
    store: dict[str, dict[str, t.Any]] = {}

    class Interface(fw.sessions.SecureCookieSessionInterface):  # type: ignore[name-defined,misc]
        """Keeps the data server-side; the cookie holds a signed session id."""

        def open_session(self, app: t.Any, request: t.Any) -> t.Any:
            signer = self.get_signing_serializer(app)
            value = request.cookies.get(self.get_cookie_name(app))
            try:
                sid = signer.loads(value) if value else None
            except BadSignature:
                sid = None
            session = self.session_class(store.get(sid or "", {}))
            session.sid = sid or f"sid{len(store) + 1}"
            return session

        def save_session(self, app: t.Any, session: t.Any, response: t.Any) -> None:
            response.vary.add("Cookie")
            if self.should_set_cookie(app, session):
                store[session.sid] = dict(session)
                signed = self.get_signing_serializer(app).dumps(session.sid)
                expires = self.get_expiration_time(app, session)
                response.set_cookie("session", signed, expires=expires, samesite="Lax")

    app: t.Any = make_app(fw)
    app.session_interface = Interface()
    return _session_views(fw, app)


def test_permanent_session_saved_in_a_cookie_of_its_own_is_refreshed() -> None:
    # The refresh peek read the cookie an overridden save_session wrote as the
    # built-in format (here a signed id, with no "_permanent" in it), so /plain
    # refreshed nothing; Flask opens and saves the session on every request.
    assert_same(session_id_in_a_signed_cookie, _SESSION_STEPS)


@pytest.mark.parametrize("text", [b'[1, "\\u00e9"]', '{"a": [1]}'.encode("utf-16"), b'{"b": null}'])
def test_json_loads_takes_a_bytearray_as_json_loads_does(text: bytes) -> None:
    # A bytearray went on as text, and the surrogate check's `"\\u" in s` raised
    # TypeError; Flask (json.loads) decodes it as it decodes bytes.
    found = {}
    for name, fw in FRAMEWORKS.items():
        app = make_app(fw)
        with app.app_context():
            found[name] = (app.json.loads(bytearray(text)), fw.json.loads(bytearray(text)))
    assert found["microflask"] == found["flask"] == (json.loads(text),) * 2
