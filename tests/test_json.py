"""Tests for the JSON functions, ``jsonify`` and the JSON providers."""

from __future__ import annotations

import dataclasses
import gc
import io
import sys
import typing as t
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from markupsafe import Markup

import microflask.json as mjson
from microflask import Microflask, request
from microflask.json.provider import DefaultJSONProvider, JSONProvider, _encoder
from microflask.wrappers import Response

UID = uuid.UUID("12345678-1234-5678-1234-567812345678")


@dataclasses.dataclass
class Point:
    x: int
    y: int


class HTMLThing:
    def __html__(self) -> str:
        return "<em>hi</em>"


class _ReversingProvider(DefaultJSONProvider):
    """A provider whose output and input can be told apart from the default's."""

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        return "custom:" + super().dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        return {"custom": super().loads(s, **kwargs)}


class _MinimalProvider(JSONProvider):
    """A provider implementing only what the base class asks for."""

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        return repr(obj)

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        return ("loaded", s)


@pytest.fixture
def provider(app: Microflask) -> DefaultJSONProvider:
    return t.cast(DefaultJSONProvider, app.json)


# --- the module functions -------------------------------------------------------


def test_dumps_outside_app_context_keeps_key_order_and_converts_types() -> None:
    assert mjson.dumps({"b": Decimal("1.5"), "a": UID}) == (
        '{"b": "1.5", "a": "12345678-1234-5678-1234-567812345678"}'
    )


def test_dumps_inside_app_context_uses_the_provider(app: Microflask) -> None:
    with app.app_context():
        assert mjson.dumps({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'


@pytest.mark.parametrize("data", ['{"a": [1, "é"]}', b'{"a": [1, "\xc3\xa9"]}'])
def test_loads_accepts_text_and_utf8_bytes(data: str | bytes) -> None:
    assert mjson.loads(data) == {"a": [1, "é"]}


def test_functions_delegate_to_the_app_provider(app: Microflask) -> None:
    app.json = _ReversingProvider(app)
    out = io.StringIO()
    with app.app_context():
        mjson.dump([1], out)
        assert mjson.dumps([1]) == "custom:[1]"
        assert mjson.loads(b"[2]") == {"custom": [2]}
        assert mjson.load(io.StringIO("[3]")) == {"custom": [3]}
    assert out.getvalue() == "custom:[1]"


def test_dump_and_load_round_trip_a_file_without_app(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    with path.open("w", encoding="utf-8") as fp:
        mjson.dump({"when": date(2024, 1, 2)}, fp)
    with path.open("rb") as fp:
        assert mjson.load(fp) == {"when": "Tue, 02 Jan 2024 00:00:00 GMT"}


def test_request_get_json_parses_with_the_app_provider(app: Microflask) -> None:
    app.json = _ReversingProvider(app)

    @app.post("/")
    def echo() -> str:
        return repr(request.get_json())

    rv = app.test_client().post("/", data=b'{"n": 1}', content_type="application/json")
    assert rv.data == b"{'custom': {'n': 1}}"


# --- the default conversions ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2024, 1, 2), "Tue, 02 Jan 2024 00:00:00 GMT"),
        (
            datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
            "Tue, 02 Jan 2024 03:04:05 GMT",
        ),
        (Decimal("0.10"), "0.10"),
        (UID, "12345678-1234-5678-1234-567812345678"),
        (Point(1, 2), {"x": 1, "y": 2}),
        (Markup("<b>&amp;</b>"), "<b>&amp;</b>"),
        (HTMLThing(), "<em>hi</em>"),
    ],
)
def test_default_converts_known_types(value: object, expected: object) -> None:
    assert DefaultJSONProvider.default(value) == expected


@pytest.mark.parametrize(("value", "name"), [(object(), "object"), (Point, "type")])
def test_default_rejects_other_types_naming_them(value: object, name: str) -> None:
    with pytest.raises(TypeError) as info:
        mjson.dumps(value)
    assert str(info.value) == f"Object of type {name} is not JSON serializable"  # as Flask's
    if sys.version_info >= (3, 11):
        assert "app.json.default" in info.value.__notes__[0]


def test_changed_provider_attributes_apply_after_first_use(
    provider: DefaultJSONProvider,
) -> None:
    provider.dumps({"b": 1, "a": "é"})
    provider.sort_keys = False
    provider.ensure_ascii = False
    provider.default = lambda o: "seen"
    assert provider.dumps({"b": 1, "a": "é", "o": object()}) == ('{"b": 1, "a": "é", "o": "seen"}')


def test_encoder_cache_stays_bounded_when_default_keeps_changing(
    provider: DefaultJSONProvider,
) -> None:
    for n in range(40):
        provider.default = lambda o, n=n: n  # type: ignore[misc]
        assert provider.dumps(object()) == str(n)
    assert _encoder.cache_info().currsize <= 16


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"indent": 1}, '{\n "a": "\\u00e9"\n}'),
        ({"separators": [",", "="]}, '{"a"="\\u00e9"}'),
        ({"ensure_ascii": False}, '{"a": "é"}'),
    ],
)
def test_dumps_options_override_the_defaults(
    app: Microflask, kwargs: dict[str, t.Any], expected: str
) -> None:
    assert app.json.dumps({"a": "é"}, **kwargs) == expected


def test_dumps_with_other_options_still_converts_types(app: Microflask) -> None:
    assert app.json.dumps([UID], check_circular=False) == (
        '["12345678-1234-5678-1234-567812345678"]'
    )


