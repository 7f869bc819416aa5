"""Pin the session signer and the session cookie lookup to their libraries.

The cookie serializer reuses one signer, derives its keys once, signs with
``hmac.digest`` and skips zlib for small payloads; its output must be what
itsdangerous's ``URLSafeTimedSerializer`` configured as Flask configures it
gives, and each must read the other's. The session cookie is found in the
``Cookie`` header without parsing it whole; it must be what Werkzeug's
``parse_cookie`` finds, as must ``request.cookies``.
"""

from __future__ import annotations

import base64
import hashlib
import typing as t
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from markupsafe import Markup
from werkzeug.sansio.http import parse_cookie
from werkzeug.wrappers import Request as WerkzeugRequest

from microflask import Microflask
from microflask.sessions import SecureCookieSessionInterface, _cookie_value
from microflask.sessions import session_json_serializer as serializer
from microflask.wrappers import Request

NOW = 1_700_000_000

_keys = st.text(st.sampled_from("kéy 0"), min_size=1, max_size=6) | st.binary(
    min_size=1, max_size=6
)
_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
    st.binary(max_size=6),
    st.text("<&>a", max_size=4).map(Markup),
    st.just(uuid.UUID(int=7)),
    st.just(datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
)
_values = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text("ab_", max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)
# Repeated text makes payloads zlib can shrink, on both sides of the 128-byte line.
_payloads = st.dictionaries(
    st.text("abc_", max_size=4), _values | st.sampled_from(["x" * 60, "y" * 200]), max_size=4
)


@contextmanager
def _frozen_time() -> Iterator[None]:
    """Make every timestamp signer sign and check at ``NOW``."""
    with mock.patch.object(TimestampSigner, "get_timestamp", lambda self: NOW):
        yield


def _ours(secret: str | bytes, fallbacks: list[str | bytes]) -> URLSafeTimedSerializer:
    app = Microflask(__name__)
    app.config.update(SECRET_KEY=secret, SECRET_KEY_FALLBACKS=fallbacks)
    signer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert signer is not None
    return signer


def _theirs(secret: str | bytes, fallbacks: list[str | bytes]) -> URLSafeTimedSerializer:
    """Return the serializer Flask 3.1's session interface builds for these keys."""
    keys: list[t.Any] = [*fallbacks, secret]
    return URLSafeTimedSerializer(
        keys,
        salt="cookie-session",
        serializer=serializer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256},
    )


def _compressed_by_itsdangerous_only(payload: dict[str, t.Any]) -> bool:
    """Whether itsdangerous compresses a payload microflask sends uncompressed.

    Documented in ``CookieSerializer.dump_payload``: payloads of at most 128 bytes of JSON are
    never compressed (the same format; "." marks a compressed payload).
    """
    import zlib

    text = serializer.dumps(payload).encode()
    return len(text) <= 128 and len(zlib.compress(text)) < len(text) - 1


def _loads(signer: URLSafeTimedSerializer, value: str) -> object:
    try:
        return "ok", signer.loads(value, max_age=60)
    except BadData as e:
        return "bad", type(e).__name__


@settings(max_examples=70, deadline=None)
@given(
    payload=_payloads,
    secret=_keys,
    fallbacks=st.lists(_keys, max_size=2),
    old=st.booleans(),
)
def test_signer_dumps_and_loads_as_url_safe_timed_serializer(
    payload: dict[str, t.Any], secret: str | bytes, fallbacks: list[str | bytes], old: bool
) -> None:
    ours, theirs = _ours(secret, fallbacks), _theirs(secret, fallbacks)
    with _frozen_time():
        ours_value, theirs_value = ours.dumps(payload), theirs.dumps(payload)
        if not _compressed_by_itsdangerous_only(payload):
            assert ours_value == theirs_value
        assert (
            ours.loads(theirs_value)
            == theirs.loads(theirs_value)
            == serializer.loads(serializer.dumps(payload))
        )
        assert theirs.loads(ours_value) == ours.loads(ours_value)
        if old and fallbacks:  # a cookie signed with a fallback key is read by both
            signed_before = _theirs(fallbacks[0], []).dumps(payload)
            assert ours.loads(signed_before) == theirs.loads(signed_before)


