"""microflask: a Flask-compatible micro web framework on Werkzeug and Jinja2."""

from __future__ import annotations

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
    is_safe_redirect_url,
    make_response,
    redirect,
    redirect_back,
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
from .templating import (
    get_template_attribute,
    render_template,
    render_template_string,
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
    "stream_template",
    "stream_template_string",
    "stream_with_context",
    "template_rendered",
    "url_for",
]
