"""Typed views: request data from annotations, 422 problems, response models."""

from __future__ import annotations

import functools
import logging
import sqlite3
import subprocess
import sys
import typing as t
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field, Json, model_validator
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule
from werkzeug.wrappers import Response as WerkzeugResponse

from microflask import Blueprint, Microflask, Response, abort, request
from microflask import typed as typed_module
from microflask.testing import MicroflaskClient
from microflask.typed import (
    Body,
    Cookie,
    Form,
    Header,
    Query,
    RequestValidationError,
    ResponseValidationError,
    adapt_view,
)
from microflask.views import MethodView, View

if t.TYPE_CHECKING:
    from werkzeug.test import TestResponse


class Item(BaseModel):
    name: str
    price: float = Field(gt=0)


class StoredItem(Item):
    password_hash: str = "pbkdf2:secret"


class Filters(BaseModel):
    tag: list[str] = []
    min_price: float = 0


class Login(BaseModel):
    username: str
    remember: bool = False


class Out(BaseModel):
    item_id: int = Field(alias="itemId")


class Opaque:
    """A class pydantic knows nothing about."""


def _json(response: TestResponse) -> t.Any:
    """Return the JSON body of *response*; the tests index it freely."""
    return response.json


def _errors(response: TestResponse) -> list[dict[str, t.Any]]:
    assert response.status_code == 422, response.data
    assert response.mimetype == "application/problem+json"
    body = _json(response)
    assert body["type"] == "about:blank"
    assert body["title"] == "Unprocessable Entity"
    assert body["status"] == 422
    assert body["detail"]
    return t.cast(list[dict[str, t.Any]], body["errors"])


def _locs(response: TestResponse) -> list[list[str | int]]:
    return [error["loc"] for error in _errors(response)]


# -- the JSON body ----------------------------------------------------------------------


def test_model_parameter_reads_the_json_body(app: Microflask, client: MicroflaskClient) -> None:
    @app.post("/items")
    def create(item: Item) -> dict[str, t.Any]:
        return {"type": type(item).__name__, "name": item.name, "price": item.price}

    response = client.post("/items", json={"name": "pen", "price": "1.5"})
    assert response.json == {"type": "Item", "name": "pen", "price": 1.5}


def test_invalid_body_is_422_with_each_error(app: Microflask, client: MicroflaskClient) -> None:
    @app.post("/items")
    def create(item: Item) -> str:
        raise AssertionError("not called")

    errors = _errors(client.post("/items", json={"price": -1}))
    assert [e["loc"] for e in errors] == [["body", "name"], ["body", "price"]]
    assert [e["type"] for e in errors] == ["missing", "greater_than"]
    assert errors[1]["msg"] == "Input should be greater than 0"