@settings(max_examples=70, deadline=None)
@given(
    payload=_payloads,
    secret=_keys,
    position=st.integers(0, 10_000),
    replacement=st.sampled_from("A_-.0z"),
    max_age=st.sampled_from([None, 0, 60]),
    age=st.sampled_from([0, 30, 120]),
)
def test_signer_rejects_what_url_safe_timed_serializer_rejects(
    payload: dict[str, t.Any],
    secret: str | bytes,
    position: int,
    replacement: str,
    max_age: int | None,
    age: int,
) -> None:
    ours, theirs = _ours(secret, []), _theirs(secret, [])
    with mock.patch.object(TimestampSigner, "get_timestamp", lambda self: NOW - age):
        value = theirs.dumps(payload)
    index = position % len(value)
    tampered = value[:index] + replacement + value[index + 1 :]
    with _frozen_time():
        for candidate in (value, tampered):
            outcomes = []
            for signer in (ours, theirs):
                try:
                    outcomes.append(("ok", signer.loads(candidate, max_age=max_age)))
                except BadData as e:
                    outcomes.append(("bad", type(e).__name__))
            assert outcomes[0] == outcomes[1], candidate


def test_small_compressible_payload_is_sent_uncompressed_but_read_by_both() -> None:
    payload = {"a": "x" * 60}  # zlib would save bytes; microflask skips it under 129
    ours, theirs = _ours("k", []), _theirs("k", [])
    with _frozen_time():
        assert not ours.dumps(payload).startswith(".")
        assert theirs.dumps(payload).startswith(".")
        assert ours.loads(theirs.dumps(payload)) == theirs.loads(ours.dumps(payload)) == payload


def test_large_payload_zlib_cannot_shrink_is_sent_uncompressed_as_by_both() -> None:
    digest = hashlib.sha512(b"a").digest() + hashlib.sha512(b"b").digest()
    payload = {"a": base64.b64encode(digest).decode()[:130]}  # 138 bytes of JSON
    ours, theirs = _ours("k", []), _theirs("k", [])
    with _frozen_time():
        assert ours.dumps(payload) == theirs.dumps(payload)
        assert not ours.dumps(payload).startswith(".")


# --- the session cookie lookup and request.cookies vs parse_cookie -------------

_cookie_headers = st.lists(
    st.sampled_from([*'session=; \t"ab.\\,é%', "\\073", "session=", "; "]), max_size=20
).map("".join)


@settings(max_examples=150, deadline=None)
@given(header=_cookie_headers, parsed_first=st.booleans())
def test_session_cookie_lookup_agrees_with_werkzeugs_parser(
    header: str, parsed_first: bool
) -> None:
    environ = {"HTTP_COOKIE": header, "REQUEST_METHOD": "GET"}
    request = Request(environ)
    if parsed_first:  # the lookup then reads request.cookies
        _ = request.cookies
    expected = WerkzeugRequest(environ).cookies.get("session")
    assert _cookie_value(request, "session") == expected
    assert expected == parse_cookie(header).get("session")


@settings(max_examples=100, deadline=None)
@given(header=_cookie_headers)
def test_request_cookies_are_werkzeugs_request_cookies(header: str) -> None:
    environ = {"HTTP_COOKIE": header, "REQUEST_METHOD": "GET"}
    request = Request(environ)
    expected = WerkzeugRequest(environ).cookies
    assert list(request.cookies.items(multi=True)) == list(expected.items(multi=True))
    assert type(request.cookies) is type(expected)


# --- the unverified peek that decides whether an untouched session is opened -----

_permanent_values = st.sampled_from([True, False, 1, 0, "yes", "", None, [1], []])


@settings(max_examples=80, deadline=None)
@given(
    payload=_payloads,
    permanent=st.none() | _permanent_values,
    position=st.none() | st.integers(0, 10_000),
)
def test_refresh_peek_never_misses_a_cookie_that_verifies_as_permanent(
    payload: dict[str, t.Any], permanent: object, position: int | None
) -> None:
    if permanent is not None:
        payload = {**payload, "_permanent": permanent}
    secret = "peek secret"
    theirs = _theirs(secret, [])
    value = theirs.dumps(payload)
    if position is not None:  # tampered: the peek may say yes, verification then fails
        index = position % len(value)
        value = value[:index] + "A" + value[index + 1 :]
    app = Microflask(__name__)
    app.config["SECRET_KEY"] = secret
    request = Request({"HTTP_COOKIE": f"session={value}", "REQUEST_METHOD": "GET"})
    try:
        verified = theirs.loads(value)
    except BadData:
        return  # nothing to refresh whatever the peek says
    if isinstance(verified, dict) and verified.get("_permanent"):
        assert SecureCookieSessionInterface().may_need_refresh(app, request)
