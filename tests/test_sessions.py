"""Tests for the signed-cookie session, its interface and the test client's session."""

from __future__ import annotations

import hashlib
import logging
import time
import typing as t
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from markupsafe import Markup
from werkzeug.http import parse_date

from microflask import Microflask, session
from microflask.json.tag import TaggedJSONSerializer
from microflask.sessions import (
    NullSession,
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionInterface,
    SessionMixin,
)
from microflask.testing import MicroflaskClient
from microflask.wrappers import Request, Response

KEY = "current secret key"
OLD_KEY = "retired secret key"


@pytest.fixture(autouse=True)
def session_views(app: Microflask) -> None:
    """Add views that set and read the session to the shared app."""
    app.config["SECRET_KEY"] = KEY

    @app.post("/set/<key>/<value>")
    def set_value(key: str, value: str) -> str:
        session[key] = value
        return "set"

    @app.get("/get/<key>")
    def get_value(key: str) -> str:
        return repr(session.get(key))

    @app.get("/untouched")
    def untouched() -> str:
        return "no session here"


def _set_cookie(response: t.Any, name: str = "session") -> dict[str, str] | None:
    """Return the Set-Cookie header for ``name`` as a dict, or None.

    Flags such as HttpOnly map to "", the cookie's value to "value".
    """
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = header.split("; ")
        key, _, value = first.partition("=")
        if key == name:
            parsed = {"value": value}
            for attribute in attributes:
                attr_name, _, attr_value = attribute.partition("=")
                parsed[attr_name.lower()] = attr_value
            return parsed
    return None


def _serializer(key: str | list[str] = KEY, **kw: t.Any) -> URLSafeTimedSerializer:
    """Return an independent serializer with the documented cookie settings."""
    kw.setdefault("serializer", TaggedJSONSerializer())
    return URLSafeTimedSerializer(
        key,
        salt="cookie-session",
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256},
        **kw,
    )


def _session_cookie(client: MicroflaskClient, name: str = "session") -> str | None:
    cookie = client.get_cookie(name)
    return None if cookie is None else cookie.value


# --- round trip and cookie format -------------------------------------------


def test_value_set_in_one_request_is_read_in_the_next(client: MicroflaskClient) -> None:
    client.post("/set/user/ada")
    assert client.get("/get/user").text == "'ada'"


def test_cookie_is_hmac_sha256_signed_with_the_cookie_session_salt(
    client: MicroflaskClient,
) -> None:
    client.post("/set/user/ada")
    value = _session_cookie(client)
    assert value is not None
    assert _serializer().loads(value) == {"user": "ada"}


def test_cookie_signed_with_sha1_is_rejected(client: MicroflaskClient) -> None:
    sha1 = URLSafeTimedSerializer(KEY, salt="cookie-session", serializer=TaggedJSONSerializer())
    client.set_cookie("session", sha1.dumps({"user": "mallory"}))
    assert client.get("/get/user").text == "None"


def test_session_round_trips_tagged_types(app: Microflask) -> None:
    stored = {
        "tuple": (1, 2),
        "bytes": b"\x00\xff",
        "markup": Markup("<b>x</b>"),
        "uuid": uuid.UUID(int=7),
        "when": datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc),
        "tag_like": {" t": "not a tuple"},
    }

    @app.post("/store")
    def store() -> str:
        session.update(stored)
        return ""

    @app.get("/load")
    def load() -> str:
        same = all(
            type(session[key]) is type(value) and session[key] == value
            for key, value in stored.items()
        )
        return "same" if same and len(session) == len(stored) else repr(dict(session))

    client = app.test_client()
    client.post("/store")
    assert client.get("/load").text == "same"


def test_cookie_defaults_are_httponly_lax_root_path_and_browser_session(
    client: MicroflaskClient,
) -> None:
    cookie = _set_cookie(client.post("/set/a/b"))
    assert cookie is not None
    assert "httponly" in cookie
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert "secure" not in cookie
    assert "domain" not in cookie
    assert "expires" not in cookie
    assert "partitioned" not in cookie


def test_cookie_attributes_come_from_config(app: Microflask) -> None:
    app.config.update(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PARTITIONED=True,
    )
    cookie = _set_cookie(app.test_client().post("/set/a/b"), "sid")
    assert cookie is not None
    assert cookie["domain"] == "example.com"
    assert cookie["path"] == "/app"
    assert "httponly" not in cookie
    assert "secure" in cookie
    assert cookie["samesite"] == "Strict"
    assert "partitioned" in cookie


