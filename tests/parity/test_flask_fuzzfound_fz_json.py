"""Pin the JSON-layer differences randomized testing found against Flask 3.1.

Each case is the shrunk form of a discrepancy a Hypothesis generator found
between Flask 3.1 and microflask in jsonify, the JSON provider, the
``json`` module functions or the tagged-JSON serializer; the answers must now
be Flask's.
"""

from __future__ import annotations

import io
import json
import types
import typing as t

import pytest
from flask_parity import FRAMEWORKS, app_class, assert_same, get, make_app


def _outcome(call: t.Callable[[], t.Any]) -> t.Any:
    """Return what *call* returns, or the name of the exception it raises."""
    try:
        return call()
    except Exception as e:
        return type(e).__name__


def compact_zero(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    app.json.compact = 0

    @app.route("/")
    def index() -> dict[str, int]:
        return {"a": 1}

    return app


def test_compact_zero_is_compact() -> None:
    # Only False (or None in debug mode) indents: 0 is not False.
    assert_same(compact_zero, [get("/")])


def _dumps_after_debug_jsonify(fw: types.ModuleType) -> t.Any:
    app = app_class(fw)(__name__)
    app.debug = True
    with app.app_context():
        fw.jsonify(None)  # dumps with indent=2
        return _outcome(lambda: app.json.dumps(None, indent=2.0))


def test_float_indent_fails_as_json_does_after_an_int_indent() -> None:
    # json refuses indent=2.0; an encoder made for indent=2 must not answer for it.
    found = {name: _dumps_after_debug_jsonify(fw) for name, fw in FRAMEWORKS.items()}
    assert found == {"flask": "TypeError", "microflask": "TypeError"}


def _dump_outside_app(fw: types.ModuleType) -> tuple[t.Any, str]:
    fp = io.StringIO()
    raised = _outcome(lambda: fw.json.dump([1, object()], fp))
    return raised, fp.getvalue()


def test_failing_dump_outside_an_app_writes_as_json_dump_does() -> None:
    found = {name: _dump_outside_app(fw) for name, fw in FRAMEWORKS.items()}
    assert found["microflask"] == found["flask"] == ("TypeError", "[1, ")


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_hand_made_dict_tag_reads_as_in_flask(name: str) -> None:
    from flask.json.tag import TaggedJSONSerializer as FlaskSerializer

    from microflask.json.tag import TaggedJSONSerializer

    serializer = (FlaskSerializer if name == "flask" else TaggedJSONSerializer)()
    assert serializer.loads('{" di": {"abc": 1, "x__": 2}}') == {"a": 1}


def _tag_with_order_edited(fw: types.ModuleType) -> tuple[str, t.Any]:
    tag = __import__(f"{fw.__name__}.json.tag", fromlist=["tag"])

    class TagInt(tag.JSONTag):  # type: ignore[name-defined,misc]
        key = " i"

        def check(self, value: t.Any) -> bool:
            return type(value) is int

        def to_json(self, value: t.Any) -> t.Any:
            return str(value)

        def to_python(self, value: t.Any) -> t.Any:
            return int(value)

    serializer = tag.TaggedJSONSerializer()
    int_tag = TagInt(serializer)
    serializer.tags[" i"] = int_tag
    serializer.order.insert(0, int_tag)
    text = serializer.dumps({"a": 5})
    return text, serializer.loads(text)


def test_tags_put_in_the_order_by_hand_are_used() -> None:
    found = {name: _tag_with_order_edited(fw) for name, fw in FRAMEWORKS.items()}
    assert found["microflask"] == found["flask"] == ('{"a":{" i":"5"}}', {"a": 5})


def provider_without_object_hook(fw: types.ModuleType) -> t.Any:
    class Provider(fw.json.provider.JSONProvider):  # type: ignore[name-defined,misc]
        # A provider for a library whose loads takes no object_hook (orjson's).
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return json.dumps(obj, separators=(",", ":"))

        def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
            return json.loads(s)

    app = make_app(fw)
    t.cast(t.Any, app).json = Provider(app)

    @app.route("/set")
    def set_value() -> str:
        fw.session["v"] = ((1, 2), b"\x00", {" t": "looks tagged"})
        return "set"

    @app.route("/read")
    def read() -> str:
        return repr(fw.session["v"])

    return app


def test_session_untags_with_a_provider_without_object_hook() -> None:
    # Flask 3.1 untags the parsed data itself: the provider's loads gets only the text.
    assert_same(provider_without_object_hook, [get("/set"), get("/read")])
