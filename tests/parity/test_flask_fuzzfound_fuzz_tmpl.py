"""Pin the template and file-sending differences randomized testing found.

Each case is the shrunk form of a discrepancy a Hypothesis generator found
between Flask 3.1 and microflask (same app, same requests, see
``flask_parity``); the answers must now be Flask's.
"""

from __future__ import annotations

import types
import typing as t

import pytest
from flask_parity import FRAMEWORKS, assert_same, blueprint, get, make_app


def shadowing_processor(fw: types.ModuleType) -> t.Any:
    app = make_app(fw)
    bp = blueprint(fw, "bp")
    source = "{{ request.args.q }}|{{ g.x }}|{{ shadow }}"

    def shadow() -> dict[str, str]:
        return {"request": "app's", "g": "app's", "shadow": "app's"}

    app.context_processor(shadow)

    @app.route("/app")
    def in_app() -> str:
        return t.cast(str, fw.render_template_string("{{ request }}|{{ g }}|{{ shadow }}"))

    @bp.route("/bp")
    def in_bp() -> str:
        fw.g.x = "real g"
        return t.cast(str, fw.render_template_string(source))

    app.register_blueprint(bp, url_prefix="/b")
    return app


def test_blueprint_requests_see_the_real_request_and_g() -> None:
    # A blueprint's registry starts with the processor giving g and request,
    # which runs after the app's: it wins over an app processor's values.
    assert_same(shadowing_processor, [get("/app"), get("/b/bp?q=real")])


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_a_blueprints_registry_holds_the_default_processor(name: str) -> None:
    bp = blueprint(FRAMEWORKS[name], "bp")
    processors = bp.template_context_processors[None]
    assert [f.__name__ for f in processors] == ["_default_template_ctx_processor"]
