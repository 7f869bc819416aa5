"""Signed-cookie sessions and the interface that lets an app swap them out.

The session is a dict that records how it was used: ``accessed`` on any
read (so the response gets ``Vary: Cookie``), ``modified`` on any write.
:class:`SecureCookieSessionInterface` stores it in a cookie signed with
HMAC-SHA-256 by itsdangerous, reads cookies signed with
``SECRET_KEY_FALLBACKS`` during key rotation, always signs with the current
``SECRET_KEY``, and saves changes made inside nested values too.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import typing as t
import zlib
from collections.abc import MutableMapping
from datetime import datetime, timezone

from werkzeug.datastructures import CallbackDict

if t.TYPE_CHECKING:
    from itsdangerous import URLSafeTimedSerializer

    from .app import Microflask
    from .json.tag import TaggedJSONSerializer as TaggedJSONSerializer  # served by __getattr__
    from .wrappers import Request, Response

__all__ = [
    "NullSession",
    "SecureCookieSession",
    "SecureCookieSessionInterface",
    "SessionInterface",
    "SessionMixin",
    "signing_keys",
]

_NO_SECRET_KEY = (
    "The session is unavailable because no secret key was set. Set"
    " app.secret_key (the SECRET_KEY config) to something unique and secret."
)


class SessionMixin(MutableMapping[str, t.Any]):
    """Session attributes added on top of a mapping."""

    #: True when no valid session cookie came with the request.
    new = False
    #: True when the session must be written back to the client.
    modified = True
    #: True when the session was read; the response then varies by cookie.
    accessed = False

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser (the ``_permanent`` key)."""
        return self.get("_permanent", False)  # type: ignore[no-any-return]

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)


class SecureCookieSession(CallbackDict[str, t.Any], SessionMixin):
    """A dict that notes writes, stored in a signed cookie.

    Reads are noted by the request context, which marks the session ``accessed``
    whenever the app reaches it.
    """

    modified = False

    def __init__(self, initial: t.Mapping[str, t.Any] | None = None) -> None:
        def on_update(self: SecureCookieSession) -> None:
            self.modified = self.accessed = True

        super().__init__(initial, on_update)
        self.new = initial is None
        #: The verified cookie the data came from, to detect changes in nested values.
        self.loaded_cookie: str | None = None


