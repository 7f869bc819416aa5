"""microflask: a Flask-compatible web framework on Werkzeug and Jinja2."""

from __future__ import annotations

import typing as t

from markupsafe import Markup, escape

from . import json
from .app import Microflask
from .blueprints import Blueprint, BlueprintSetupState
from .config import Config
from .csrf import csrf_exempt, csrf_token, generate_csrf
from .ctx import (
    after_this_request,
    copy_current_request_context,
    has_app_context,
    has_request_context,
)
from .flask_compat import install_as_flask
from .globals import app_ctx, current_app, g, request, request_ctx, session
from .helpers import (
    abort,
    flash,
    get_flashed_messages,
    make_response,
    redirect,
    send_file,
    send_from_directory,
    stream_with_context,
    url_for,
)
from .json import jsonify
from .redirects import is_safe_redirect_url, redirect_back
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
from .templating import (
    get_template_attribute,
    render_block,
    render_template,
    render_template_string,
    stream_block,
    stream_template,
    stream_template_string,
)
from .wrappers import Request, Response

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

# Flask's names for the classes microflask renames; where each one lives here.
_FLASK_NAMES = {
    "Flask": "microflask.Microflask",
    "FlaskClient": "microflask.testing.MicroflaskClient",
    "FlaskCliRunner": "microflask.testing.MicroflaskCliRunner",
    "FlaskGroup": "microflask.cli.MicroflaskGroup",
}

if not t.TYPE_CHECKING:  # pragma: no branch
    # Hidden from type checkers, which would otherwise accept any misspelt name.

    def __getattr__(name: str) -> t.Any:
        """Explain where a Flask name went instead of a bare AttributeError."""
        if name in _FLASK_NAMES:
            module, _, new_name = _FLASK_NAMES[name].rpartition(".")
            # An ImportError, not an AttributeError: ``from microflask import Flask``
            # would replace an AttributeError's message with a generic one.
            raise ImportError(
                f"microflask has no {name!r}: the class is {new_name!r} (from {module} import"
                f" {new_name}). To run Flask code unchanged, call"
                " microflask.install_as_flask() before importing flask.",
                name=__name__,
            )
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
