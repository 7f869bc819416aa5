"""Tests for the ``tojson`` template filter: same value, safe in HTML."""

from __future__ import annotations

import json
import re
import typing as t
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from microflask import Microflask, render_template, render_template_string
from microflask.json.provider import DefaultJSONProvider

HOSTILE = "</script><script>alert('x')</script><!-- & -->"


def _tojson(app: Microflask, value: t.Any, source: str = "{{ value|tojson }}") -> str:
    with app.app_context():
        return render_template_string(source, value=value)


@pytest.mark.parametrize(
    "value",
    [
        HOSTILE,
        {"html": "<b>bold</b>", "quote": "it's", "amp": "a & b", "dq": '"x"'},
        ["<", ">", "&", "'", '"', "\\", "/"],
        "line\u2028separator\u2029paragraph",
        "ünïcödé ☃ 😀",
        [1, 2.5, -3, True, False, None],
        {"nested": {"list": [{"deep": "</SCRIPT >"}]}},
        "",
        {},
    ],
)
def test_tojson_round_trips(app: Microflask, value: t.Any) -> None:
    assert json.loads(_tojson(app, value)) == value


@pytest.mark.parametrize("char", ["<", ">", "&", "'"])
def test_tojson_escapes_html_special_characters(app: Microflask, char: str) -> None:
    rv = _tojson(app, f"a{char}b")
    assert char not in rv
    assert rv == f'"a\\u{ord(char):04x}b"'


def test_tojson_cannot_close_a_script_element(app: Microflask) -> None:
    rv = _tojson(app, {"payload": HOSTILE}, "<script>var d = {{ value|tojson }};</script>")
    assert rv.count("</script>") == 1
    assert rv.endswith(";</script>")
    assert "<!--" not in rv


def test_tojson_stays_inside_a_single_quoted_attribute(app: Microflask) -> None:
    rv = _tojson(app, HOSTILE, "<div data-value='{{ value|tojson }}' id=x></div>")

    attributes: list[list[tuple[str, str | None]]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            attributes.append(attrs)

    Parser().feed(rv)
    assert len(attributes) == 1
    [(name, data), id_attribute] = attributes[0]
    assert name == "data-value"
    assert id_attribute == ("id", "x")
    assert json.loads(t.cast(str, data)) == HOSTILE


def test_tojson_is_not_escaped_again_by_autoescape(app: Microflask) -> None:
    rv = _tojson(app, {"a": "&"})
    assert "&amp;" not in rv
    assert "&#34;" not in rv
    assert rv == '{"a": "\\u0026"}' or rv == '{"a":"\\u0026"}'


def test_tojson_returns_markup(app: Microflask) -> None:
    tojson = app.jinja_env.filters["tojson"]
    rv = tojson("<x>")
    assert isinstance(rv, Markup)
    assert rv == '"\\u003cx\\u003e"'


def test_tojson_indent(app: Microflask) -> None:
    rv = _tojson(app, {"a": [1]}, "{{ value|tojson(indent=2) }}")
    assert rv == '{\n  "a": [\n    1\n  ]\n}'


def test_tojson_in_a_template_file(app: Microflask) -> None:
    with app.app_context():
        rv = render_template("script.html", data={"msg": HOSTILE})
    script = re.search(r"var data = (.*?);</script>", rv)
    assert script is not None
    assert json.loads(script.group(1)) == {"msg": HOSTILE}
    assert rv.count("</script>") == 1


def test_tojson_uses_the_app_json_provider() -> None:
    class Point:
        def __init__(self, x: int, y: int) -> None:
            self.x, self.y = x, y

    class Provider(DefaultJSONProvider):
        sort_keys = False

        @staticmethod
        def default(o: t.Any) -> t.Any:
            if isinstance(o, Point):
                return [o.x, o.y]
            return DefaultJSONProvider.default(o)

    class App(Microflask):
        json_provider_class = Provider

    app = App(__name__)
    assert json.loads(_tojson(app, {"z": Point(1, 2), "a": 0})) == {"z": [1, 2], "a": 0}


def test_tojson_sorts_keys_even_when_the_provider_does_not(app: Microflask) -> None:
    # Jinja's "json.dumps_kwargs" policy ({"sort_keys": True}) applies to the filter.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    assert _tojson(app, {"z": 1, "a": 0}) == '{"a": 0, "z": 1}'
    with app.app_context():
        assert app.json.response({"z": 1, "a": 0}).get_data() == b'{"z":1,"a":0}\n'


def test_tojson_follows_the_jinja_json_policies(app: Microflask) -> None:
    app.jinja_env.policies["json.dumps_kwargs"] = {"sort_keys": False}
    assert _tojson(app, {"z": 1, "a": 0}) == '{"z": 1, "a": 0}'
    app.jinja_env.policies["json.dumps_function"] = lambda obj, **kwargs: "<custom>"
    assert _tojson(app, None) == "\\u003ccustom\\u003e"


def test_tojson_follows_a_replaced_app_json(app: Microflask) -> None:
    class Shouting(DefaultJSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return super().dumps(obj, **kwargs).upper()

    env = app.jinja_env
    app.json = Shouting(app)
    assert app.jinja_env is env
    assert _tojson(app, "abc") == '"ABC"'


def test_tojson_escapes_a_provider_that_returns_raw_html(app: Microflask) -> None:
    class Raw(DefaultJSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return "</script>"

    app.json = Raw(app)
    assert _tojson(app, None) == "\\u003c/script\\u003e"


def test_tojson_with_no_dumps_policy_uses_the_json_module(app: Microflask) -> None:
    app.jinja_env.policies["json.dumps_function"] = None
    with app.app_context():
        assert render_template_string("{{ {'b': 1, 'a': 2}|tojson }}") == '{"a": 2, "b": 1}'
        with pytest.raises(TypeError, match="not JSON serializable"):
            render_template_string("{{ value|tojson }}", value=Decimal("1.5"))
