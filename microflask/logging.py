"""The app's logger, named after it, writing to wsgi.errors or stderr.

``app.logger`` is made here on first use. It gets :data:`default_handler` only
when nothing up its logger chain would handle its records, so an application
that configures logging itself sees no extra output.
"""

from __future__ import annotations

import logging
import sys
import typing as t

from werkzeug.local import LocalProxy

from .globals import _cv_request

if t.TYPE_CHECKING:
    from .app import Microflask

__all__ = ["create_logger", "default_handler", "has_level_handler", "wsgi_errors_stream"]


def _errors_stream() -> t.TextIO:
    ctx = _cv_request.get(None)
    if ctx is None:
        return sys.stderr
    return t.cast(t.TextIO, ctx.request.environ["wsgi.errors"])


#: The request's ``wsgi.errors`` stream during a request, else ``sys.stderr``.
#: Logging configuration files can name it ``ext://microflask.logging.wsgi_errors_stream``.
wsgi_errors_stream: t.TextIO = t.cast(t.TextIO, LocalProxy(_errors_stream))


def has_level_handler(logger: logging.Logger) -> bool:
    """Tell whether a handler on *logger* or an ancestor takes its level.

    Ancestors count only as far as records propagate to them.
    """
    level = logger.getEffectiveLevel()
    current: logging.Logger | None = logger
    while current is not None:
        if any(handler.level <= level for handler in current.handlers):
            return True
        if not current.propagate:
            return False
        current = current.parent
    return False


#: Writes to :data:`wsgi_errors_stream` as ``[time] LEVEL in module: message``.
default_handler = logging.StreamHandler(wsgi_errors_stream)
default_handler.setFormatter(
    logging.Formatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
)


def create_logger(app: Microflask) -> logging.Logger:
    """Return the logger named ``app.name``, configured for the app.

    Its level becomes DEBUG when ``app.debug`` is on and no level is set, and
    :data:`default_handler` is added when no handler in its chain takes its level.
    """
    logger = logging.getLogger(app.name)
    if app.debug and logger.level == logging.NOTSET:
        logger.setLevel(logging.DEBUG)
    if not has_level_handler(logger):
        logger.addHandler(default_handler)
    return logger
