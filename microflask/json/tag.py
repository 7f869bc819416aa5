"""Tagged JSON: the lossless JSON form that session cookies are stored in.

JSON has no tuples, bytes, Markup, UUIDs or datetimes. :class:`TaggedJSONSerializer`
writes such a value as a one-key dict whose key names its type, ``{" t": [1, 2]}`` for
``(1, 2)``, and turns it back on loading. The format is Flask's, so a session cookie
reads the same in both. To add a type, subclass :class:`JSONTag` and
:meth:`~TaggedJSONSerializer.register` it.
"""

from __future__ import annotations

import json
import typing as t
from base64 import b64decode, b64encode
from datetime import datetime
from uuid import UUID

from markupsafe import Markup
from werkzeug.http import http_date, parse_date

from ..globals import _cv_app
from . import dumps
from .provider import DefaultJSONProvider

_SCALARS = frozenset((str, int, float, bool, type(None)))

__all__ = [
    "JSONTag",
    "PassDict",
    "PassList",
    "TagBytes",
    "TagDateTime",
    "TagDict",
    "TagMarkup",
    "TagTuple",
    "TagUUID",
    "TaggedJSONSerializer",
]


class JSONTag:
    """A type the :class:`TaggedJSONSerializer` knows how to tag."""

    #: The key that marks a tagged value. A tag without one leaves no mark: it only
    #: converts the value, as the tags that walk into dicts and lists do.
    key: str = ""

    def __init__(self, serializer: TaggedJSONSerializer) -> None:
        self.serializer = serializer

    def check(self, value: t.Any) -> bool:
        """Return whether this tag handles ``value``."""
        raise NotImplementedError(f"{type(self).__name__} must implement check().")

    def to_json(self, value: t.Any) -> t.Any:
        """Return ``value`` as JSON data, before the tag is put around it."""
        raise NotImplementedError(f"{type(self).__name__} must implement to_json().")

    def to_python(self, value: t.Any) -> t.Any:
        """Return the Python value of JSON data whose tag was removed."""
        raise NotImplementedError(f"{type(self).__name__} must implement to_python().")

    def tag(self, value: t.Any) -> t.Any:
        """Return ``value`` as JSON data wrapped in ``{key: data}``."""
        if not self.key:
            return self.to_json(value)
        return {self.key: self.to_json(value)}


class _TypeTag(JSONTag):
    """A tag of the instances of :attr:`kind`."""

    kind: t.ClassVar[type] = object

    def check(self, value: t.Any) -> bool:
        return isinstance(value, self.kind)


class TagDict(JSONTag):
    """The tag of a one-key dict whose key is itself a tag key.

    The key gets a ``__`` suffix, so loading does not take the dict for a tagged value.
    """

    key = " di"

    def check(self, value: t.Any) -> bool:
        return (
            isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)) in self.serializer.tags
        )

    def to_json(self, value: t.Any) -> t.Any:
        ((key, item),) = value.items()
        return {key + "__": self.serializer.tag(item)}

    def to_python(self, value: t.Any) -> t.Any:
        # Flask's reading of hand-made data: the first key, less its last two characters.
        key = next(iter(value))
        return {key[:-2]: value[key]}


class PassDict(_TypeTag):
    """The pass-through for other dicts: their values are tagged."""

    kind = dict

    def to_json(self, value: t.Any) -> t.Any:
        tag = self.serializer.tag
        return {key: tag(item) for key, item in value.items()}


class PassList(_TypeTag):
    """The pass-through for lists: their items are tagged."""

    kind: t.ClassVar[type] = list

    def to_json(self, value: t.Any) -> t.Any:
        return [self.serializer.tag(item) for item in value]


class TagTuple(PassList):
    """The tag of a tuple, written as a list."""

    key, kind = " t", tuple

    def to_python(self, value: t.Any) -> t.Any:
        return tuple(value)


class TagBytes(_TypeTag):
    """The tag of bytes, written in base64."""

    key, kind = " b", bytes

    def to_json(self, value: t.Any) -> t.Any:
        return b64encode(value).decode("ascii")

    def to_python(self, value: t.Any) -> t.Any:
        return b64decode(value)


class TagMarkup(JSONTag):
    """The tag of an object with ``__html__``; it loads as ``Markup``."""

    key = " m"

    def check(self, value: t.Any) -> bool:
        return callable(getattr(value, "__html__", None))

    def to_json(self, value: t.Any) -> t.Any:
        return str(value.__html__())

    def to_python(self, value: t.Any) -> t.Any:
        return Markup(value)


