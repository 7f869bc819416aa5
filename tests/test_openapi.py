"""The OpenAPI 3.1 document built from the URL map, its routes and its command."""

from __future__ import annotations

import functools
import importlib
import json
import subprocess
import sys
import types
import typing as t
import uuid
from pathlib import Path
from typing import Annotated, Literal

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel, Field
from werkzeug.routing import BaseConverter

from microflask import Blueprint, Microflask
from microflask.cli import cli
from microflask.openapi import build_openapi, register_openapi_routes
from microflask.testing import MicroflaskClient
from microflask.typed import Cookie, Form, Header, Query
from microflask.views import MethodView, View

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class Pet(BaseModel):
    """A pet in the shop."""

    name: str = Field(description="What it answers to.")
    age: int = Field(ge=0)


class Owner(BaseModel):
    name: str
    pets: list[Pet] = []


class Filters(BaseModel):
    species: list[str] = []
    max_age: int | None = Field(default=None, description="Oldest age shown.")


class Opaque:
    """A default JSON cannot show."""


OPAQUE: t.Any = Opaque()


class Signup(BaseModel):
    email: str


def _spec_app() -> Microflask:
    """Return an app that uses every feature the document describes."""
    app = Microflask("openapi_app")
    bp = Blueprint("shop", __name__, url_prefix="/shop")

    @app.get("/pets")
    def list_pets(
        limit: Annotated[int, Query(ge=1, le=50, description="At most this many.")] = 10,
        x_request_id: Annotated[str | None, Header()] = None,
        session: Annotated[str | None, Cookie()] = None,
    ) -> list[Pet]:
        """List the pets.

        Oldest first.
        """
        return []

    @app.post("/pets")
    def add_pet(pet: Pet) -> tuple[Pet, Literal[201]]:
        """Add a pet."""
        return pet, 201

    @app.get("/pets/search")
    def search(filters: Annotated[Filters, Query()]) -> dict[str, Pet]:
        return {}

    @app.post("/signup")
    def signup(
        form: Annotated[Signup, Form()],
        captcha: Annotated[str, Form()],
        note: Annotated[str, Form()] = "",
    ) -> str:
        return ""

    @app.post("/login")
    def login(
        form: Annotated[Signup, Form()], odd: Annotated[int | None, Query()] = OPAQUE
    ) -> tuple[str, int]:
        """Log in.

        Answers a plain string.
        """
        return "", 200

    class Echo(View):
        """Echo the body."""

        methods = ["PUT"]

        def dispatch_request(self) -> str:
            return ""

    app.add_url_rule("/echo", view_func=Echo.as_view("echo"))

    @app.route("/files/<path:name>")
    @app.route("/files/<uuid:id>/<float:size>/<any(a, b):kind>")
    @app.route("/codes/<string(length=2):code>/<int(min=1, max=5, signed=True):n>")
    @app.route("/slugs/<string(maxlength=8):slug>")
    def plain(**kwargs: t.Any) -> str:
        return ""

    class OwnerAPI(MethodView):
        """Owners, one at a time."""

        def get(self, id: int) -> Owner:
            return Owner(name="x")

        def delete(self, id: int) -> tuple[str, Literal[204]]:
            """Remove an owner."""
            return "", 204

    bp.add_url_rule("/owners/<int:id>", view_func=OwnerAPI.as_view("owner"))
    app.register_blueprint(bp)
    return app


@pytest.fixture(scope="module")
def document() -> dict[str, t.Any]:
    return build_openapi(_spec_app())


