"""The ``typed`` benchmark app three ways: raw Werkzeug, flask-openapi3 on Flask, microflask.

Each answers ``POST /items``: the JSON body is validated as ``ItemIn``, and the item
with an id is returned through the response model ``ItemOut``. The models are the
same pydantic classes for all three; they live at module level so that microflask
can resolve the views' annotations. This module imports pydantic, so ``apps.py``
loads it only when the typed app is asked for.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
ITEM_ID = 1


class ItemIn(BaseModel):
    """What a client sends."""

    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)
    quantity: int = Field(ge=0)
    tags: list[str] = []


class ItemOut(ItemIn):
    """What the API answers: the item and its id."""

    id: int


def create_app(framework: str) -> WSGIApp | None:
    """Build the typed app on *framework*; None if it has none (bare WSGI)."""
    if framework == "raw":
        return _RawTypedApp()
    if framework == "flask":
        return _flask_openapi3_app()
    if framework == "microflask":
        return _microflask_app()
    return None


class _RawTypedApp:
    """The floor: Werkzeug and pydantic by hand."""

    url_map = Map([Rule("/items", endpoint="create", methods=["POST"])])

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response: Any
        try:
            self.url_map.bind_to_environ(environ).match()
            item = ItemIn.model_validate_json(request.get_data())
        except ValidationError as error:
            body = json.dumps({"errors": error.errors(include_url=False, include_input=False)})
            response = Response(body, 422, mimetype="application/problem+json")
        except Exception as error:  # a routing error answers as itself
            response = error
        else:
            out = ItemOut(id=ITEM_ID, **item.model_dump())
            response = Response(out.model_dump_json(), mimetype="application/json")
        return response(environ, start_response)  # type: ignore[no-any-return]


def _flask_openapi3_app() -> WSGIApp:
    openapi = importlib.import_module("flask_openapi3")
    app = openapi.OpenAPI(__name__, validate_response=True)

    @app.post("/items", responses={200: ItemOut})  # type: ignore[untyped-decorator]
    def create(body: ItemIn) -> dict[str, Any]:
        return ItemOut(id=ITEM_ID, **body.model_dump()).model_dump()

    return app  # type: ignore[no-any-return]


def _microflask_app() -> WSGIApp:
    from microflask import Microflask

    app = Microflask(__name__)

    @app.post("/items")
    def create(item: ItemIn) -> ItemOut:
        return ItemOut(id=ITEM_ID, **item.model_dump())

    return app
