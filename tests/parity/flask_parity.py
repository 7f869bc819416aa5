"""Run the same app on Flask 3.1 and on microflask and compare their answers.

A case is a function that builds an app from a framework (``flask`` or
``microflask``) and the requests to send it. Each framework's app answers
through its own test client, in order, with cookies kept; the answers must
be equal: status line, header list and body. The only normalisation is the
signed part of a session cookie (it carries a timestamp and, on one side, a
different compression rule), replaced by the JSON it signs, and that cookie's
``Expires`` date and the ``Date`` header: both read the clock, and the two apps
answer a moment apart.
"""

from __future__ import annotations

import base64
import re
import types
import typing as t
import zlib
from dataclasses import dataclass, field

import flask

import microflask

FRAMEWORKS: dict[str, types.ModuleType] = {"flask": flask, "microflask": microflask}
ROOT = __file__.rpartition("/")[0]


def app_class(fw: types.ModuleType) -> t.Any:
    """Return the framework's application class."""
    return fw.Flask if fw is flask else fw.Microflask


F = t.TypeVar("F", bound=t.Callable[..., t.Any])


class Scaffold(t.Protocol):
    """What the cases use of an app or blueprint on either framework, typed."""

    testing: bool

    def route(self, rule: str, **options: t.Any) -> t.Callable[[F], F]: ...
    def errorhandler(self, code_or_exception: type[Exception] | int) -> t.Callable[[F], F]: ...
    def before_request(self, f: F) -> F: ...
    def url_value_preprocessor(self, f: F) -> F: ...
    def url_defaults(self, f: F) -> F: ...
    def __getattr__(self, name: str) -> t.Any: ...


def blueprint(fw: types.ModuleType, name: str, **options: t.Any) -> Scaffold:
    """Return a blueprint of the framework *fw*."""
    return t.cast(Scaffold, fw.Blueprint(name, __name__, **options))


def make_app(fw: types.ModuleType, **options: t.Any) -> Scaffold:
    """Return an app with the settings every comparison shares.

    ``SESSION_COOKIE_SAMESITE`` is set on both: microflask defaults it to "Lax"
    where Flask sends none (documented; pinned by its own test).
    """
    app = app_class(fw)("parity_app", root_path=ROOT, **options)
    app.config.update(TESTING=True, SECRET_KEY="parity secret", SESSION_COOKIE_SAMESITE="Lax")
    return t.cast(Scaffold, app)


@dataclass(frozen=True)
class Request:
    """One request for both test clients: ``client.open`` arguments.

    A callable ``data`` is called for each client (an open file is read once).
    """

    path: str
    method: str = "GET"
    kwargs: dict[str, t.Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.kwargs or ''}".rstrip()


def get(path: str, **kwargs: t.Any) -> Request:
    return Request(path, "GET", kwargs)


def post(path: str, **kwargs: t.Any) -> Request:
    return Request(path, "POST", kwargs)


def send(method: str, path: str, **kwargs: t.Any) -> Request:
    return Request(path, method, kwargs)


@dataclass(frozen=True)
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes


def _signed_payload(value: str) -> str:
    """Return the JSON a signed session cookie carries, unverified."""
    payload = value.rsplit(".", 2)[0]
    compressed = payload.startswith(".")
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode()


def _normalise_header(name: str, value: str) -> tuple[str, str]:
    if name.lower() == "date":
        return name, "<now>"
    if name.lower() == "set-cookie" and value.startswith("session="):
        signed, sep, attributes = value.partition(";")
        signed = signed.removeprefix("session=")
        if signed:
            # Signatures carry the signing time; compare the data they sign.
            signed = f"<signed {_signed_payload(signed)}>"
        attributes = re.sub(r"Expires=[^;]+", "Expires=<now + lifetime>", attributes)
        return name, f"session={signed}{sep}{attributes}"
    return name, value


def answer(client: t.Any, request: Request) -> Answer:
    """Send *request* through *client* and return its normalised answer."""
    kwargs = dict(request.kwargs)
    if callable(kwargs.get("data")):
        kwargs["data"] = kwargs["data"]()
    rv = client.open(request.path, method=request.method, **kwargs)
    try:
        headers = [_normalise_header(k, v) for k, v in rv.headers.items()]
        return Answer(rv.status, headers, rv.get_data())
    finally:
        rv.close()


Build = t.Callable[[types.ModuleType], t.Any]


_built: dict[tuple[Build, str], t.Any] = {}


def built(build: Build, name: str) -> t.Any:
    """Return the app *build* makes on framework *name*, made once per session."""
    app = _built.get((build, name))
    if app is None:
        app = _built[build, name] = build(FRAMEWORKS[name])
    return app


def answers(
    build: Build, requests: t.Sequence[Request], apps: dict[str, t.Any] | None = None
) -> dict[str, list[Answer]]:
    """Send *requests* in order to the app *build* makes on each framework.

    Pass *apps* (framework name to app) to use those instead of cached ones.
    """
    found: dict[str, list[Answer]] = {}
    for name in FRAMEWORKS:
        app = apps[name] if apps is not None else built(build, name)
        client = app.test_client()
        found[name] = [answer(client, request) for request in requests]
    return found


def assert_same(
    build: Build, requests: t.Sequence[Request], apps: dict[str, t.Any] | None = None
) -> None:
    """Fail listing every request whose answers differ."""
    found = answers(build, requests, apps)
    differ = [
        f"{request}:\n  Flask:      {theirs}\n  microflask: {ours}"
        for request, theirs, ours in zip(requests, found["flask"], found["microflask"], strict=True)
        if ours != theirs
    ]
    assert not differ, "\n".join(differ)