def test_cookie_path_falls_back_to_application_root(app: Microflask) -> None:
    app.config["APPLICATION_ROOT"] = "/prefix"
    cookie = _set_cookie(app.test_client().post("/set/a/b"))
    assert cookie is not None
    assert cookie["path"] == "/prefix"


# --- what is opened, saved and varied ----------------------------------------


class _CountingInterface(SecureCookieSessionInterface):
    """Records each time a session is opened."""

    def __init__(self) -> None:
        self.opened = 0

    def open_session(self, app: Microflask, request: Request) -> SecureCookieSession | None:
        self.opened += 1
        return super().open_session(app, request)


@pytest.mark.parametrize("refresh", [False, True])
def test_untouched_browser_session_is_not_opened(app: Microflask, refresh: bool) -> None:
    """With refresh on, only a cookie that claims ``_permanent`` is opened (to refresh it)."""
    app.config["SESSION_REFRESH_EACH_REQUEST"] = refresh
    app.session_interface = interface = _CountingInterface()
    client = app.test_client()
    client.post("/set/a/b")
    interface.opened = 0
    response = client.get("/untouched")
    assert interface.opened == 0
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.vary


def test_large_permanent_session_is_refreshed_when_untouched(app: Microflask) -> None:
    """A big payload is zlib-compressed in the cookie; the peek must still see it."""

    @app.post("/big")
    def big() -> str:
        session.permanent = True
        session["blob"] = "x" * 2000
        return ""

    client = app.test_client()
    first = _set_cookie(client.post("/big"))
    assert first is not None and first["value"].startswith(".")
    assert _set_cookie(client.get("/untouched")) is not None


def test_compressed_cookie_is_not_inflated_without_bound(app: Microflask) -> None:
    """A forged zlib bomb is inflated only up to a limit before the signature check."""
    import base64
    import zlib

    bomb = zlib.compress(b'"' + b"a" * 2_000_000 + b'"', 9)  # 2 MB in about 2 KB
    assert len(bomb) < 2_500
    payload = "." + base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    cookie = f"{payload}.AAAAAA.forged"
    from microflask.sessions import _payload_text

    assert _payload_text(cookie, limit=65_536) is None
    client = app.test_client()
    client.set_cookie("session", cookie)
    response = client.get("/untouched")
    assert response.status_code == 200
    assert _set_cookie(response) is None


def test_large_compressed_permanent_session_still_refreshes(app: Microflask) -> None:
    @app.post("/huge")
    def huge() -> str:
        session.permanent = True
        session["blob"] = "y" * 200_000  # compresses to a few hundred bytes
        return ""

    client = app.test_client()
    assert _set_cookie(client.post("/huge")) is not None
    assert _set_cookie(client.get("/untouched")) is not None


def test_forged_permanent_claim_is_verified_and_ignored(app: Microflask) -> None:
    import base64

    payload = base64.urlsafe_b64encode(b'{"_permanent":true}').decode().rstrip("=")
    client = app.test_client()
    client.set_cookie("session", f"{payload}.AAAAAA.forged")
    response = client.get("/untouched")
    assert response.status_code == 200
    assert _set_cookie(response) is None


def test_untouched_browser_session_sends_no_cookie_and_no_vary(
    client: MicroflaskClient,
) -> None:
    client.post("/set/a/b")
    response = client.get("/untouched")
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.vary


def test_reading_does_not_resend_the_cookie(client: MicroflaskClient) -> None:
    client.post("/set/a/b")
    response = client.get("/get/a")
    assert response.text == "'b'"
    assert "Set-Cookie" not in response.headers
    assert "Cookie" in response.vary


READS: dict[str, t.Callable[[SessionMixin], object]] = {
    "in": lambda s: "a" in s,
    "len": len,
    "iter": lambda s: list(iter(s)),
    "get": lambda s: s.get("a"),
    "getitem": lambda s: s["a"],
    "bool": bool,
    "keys": lambda s: list(s.keys()),
    "items": lambda s: list(s.items()),
    "values": lambda s: list(s.values()),
    "dict": lambda s: dict(s),
    "permanent": lambda s: s.permanent,
}