# --- jsonify and responses ------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "body"),
    [
        ((), {}, b"null\n"),
        (([1, 2],), {}, b"[1,2]\n"),
        (("a", 2), {}, b'["a",2]\n'),
        ((), {"b": 1, "a": [True]}, b'{"a":[true],"b":1}\n'),
    ],
)
def test_jsonify_serializes_its_arguments(
    app: Microflask, args: tuple[t.Any, ...], kwargs: dict[str, t.Any], body: bytes
) -> None:
    with app.app_context():
        rv = mjson.jsonify(*args, **kwargs)
    assert rv.data == body
    assert rv.headers["Content-Type"] == "application/json"


def test_jsonify_refuses_args_and_kwargs_together(app: Microflask) -> None:
    with app.app_context(), pytest.raises(TypeError, match="args or kwargs, not both"):
        mjson.jsonify(1, a=2)


def test_jsonify_needs_an_app_context() -> None:
    with pytest.raises(RuntimeError, match="Working outside of application context"):
        mjson.jsonify(1)


@pytest.mark.parametrize(
    ("compact", "debug", "body"),
    [
        (None, False, b'{"a":1}\n'),
        (None, True, b'{\n  "a": 1\n}\n'),
        (True, True, b'{"a":1}\n'),
        (False, False, b'{\n  "a": 1\n}\n'),
    ],
)
def test_response_indents_by_compact_and_debug(
    app: Microflask,
    provider: DefaultJSONProvider,
    compact: bool | None,
    debug: bool,
    body: bytes,
) -> None:
    app.debug = debug
    provider.compact = compact
    assert provider.response(a=1).data == body


def test_response_uses_the_app_response_class_and_mimetype(
    app: Microflask, provider: DefaultJSONProvider
) -> None:
    class MyResponse(Response):
        pass

    app.response_class = MyResponse
    provider.mimetype = "application/vnd.api+json"
    rv = provider.response([])
    assert type(rv) is MyResponse
    assert rv.mimetype == "application/vnd.api+json"


def test_jsonify_from_a_view_reaches_the_client(app: Microflask) -> None:
    @app.get("/")
    def index() -> Response:
        return mjson.jsonify(items=[{"id": 1}], when=date(2024, 1, 2))

    rv = app.test_client().get("/")
    assert rv.status_code == 200
    assert rv.get_json() == {
        "items": [{"id": 1}],
        "when": "Tue, 02 Jan 2024 00:00:00 GMT",
    }


# --- the provider base class ----------------------------------------------------


@pytest.mark.parametrize("method", ["dumps", "loads"])
def test_base_provider_requires_dumps_and_loads(app: Microflask, method: str) -> None:
    with pytest.raises(NotImplementedError, match=f"JSONProvider must implement {method}"):
        getattr(JSONProvider(app), method)("1")


def test_base_provider_builds_dump_load_and_response_on_dumps_loads(
    app: Microflask,
) -> None:
    provider = _MinimalProvider(app)
    out = io.StringIO()
    provider.dump((1,), out)
    rv = provider.response(1, 2)
    assert out.getvalue() == "(1,)"
    assert provider.load(io.BytesIO(b"x")) == ("loaded", b"x")
    # As in Flask, several arguments reach dumps() as the tuple of them.
    assert (rv.data, rv.mimetype) == (b"(1, 2)", "application/json")


def test_provider_does_not_keep_its_app_alive() -> None:
    app = Microflask(__name__)
    provider = app.json
    del app
    gc.collect()
    with pytest.raises(ReferenceError):
        provider.response(1)


def test_provider_subclass_can_reuse_prepare_response_obj(app: Microflask) -> None:
    # Providers written for Flask override response() and call this helper.
    class Wrapped(DefaultJSONProvider):
        def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
            obj = self._prepare_response_obj(args, kwargs)
            return self._app.response_class(self.dumps({"data": obj}), mimetype="application/json")

    app.json = Wrapped(app)
    with app.app_context():
        assert mjson.jsonify(1, 2).get_json() == {"data": [1, 2]}
        assert mjson.jsonify(a=1).get_json() == {"data": {"a": 1}}
        assert mjson.jsonify().get_json() == {"data": None}


def test_dumps_sort_keys_option_overrides_the_attribute(provider: DefaultJSONProvider) -> None:
    assert provider.dumps({"b": 1, "a": 2}, sort_keys=False) == '{"b": 1, "a": 2}'
    provider.sort_keys = False
    assert provider.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a": 2, "b": 1}'
    assert provider.dumps({"b": 1, "a": 2}) == '{"b": 1, "a": 2}'


@pytest.mark.parametrize("as_return_value", [False, True])
def test_prepare_response_obj_override_shapes_every_json_response(
    app: Microflask, as_return_value: bool
) -> None:
    class Wrapping(DefaultJSONProvider):
        def _prepare_response_obj(self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]) -> t.Any:
            return {"data": super()._prepare_response_obj(args, kwargs)}

    app.json = Wrapping(app)

    @app.get("/")
    def view() -> t.Any:
        return [1, 2] if as_return_value else mjson.jsonify([1, 2])

    assert app.test_client().get("/").json == {"data": [1, 2]}


def test_dumps_with_sort_keys_none_does_not_sort(app: Microflask) -> None:
    assert app.json.dumps({"b": 1, "a": 2}, sort_keys=None) == '{"b": 1, "a": 2}'
    assert app.json.dumps({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'


def test_provider_dumps_passes_cls_to_json_dumps(app: Microflask) -> None:
    import json

    class Upper(json.JSONEncoder):
        def encode(self, o: t.Any) -> str:
            return super().encode(o).upper()

    assert app.json.dumps({"a": "b"}, cls=Upper) == '{"A": "B"}'


def test_provider_dumps_takes_separators_as_a_list(app: Microflask) -> None:
    assert app.json.dumps({"a": [1, 2]}, separators=[",", ":"]) == '{"a":[1,2]}'