def test_document_is_valid_openapi_3_1(document: dict[str, t.Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["info"] == {"title": "openapi_app", "version": "0.1.0"}


def test_every_rule_and_method_without_head_options_or_static(
    document: dict[str, t.Any],
) -> None:
    operations = {(path, method) for path, item in document["paths"].items() for method in item}
    assert operations == {
        ("/pets", "get"),
        ("/pets", "post"),
        ("/pets/search", "get"),
        ("/signup", "post"),
        ("/files/{name}", "get"),
        ("/files/{id}/{size}/{kind}", "get"),
        ("/codes/{code}/{n}", "get"),
        ("/slugs/{slug}", "get"),
        ("/login", "post"),
        ("/echo", "put"),
        ("/shop/owners/{id}", "get"),
        ("/shop/owners/{id}", "delete"),
    }


def test_path_parameters_are_typed_by_converter(document: dict[str, t.Any]) -> None:
    paths = document["paths"]

    def schemas(path: str) -> dict[str, t.Any]:
        params = paths[path]["get"]["parameters"]
        assert all(p["in"] == "path" and p["required"] for p in params)
        return {p["name"]: p["schema"] for p in params}

    assert schemas("/files/{id}/{size}/{kind}") == {
        "id": {"type": "string", "format": "uuid"},
        "size": {"type": "number", "minimum": 0},
        "kind": {"type": "string", "enum": ["a", "b"]},
    }
    assert schemas("/codes/{code}/{n}") == {
        "code": {"type": "string", "minLength": 2, "maxLength": 2},
        "n": {"type": "integer", "minimum": 1, "maximum": 5},
    }
    assert schemas("/files/{name}")["name"]["type"] == "string"
    assert schemas("/slugs/{slug}") == {"slug": {"type": "string", "minLength": 1, "maxLength": 8}}
    assert schemas("/shop/owners/{id}") == {"id": {"type": "integer", "minimum": 0}}


def test_operation_ids_are_unique(document: dict[str, t.Any]) -> None:
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert "plain_get" in ids and "plain_get_2" in ids


def test_docstrings_give_summary_and_description(document: dict[str, t.Any]) -> None:
    pets = document["paths"]["/pets"]
    assert pets["get"]["summary"] == "List the pets."
    assert pets["get"]["description"] == "Oldest first."
    assert pets["post"]["summary"] == "Add a pet."
    assert "description" not in pets["post"]
    owner = document["paths"]["/shop/owners/{id}"]
    assert owner["delete"]["summary"] == "Remove an owner."
    assert owner["get"]["summary"] == "Owners, one at a time."


def test_query_header_and_cookie_parameters(document: dict[str, t.Any]) -> None:
    params = {p["name"]: p for p in document["paths"]["/pets"]["get"]["parameters"]}
    assert params["limit"] == {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": 50,
            "description": "At most this many.",
            "default": 10,
        },
        "description": "At most this many.",
    }
    assert params["x-request-id"]["in"] == "header"
    assert params["session"]["in"] == "cookie"


def test_query_model_becomes_one_parameter_per_field(document: dict[str, t.Any]) -> None:
    params = document["paths"]["/pets/search"]["get"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in params] == [
        ("species", "query", False),
        ("max_age", "query", False),
    ]
    assert params[0]["schema"]["type"] == "array"
    assert params[1]["description"] == "Oldest age shown."


def test_defaults_json_cannot_show_are_left_out(document: dict[str, t.Any]) -> None:
    login = document["paths"]["/login"]["post"]
    assert login["parameters"][0]["name"] == "odd"
    assert "default" not in login["parameters"][0]["schema"]
    assert login["description"] == "Answers a plain string."
    assert login["responses"]["200"] == {"description": "OK"}
    form = login["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form == {"$ref": "#/components/schemas/Signup"}
    assert document["paths"]["/echo"]["put"]["summary"] == "Echo the body."


def test_bodies_and_responses_reference_component_schemas(
    document: dict[str, t.Any],
) -> None:
    post = document["paths"]["/pets"]["post"]
    assert post["requestBody"] == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
    }
    assert post["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Pet"
    }
    listed = document["paths"]["/pets"]["get"]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Pet"},
    }
    schemas = document["components"]["schemas"]
    assert {"Pet", "Owner", "ValidationProblem"} <= set(schemas)
    assert schemas["Pet"]["properties"]["name"]["description"] == "What it answers to."