@pytest.mark.parametrize("read", READS.values(), ids=READS.keys())
def test_any_read_adds_vary_cookie(
    app: Microflask, read: t.Callable[[SessionMixin], object]
) -> None:
    """Covers CVE-2026-27205: ``in``, ``len`` and iteration vary the response too."""

    @app.get("/read")
    def read_view() -> str:
        read(session)
        return "read"

    client = app.test_client()
    client.post("/set/a/b")
    response = client.get("/read")
    assert "Cookie" in response.vary
    assert "Set-Cookie" not in response.headers


def test_touching_the_session_proxy_adds_vary_cookie(app: Microflask) -> None:
    """Reading even ``session.new`` through the proxy may shape the page: vary on it."""

    @app.get("/new")
    def new_view() -> str:
        return str(session.new)

    client = app.test_client()
    client.post("/set/a/b")
    response = client.get("/new")
    assert "Cookie" in response.vary
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("read", READS.values(), ids=READS.keys())
def test_reading_the_session_object_marks_nothing(
    read: t.Callable[[SessionMixin], object],
) -> None:
    """As in Flask: the request context marks reads, when the app reaches the session."""
    s = SecureCookieSession({"a": 1})
    read(s)
    assert not s.accessed
    assert not s.modified


WRITES: dict[str, t.Callable[[SessionMixin], object]] = {
    "setitem": lambda s: s.__setitem__("b", 2),
    "delitem": lambda s: s.__delitem__("a"),
    "pop": lambda s: s.pop("a"),
    "popitem": lambda s: s.popitem(),
    "update": lambda s: s.update(b=2),
    "setdefault": lambda s: s.setdefault("b", 2),
    "clear": lambda s: s.clear(),
    "ior": lambda s: t.cast("dict[str, t.Any]", s).__ior__({"b": 2}),
    "permanent": lambda s: setattr(s, "permanent", True),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_any_write_marks_modified(write: t.Callable[[SessionMixin], object]) -> None:
    s = SecureCookieSession({"a": 1})
    write(s)
    assert s.modified
    assert s.accessed


def test_new_is_true_only_without_a_loaded_cookie() -> None:
    assert SecureCookieSession().new
    assert not SecureCookieSession({"a": 1}).new


def test_set_cookie_always_comes_with_vary_cookie(app: Microflask) -> None:
    """Covers CVE-2023-30861: a refreshed permanent cookie must not be cached."""
    s = SecureCookieSession({"_permanent": True, "user": "ada"})
    response = Response()
    with app.app_context():
        app.session_interface.save_session(app, s, response)
    assert _set_cookie(response) is not None
    assert "Cookie" in response.vary


def test_nested_mutation_is_saved_without_setting_modified(app: Microflask) -> None:
    @app.post("/cart/<item>")
    def add(item: str) -> str:
        session["cart"].append(item)
        session["prefs"]["last"] = item
        return repr([session.modified, session["cart"], session["prefs"]])

    client = app.test_client()
    with client.session_transaction() as sess:
        sess.update(cart=[], prefs={})
    assert client.post("/cart/apple").text == "[False, ['apple'], {'last': 'apple'}]"
    response = client.post("/cart/pear")
    assert _set_cookie(response) is not None
    assert "Cookie" in response.vary
    assert client.post("/cart/plum").text == (
        "[False, ['apple', 'pear', 'plum'], {'last': 'plum'}]"
    )


def test_setdefault_on_present_key_and_pop_of_missing_key_are_not_writes() -> None:
    s = SecureCookieSession({"a": 1})
    assert s.setdefault("a", 2) == 1
    assert s.pop("missing", None) is None
    assert not s.modified


def test_clearing_the_session_deletes_the_cookie(app: Microflask) -> None:
    @app.post("/logout")
    def logout() -> str:
        session.clear()
        return ""

    client = app.test_client()
    client.post("/set/user/ada")
    response = client.post("/logout")
    cookie = _set_cookie(response)
    assert cookie is not None
    assert cookie["value"] == ""
    assert cookie["max-age"] == "0"
    assert "Cookie" in response.vary
    assert _session_cookie(client) is None


def test_deleting_an_unread_session_cookie_adds_vary_cookie(app: Microflask) -> None:
    s = SecureCookieSession()
    s.modified = True  # marked for saving without a read, as a backend may do
    response = Response()
    with app.test_request_context():
        app.session_interface.save_session(app, s, response)
    assert not s.accessed
    assert response.headers["Set-Cookie"].startswith("session=;")
    assert response.headers.getlist("Vary") == ["Cookie"]


def test_popping_the_last_key_deletes_the_cookie(app: Microflask) -> None:
    @app.post("/pop/<key>")
    def pop(key: str) -> str:
        session.pop(key, None)
        return ""

    client = app.test_client()
    client.post("/set/user/ada")
    client.post("/pop/user")
    assert _session_cookie(client) is None


def test_empty_unmodified_session_sets_no_cookie(client: MicroflaskClient) -> None:
    response = client.get("/get/user")
    assert "Set-Cookie" not in response.headers
    assert "Cookie" in response.vary


# --- permanent sessions and expiry -------------------------------------------


@pytest.fixture
def permanent_app(app: Microflask) -> Microflask:
    @app.post("/login")
    def login() -> str:
        session.permanent = True
        session["user"] = "ada"
        return ""

    return app


@pytest.mark.parametrize("lifetime", [3600, timedelta(hours=1)])
def test_permanent_session_expires_after_the_lifetime(
    permanent_app: Microflask, lifetime: int | timedelta
) -> None:
    permanent_app.config["PERMANENT_SESSION_LIFETIME"] = lifetime
    response = permanent_app.test_client().post("/login")
    cookie = _set_cookie(response)
    assert cookie is not None
    expires = parse_date(cookie["expires"])
    assert expires is not None
    expected = datetime.now(timezone.utc) + timedelta(hours=1)
    assert abs((expires - expected).total_seconds()) < 5


@pytest.mark.parametrize("path", ["/get/user", "/untouched"], ids=["read", "untouched"])
def test_permanent_session_is_refreshed_with_vary(permanent_app: Microflask, path: str) -> None:
    """Covers CVE-2023-30861: the refreshed cookie must not be cached for others."""
    client = permanent_app.test_client()
    client.post("/login")
    response = client.get(path)
    assert _set_cookie(response) is not None
    assert "Cookie" in response.vary


def test_permanent_session_is_not_refreshed_when_disabled(
    permanent_app: Microflask,
) -> None:
    permanent_app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    client = permanent_app.test_client()
    client.post("/login")
    assert _set_cookie(client.get("/get/user")) is None


def test_browser_session_is_not_refreshed(client: MicroflaskClient) -> None:
    client.post("/set/user/ada")
    assert _set_cookie(client.get("/get/user")) is None


# --- rejected cookies ---------------------------------------------------------


class _RawText:
    """A payload serializer that signs text as is, for forging bad payloads."""

    def dumps(self, value: object) -> str:
        return str(value)

    def loads(self, value: str) -> str:
        return value


def _expired() -> str:
    class PastSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 32 * 24 * 3600

    return _serializer(signer=PastSigner).dumps({"user": "mallory"})


def _tampered_payload() -> str:
    """Return a real signature and timestamp under another session's payload."""
    signed = _serializer().dumps({"user": "ada"}).partition(".")[2]
    forged = _serializer().dumps({"user": "root"}).partition(".")[0]
    return f"{forged}.{signed}"


BAD_COOKIES: dict[str, t.Callable[[], str]] = {
    "tampered payload": _tampered_payload,
    "tampered signature": lambda: _serializer().dumps({"user": "ada"})[:-3] + "AAA",
    "truncated": lambda: _serializer().dumps({"user": "ada"})[:20],
    "not base64": lambda: "!!not*base64!!.@@@.###",
    "unsigned json": lambda: '{"user":"root"}',
    "other key": lambda: _serializer("some other key").dumps({"user": "mallory"}),
    "garbage json": lambda: _serializer(serializer=_RawText()).dumps("{not json"),
    "not a dict": lambda: _serializer().dumps(["user", "root"]),
    "expired": _expired,
    "non-ascii": lambda: "séssion.ünicode.välue",
}


@pytest.mark.parametrize("make_cookie", BAD_COOKIES.values(), ids=BAD_COOKIES.keys())
def test_bad_cookie_gives_an_empty_session_and_logs(
    app: Microflask,
    caplog: pytest.LogCaptureFixture,
    make_cookie: t.Callable[[], str],
) -> None:
    @app.get("/state")
    def state() -> str:
        return f"{dict(session)!r} new={session.new}"

    client = app.test_client()
    client.set_cookie("session", make_cookie())
    with caplog.at_level(logging.DEBUG, logger=app.logger.name):
        response = client.get("/state")
    assert response.status_code == 200
    assert response.text == "{} new=True"
    records = [r for r in caplog.records if r.name == app.logger.name]
    assert [r.levelno for r in records] == [logging.DEBUG]
    assert "session cookie" in records[0].getMessage()


# --- key rotation -------------------------------------------------------------


def test_fallback_key_cookie_is_read_and_resigned_with_the_current_key(
    app: Microflask,
) -> None:
    app.config["SECRET_KEY_FALLBACKS"] = [OLD_KEY]
    client = app.test_client()
    client.set_cookie("session", _serializer(OLD_KEY).dumps({"user": "ada"}))
    response = client.get("/get/user")
    assert response.text == "'ada'"
    cookie = _set_cookie(response)
    assert cookie is not None
    resigned = cookie["value"]
    assert _serializer(KEY).loads(resigned) == {"user": "ada"}
    with pytest.raises(Exception, match="Signature"):
        _serializer(OLD_KEY).loads(resigned)


def test_new_cookies_are_signed_with_the_current_key_not_a_fallback(
    app: Microflask,
) -> None:
    """Covers CVE-2025-47278, where the last fallback key signed new cookies."""
    app.config["SECRET_KEY_FALLBACKS"] = ["older key", OLD_KEY]
    client = app.test_client()
    client.post("/set/user/ada")
    value = _session_cookie(client)
    assert value is not None
    assert _serializer(KEY).loads(value) == {"user": "ada"}


def test_current_key_cookie_is_not_resigned_when_fallbacks_are_set(
    app: Microflask,
) -> None:
    app.config["SECRET_KEY_FALLBACKS"] = [OLD_KEY]
    client = app.test_client()
    client.post("/set/user/ada")
    assert _set_cookie(client.get("/get/user")) is None


def test_cookie_signed_with_an_unlisted_old_key_is_rejected(
    client: MicroflaskClient,
) -> None:
    client.set_cookie("session", _serializer(OLD_KEY).dumps({"user": "ada"}))
    assert client.get("/get/user").text == "None"


@pytest.mark.parametrize("fallbacks", [OLD_KEY, b"old", [OLD_KEY, 3]])
def test_fallbacks_that_are_not_a_list_of_keys_raise_type_error(
    app: Microflask, fallbacks: object
) -> None:
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks
    with pytest.raises(TypeError, match="SECRET_KEY_FALLBACKS must be a list"):
        app.test_client().post("/set/user/ada")


# --- no secret key ------------------------------------------------------------


def test_without_secret_key_reading_gives_an_empty_session(app: Microflask) -> None:
    app.secret_key = None

    @app.get("/read")
    def read() -> str:
        assert isinstance(session._get_current_object(), NullSession)  # type: ignore[attr-defined]
        return f"{'a' in session} {len(session)} {session.get('a')!r}"

    response = app.test_client().get("/read")
    assert response.text == "False 0 None"
    assert "Set-Cookie" not in response.headers


def test_without_secret_key_writing_raises_naming_secret_key(app: Microflask) -> None:
    app.secret_key = None
    with pytest.raises(RuntimeError, match=r"app\.secret_key"):
        app.test_client().post("/set/user/ada")


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_null_session_refuses_every_write(
    write: t.Callable[[SessionMixin], object],
) -> None:
    with pytest.raises(RuntimeError, match="no secret key"):
        write(NullSession())


# --- the interface ------------------------------------------------------------


class DictSession(dict[str, t.Any], SessionMixin):
    """A server-side session: the cookie holds only an id."""

    sid = ""


class ServerSideInterface(SessionInterface):
    """Keep session data in a dict keyed by a random id."""

    def __init__(self) -> None:
        self.store: dict[str, dict[str, t.Any]] = {}

    def open_session(self, app: Microflask, request: Request) -> DictSession:
        sid = request.cookies.get(self.get_cookie_name(app), "")
        s = DictSession(self.store.get(sid, {}))
        s.sid = sid if sid in self.store else uuid.uuid4().hex
        return s

    def save_session(self, app: Microflask, session: SessionMixin, response: Response) -> None:
        sid = t.cast(DictSession, session).sid
        self.store[sid] = dict(session)
        response.set_cookie(self.get_cookie_name(app), sid)


def test_custom_session_interface_is_used(app: Microflask) -> None:
    interface = ServerSideInterface()
    app.session_interface = interface
    client = app.test_client()
    client.post("/set/user/ada")
    sid = _session_cookie(client)
    assert sid is not None
    assert interface.store == {sid: {"user": "ada"}}
    assert client.get("/get/user").text == "'ada'"


def test_open_session_returning_none_gives_a_null_session(app: Microflask) -> None:
    class Unavailable(SecureCookieSessionInterface):
        def open_session(self, app: Microflask, request: Request) -> None:
            return None

    app.session_interface = Unavailable()
    assert app.test_client().get("/get/user").text == "None"
    with pytest.raises(RuntimeError):
        app.test_client().post("/set/user/ada")


def test_base_interface_requires_open_and_save(app: Microflask) -> None:
    interface = SessionInterface()
    with pytest.raises(NotImplementedError):
        interface.open_session(app, t.cast(Request, None))
    with pytest.raises(NotImplementedError):
        interface.save_session(app, SecureCookieSession(), Response())
    assert interface.is_null_session(interface.make_null_session(app))
    assert not interface.is_null_session(SecureCookieSession())
    assert interface.pickle_based is False


def test_saving_after_the_secret_key_was_removed_raises(app: Microflask) -> None:
    s = SecureCookieSession()
    s["user"] = "ada"
    app.secret_key = None
    with pytest.raises(RuntimeError, match=r"app\.secret_key"):
        app.session_interface.save_session(app, s, Response())


def test_signing_serializer_is_none_without_secret_key(app: Microflask) -> None:
    app.secret_key = None
    assert SecureCookieSessionInterface().get_signing_serializer(app) is None


# --- the test client's session_transaction ------------------------------------


def test_session_transaction_edits_are_seen_by_the_app(
    client: MicroflaskClient,
) -> None:
    with client.session_transaction() as sess:
        sess["user"] = "grace"
    assert client.get("/get/user").text == "'grace'"


def test_session_transaction_reads_what_the_app_stored(
    client: MicroflaskClient,
) -> None:
    client.post("/set/user/ada")
    with client.session_transaction() as sess:
        assert sess["user"] == "ada"
        sess["user"] = "grace"
    with client.session_transaction() as sess:
        assert dict(sess) == {"user": "grace"}


def test_session_transaction_is_not_saved_after_an_error(
    client: MicroflaskClient,
) -> None:
    client.post("/set/user/ada")
    with pytest.raises(ZeroDivisionError):
        with client.session_transaction() as sess:
            sess["user"] = "grace"
            1 / 0  # noqa: B018
    assert client.get("/get/user").text == "'ada'"


def test_session_transaction_without_secret_key_raises(app: Microflask) -> None:
    app.secret_key = None
    with pytest.raises(RuntimeError):
        with app.test_client().session_transaction():
            pass


# --- finding the session cookie in the Cookie header ------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("theme=dark; session={good}", "'ada'"),
        ("session={good}; session=forged", "'ada'"),  # the first one counts, as in Werkzeug
        ("session=forged; session={good}", "None"),
        ('note="a; session=forged; b"; session={good}', "'ada'"),  # ; inside quotes
        ("session = {good} ", "'ada'"),
        ("session=; session={good}", "None"),
        ("xsession=forged; session_x={good}", "None"),
    ],
)
def test_session_cookie_is_found_among_others_as_werkzeug_parses_them(
    app: Microflask, header: str, expected: str
) -> None:
    good = _serializer().dumps({"user": "ada"})
    environ = {"HTTP_COOKIE": header.format(good=good)}
    rv = app.test_client(use_cookies=False).get("/get/user", environ_base=environ)
    assert rv.text == expected


