"""Tests for tagged JSON, the session cookie's payload format."""

from __future__ import annotations

import typing as t
from collections import OrderedDict
from datetime import datetime, timezone
from uuid import UUID

import pytest
from markupsafe import Markup

from microflask.json.tag import JSONTag, PassDict, TagDateTime, TaggedJSONSerializer

UID = UUID("12345678-1234-5678-1234-567812345678")
WHEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


class TagOrderedDict(JSONTag):
    __slots__ = ()
    key = " od"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, OrderedDict)

    def to_json(self, value: t.Any) -> t.Any:
        return [[k, self.serializer.tag(v)] for k, v in value.items()]

    def to_python(self, value: t.Any) -> t.Any:
        return OrderedDict(value)


class TagDateTimeISO(JSONTag):
    __slots__ = ()
    key = " d"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, datetime)

    def to_json(self, value: t.Any) -> t.Any:
        return value.isoformat()

    def to_python(self, value: t.Any) -> t.Any:
        return datetime.fromisoformat(value)


@pytest.fixture
def serializer() -> TaggedJSONSerializer:
    return TaggedJSONSerializer()


# Written by Flask 3.1's serializer: the same cookies must read the same.
WIRE_FORMAT = [
    ({" t": "a"}, '{" di":{" t__":"a"}}'),
    ((1, "x"), '{" t":[1,"x"]}'),
    (b"\x00\xff", '{" b":"AP8="}'),
    (Markup("<b>x</b>"), '{" m":"<b>x</b>"}'),
    (UID, '{" u":"12345678123456781234567812345678"}'),
    (WHEN, '{" d":"Tue, 02 Jan 2024 03:04:05 GMT"}'),
    ({"a": [(1, b"a")], "b": None}, '{"a":[{" t":[1,{" b":"YQ=="}]}],"b":null}'),
    ({"x": {" di": {" m": 1}}}, '{"x":{" di":{" di__":{" di":{" m__":1}}}}}'),
]


@pytest.mark.parametrize(("value", "wire"), WIRE_FORMAT)
def test_dumps_writes_flasks_wire_format(
    serializer: TaggedJSONSerializer, value: object, wire: str
) -> None:
    assert serializer.dumps(value) == wire


@pytest.mark.parametrize(("value", "wire"), WIRE_FORMAT)
def test_loads_restores_the_value_and_its_type(
    serializer: TaggedJSONSerializer, value: object, wire: str
) -> None:
    loaded = serializer.loads(wire)
    assert loaded == value
    assert type(loaded) is type(value)


@pytest.mark.parametrize(
    "value",
    [
        {"flashes": [("message", "hello")], "_fresh": True, "n": 1.5},
        [[{" u": 1, "x": 2}], ()],
        {" b": {" b": b""}},
        "plain",
    ],
)
def test_nested_values_round_trip(serializer: TaggedJSONSerializer, value: object) -> None:
    assert serializer.loads(serializer.dumps(value)) == value


def test_loads_accepts_bytes(serializer: TaggedJSONSerializer) -> None:
    assert serializer.loads(b'{" t":[1]}') == (1,)


def test_naive_datetime_loads_as_utc_without_microseconds(
    serializer: TaggedJSONSerializer,
) -> None:
    value = serializer.loads(serializer.dumps(datetime(2024, 1, 2, 3, 4, 5, 678)))
    assert value == WHEN
    assert value.tzinfo is not None


@pytest.mark.parametrize("value", [{"other": 1}, {" t": [1], "x": 2}, {" nope": [1]}, {}])
def test_untag_leaves_untagged_dicts_alone(
    serializer: TaggedJSONSerializer, value: dict[str, t.Any]
) -> None:
    assert serializer.untag(value) is value


# --- extending ------------------------------------------------------------------


def test_registered_tag_before_dict_round_trips_its_type(
    serializer: TaggedJSONSerializer,
) -> None:
    serializer.register(TagOrderedDict, index=0)
    value = OrderedDict([("b", (1,)), ("a", 2)])
    wire = serializer.dumps(value)
    assert wire == '{" od":[["b",{" t":[1]}],["a",2]]}'
    assert serializer.loads(wire) == value
    assert type(serializer.loads(wire)) is OrderedDict


def test_registered_tag_after_dict_is_shadowed(
    serializer: TaggedJSONSerializer,
) -> None:
    serializer.register(TagOrderedDict)
    assert type(serializer.loads(serializer.dumps(OrderedDict(a=1)))) is dict


def test_register_refuses_a_taken_key(serializer: TaggedJSONSerializer) -> None:
    with pytest.raises(KeyError, match="' d' is already registered by TagDateTime"):
        serializer.register(TagDateTimeISO)
    assert type(serializer.tags[" d"]) is TagDateTime


def test_register_with_force_replaces_the_tag_everywhere(
    serializer: TaggedJSONSerializer,
) -> None:
    serializer.register(TagDateTimeISO, force=True)
    wire = serializer.dumps(WHEN)
    assert wire == '{" d":"2024-01-02T03:04:05+00:00"}'
    assert serializer.loads(wire) == WHEN
    assert not any(isinstance(tag, TagDateTime) for tag in serializer.order)


def test_instances_do_not_share_registrations() -> None:
    first = TaggedJSONSerializer()
    first.register(TagOrderedDict)
    assert " od" not in TaggedJSONSerializer().tags
    assert len(TaggedJSONSerializer().order) == len(TaggedJSONSerializer.default_tags)


def test_pass_through_tag_leaves_no_mark(serializer: TaggedJSONSerializer) -> None:
    assert PassDict(serializer).tag({"a": (1,)}) == {"a": {" t": [1]}}


@pytest.mark.parametrize("method", ["check", "to_json", "to_python"])
def test_base_tag_methods_must_be_implemented(
    serializer: TaggedJSONSerializer, method: str
) -> None:
    with pytest.raises(NotImplementedError, match=f"JSONTag must implement {method}"):
        getattr(JSONTag(serializer), method)(1)
