"""Check the cases frameworks built on Flask found against Flask 3.1.

Each case is the smallest piece of a published framework or application
(Flask-Classful, apps that catch a missing template) run on both frameworks
whose behaviour once differed from Flask's. The frameworks themselves run
outside the repository.
"""

from __future__ import annotations

import importlib

import pytest

import microflask.templating
import microflask.wrappers

# Names published code imports from Flask's modules, though they are not in
# those modules' ``__all__``: Flask-Classful does ``from flask.wrappers import
# ResponseBase`` at import time.
IMPORTED_NAMES = [
    (microflask.wrappers, "flask.wrappers", "RequestBase"),
    (microflask.wrappers, "flask.wrappers", "ResponseBase"),
    (microflask.templating, "flask.templating", "TemplateNotFound"),
]


@pytest.mark.parametrize(("module", "flask_module", "name"), IMPORTED_NAMES)
def test_module_names_published_code_imports_are_flasks(
    module: object, flask_module: str, name: str
) -> None:
    assert getattr(module, name) is getattr(importlib.import_module(flask_module), name)


def test_wrappers_base_classes_are_the_werkzeug_wrappers() -> None:
    from werkzeug.wrappers import Request, Response

    assert issubclass(microflask.wrappers.Request, microflask.wrappers.RequestBase)
    assert microflask.wrappers.ResponseBase is Response
    assert microflask.wrappers.RequestBase is Request