@pytest.mark.parametrize(
    ("stored", "refreshed"), [(True, True), (1, True), ("yes", True), (False, False), (0, False)]
)
def test_untouched_session_is_refreshed_when_permanent_is_any_true_value(
    app: Microflask, stored: object, refreshed: bool
) -> None:
    @app.post("/keep")
    def keep() -> str:
        session["_permanent"] = stored
        session["user"] = "ada"
        return repr(session.permanent)

    client = app.test_client()
    assert client.post("/keep").text == repr(stored)  # the stored value, as Flask returns it
    rv = client.get("/untouched")
    assert (_set_cookie(rv) is not None) is refreshed
    assert ("Cookie" in rv.headers.get("Vary", "")) is refreshed  # never read by the view


def test_session_cookie_is_read_through_a_custom_json_provider(app: Microflask) -> None:
    from microflask.json.provider import DefaultJSONProvider

    calls: list[bool] = []

    class Counting(DefaultJSONProvider):
        def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
            # As in Flask 3.1 the tags are undone after loads, with no object_hook
            # (which providers for other libraries may not take).
            calls.append("object_hook" in kwargs)
            return super().loads(s, **kwargs)

    app.json = Counting(app)
    client = app.test_client()
    client.post("/set/user/ada")
    assert client.get("/get/user").text == "'ada'"
    assert calls == [False]