def test_form_body_in_both_form_content_types(document: dict[str, t.Any]) -> None:
    body = document["paths"]["/signup"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/x-www-form-urlencoded", "multipart/form-data"}
    schema = body["content"]["multipart/form-data"]["schema"]
    assert schema["allOf"][0] == {"$ref": "#/components/schemas/Signup"}
    assert schema["allOf"][1]["properties"]["note"]["type"] == "string"
    assert schema["allOf"][1]["required"] == ["captcha"]


def test_422_only_where_something_is_validated(document: dict[str, t.Any]) -> None:
    paths = document["paths"]
    assert "422" in paths["/pets"]["post"]["responses"]
    assert "422" in paths["/pets"]["get"]["responses"]
    assert set(paths["/shop/owners/{id}"]["get"]["responses"]) == {"200"}
    assert paths["/shop/owners/{id}"]["delete"]["responses"] == {
        "204": {"description": "No Content"}
    }
    assert paths["/files/{name}"]["get"]["responses"] == {"200": {"description": "OK"}}


def test_blueprints_are_tags(document: dict[str, t.Any]) -> None:
    assert document["tags"] == [{"name": "shop"}]
    assert document["paths"]["/shop/owners/{id}"]["get"]["tags"] == ["shop"]
    assert "tags" not in document["paths"]["/pets"]["get"]


def test_title_and_version_from_config() -> None:
    app = Microflask("x")
    app.config.update(OPENAPI_TITLE="Pets", OPENAPI_VERSION="2.1")
    document = build_openapi(app)
    assert document["info"] == {"title": "Pets", "version": "2.1"}
    assert document["paths"] == {}
    validate(document)


# -- serving -----------------------------------------------------------------------------


def test_document_is_not_served_by_default(app: Microflask, client: MicroflaskClient) -> None:
    assert client.get("/openapi.json").status_code == 404
    assert "openapi" not in app.view_functions


@pytest.fixture
def served() -> Microflask:
    app = _spec_app()
    app.config.update(TESTING=True, OPENAPI_URL="/openapi.json", OPENAPI_DOCS_URL="/docs")
    return app


def test_document_is_served_at_openapi_url(served: Microflask) -> None:
    client = served.test_client()
    assert client.get("/openapi.json").data == client.get("/openapi.json").data
    response = client.get("/openapi.json")
    assert response.mimetype == "application/json"
    assert response.json == build_openapi(served)
    assert "/openapi.json" not in response.json["paths"]
    assert "/docs" not in response.json["paths"]


def test_docs_page_loads_its_assets_from_the_app(served: Microflask) -> None:
    client = served.test_client()
    page = client.get("/docs").text
    assert '<link rel="stylesheet" href="/docs/assets/swagger-ui.css">' in page
    assert '<script src="/docs/assets/swagger-ui-bundle.js"></script>' in page
    assert '<div id="swagger-ui" data-url="/openapi.json"></div>' in page
    assert '<script src="/docs/assets/microflask-docs.js"></script>' in page
    assert "http" not in page and "<script>" not in page
    init = client.get("/docs/assets/microflask-docs.js")
    assert init.mimetype == "text/javascript"
    assert b"SwaggerUIBundle({url: root.dataset.url" in init.data
    with client.get("/docs/assets/swagger-ui-bundle.js") as script:
        assert script.status_code == 200
        assert b"SwaggerUIBundle" in script.data
    with client.get("/docs/assets/swagger-ui.css") as css:
        assert css.mimetype == "text/css"
    assert client.get("/docs/assets/index.html").status_code == 404


def test_docs_page_escapes_the_title(served: Microflask) -> None:
    served.config["OPENAPI_TITLE"] = "<Pets & co>"
    page = served.test_client().get("/docs").text
    assert "<title>&lt;Pets &amp; co&gt;: API documentation</title>" in page


def test_docs_without_document_url_is_an_error() -> None:
    app = Microflask("x")
    app.config["OPENAPI_DOCS_URL"] = "/docs"
    with pytest.raises(RuntimeError, match=r"OPENAPI_DOCS_URL is '/docs' but OPENAPI_URL"):
        register_openapi_routes(app)


def test_openapi_command_prints_the_document() -> None:
    app = _spec_app()
    result = app.test_cli_runner().invoke(cli, ["openapi"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == build_openapi(app)


# -- every example app -------------------------------------------------------------------


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> t.Iterator[t.Callable[[str], Microflask]]:
    """Load an example app by name; its modules are forgotten afterwards."""
    before = set(sys.modules)

    def load(name: str) -> Microflask:
        monkeypatch.syspath_prepend(str(EXAMPLES / name))
        module = importlib.import_module(name)
        if name == "hello":
            return t.cast(Microflask, module.app)
        if name == "api":
            return t.cast(Microflask, module.create_app())
        config = {"TESTING": True, "DATABASE": ":memory:"}
        return t.cast(Microflask, module.create_app(config))

    yield load
    for name in set(sys.modules) - before:
        if name.partition(".")[0] in ("hello", "api", "blog"):
            del sys.modules[name]


@pytest.mark.parametrize("name", ["hello", "blog", "api"])
def test_every_example_app_has_a_valid_document(
    example: t.Callable[[str], Microflask], name: str
) -> None:
    document = build_openapi(example(name))
    validate(document)
    assert document["paths"]


def test_uuid_path_parameter_matches_the_document(app: Microflask) -> None:
    @app.get("/things/<uuid:id>")
    def thing(id: uuid.UUID) -> str:
        return str(id)

    params = build_openapi(app)["paths"]["/things/{id}"]["get"]["parameters"]
    assert params == [
        {
            "name": "id",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "format": "uuid"},
        }
    ]


class _Regex(BaseConverter):
    def __init__(self, map: t.Any, pattern: str) -> None:
        super().__init__(map)
        self.regex = pattern


def test_literal_braces_in_a_rule_are_not_path_parameters(app: Microflask) -> None:
    app.url_map.converters["regex"] = _Regex

    @app.get('/things{x}/<regex("[a-z]{3}"):name>')
    def thing(name: str) -> str:
        return name

    document = build_openapi(app)
    validate(document)
    assert list(document["paths"]) == ["/things%7Bx%7D/{name}"]


def test_partial_view_is_described_by_its_function(app: Microflask) -> None:
    def typed(prefix: str, q: Annotated[int, Query()] = 1) -> str:
        """Search with a prefix."""
        return prefix

    def plain(prefix: str) -> str:
        return prefix

    app.add_url_rule("/typed", "typed", functools.partial(typed, "a"))
    app.add_url_rule("/plain", "plain", functools.partial(plain, "b"))
    paths = build_openapi(app)["paths"]
    assert paths["/typed"]["get"]["summary"] == "Search with a prefix."
    assert "summary" not in paths["/plain"]["get"]


def test_editing_the_document_changes_no_other_part_or_document(app: Microflask) -> None:
    @app.get("/a")
    def a(q: Annotated[int, Query()] = 1) -> str:
        return ""

    @app.get("/b")
    def b(q: Annotated[int, Query()] = 1) -> str:
        return ""

    document = build_openapi(app)
    document["paths"]["/a"]["get"]["responses"]["422"]["description"] = "Bad a."
    document["components"]["schemas"]["ValidationProblem"]["title"] = "Mine"
    assert document["paths"]["/b"]["get"]["responses"]["422"]["description"] != "Bad a."
    again = build_openapi(app)
    assert again["paths"]["/a"]["get"]["responses"]["422"]["description"] != "Bad a."
    assert "title" not in again["components"]["schemas"]["ValidationProblem"]


def test_openapi_command_without_pydantic_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = Microflask("x")

    def missing() -> dict[str, t.Any]:
        raise ImportError("microflask.typed needs pydantic 2: pip install 'microflask[typed]'.")

    monkeypatch.setattr(app, "openapi", missing)
    result = app.test_cli_runner().invoke(cli, ["openapi"])
    assert result.exit_code == 1
    assert "Error: microflask.typed needs pydantic 2" in result.output
    assert "Traceback" not in result.output


# Hides pydantic from the import system, as if it were not installed.
WITHOUT_PYDANTIC = """\
import sys

class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("pydantic", "pydantic_core"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, Hide())
from microflask.cli import main
main()
"""


def test_command_line_without_pydantic_lists_openapi_and_names_the_extra(
    tmp_path: Path,
) -> None:
    (tmp_path / "hello.py").write_text("from microflask import Microflask\napp = Microflask('h')\n")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", WITHOUT_PYDANTIC, "--app", "hello", *args]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)

    listed = run("--help")
    assert listed.returncode == 0, listed.stderr
    assert "  openapi  Print the app's OpenAPI document." in listed.stdout
    printed = run("openapi")
    assert printed.returncode == 1
    assert "Error: microflask.typed needs pydantic 2" in printed.stderr
    assert "pip install 'microflask[typed]'" in printed.stderr


def test_registering_the_routes_twice_adds_them_once(served: Microflask) -> None:
    register_openapi_routes(served)
    register_openapi_routes(served)
    endpoints = [rule.endpoint for rule in served.url_map.iter_rules()]
    assert endpoints.count("openapi") == endpoints.count("openapi_docs") == 1


def test_docs_page_without_its_package_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Microflask("x")
    app.config.update(OPENAPI_URL="/openapi.json", OPENAPI_DOCS_URL="/docs")
    monkeypatch.setitem(sys.modules, "swagger_ui_bundle", None)
    with pytest.raises(ImportError, match=r"swagger-ui-bundle-v2.*microflask\[typed\]"):
        register_openapi_routes(app)


def test_docs_page_refuses_swagger_ui_4(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    old = types.ModuleType("swagger_ui_bundle")
    old.swagger_ui_path = tmp_path / "vendor" / "swagger-ui-4.15.5"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "swagger_ui_bundle", old)
    app = Microflask("x")
    app.config.update(OPENAPI_URL="/openapi.json", OPENAPI_DOCS_URL="/docs")
    with pytest.raises(ImportError, match=r"'swagger-ui-4.15.5'.*cannot show OpenAPI 3.1"):
        register_openapi_routes(app)


def test_a_literal_that_is_no_status_is_not_documented_as_one() -> None:
    app = Microflask("x")

    @app.get("/pet")
    def pet() -> tuple[Pet, Literal[True]]:
        return Pet(name="Rex", age=1), True

    document = app.openapi()
    validate(document)
    assert list(document["paths"]["/pet"]["get"]["responses"]) == ["200"]
