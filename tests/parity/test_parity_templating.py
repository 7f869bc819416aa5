"""Pin the template environment's ``getattr`` to Jinja's own.

``Environment.getattr`` reads a plain dict's items without first failing an
attribute lookup; every object and name must give what
``jinja2.Environment.getattr`` gives: the same value, the same undefined, or
the same exception.
"""

from __future__ import annotations

import typing as t

import jinja2
from hypothesis import given, settings
from hypothesis import strategies as st

from microflask import Microflask

NAMES = ["a", "b", "items", "keys", "get", "copy", "__class__", "__len__", "_p", "prop", "boom"]


class _Object:
    """An object with an attribute, a property and a property that raises."""

    a = 1

    @property
    def prop(self) -> str:
        return "property"

    @property
    def boom(self) -> str:
        raise AttributeError("boom")


class _Dict(dict[str, t.Any]):
    """A dict subclass, which may have instance attributes."""


class _Failing:
    @property
    def a(self) -> str:
        raise ValueError("not an AttributeError")


def _objects() -> st.SearchStrategy[t.Any]:
    keys = st.sampled_from(NAMES)
    values = st.integers(0, 3) | st.text("xy", max_size=2)
    plain = st.dictionaries(keys, values, max_size=4)
    return st.one_of(
        plain,
        plain.map(_Dict),
        st.just(_Object()),
        st.just(_Failing()),
        st.just(None),
        st.lists(values, max_size=2),
        st.text("ab", max_size=2),
        st.just(jinja2.Undefined(name="u")),
    )


def _outcome(env: jinja2.Environment, obj: t.Any, name: str) -> object:
    try:
        value = env.getattr(obj, name)
    except Exception as e:
        return "raised", type(e)
    if isinstance(value, jinja2.Undefined):
        return type(value), value._undefined_obj is obj, value._undefined_name
    return "value", value


_templates: dict[tuple[int, str], jinja2.Template] = {}


def _render(env: jinja2.Environment, obj: t.Any, name: str) -> object:
    template = _templates.get((id(env), name))
    if template is None:
        source = f"{{{{ x.{name} }}}}|{{{{ x.{name} is defined }}}}"
        template = _templates[id(env), name] = env.from_string(source)
    try:
        return template.render(x=obj)
    except Exception as e:
        return "raised", type(e)


_app = Microflask(__name__)
_ours = _app.jinja_env
_theirs = jinja2.Environment(autoescape=_ours.autoescape)


@settings(max_examples=120, deadline=None)
@given(obj=_objects(), name=st.sampled_from(NAMES))
def test_getattr_answers_as_jinjas_getattr(obj: t.Any, name: str) -> None:
    assert _outcome(_ours, obj, name) == _outcome(_theirs, obj, name)
    assert _render(_ours, obj, name) == _render(_theirs, obj, name)


def test_environment_keeps_jinjas_undefined_class() -> None:
    # The dict shortcut makes self.undefined: the same class Jinja would use.
    assert _ours.undefined is _theirs.undefined is jinja2.Undefined