class NullSession(SecureCookieSession):
    """An empty, read-only session used when no secret key is set.

    :raises RuntimeError: on any write, naming ``app.secret_key``.
    """

    def _fail(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise RuntimeError(_NO_SECRET_KEY)

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = __ior__ = _fail
    del _fail


class SessionInterface:
    """The pluggable session backend, set as ``app.session_interface``.

    Subclasses implement :meth:`open_session` and :meth:`save_session`; the
    other methods read the ``SESSION_COOKIE_*`` config.
    """

    #: The class :meth:`make_null_session` makes and :meth:`is_null_session` checks.
    null_session_class: type[NullSession] = NullSession
    #: Whether the backend pickles session data (extensions may check it).
    pickle_based = False

    def make_null_session(self, app: Microflask) -> NullSession:
        """Return the stand-in session used when :meth:`open_session` fails."""
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        """Return whether ``obj`` is a null session, which is never saved."""
        return isinstance(obj, self.null_session_class)

    def get_cookie_name(self, app: Microflask) -> str:
        """Return ``SESSION_COOKIE_NAME``."""
        return str(app.config["SESSION_COOKIE_NAME"])

    def get_cookie_domain(self, app: Microflask) -> str | None:
        """Return ``SESSION_COOKIE_DOMAIN``; None limits it to the exact host."""
        return t.cast("str | None", app.config["SESSION_COOKIE_DOMAIN"])

    def get_cookie_path(self, app: Microflask) -> str:
        """Return ``SESSION_COOKIE_PATH``, else ``APPLICATION_ROOT``, else "/"."""
        return str(app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"] or "/")

    def get_cookie_httponly(self, app: Microflask) -> bool:
        """Return ``SESSION_COOKIE_HTTPONLY``."""
        return bool(app.config["SESSION_COOKIE_HTTPONLY"])

    def get_cookie_secure(self, app: Microflask) -> bool:
        """Return ``SESSION_COOKIE_SECURE``."""
        return bool(app.config["SESSION_COOKIE_SECURE"])

    def get_cookie_samesite(self, app: Microflask) -> str | None:
        """Return ``SESSION_COOKIE_SAMESITE`` ("Lax", "Strict", "None" or None)."""
        return t.cast("str | None", app.config["SESSION_COOKIE_SAMESITE"])

    def get_cookie_partitioned(self, app: Microflask) -> bool:
        """Return ``SESSION_COOKIE_PARTITIONED``."""
        return bool(app.config["SESSION_COOKIE_PARTITIONED"])

    def get_expiration_time(self, app: Microflask, session: SessionMixin) -> datetime | None:
        """Return when a permanent session expires; None for a browser session."""
        if session.permanent:
            return datetime.now(timezone.utc) + app.permanent_session_lifetime
        return None

    def should_set_cookie(self, app: Microflask, session: SessionMixin) -> bool:
        """Return whether to send the cookie: modified, or permanent and refreshed."""
        return session.modified or (
            bool(session.permanent) and bool(app.config["SESSION_REFRESH_EACH_REQUEST"])
        )

    def open_session(self, app: Microflask, request: Request) -> SessionMixin | None:
        """Load the session for ``request``; None means use a null session."""
        raise NotImplementedError

    def save_session(self, app: Microflask, session: SessionMixin, response: Response) -> None:
        """Write ``session`` to ``response``; not called for null sessions."""
        raise NotImplementedError


def signing_keys(app: Microflask) -> list[bytes]:
    """Return the app's secret keys as bytes, the signing key last.

    :raises RuntimeError: if no secret key is set.
    :raises TypeError: if ``SECRET_KEY_FALLBACKS`` is not a list of keys.
    """
    if not app.secret_key:
        raise RuntimeError(_NO_SECRET_KEY)
    fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or []
    if isinstance(fallbacks, (str, bytes)) or not all(
        isinstance(key, (str, bytes, bytearray)) for key in fallbacks
    ):
        raise TypeError(
            f"SECRET_KEY_FALLBACKS must be a list of keys, got {fallbacks!r};"
            " write ['old-key'], not 'old-key'."
        )
    keys = [key.encode() if isinstance(key, str) else key for key in [*fallbacks, app.secret_key]]
    # As bytes: itsdangerous takes one bytearray given alone for a list of keys.
    return [bytes(key) if isinstance(key, bytearray) else key for key in keys]


def _payload_text(cookie: str, limit: int = 0) -> str | None:
    """Return the JSON text inside a signed cookie, its signature unchecked.

    With a *limit* (0: none), a compressed payload (a forged one may be a zlib bomb) that
    inflates past it gives None.

    :raises ValueError: if the payload is not base64 of UTF-8 text.
    :raises zlib.error: if a payload marked compressed is not zlib data.
    """
    payload = cookie.rsplit(".", 2)[0]
    compressed = payload.startswith(".")
    payload = payload[1:] if compressed else payload
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if compressed:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(raw, limit)
        if inflater.unconsumed_tail:
            return None
    return raw.decode()


def _cookie_value(request: Request, name: str) -> str | None:
    """Return the first cookie called *name*, as ``request.cookies.get`` would.

    Without quoted values a cookie header is ``;``-separated ``key=value`` parts, so
    one cookie is found without parsing the others into a dict.
    """
    header: str = request.environ.get("HTTP_COOKIE", "")
    if name not in header:
        return None
    # Werkzeug never reads a key with a space or tab in it: leave such names to it too.
    if '"' in header or "cookies" in request.__dict__ or " " in name or "\t" in name:
        return request.cookies.get(name)
    for part in header.split(";"):
        key, _, value = part.partition("=")
        if key.strip(" \t") == name:
            value = value.strip(" \t")
            if " " not in value and "\t" not in value:  # else Werkzeug skips the part
                return value
    return None


class _DefaultSerializer:
    """The default ``serializer``, made (loading the JSON tags) on first use."""

    def __get__(self, obj: object, owner: type | None = None) -> TaggedJSONSerializer:
        from .json.tag import TaggedJSONSerializer

        # Replaces itself on the class, so later reads are plain attribute reads.
        SecureCookieSessionInterface.serializer = TaggedJSONSerializer()
        return SecureCookieSessionInterface.serializer


class SecureCookieSessionInterface(SessionInterface):
    """Store the session in a cookie signed with HMAC-SHA-256."""

    #: Mixed into the key so session signatures differ from other signatures.
    salt = "cookie-session"
    digest_method: t.Callable[[bytes], t.Any] = staticmethod(hashlib.sha256)
    key_derivation = "hmac"
    serializer: TaggedJSONSerializer = _DefaultSerializer()  # type: ignore[assignment]
    session_class = SecureCookieSession

    def may_need_refresh(self, app: Microflask, request: Request) -> bool:
        """Return whether an untouched session's cookie may need refreshing.

        An unverified peek: the cookie is opened (and verified) only if its payload claims
        ``_permanent``, so a request that never reads the session skips the HMAC and JSON
        work. A forged claim costs the attacker nothing and gains nothing.
        """
        own, kind = SecureCookieSessionInterface, type(self)
        if (
            self.serializer is not own.serializer
            or kind.get_signing_serializer is not own.get_signing_serializer
            or kind.save_session is not own.save_session
        ):
            return True  # a cookie format of its own, which the peek cannot read
        value = _cookie_value(request, self.get_cookie_name(app))
        if not value:
            return False
        try:  # any value may be set, 1 as well as true: a false one costs a verify
            text = _payload_text(value, limit=65_536)
        except (ValueError, zlib.error):  # not base64, not zlib, not UTF-8
            return False
        # Inflating past the limit: verify it properly; a forged one fails before inflating.
        return text is None or '"_permanent"' in text

    def get_signing_serializer(self, app: Microflask) -> URLSafeTimedSerializer | None:
        """Return the cookie serializer, or None when no secret key is set."""
        secret = app.secret_key
        if not secret:
            return None
        signers: dict[tuple[t.Any, ...], URLSafeTimedSerializer]
        signers = self.__dict__.setdefault("_signers", {})
        # Keyed by the keys as configured (no encoding or checks per request) and by
        # this object's signing settings, which may change at any time, as in Flask.
        settings = (self.salt, self.serializer, self.key_derivation, self.digest_method)
        cache_key = (*settings, secret, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        try:
            return signers[cache_key]
        except (KeyError, TypeError):  # TypeError: unhashable, which signing_keys explains
            pass
        from ._cookie_serializer import CookieSerializer

        signer = CookieSerializer(
            signing_keys(app),
            self.salt,
            self.serializer,
            key_derivation=self.key_derivation,
            digest_method=self.digest_method,
        )
        if len(signers) > 32:  # keys rotated many times: start afresh
            signers.clear()
        with contextlib.suppress(TypeError):  # a bytearray key: not kept, made per request
            signers[cache_key] = signer
        return signer

    def open_session(self, app: Microflask, request: Request) -> SecureCookieSession | None:
        """Load the cookie; a bad or expired one gives an empty session."""
        signer = self.get_signing_serializer(app)
        if signer is None:
            return None
        value = _cookie_value(request, self.get_cookie_name(app))
        if not value:
            return self.session_class()
        from itsdangerous import BadData  # loaded with the signer, not with microflask

        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = signer.loads(value, max_age=max_age)
        except BadData as e:
            app.logger.debug("Ignored the session cookie: %s: %s", type(e).__name__, e)
            return self.session_class()
        if not isinstance(data, dict):
            app.logger.debug("Ignored the session cookie: it holds a %s", type(data).__name__)
            return self.session_class()
        session = self.session_class(data)
        from ._cookie_serializer import CookieSerializer

        if not isinstance(signer, CookieSerializer):
            return session  # another signer's format: read it as Flask does
        session.loaded_cookie = value
        # A cookie still signed with a fallback key is re-signed now, so the
        # old key can be retired without waiting for the session to change.
        if len(signer.secret_keys) > 1:
            current = signer.signer(signer.secret_key, salt=signer.salt, **signer.signer_kwargs)
            if not current.validate(value):
                session.modified = True
        return session

    def save_session(self, app: Microflask, session: SessionMixin, response: Response) -> None:
        """Set, refresh or delete the cookie, adding ``Vary: Cookie`` if read."""
        accessed = session.accessed  # read first: copying the data marks it
        if accessed:
            response.vary.add("Cookie")
        data = dict(session)
        name = self.get_cookie_name(app)
        cookie: dict[str, t.Any] = {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "httponly": self.get_cookie_httponly(app),
            "samesite": self.get_cookie_samesite(app),
            "partitioned": self.get_cookie_partitioned(app),
        }
        if not data:
            if session.modified:
                response.delete_cookie(name, **cookie)
                response.vary.add("Cookie")  # a second add changes nothing
            return
        if accessed and not session.modified and "modified" not in getattr(session, "__dict__", ()):
            # Changed inside a nested value? Unless the app said ``modified = False``.
            # Only a cookie this interface signed and loaded can be compared.
            loaded = getattr(session, "loaded_cookie", None)
            if loaded is not None:
                session.modified = self.serializer.dumps(data) != _payload_text(loaded)
        if not self.should_set_cookie(app, session):
            return
        signer = self.get_signing_serializer(app)
        if signer is None:
            raise RuntimeError(_NO_SECRET_KEY)
        expires = self.get_expiration_time(app, session)
        response.set_cookie(name, signer.dumps(data), expires=expires, **cookie)
        if not accessed:  # each vary.add re-parses the header; once is enough
            response.vary.add("Cookie")


def __getattr__(name: str) -> t.Any:
    """Return ``session_json_serializer`` or its class, loaded on first use."""
    if name == "session_json_serializer":
        return SecureCookieSessionInterface.serializer
    if name == "TaggedJSONSerializer":  # Flask's module has it, and code imports it from there
        from .json.tag import TaggedJSONSerializer

        return TaggedJSONSerializer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
