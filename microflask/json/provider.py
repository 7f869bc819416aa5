"""JSON providers: the object behind ``app.json`` that reads and writes it.

:class:`JSONProvider` is the interface an app talks to; subclass it to plug in another
JSON library. :class:`DefaultJSONProvider` uses the standard :mod:`json` module,
understands dates, decimals, UUIDs, dataclasses and HTML strings, and builds the
responses of ``jsonify``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import typing as t
import uuid
import weakref
from datetime import date
from functools import lru_cache

from werkzeug.http import http_date

if t.TYPE_CHECKING:
    from ..app import Microflask
    from ..wrappers import Response

__all__ = ["DefaultJSONProvider", "JSONProvider"]

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JSONProvider:
    """The JSON operations of an application, given to it as ``app.json``.

    Subclasses implement at least :meth:`dumps` and :meth:`loads`. The app is held
    through a :func:`weakref.proxy` in ``_app`` so the provider does not keep it alive.
    """

    def __init__(self, app: Microflask) -> None:
        self._app: Microflask = t.cast("Microflask", weakref.proxy(app))

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize ``obj`` to a JSON string."""
        raise NotImplementedError(f"{type(self).__name__} must implement dumps().")

    def dump(self, obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
        """Serialize ``obj`` as JSON into the text file ``fp``."""
        fp.write(self.dumps(obj, **kwargs))

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Deserialize JSON from text or UTF-8 bytes."""
        raise NotImplementedError(f"{type(self).__name__} must implement loads().")

    def load(self, fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
        """Deserialize JSON read from a text or binary file."""
        return self.loads(fp.read(), **kwargs)

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """Return a response whose body is the arguments as JSON.

        One argument is sent as is, several as a list, keyword arguments as a dict,
        none as ``null``.

        :raises TypeError: both positional and keyword arguments were given.
        """
        body = self.dumps(self._prepare_response_obj(args, kwargs))
        return self._app.response_class(body, mimetype="application/json")

    def _prepare_response_obj(self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]) -> t.Any:
        """Return the value :meth:`response` serializes, for subclasses."""
        if kwargs:
            if args:
                raise TypeError(
                    "jsonify() and app.json.response() take args or kwargs, not both:"
                    f" got {args!r} and {kwargs!r}."
                )
            return kwargs
        if len(args) == 1:
            return args[0]
        return args or None


def _default(o: t.Any) -> t.Any:
    """Return a JSON-ready form of ``o``, an object :mod:`json` cannot write.

    :raises TypeError: no conversion is known for the type of ``o``.
    """
    if isinstance(o, date):
        return http_date(o)
    # No Decimal exists before something imports decimal, so start-up need not load it.
    decimal = sys.modules.get("decimal")
    if isinstance(o, uuid.UUID) or (decimal is not None and isinstance(o, decimal.Decimal)):
        return str(o)
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if hasattr(o, "__html__"):
        return str(o.__html__())
    # Flask's and the json module's words, which code matches; the fix in a note.
    error = TypeError(f"Object of type {type(o).__name__} is not JSON serializable")
    if hasattr(error, "add_note"):  # Python 3.11+
        error.add_note("Convert it first, or set app.json.default to a function that does.")
    raise error


@lru_cache(maxsize=16)  # a few: ``default`` may keep changing
def _encoder(options: tuple[tuple[str, t.Any], ...]) -> json.JSONEncoder:
    """Return the JSON encoder made with *options*, kept for the next call."""
    return json.JSONEncoder(**dict(options))


class DefaultJSONProvider(JSONProvider):
    """A JSON provider built on the standard :mod:`json` module.

    Dates and datetimes become HTTP date strings, :class:`~decimal.Decimal` and
    :class:`~uuid.UUID` strings, dataclasses dicts, and objects with ``__html__``
    (such as :class:`~markupsafe.Markup`) the string that method returns.
    """

    #: Called for objects :mod:`json` cannot write; returns a JSON-ready value or raises
    #: :exc:`TypeError`.
    default: t.Callable[[t.Any], t.Any] = staticmethod(_default)
    #: Escape non-ASCII characters as ``\uXXXX``.
    ensure_ascii = True
    #: Sort dict keys; all keys must then be strings.
    sort_keys = True
    #: Whether :meth:`response` leaves out whitespace; ``None``: unless in debug mode.
    compact: bool | None = None
    #: The mimetype of :meth:`response`.
    mimetype = "application/json"

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize ``obj`` to a JSON string with :func:`json.dumps`.

        ``default``, ``ensure_ascii`` and ``sort_keys`` default to the attributes.
        """
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        # json.dumps builds a JSONEncoder on every call that passes options; one is
        # kept per option set instead (see _encoder). Options that cannot be a key
        # (separators as a list) or a JSONEncoder argument (cls) go to json.dumps, and
        # so does indent: 2 and 2.0 would be one key, but json takes only an int or a
        # string.
        if "indent" in kwargs:
            return json.dumps(obj, **kwargs)
        try:
            encoder = _encoder(tuple(kwargs.items()))
        except TypeError:
            return json.dumps(obj, **kwargs)
        return encoder.encode(obj)

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Deserialize JSON from text or UTF-8 bytes with :func:`json.loads`.

        :raises ValueError: for invalid JSON, JSON nested too deeply to parse
            (which :mod:`json` reports as a ``RecursionError``), or a string with an
            unpaired surrogate (``"\\ud800"``), which no text encoding can hold.
        """
        try:
            if isinstance(s, (bytes, bytearray)):  # strictly: json.loads lets encoded surrogates in
                s = s.decode(json.detect_encoding(s))
            value = json.loads(s, **kwargs)
            if not kwargs and "\\u" in s and _SURROGATE_ESCAPE.search(s):
                json.dumps(value, ensure_ascii=False).encode()
        except RecursionError:
            raise ValueError("JSON is nested too deeply to parse.") from None
        except UnicodeEncodeError:  # rendering it or sending it as text would be a 500
            raise ValueError("JSON string holds an unpaired surrogate.") from None
        return value

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """Return a JSON response of the arguments, ending in a newline.

        The body is indented when :attr:`compact` is false, or ``None`` in debug mode.
        Arguments are read as in :meth:`JSONProvider.response`.
        """
        obj = self._prepare_response_obj(args, kwargs)
        compact = self.compact
        # Only False and None (in debug mode) indent: any other value, 0 too, is compact.
        if compact is False or (compact is None and self._app.debug):
            body = self.dumps(obj, indent=2)
        else:
            body = self.dumps(obj, separators=(",", ":"))
        return self._app.response_class(f"{body}\n", mimetype=self.mimetype)
