"""The names a Flask user imports exist under the same modules (Flask→Microflask renamed)."""

from __future__ import annotations

import importlib

import pytest

import microflask

TOP_LEVEL = """
Blueprint Config Microflask Request Response abort after_this_request app_ctx
appcontext_popped appcontext_pushed appcontext_tearing_down before_render_template
copy_current_request_context current_app flash g get_flashed_messages get_template_attribute
got_request_exception has_app_context has_request_context json jsonify make_response
message_flashed redirect render_template render_template_string request request_ctx
request_finished request_started request_tearing_down send_file send_from_directory session
stream_template stream_template_string stream_with_context template_rendered url_for
""".split()

SUBMODULES = {
    "microflask.app": ["Microflask"],
    "microflask.blueprints": ["Blueprint", "BlueprintSetupState"],
    "microflask.cli": [
        "AppGroup",
        "CertParamType",
        "MicroflaskGroup",
        "NoAppException",
        "ScriptInfo",
        "SeparatedPathType",
        "load_dotenv",
        "pass_script_info",
        "show_server_banner",
        "version_option",
        "with_appcontext",
    ],
    "microflask.config": ["Config", "ConfigAttribute"],
    "microflask.ctx": ["AppContext", "RequestContext", "after_this_request"],
    "microflask.globals": ["current_app", "g", "request", "session", "app_ctx", "request_ctx"],
    "microflask.helpers": [
        "abort",
        "flash",
        "get_flashed_messages",
        "get_root_path",
        "get_template_attribute",
        "make_response",
        "redirect",
        "send_file",
        "send_from_directory",
        "stream_with_context",
        "url_for",
    ],
    "microflask.json": ["dump", "dumps", "jsonify", "load", "loads"],
    "microflask.json.provider": ["DefaultJSONProvider", "JSONProvider"],
    "microflask.json.tag": ["JSONTag", "TaggedJSONSerializer"],
    "microflask.logging": ["create_logger", "default_handler", "has_level_handler"],
    "microflask.sessions": [
        "NullSession",
        "SecureCookieSession",
        "SecureCookieSessionInterface",
        "SessionInterface",
        "SessionMixin",
        "session_json_serializer",
    ],
    "microflask.signals": ["message_flashed", "template_rendered"],
    "microflask.templating": [
        "DispatchingJinjaLoader",
        "Environment",
        "render_template",
        "render_template_string",
        "stream_template",
        "stream_template_string",
    ],
    "microflask.testing": ["EnvironBuilder", "MicroflaskClient", "MicroflaskCliRunner"],
    "microflask.views": ["MethodView", "View"],
    "microflask.wrappers": ["Request", "Response"],
}


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_name_is_exported(name: str) -> None:
    assert name in microflask.__all__
    assert getattr(microflask, name) is not None


@pytest.mark.parametrize(
    ("module", "name"), [(m, n) for m, names in SUBMODULES.items() for n in names]
)
def test_submodule_name_is_importable(module: str, name: str) -> None:
    assert getattr(importlib.import_module(module), name) is not None


def test_every_name_in_all_exists() -> None:
    missing = [name for name in microflask.__all__ if not hasattr(microflask, name)]
    assert missing == []
