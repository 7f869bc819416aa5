"""JSON functions that follow the active app's JSON provider.

Inside an app context :func:`dumps`, :func:`loads`, :func:`dump` and :func:`load`
call ``current_app.json``, so one provider setting applies everywhere, request bodies
included (``Request.json_module`` is this module); outside one they use :mod:`json`
with the default provider's type conversions. :func:`jsonify` builds a JSON response
and needs an app context.
"""

from __future__ import annotations

import json as _json
import typing as t

from ..globals import _cv_app
from ..helpers import require_app
from .provider import _default

if t.TYPE_CHECKING:
    from ..wrappers import Response

__all__ = ["dump", "dumps", "jsonify", "load", "loads"]


def dumps(obj: t.Any, **kwargs: t.Any) -> str:
    """Serialize ``obj`` to a JSON string with ``current_app.json`` if active.

    Without an app context :func:`json.dumps` is used, keeping ``kwargs`` and
    converting the types ``DefaultJSONProvider`` converts.
    """
    ctx = _cv_app.get(None)
    if ctx is not None:
        return ctx.app.json.dumps(obj, **kwargs)
    kwargs.setdefault("default", _default)
    return _json.dumps(obj, **kwargs)


def dump(obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
    """Serialize ``obj`` as JSON into the text file ``fp``, as ``dumps`` does."""
    ctx = _cv_app.get(None)
    if ctx is not None:
        ctx.app.json.dump(obj, fp, **kwargs)
    else:
        # json.dump, not a write of dumps(): what a failing call leaves in fp is json's.
        kwargs.setdefault("default", _default)
        _json.dump(obj, fp, **kwargs)


def loads(s: str | bytes, **kwargs: t.Any) -> t.Any:
    """Deserialize JSON text or UTF-8 bytes, with ``current_app.json`` if any."""
    ctx = _cv_app.get(None)
    if ctx is not None:
        return ctx.app.json.loads(s, **kwargs)
    return _json.loads(s, **kwargs)


def load(fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
    """Deserialize JSON read from a text or binary file, as :func:`loads` does."""
    ctx = _cv_app.get(None)
    if ctx is not None:
        return ctx.app.json.load(fp, **kwargs)
    return _json.load(fp, **kwargs)


def jsonify(*args: t.Any, **kwargs: t.Any) -> Response:
    """Return an ``application/json`` response of the arguments.

    One argument is sent as is, several as a list, keyword arguments as a dict and
    none as ``null``; the body is indented in debug mode. Calls
    ``current_app.json.response()``.

    :raises TypeError: both positional and keyword arguments were given.
    :raises RuntimeError: no app context is active.
    """
    return require_app("jsonify").json.response(*args, **kwargs)
