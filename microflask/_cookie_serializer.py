"""The session cookie's serializer: itsdangerous's, doing less per cookie.

Loaded with the first session opened under a secret key, so that an app which
never uses the session never imports itsdangerous. Its output and what it accepts
must equal ``URLSafeTimedSerializer``'s as Flask configures it
(``tests/parity/test_parity_sessions.py`` compares the two).
"""

from __future__ import annotations

import hmac
import typing as t
import zlib

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.signer import HMACAlgorithm

__all__ = ["CookieSerializer"]


class _OneShotHMAC(HMACAlgorithm):
    """HMAC through OpenSSL's one-shot ``hmac.digest``: the same signatures."""

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, self.digest_method)


class _DerivedKeySigner(TimestampSigner):
    """A timestamp signer whose secret keys are given already derived."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        return self.secret_keys[-1] if secret_key is None else secret_key  # type: ignore[return-value]


class CookieSerializer(URLSafeTimedSerializer):
    """``URLSafeTimedSerializer`` with one reused signer and lazy zlib.

    Payloads of at most 128 bytes of JSON are never compressed.
    """

    def __init__(self, keys: list[bytes], salt: str, serializer: t.Any, **signer_kwargs: t.Any):
        super().__init__(keys, salt=salt, serializer=serializer, signer_kwargs=signer_kwargs)
        # One signer for every cookie, given the keys already derived (by the signer
        # itsdangerous would make), so that signing and checking derive none.
        default = super().make_signer()
        derived = [default.derive_key(key) for key in keys]
        algorithm = _OneShotHMAC(signer_kwargs["digest_method"])
        self._signer = _DerivedKeySigner(derived, salt=salt, algorithm=algorithm, **signer_kwargs)

    def make_signer(self, salt: str | bytes | None = None) -> TimestampSigner:
        if salt is None or salt == self.salt:
            return self._signer
        return super().make_signer(salt)  # type: ignore[return-value]

    def dump_payload(self, obj: t.Any) -> bytes:
        text = self.serializer.dumps(obj, **self.serializer_kwargs)
        data = text.encode() if isinstance(text, str) else text
        if len(data) > 128:  # the same format: "." marks a zlib-compressed payload
            packed = zlib.compress(data)
            if len(packed) < len(data) - 1:
                return b"." + base64_encode(packed)
        return base64_encode(data)
