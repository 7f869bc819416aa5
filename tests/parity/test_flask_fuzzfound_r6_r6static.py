"""Compare with Flask 3.1 the static-file and template cases fuzzing found.

Each case is the smallest form of a difference found by drawing static
folders, ``send_file`` arguments and template set-ups for both frameworks;
the generators live outside the repository.
"""

from __future__ import annotations

import contextlib
import logging
import pathlib
import typing as t

import jinja2
from flask_parity import FRAMEWORKS, app_class, blueprint


@contextlib.contextmanager
def _logged(app: t.Any) -> t.Iterator[list[str]]:
    """Collect the messages *app*'s logger logs at INFO or above meanwhile."""
    messages: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    app.logger.addHandler(handler)
    app.logger.setLevel(logging.INFO)
    try:
        yield messages
    finally:
        app.logger.removeHandler(handler)


def _explained_render_in_blueprint(fw: t.Any, root: pathlib.Path) -> str:
    """Render ``page.html`` from a blueprint's view; return the explanation."""
    app = app_class(fw)("explain_app", root_path=str(root))
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    bp = blueprint(fw, "shop", root_path=str(root / "shop"), template_folder="t")

    @bp.route("/page")
    def page() -> str:
        return t.cast(str, fw.render_template("page.html"))

    app.register_blueprint(bp)
    with _logged(app) as messages:
        assert app.test_client().get("/page").text == "app's page"
    [message] = messages
    return message


def test_explain_template_loading_names_the_blueprint_when_folders_shadow(
    tmp_path: pathlib.Path,
) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("app's page")
    (tmp_path / "shop" / "t").mkdir(parents=True)
    (tmp_path / "shop" / "t" / "page.html").write_text("shop's page")
    found = {name: _explained_render_in_blueprint(fw, tmp_path) for name, fw in FRAMEWORKS.items()}
    assert found["microflask"] == found["flask"]
    message = found["flask"]
    assert "Warning: multiple loaders returned a match for the template." in message
    assert "looked up from an endpoint that belongs to the blueprint 'shop'." in message
    assert "See https://flask.palletsprojects.com/blueprints/#templates" in message


def _explanation(fw: t.Any, loader: jinja2.BaseLoader, name: str) -> str:
    """Render *name* through *loader* as the app's loader; return the log."""
    app = app_class(fw)("explain_app")
    app.jinja_loader = loader
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    with _logged(app) as messages, app.app_context():
        assert fw.render_template(name) == "from a dict"
    [message] = messages
    return message


def test_explain_template_loading_leaves_out_a_list_of_loaders() -> None:
    found = {
        name: _explanation(
            fw,
            jinja2.ChoiceLoader([jinja2.DictLoader({"page.html": "from a dict"})]),
            "page.html",
        )
        for name, fw in FRAMEWORKS.items()
    }
    assert found["microflask"] == found["flask"]
    assert "class: jinja2.loaders.ChoiceLoader\n       -> found ('<string>')" in found["flask"]