class TagUUID(_TypeTag):
    """The tag of a :class:`~uuid.UUID`, written as its hex digits."""

    key, kind = " u", UUID

    def to_json(self, value: t.Any) -> t.Any:
        return value.hex

    def to_python(self, value: t.Any) -> t.Any:
        return UUID(value)


class TagDateTime(_TypeTag):
    """The tag of a datetime, written as an HTTP date.

    The date is whole seconds in UTC, so microseconds are lost and a naive datetime,
    taken as UTC, loads as an aware one.
    """

    key, kind = " d", datetime

    def to_json(self, value: t.Any) -> t.Any:
        return http_date(value)

    def to_python(self, value: t.Any) -> t.Any:
        return parse_date(value)


class TaggedJSONSerializer:
    """A serializer of tagged JSON; the session's payload serializer.

    ``order`` lists the tags in the order they are tried on a value, ``tags`` maps each
    tag key to its tag.
    """

    __slots__ = ("_builtin_order", "_decoder", "order", "tags")

    #: The tags every instance starts with, in this order.
    default_tags: t.ClassVar[list[type[JSONTag]]] = [
        TagDict,
        PassDict,
        TagTuple,
        PassList,
        TagBytes,
        TagMarkup,
        TagUUID,
        TagDateTime,
    ]

    def __init__(self) -> None:
        self.tags: dict[str, JSONTag] = {}
        self.order: list[JSONTag] = []
        for tag_class in self.default_tags:
            self.register(tag_class)
        # While the order holds only the built-in tags, str/int/float/bool/None are never
        # tagged. The order is compared on each use: users may edit it, not only register.
        builtin = self.default_tags == TaggedJSONSerializer.default_tags
        self._builtin_order = self.order.copy() if builtin else None
        self._decoder = json.JSONDecoder(object_hook=self.untag)

    def register(
        self, tag_class: type[JSONTag], force: bool = False, index: int | None = None
    ) -> None:
        """Add a tag, tried after all others unless ``index`` places it.

        Give an ``index`` when an earlier tag would match too: 0 for a dict subclass,
        which :class:`PassDict` would otherwise take.

        :param force: replace the tag that has the same key.
        :raises KeyError: the key is taken and ``force`` is false.
        """
        tag = tag_class(self)
        if tag.key:
            old = self.tags.get(tag.key)
            if old is not None:
                if not force:
                    raise KeyError(
                        f"Tag key {tag.key!r} is already registered by"
                        f" {type(old).__name__}; pass force=True to replace it."
                    )
                self.order.remove(old)
            self.tags[tag.key] = tag
        self.order.insert(len(self.order) if index is None else index, tag)

    def tag(self, value: t.Any) -> t.Any:
        """Return ``value`` as JSON data, tagging what JSON cannot hold."""
        if type(value) in _SCALARS and self.order == self._builtin_order:
            return value
        for tag in self.order:
            if tag.check(value):
                return tag.tag(value)
        return value

    def untag(self, value: dict[str, t.Any]) -> t.Any:
        """Return the Python value of a tagged dict; other dicts come back as is."""
        if len(value) == 1:
            ((key, data),) = value.items()
            tag = self.tags.get(key)
            if tag is not None:
                return tag.to_python(data)
        return value

    def _untag_tree(self, value: t.Any) -> t.Any:
        """Return parsed JSON with its tagged dicts untagged, innermost first."""
        if isinstance(value, dict):
            return self.untag({key: self._untag_tree(item) for key, item in value.items()})
        if isinstance(value, list):
            return [self._untag_tree(item) for item in value]
        return value

    def dumps(self, value: t.Any) -> str:
        """Return ``value`` tagged, as compact JSON."""
        return dumps(self.tag(value), separators=(",", ":"))

    def loads(self, value: str | bytes) -> t.Any:
        """Return the value of tagged JSON, untagging it at every depth."""
        # An app's own loads may not take json's object_hook (orjson's does not): its
        # result is walked instead. The default one would only call json.loads, which
        # this cached decoder, handing each dict to the hook innermost first, does faster.
        ctx = _cv_app.get(None)
        if ctx is not None:
            loads = ctx.app.json.loads
            if getattr(loads, "__func__", None) is not DefaultJSONProvider.loads:
                return self._untag_tree(loads(value))
        if isinstance(value, (bytes, bytearray)):
            value = value.decode(json.detect_encoding(value), "surrogatepass")
        return self._decoder.decode(value)
