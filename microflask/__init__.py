"""microflask: a Flask-compatible web framework on Werkzeug and Jinja2."""

from __future__ import annotations

import importlib
import sys
import typing as t

from markupsafe import Markup, escape

from . import json
from .app import Microflask
from .config import Config
from .ctx import (
    after_this_request,
    copy_current_request_context,
    has_app_context,
    has_request_context,
)
from .globals import app_ctx, current_app, g, request, request_ctx, session
from .helpers import (
    abort,
    flash,
    get_flashed_messages,
    get_template_attribute,
    make_response,
    redirect,
    send_file,
    send_from_directory,
    stream_with_context,
    url_for,
)
from .json import jsonify
from .signals import (
    appcontext_popped,
    appcontext_pushed,
    appcontext_tearing_down,
    before_render_template,
    got_request_exception,
    message_flashed,
    request_finished,
    request_started,
    request_tearing_down,
    template_rendered,
)
from .wrappers import Request, Response

if t.TYPE_CHECKING:
    from .blueprints import Blueprint, BlueprintSetupState
    from .csrf import csrf_exempt, csrf_token, generate_csrf
    from .flask_compat import install_as_flask
    from .fragments import render_block, stream_block
    from .redirects import is_safe_redirect_url, redirect_back
    from .templating import (
        render_template,
        render_template_string,
        stream_template,
        stream_template_string,
    )

__all__ = [
    "Blueprint",
    "BlueprintSetupState",
    "Config",
    "Markup",
    "Microflask",
    "Request",
    "Response",
    "abort",
    "after_this_request",
    "app_ctx",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "copy_current_request_context",
    "csrf_exempt",
    "csrf_token",
    "current_app",
    "escape",
    "flash",
    "g",
    "generate_csrf",
    "get_flashed_messages",
    "get_template_attribute",
    "got_request_exception",
    "has_app_context",
    "has_request_context",
    "install_as_flask",
    "is_safe_redirect_url",
    "json",
    "jsonify",
    "make_response",
    "message_flashed",
    "redirect",
    "redirect_back",
    "render_block",
    "render_template",
    "render_template_string",
    "request",
    "request_ctx",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "send_file",
    "send_from_directory",
    "session",
    "stream_block",
    "stream_template",
    "stream_template_string",
    "stream_with_context",
    "template_rendered",
    "url_for",
]

# Names whose modules load on first use: Jinja2 and the optional features stay off the
# import path, which then holds only what a request needs.
_LAZY_NAMES = {
    "Blueprint": "blueprints",
    "BlueprintSetupState": "blueprints",
    "csrf_exempt": "csrf",
    "csrf_token": "csrf",
    "generate_csrf": "csrf",
    "install_as_flask": "flask_compat",
    "is_safe_redirect_url": "redirects",
    "redirect_back": "redirects",
    "render_block": "fragments",
    "render_template": "templating",
    "render_template_string": "templating",
    "stream_block": "fragments",
    "stream_template": "templating",
    "stream_template_string": "templating",
}

if not t.TYPE_CHECKING:  # pragma: no branch
    # Hidden from type checkers, which would otherwise accept any misspelt name.

    def __getattr__(name: str) -> t.Any:
        """Load a lazily exported name, or explain where a Flask name went."""
        if name in _LAZY_NAMES:
            module = importlib.import_module(f".{_LAZY_NAMES[name]}", __name__)
            value = getattr(module, name)
            setattr(sys.modules[__name__], name, value)  # later reads skip this function
            return value
        from .flask_compat import missing_flask_name

        raise missing_flask_name(name)

    def __dir__() -> list[str]:
        """List the package's names, the lazily exported ones included."""
        return sorted({*vars(sys.modules[__name__]), *_LAZY_NAMES})