def test_modified_set_false_by_the_app_is_not_saved(app: Microflask) -> None:
    @app.post("/undo")
    def undo() -> str:
        session["user"] = "mallory"
        session.modified = False  # the app takes the write back, as Flask allows
        return "undone"

    client = app.test_client()
    client.post("/set/user/ada")
    rv = client.post("/undo")
    assert _set_cookie(rv) is None
    assert client.get("/get/user").text == "'ada'"


def test_session_serializer_loads_with_the_first_session_not_on_import() -> None:
    """``import microflask`` leaves the JSON tags and the cookie serializer unloaded."""
    import subprocess
    import sys

    script = (
        "import sys, microflask\n"
        "lazy = ('microflask.json.tag', 'microflask._cookie_serializer')\n"
        "print(*(name in sys.modules for name in lazy))\n"
        "app = microflask.Microflask('lazy')\n"
        "app.secret_key = 'k'\n"
        "with app.test_request_context():\n"
        "    microflask.session['a'] = 1\n"
        "    app.session_interface.get_signing_serializer(app)\n"
        "print(*(name in sys.modules for name in lazy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.split("\n")[:2] == ["False False", "True True"]


def test_session_json_serializer_is_the_interfaces_serializer() -> None:
    from microflask import sessions

    assert sessions.session_json_serializer is SecureCookieSessionInterface.serializer
    assert isinstance(sessions.session_json_serializer, TaggedJSONSerializer)
    with pytest.raises(AttributeError, match="no_such_name"):
        sessions.no_such_name  # noqa: B018


def test_tagged_serializer_imports_from_sessions_to_read_a_cookie(app: Microflask) -> None:
    # Scripts that read a Flask session cookie import the class from the sessions module.
    from microflask.sessions import TaggedJSONSerializer as FromSessions

    assert FromSessions is TaggedJSONSerializer
    client = app.test_client()
    app.add_url_rule("/set", "set", lambda: session.update(when=uuid.UUID(int=7)) or "ok")
    client.get("/set")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert _serializer(serializer=FromSessions()).loads(cookie.value) == {"when": uuid.UUID(int=7)}


def test_cookie_serializer_signs_with_another_salt_as_itsdangerous_does(app: Microflask) -> None:
    signer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert signer is not None
    value = signer.dumps({"a": 1}, salt="other salt")
    assert _serializer().loads(value, salt="other salt") == {"a": 1}
    with pytest.raises(BadSignature):
        signer.loads(value)


def test_error_from_a_custom_serializer_is_not_taken_for_a_bad_cookie(app: Microflask) -> None:
    class Broken:
        def loads(self, value: str, max_age: int | None = None) -> t.Any:
            raise ZeroDivisionError("a bug in the serializer")

    class Interface(SecureCookieSessionInterface):
        def get_signing_serializer(self, app: Microflask) -> t.Any:
            return Broken()

    with app.test_request_context(headers={"Cookie": "session=abc"}) as ctx:
        with pytest.raises(ZeroDivisionError):
            Interface().open_session(app, ctx.request)


def test_interface_with_its_own_serializer_refreshes_without_peeking(app: Microflask) -> None:
    class Interface(SecureCookieSessionInterface):
        serializer = TaggedJSONSerializer()

    with app.test_request_context(headers={"Cookie": "session=not-a-session"}) as ctx:
        assert Interface().may_need_refresh(app, ctx.request)
        assert not SecureCookieSessionInterface().may_need_refresh(app, ctx.request)