def test_malformed_json_is_400_problem(app: Microflask, client: MicroflaskClient) -> None:
    @app.post("/items")
    def create(item: Item) -> str:
        raise AssertionError("not called")

    response = client.post("/items", data="{oops", content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert _json(response)["detail"] == "The body is not valid JSON."


@pytest.mark.parametrize(
    "kwargs",
    [{"data": {"name": "pen"}}, {"data": "name=pen", "content_type": "text/plain"}, {}],
)
def test_body_in_another_content_type_is_415(
    app: Microflask, client: MicroflaskClient, kwargs: dict[str, t.Any]
) -> None:
    @app.post("/items")
    def create(item: Item) -> str:
        raise AssertionError("not called")

    response = client.post("/items", **kwargs)
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"
    assert "application/json" in _json(response)["detail"]


def test_optional_body_takes_its_default_when_none_is_sent(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.post("/search")
    def search(filters: Annotated[Filters | None, Body()] = None) -> str:
        return "none" if filters is None else ",".join(filters.tag)

    assert client.post("/search").text == "none"
    assert client.post("/search", json={"tag": ["a", "b"]}).text == "a,b"


def test_unmarked_optional_model_is_an_optional_body(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.post("/search")
    def search(filters: Filters | None = None) -> str:
        return "none" if filters is None else ",".join(filters.tag)

    assert client.post("/search").text == "none"
    assert client.post("/search", json={"tag": ["a", "b"]}).text == "a,b"
    assert client.post("/search", data="null", content_type="application/json").text == "none"
    assert _locs(client.post("/search", json={"tag": 1})) == [["body", "tag"]]
    assert client.post("/search", data={"tag": "a"}).status_code == 415


def test_unmarked_optional_annotated_model_keeps_its_none(
    app: Microflask, client: MicroflaskClient
) -> None:
    # Optional around an Annotated without a marker is left as written: null is valid.
    @app.post("/search")
    def search(filters: Annotated[Filters, Field(description="f")] | None = None) -> str:
        return "none" if filters is None else ",".join(filters.tag)

    null = {"data": "null", "content_type": "application/json"}
    assert client.post("/search", **null).text == "none"
    assert client.post("/search", json={"tag": ["a"]}).text == "a"


def test_unmarked_list_of_models_is_the_body(app: Microflask, client: MicroflaskClient) -> None:
    @app.post("/bulk")
    def bulk(items: list[Item]) -> str:
        return ",".join(item.name for item in items)

    assert client.post("/bulk", json=[{"name": "a", "price": 1}]).text == "a"
    assert _locs(client.post("/bulk", json=[{"name": "a"}])) == [["body", 0, "price"]]
    assert client.post("/bulk").status_code == 415


class Box(BaseModel):
    inner: Json[Filters]


def test_query_model_field_that_is_a_model_reads_json(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.get("/find")
    def find(box: Annotated[Box, Query()]) -> str:
        return ",".join(box.inner.tag)

    assert client.get("/find", query_string={"inner": '{"tag": ["x"]}'}).text == "x"
    assert _locs(client.get("/find", query_string={"inner": "{"})) == [["query", "inner"]]


def test_body_marker_validates_any_type(app: Microflask, client: MicroflaskClient) -> None:
    @app.post("/bulk")
    def bulk(items: Annotated[list[Item], Body(min_length=1)]) -> str:
        return str(sum(item.price for item in items))

    assert client.post("/bulk", json=[{"name": "a", "price": 2}]).text == "2.0"
    assert _locs(client.post("/bulk", json=[])) == [["body"]]
    assert _locs(client.post("/bulk", json=[{"name": "a", "price": 0}])) == [["body", 0, "price"]]


def test_model_parameter_a_decorator_fills_is_left_to_it(
    app: Microflask, client: MicroflaskClient
) -> None:
    def item_from_form(view: t.Callable[..., str]) -> t.Callable[..., str]:
        # what APIFlask's @app.input(Model, location="form") and Flask-Pydantic do
        @functools.wraps(view)
        def wrapper(**kwargs: t.Any) -> str:
            return view(item=Item.model_validate(request.form.to_dict()), **kwargs)

        return wrapper

    @app.post("/items")
    @item_from_form
    def create(item: Item) -> str:
        return f"{item.name} {item.price}"

    assert client.post("/items", data={"name": "pen", "price": "2"}).text == "pen 2.0"


def test_two_model_parameters_a_decorator_fills_are_not_refused(
    app: Microflask, client: MicroflaskClient
) -> None:
    # flask-openapi3's shape: its wrapper builds `path` and `body` itself, so the
    # "two parameters read the body" check must not refuse the view at registration.
    def models_from_request(view: t.Callable[..., str]) -> t.Callable[..., str]:
        @functools.wraps(view)
        def wrapper(**kwargs: t.Any) -> str:
            body = Item.model_validate(request.get_json())
            return view(path=Out(itemId=kwargs["item_id"]), body=body)

        return wrapper

    @app.put("/items/<int:item_id>")
    @models_from_request
    def update(path: Out, body: Item) -> str:
        return f"{path.item_id} {body.name}"

    assert client.put("/items/3", json={"name": "pen", "price": 2}).text == "3 pen"


def test_marked_parameter_is_read_through_a_decorator(
    app: Microflask, client: MicroflaskClient
) -> None:
    def passes_through(view: t.Callable[..., str]) -> t.Callable[..., str]:
        # as login_required does
        @functools.wraps(view)
        def wrapper(*args: t.Any, **kwargs: t.Any) -> str:
            return view(*args, **kwargs)

        return wrapper

    @app.post("/items")
    @passes_through
    def create(item: Annotated[Item, Body()]) -> str:
        return f"{item.name} {item.price}"

    assert client.post("/items", json={"name": "pen", "price": 2}).text == "pen 2.0"
    assert _locs(client.post("/items", json={"name": "pen"})) == [["body", "price"]]


# -- form, query, header, cookie ----------------------------------------------------------


@pytest.mark.parametrize("multipart", [False, True])
def test_form_model_reads_form_fields(
    app: Microflask, client: MicroflaskClient, multipart: bool
) -> None:
    @app.post("/login")
    def login(form: Annotated[Login, Form()]) -> str:
        return f"{form.username} {form.remember}"

    content_type = "multipart/form-data" if multipart else None
    response = client.post(
        "/login", data={"username": "ada", "remember": "on"}, content_type=content_type
    )
    assert response.text == "ada True"
    assert _locs(client.post("/login", data={"remember": "x"})) == [
        ["form", "username"],
        ["form", "remember"],
    ]


def test_form_view_refuses_json_with_415(app: Microflask, client: MicroflaskClient) -> None:
    @app.post("/login")
    def login(form: Annotated[Login, Form()]) -> str:
        raise AssertionError("not called")

    assert client.post("/login", json={"username": "ada"}).status_code == 415


def test_form_field_reads_one_field(app: Microflask, client: MicroflaskClient) -> None:
    @app.post("/note")
    def note(text: Annotated[str, Form(max_length=5)]) -> str:
        return text.upper()

    assert client.post("/note", data={"text": "hi"}).text == "HI"
    assert _locs(client.post("/note", data={"text": "too long"})) == [["form", "text"]]


def test_query_values_with_constraints_and_defaults(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.get("/items")
    def items(
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
        sort: Annotated[Literal["name", "price"], Query()] = "name",
    ) -> dict[str, t.Any]:
        return {"limit": limit, "sort": sort}

    assert client.get("/items").json == {"limit": 10, "sort": "name"}
    assert client.get("/items?limit=5&sort=price").json == {"limit": 5, "sort": "price"}
    errors = _errors(client.get("/items?limit=101&sort=size"))
    assert [e["loc"] for e in errors] == [["query", "limit"], ["query", "sort"]]
    assert errors[0]["type"] == "less_than_equal"


def test_query_without_default_is_required(app: Microflask, client: MicroflaskClient) -> None:
    @app.get("/search")
    def search(q: Annotated[str, Query(min_length=1)]) -> str:
        return q

    errors = _errors(client.get("/search"))
    assert errors == [{"loc": ["query", "q"], "msg": "Field required", "type": "missing"}]
    assert client.get("/search?q=pen").text == "pen"


def test_marker_under_optional_is_read(app: Microflask, client: MicroflaskClient) -> None:
    # Python 3.10's get_type_hints also wraps Optional around a hint with a None default.
    @app.get("/page")
    def page(
        number: Annotated[int, Query(ge=1)] | None = None,
        token: Annotated[str | None, Header()] = None,
    ) -> str:
        return f"{number} {token}"

    assert client.get("/page").text == "None None"
    assert client.get("/page?number=2", headers={"Token": "t"}).text == "2 t"
    assert _locs(client.get("/page?number=0")) == [["query", "number"]]


def test_query_list_collects_a_repeated_key(app: Microflask, client: MicroflaskClient) -> None:
    @app.get("/items")
    def items(id: Annotated[list[int], Query()] = []) -> list[int]:  # noqa: B006
        return id

    assert client.get("/items?id=3&id=1").json == [3, 1]
    assert client.get("/items").json == []
    assert _locs(client.get("/items?id=3&id=x")) == [["query", "id", 1]]


def test_query_alias_names_the_argument(app: Microflask, client: MicroflaskClient) -> None:
    @app.get("/items")
    def items(page_size: Annotated[int, Query(alias="page-size")] = 20) -> str:
        return str(page_size)

    assert client.get("/items?page-size=7").text == "7"
    assert _locs(client.get("/items?page-size=x")) == [["query", "page-size"]]


def test_query_model_reads_its_fields(app: Microflask, client: MicroflaskClient) -> None:
    @app.get("/items")
    def items(filters: Annotated[Filters, Query()]) -> dict[str, t.Any]:
        return filters.model_dump()

    assert client.get("/items?tag=a&tag=b&min_price=2").json == {
        "tag": ["a", "b"],
        "min_price": 2.0,
    }
    assert _locs(client.get("/items?min_price=cheap")) == [["query", "min_price"]]


def test_header_parameter_reads_the_dashed_name(app: Microflask, client: MicroflaskClient) -> None:
    @app.get("/me")
    def me(x_token: Annotated[str, Header(min_length=3)]) -> str:
        return x_token

    assert client.get("/me", headers={"X-Token": "abcd"}).text == "abcd"
    assert _locs(client.get("/me")) == [["header", "x-token"]]
    assert _locs(client.get("/me", headers={"X-Token": "ab"})) == [["header", "x-token"]]


def test_list_header_reads_a_repeated_header(app: Microflask, client: MicroflaskClient) -> None:
    @app.get("/ids")
    def ids(x_id: Annotated[list[int], Header()]) -> dict[str, list[int]]:
        return {"ids": x_id}

    headers = [("X-Id", "1"), ("X-Id", "2, ,3")]
    assert client.get("/ids", headers=headers).json == {"ids": [1, 2, 3]}


def test_cookie_parameter(app: Microflask, client: MicroflaskClient) -> None:
    @app.get("/theme")
    def theme(theme: Annotated[Literal["dark", "light"], Cookie()] = "light") -> str:
        return theme

    assert client.get("/theme").text == "light"
    client.set_cookie("theme", "dark")
    assert client.get("/theme").text == "dark"
    client.set_cookie("theme", "pink")
    assert _locs(client.get("/theme")) == [["cookie", "theme"]]


def test_every_source_reports_in_one_answer(app: Microflask, client: MicroflaskClient) -> None:
    @app.post("/items/<int:shop>")
    def create(
        shop: int, item: Item, dry_run: Annotated[bool, Query()], x_token: Annotated[str, Header()]
    ) -> str:
        raise AssertionError("not called")

    response = client.post("/items/1?dry_run=maybe", json={"name": "pen", "price": 0})
    assert _locs(response) == [["body", "price"], ["query", "dry_run"], ["header", "x-token"]]


def test_url_variables_keep_their_converter(app: Microflask, client: MicroflaskClient) -> None:
    @app.put("/items/<int:id>")
    def update(id: int, item: Item) -> dict[str, t.Any]:
        return {"id": id, "name": item.name}

    assert client.put("/items/3", json={"name": "pen", "price": 1}).json == {
        "id": 3,
        "name": "pen",
    }
    assert client.put("/items/x", json={"name": "pen", "price": 1}).status_code == 404


def test_unannotated_and_plain_parameters_are_left_alone(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.route("/plain/<name>", defaults={"suffix": "!"})
    def plain(name: str, suffix: str, extra: int = 7) -> str:
        return f"{name}{suffix}{extra}"

    assert client.get("/plain/ada").text == "ada!7"
    assert adapt_view(app, Rule("/plain/<name>", endpoint="p"), plain) is None


# -- response models ---------------------------------------------------------------------


def test_response_model_keeps_only_declared_fields(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.get("/a")
    def from_dict() -> Item:
        return {"name": "pen", "price": 1, "password_hash": "x"}  # type: ignore[return-value]

    @app.get("/b")
    def from_subclass() -> Item:
        return StoredItem(name="pen", price=1)

    for path in ("/a", "/b"):
        response = client.get(path)
        assert response.mimetype == "application/json"
        assert response.json == {"name": "pen", "price": 1.0}
        assert b"password" not in response.data


def test_response_model_from_attributes(app: Microflask, client: MicroflaskClient) -> None:
    class Row:
        name = "pen"
        price = 2
        password_hash = "x"

    @app.get("/row")
    def row() -> Item:
        return Row()  # type: ignore[return-value]

    assert client.get("/row").json == {"name": "pen", "price": 2.0}


def test_response_model_from_sqlite_rows(app: Microflask, client: MicroflaskClient) -> None:
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("CREATE TABLE item (name TEXT, price REAL, password_hash TEXT)")
    db.execute("INSERT INTO item VALUES ('pen', 2, 'pbkdf2:secret')")

    @app.get("/row")
    def row() -> Item:
        return db.execute("SELECT * FROM item").fetchone()  # type: ignore[no-any-return]

    @app.get("/rows")
    def rows() -> list[Item]:
        return db.execute("SELECT * FROM item").fetchall()

    assert client.get("/row").json == {"name": "pen", "price": 2.0}
    assert client.get("/rows").json == [{"name": "pen", "price": 2.0}]
    db.close()


def test_list_and_dict_response_models(app: Microflask, client: MicroflaskClient) -> None:
    @app.get("/list")
    def as_list() -> list[Item]:
        return [StoredItem(name="a", price=1), StoredItem(name="b", price=2)]

    @app.get("/dict")
    def as_dict() -> dict[str, Item]:
        return {"a": StoredItem(name="a", price=1)}

    assert client.get("/list").json == [{"name": "a", "price": 1.0}, {"name": "b", "price": 2.0}]
    assert client.get("/dict").json == {"a": {"name": "a", "price": 1.0}}


def test_response_model_keeps_status_and_headers(app: Microflask, client: MicroflaskClient) -> None:
    @app.post("/items")
    def create(item: Item) -> tuple[Item, Literal[201], dict[str, str]]:
        return StoredItem(**item.model_dump()), 201, {"Location": "/items/1"}

    @app.get("/items")
    def listing() -> tuple[list[Item], int]:
        return [], 203

    response = client.post("/items", json={"name": "pen", "price": 1})
    assert response.status_code == 201
    assert response.headers["Location"] == "/items/1"
    assert response.json == {"name": "pen", "price": 1.0}
    response = client.get("/items")
    assert (response.status_code, response.json) == (203, [])


def test_response_model_uses_aliases(app: Microflask, client: MicroflaskClient) -> None:
    @app.get("/out")
    def out() -> Out:
        return Out(itemId=3)

    assert client.get("/out").json == {"itemId": 3}


def test_a_returned_response_passes_through(app: Microflask, client: MicroflaskClient) -> None:
    @app.get("/raw")
    def raw() -> Item | Response:
        return Response("raw", 202)

    response = client.get("/raw")
    assert (response.status_code, response.text) == (202, "raw")


def test_return_value_failing_its_model_raises_in_testing(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.get("/bad")
    def bad() -> Item:
        return {"name": "pen", "price": -1, "password_hash": "s3cret"}  # type: ignore[return-value]

    with pytest.raises(ResponseValidationError, match=r"'bad'.*price: Input should be greater"):
        client.get("/bad")


def test_return_value_failing_its_model_is_a_logged_500(
    app: Microflask, client: MicroflaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    app.testing = False

    @app.get("/bad")
    def bad() -> Item:
        return {"name": "pen", "price": -1, "password_hash": "s3cret"}  # type: ignore[return-value]

    with caplog.at_level(logging.ERROR):
        response = client.get("/bad")
    assert response.status_code == 500
    assert b"s3cret" not in response.data and b"pen" not in response.data
    assert "ResponseValidationError" in caplog.text
    assert "s3cret" not in caplog.text


def test_view_returning_none_still_gets_flasks_error(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.get("/none")
    def none() -> Item:
        return None  # type: ignore[return-value]

    with pytest.raises(TypeError, match="did not return a valid response"):
        client.get("/none")


# -- everywhere a view goes ----------------------------------------------------------------


def test_async_view(app: Microflask, client: MicroflaskClient) -> None:
    @app.post("/items")
    async def create(item: Item, n: Annotated[int, Query()] = 1) -> list[Item]:
        return [StoredItem(**item.model_dump())] * n

    response = client.post("/items?n=2", json={"name": "a", "price": 1})
    assert response.json == [{"name": "a", "price": 1.0}] * 2
    assert _locs(client.post("/items?n=x", json={})) == [
        ["body", "name"],
        ["body", "price"],
        ["query", "n"],
    ]


def test_blueprint_view_with_prefix_variable(app: Microflask, client: MicroflaskClient) -> None:
    bp = Blueprint("shops", __name__, url_prefix="/shops/<int:shop>")

    @bp.post("/items")
    def create(shop: int, item: Item) -> tuple[Item, int]:
        return item, 200 + shop

    app.register_blueprint(bp)
    response = client.post("/shops/1/items", json={"name": "a", "price": 1})
    assert (response.status_code, response.json) == (201, {"name": "a", "price": 1.0})
    assert _locs(client.post("/shops/1/items", json={"name": "a"})) == [["body", "price"]]


def test_method_view_methods_are_typed_each(app: Microflask, client: MicroflaskClient) -> None:
    class ItemAPI(MethodView):
        def get(self, id: int, verbose: Annotated[bool, Query()] = False) -> Item:
            return StoredItem(name="verbose" if verbose else "pen", price=id)

        def put(self, id: int, item: Item) -> Item:
            return item

        def delete(self, id: int) -> tuple[str, int]:
            return "", 204

    app.add_url_rule("/items/<int:id>", view_func=ItemAPI.as_view("item"))
    assert client.get("/items/2?verbose=1").json == {"name": "verbose", "price": 2.0}
    assert client.head("/items/2?verbose=maybe").status_code == 422
    assert client.put("/items/2", json={"name": "a", "price": 3}).json == {
        "name": "a",
        "price": 3.0,
    }
    assert _locs(client.put("/items/2", json={})) == [["body", "name"], ["body", "price"]]
    assert client.delete("/items/2").status_code == 204


def test_method_view_static_and_class_methods_read_their_first_parameter(
    app: Microflask, client: MicroflaskClient
) -> None:
    class CountAPI(MethodView):
        @staticmethod
        def get(n: Annotated[int, Query()] = 1) -> dict[str, int]:
            return {"get": n}

        @classmethod
        def post(cls, n: Annotated[int, Query()] = 1) -> dict[str, int]:
            return {"post": n}

    app.add_url_rule("/count", view_func=CountAPI.as_view("count"))
    assert client.get("/count?n=5").json == {"get": 5}
    assert client.post("/count?n=7").json == {"post": 7}
    assert _locs(client.post("/count?n=x")) == [["query", "n"]]


def test_view_class_dispatch_request_is_typed(app: Microflask, client: MicroflaskClient) -> None:
    class Echo(View):
        methods = ["POST"]

        def dispatch_request(self, item: Item) -> Item:  # type: ignore[override]
            return item

    app.add_url_rule("/echo", view_func=Echo.as_view("echo"))
    assert client.post("/echo", json={"name": "a", "price": 1, "x": 1}).json == {
        "name": "a",
        "price": 1.0,
    }


def test_add_url_rule_with_a_lambda_is_left_alone(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.add_url_rule("/l", "l", lambda: "lambda")
    assert client.get("/l").text == "lambda"


def test_view_given_by_the_endpoint_decorator_is_typed(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.add_url_rule("/items", endpoint="create", methods=["POST"])

    @app.endpoint("create")
    def create(item: Item, dry: Annotated[bool, Query()] = False) -> Item:
        return StoredItem(name=item.name, price=item.price * (1 if dry else 2))

    assert client.post("/items?dry=1", json={"name": "a", "price": 1}).json == {
        "name": "a",
        "price": 1.0,
    }
    assert client.post("/items", json={}).status_code == 422


def test_registered_422_handler_wins(app: Microflask, client: MicroflaskClient) -> None:
    @app.errorhandler(422)
    def invalid(error: RequestValidationError) -> tuple[str, int]:
        return f"{len(error.errors)} errors", 400

    @app.post("/items")
    def create(item: Item) -> str:
        raise AssertionError("not called")

    response = client.post("/items", json={})
    assert (response.status_code, response.text) == (400, "2 errors")


def test_http_errors_in_typed_views_still_reach_handlers(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.errorhandler(404)
    def missing(error: HTTPException) -> tuple[str, int]:
        return "handled", 404

    @app.get("/items/<int:id>")
    def item(id: int) -> Item:
        abort(404)

    assert client.get("/items/1").text == "handled"


# -- mistakes at registration ------------------------------------------------------------


def _register(app: Microflask, view: t.Callable[..., t.Any], rule: str = "/x") -> None:
    app.add_url_rule(rule, view_func=view, methods=["POST"])


def test_marker_on_a_url_variable_is_an_error(app: Microflask) -> None:
    def view(id: Annotated[int, Query()]) -> str:
        return ""

    with pytest.raises(TypeError, match=r"'/x/<int:id>': parameter 'id' is a URL variable"):
        _register(app, view, "/x/<int:id>")


def test_two_bodies_are_an_error(app: Microflask) -> None:
    def view(a: Item, b: Annotated[Login, Form()]) -> str:
        return ""

    with pytest.raises(TypeError, match=r"\['a', 'b'\] all read the request body"):
        _register(app, view)


def test_two_parameters_reading_one_key_are_an_error(app: Microflask) -> None:
    def view(a: Annotated[str, Header(alias="X-K")], b: Annotated[str, Header(alias="x-k")]) -> str:
        return ""

    with pytest.raises(TypeError, match=r"'a' and 'b' both read the header key 'x-k'"):
        _register(app, view)


def test_marker_on_star_parameters_is_an_error(app: Microflask) -> None:
    def kwargs_view(**values: Annotated[str, Query()]) -> str:
        return ""

    def args_view(*values: Annotated[str, Header()]) -> str:
        return ""

    with pytest.raises(TypeError, match=r"\*\*values.*cannot be read with Query\(\)"):
        _register(app, kwargs_view)
    with pytest.raises(TypeError, match=r"\*values.*cannot be read with Header\(\)"):
        _register(app, args_view)


def test_marker_class_without_call_is_an_error(app: Microflask) -> None:
    def view(q: Annotated[int, Query]) -> str:
        return ""

    with pytest.raises(TypeError, match=r"call it: Annotated\[\.\.\., Query\(\)\]"):
        _register(app, view)


def test_marker_as_the_default_is_an_error(app: Microflask) -> None:
    def view(q: int = Query(ge=1)) -> str:  # type: ignore[assignment]  # FastAPI's spelling
        return ""

    def bare(q: str = Header) -> str:  # type: ignore[assignment]
        return ""

    with pytest.raises(TypeError, match=r"parameter 'q' has the marker Query\(ge=1\) as its"):
        _register(app, view)
    with pytest.raises(TypeError, match=r"marker Header as.*'q: Annotated\[int, Header\(\)\] = 10"):
        _register(app, bare)


def test_two_markers_are_an_error(app: Microflask) -> None:
    def view(q: Annotated[int, Query(), Header()]) -> str:
        return ""

    with pytest.raises(TypeError, match="several markers"):
        _register(app, view)


def test_positional_only_typed_parameter_is_an_error(app: Microflask) -> None:
    def view(q: Annotated[int, Query()], /) -> str:
        return ""

    with pytest.raises(TypeError, match="positional-only"):
        _register(app, view)


def test_type_pydantic_cannot_validate_is_an_error(app: Microflask) -> None:
    def view(q: Annotated[Opaque, Query()]) -> str:
        return ""

    with pytest.raises(TypeError, match=r"pydantic cannot validate parameter 'q' of type Opaque"):
        _register(app, view)


def test_unresolvable_marked_annotation_is_an_error(app: Microflask) -> None:
    def view(q: int) -> str:
        return ""

    view.__annotations__ = {"q": "Annotated[Missing, Query()]"}
    with pytest.raises(TypeError, match=r"'Annotated\[Missing, Query\(\)\]'.*cannot be evaluated"):
        _register(app, view)


def test_unresolvable_plain_annotation_is_left_alone(
    app: Microflask, client: MicroflaskClient
) -> None:
    def view(q: int = 1) -> str:
        return "plain"

    view.__annotations__ = {"q": "OnlyWhenTypeChecking", "return": "AlsoMissing"}
    app.add_url_rule("/x", view_func=view)
    assert client.get("/x").text == "plain"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"default": 3}, "takes no default"),
        ({"bogus": 1}, r"unknown option\(s\) \['bogus'\]"),
        ({"alias": ""}, "alias must be a non-empty string"),
    ],
)
def test_marker_options_are_checked(options: dict[str, t.Any], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Query(**options)


def test_marker_repr_shows_its_options() -> None:
    assert repr(Query(alias="q", ge=1)) == "Query(alias='q', ge=1)"


# -- cost and the optional dependency ---------------------------------------------------------


def test_views_are_inspected_at_registration_only(
    app: Microflask, client: MicroflaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    @app.get("/plain")
    def plain() -> str:
        return "plain"

    @app.get("/typed")
    def typed(n: Annotated[int, Query()] = 1) -> dict[str, int]:
        return {"n": n}

    inspected: list[object] = []
    monkeypatch.setattr(typed_module, "inspect_view", lambda *args: inspected.append(args))
    assert (client.get("/plain").text, client.get("/typed?n=2").json) == ("plain", {"n": 2})
    assert client.get("/plain").text == "plain"
    assert inspected == []


def test_import_microflask_does_not_import_pydantic() -> None:
    code = (
        "import sys, microflask\n"
        "app = microflask.Microflask('x')\n"
        "app.add_url_rule('/', 'i', lambda: 'i')\n"
        "assert 'pydantic' not in sys.modules, 'pydantic was imported'\n"
        "assert 'microflask.typed' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_typed_without_pydantic_names_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['pydantic'] = None\n"
        "try:\n"
        "    import microflask.typed\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    assert "pip install 'microflask[typed]'" in result.stdout


class Checked(BaseModel):
    low: int = 0
    high: int = Field(default=10, alias="max")

    @model_validator(mode="after")
    def ordered(self) -> Checked:
        if self.low > self.high:
            raise ValueError("low is above max")
        return self


def test_query_model_uses_aliases_and_reports_model_errors(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.get("/range")
    def range_(bounds: Annotated[Checked, Query()]) -> str:
        return f"{bounds.low}-{bounds.high}"

    assert client.get("/range?low=2&max=5").text == "2-5"
    errors = _errors(client.get("/range?low=6&max=5"))
    assert errors[0]["loc"] == ["query"]
    assert "low is above max" in errors[0]["msg"]


def test_other_annotated_metadata_is_kept(app: Microflask, client: MicroflaskClient) -> None:
    @app.get("/ids")
    def ids(id: Annotated[list[int], Field(max_length=2), Query()] = []) -> list[int]:  # noqa: B006
        return id

    assert client.get("/ids?id=1&id=2").json == [1, 2]
    assert _locs(client.get("/ids?id=1&id=2&id=3")) == [["query", "id"]]


def test_one_unresolvable_annotation_does_not_hide_the_others(
    app: Microflask, client: MicroflaskClient
) -> None:
    def view(item: Item, debug: int = 0) -> str:
        return item.name

    view.__annotations__ = {"item": Item, "debug": "OnlyWhenTypeChecking"}
    app.add_url_rule("/x", view_func=view, methods=["POST"])
    assert client.post("/x", json={"name": "pen", "price": 1}).text == "pen"
    assert _locs(client.post("/x", json={})) == [["body", "name"], ["body", "price"]]


def test_views_without_a_signature_or_with_response_unions_are_left_alone(
    app: Microflask,
) -> None:
    rule = Rule("/x", endpoint="x")
    assert adapt_view(app, rule, dict) is None

    def only_responses() -> Response | WerkzeugResponse:
        return Response("")

    assert adapt_view(app, rule, only_responses) is None


def test_async_method_view_method(app: Microflask, client: MicroflaskClient) -> None:
    class Items(MethodView):
        async def post(self, item: Item, n: Annotated[int, Query(ge=1)] = 1) -> list[Item]:
            return [StoredItem(**item.model_dump())] * n

    app.add_url_rule("/items", view_func=Items.as_view("items"))
    response = client.post("/items?n=2", json={"name": "a", "price": 1})
    assert response.json == [{"name": "a", "price": 1.0}] * 2
    assert _locs(client.post("/items?n=0", json={"name": "a", "price": 1})) == [["query", "n"]]
