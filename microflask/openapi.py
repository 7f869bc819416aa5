"""The app's OpenAPI 3.1 document, from its URL map, and its pages.

:func:`build_openapi` describes every rule and method: URL variables as path
parameters, the typed parameters, request bodies and response models (see
``microflask.typed``), docstrings as summaries, blueprints as tags. When
``OPENAPI_URL`` is set, :func:`register_openapi_routes` serves the document there, and
at ``OPENAPI_DOCS_URL`` a Swagger UI page whose assets come from the installed
``swagger-ui-bundle-v2`` package, never from a CDN. Needs ``microflask[typed]``.
The ``openapi`` command prints the document; it is registered as a
``microflask.commands`` entry point, so this module imports pydantic only
where it builds a document: the command line lists ``openapi`` without it.
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
import re
import threading
import typing as t
from pathlib import Path

import click
from markupsafe import escape
from werkzeug.exceptions import NotFound
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import (
    AnyConverter,
    FloatConverter,
    IntegerConverter,
    PathConverter,
    Rule,
    UnicodeConverter,
    UUIDConverter,
    parse_converter_args,
)

from .cli import with_appcontext
from .globals import current_app
from .helpers import send_from_directory, url_for
from .problem import PROBLEM_MIMETYPE
from .views import MethodView, View

if t.TYPE_CHECKING:
    from pydantic import TypeAdapter
    from pydantic.json_schema import JsonSchemaMode

    from .app import Microflask
    from .typed import Source, ViewSpec
    from .wrappers import Response

__all__ = ["build_openapi", "openapi_command", "register_openapi_routes"]

OPENAPI_VERSION = "3.1.0"
_REF = "#/components/schemas/{model}"
_VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>.*?)\))?:)?(?P<name>\w+)>")
_UNDOCUMENTED_METHODS = frozenset(("HEAD", "OPTIONS"))
_ENDPOINTS = ("openapi", "openapi_docs", "openapi_docs_asset")
_ASSETS = frozenset(("swagger-ui.css", "swagger-ui-bundle.js"))
_INIT_SCRIPT = "microflask-docs.js"
_INIT_SOURCE = (
    'const root = document.getElementById("swagger-ui");\n'
    'window.ui = SwaggerUIBundle({url: root.dataset.url, dom_id: "#swagger-ui"});\n'
)
_PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
                "required": ["loc", "msg", "type"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "errors"],
}
_VALIDATION_RESPONSE = {
    "description": "The request's data is invalid.",
    "content": {PROBLEM_MIMETYPE: {"schema": {"$ref": _REF.format(model="ValidationProblem")}}},
}
_SchemaKey = tuple[int, str]


class _Operation(t.NamedTuple):
    path: str
    method: str
    rule: Rule
    view: t.Callable[..., t.Any] | None
    spec: ViewSpec | None


def build_openapi(app: Microflask) -> dict[str, t.Any]:
    """Return the OpenAPI 3.1 document of *app* as a JSON-ready dict.

    Title and version come from ``OPENAPI_TITLE`` (default: the app's name) and
    ``OPENAPI_VERSION`` (default ``"0.1.0"``).

    :raises ImportError: if pydantic is not installed; the message names the extra.
    """
    # Operations first: without pydantic, importing microflask.typed raises an
    # ImportError that names the extra to install.
    operations = list(_operations(app))
    from pydantic import TypeAdapter

    inputs: list[tuple[_SchemaKey, JsonSchemaMode, TypeAdapter[t.Any]]] = []
    for number, op in enumerate(operations):
        for source in op.spec.sources if op.spec else ():
            inputs.append(((number, source.name), "validation", source.adapter))
        if op.spec and op.spec.response:
            inputs.append(((number, ""), "serialization", op.spec.response.adapter))
    schemas, definitions = TypeAdapter.json_schemas(inputs, ref_template=_REF, by_alias=True)
    components: dict[str, t.Any] = dict(definitions.get("$defs", {}))
    builder = _Builder(schemas, components)
    paths: dict[str, dict[str, t.Any]] = {}
    for number, op in enumerate(operations):
        paths.setdefault(op.path, {}).setdefault(op.method.lower(), builder.operation(number, op))
    document: dict[str, t.Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": app.config.get("OPENAPI_TITLE") or app.name,
            "version": app.config.get("OPENAPI_VERSION") or "0.1.0",
        },
        "paths": paths,
    }
    if builder.tags:
        document["tags"] = [{"name": name} for name in sorted(builder.tags)]
    if builder.validates:
        components["ValidationProblem"] = copy.deepcopy(_PROBLEM_SCHEMA)
    if components:
        document["components"] = {"schemas": dict(sorted(components.items()))}
    return document


def _operations(app: Microflask) -> t.Iterator[_Operation]:
    """Yield each documented (rule, method), in the order rules were added."""
    from .typed import inspect_view

    for rule in app.url_map.iter_rules():
        endpoint = t.cast(str, rule.endpoint)
        view = app.view_functions.get(endpoint)
        if endpoint == "static" or endpoint.endswith(".static") or _is_own(view):
            continue
        specs = inspect_view(view, rule) if view is not None else {}
        # A brace in a rule is literal; in an OpenAPI path it would open a parameter.
        literal = rule.rule.replace("{", "%7B").replace("}", "%7D")
        path = _VARIABLE.sub(r"{\g<name>}", literal)
        for method in sorted((rule.methods or set()) - _UNDOCUMENTED_METHODS):
            spec = specs.get(None) or specs.get(method)
            yield _Operation(path, method, rule, view, spec)


def _is_own(view: t.Any) -> bool:
    return getattr(view, "__module__", None) == __name__ and view.__name__ in _ENDPOINTS


class _Builder:
    """Turns operations into OpenAPI operation objects, with the schemas made."""

    def __init__(
        self,
        schemas: dict[tuple[_SchemaKey, JsonSchemaMode], dict[str, t.Any]],
        components: dict[str, t.Any],
    ) -> None:
        self.schemas = schemas
        self.components = components
        self.tags: set[str] = set()
        self.validates = False
        self._operation_ids: set[str] = set()

    def operation(self, number: int, op: _Operation) -> dict[str, t.Any]:
        """Return the operation object for *op*, the *number*-th."""
        from .typed import declared_status

        endpoint = t.cast(str, op.rule.endpoint)
        result: dict[str, t.Any] = {"operationId": self._operation_id(endpoint, op.method)}
        handler = _handler(op.view, op.method)
        doc = (op.spec.doc if op.spec else None) or _docstring(handler) or _docstring(op.view)
        if doc:
            summary, _, description = doc.partition("\n")
            result["summary"] = summary.strip()
            if description.strip():
                result["description"] = description.strip()
        blueprint = endpoint.rpartition(".")[0]
        if blueprint:
            result["tags"] = [blueprint]
            self.tags.add(blueprint)
        sources = op.spec.sources if op.spec else ()
        parameters = _path_parameters(op.rule)
        for source in sources:
            if source.location not in ("body", "form"):
                parameters.extend(self._parameters(number, source))
        if parameters:
            result["parameters"] = parameters
        body = self._request_body(number, sources)
        if body:
            result["requestBody"] = body
        status = declared_status(handler) if handler is not None else None
        result["responses"] = self._responses(number, op.spec, status)
        return result

    def _operation_id(self, endpoint: str, method: str) -> str:
        base = re.sub(r"\W", "_", f"{endpoint}_{method.lower()}")
        name, count = base, 1
        while name in self._operation_ids:
            count += 1
            name = f"{base}_{count}"
        self._operation_ids.add(name)
        return name

    def _schema(self, number: int, name: str, source: Source | None = None) -> dict[str, t.Any]:
        mode: JsonSchemaMode = "validation" if source is not None else "serialization"
        schema = dict(self.schemas[((number, name), mode)])
        if source is not None and not source.required and source.default is not None:
            from pydantic_core import to_jsonable_python

            try:
                schema.setdefault("default", to_jsonable_python(source.default))
            except Exception:  # a default JSON cannot show is left out of the docs
                pass
        return schema

    def _parameters(self, number: int, source: Source) -> list[dict[str, t.Any]]:
        if source.kind == "model":
            return self._model_parameters(number, source)
        parameter: dict[str, t.Any] = {
            "name": source.key,
            "in": source.location,
            "required": source.required,
            "schema": self._schema(number, source.name, source),
        }
        if source.description:
            parameter["description"] = source.description
        return [parameter]

    def _model_parameters(self, number: int, source: Source) -> list[dict[str, t.Any]]:
        """Return a parameter per field of a query, header or cookie model."""
        schema = self._resolve(self._schema(number, source.name, source))
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        parameters = []
        for key, model_key, _ in source.fields:
            parameter = {
                "name": key,
                "in": source.location,
                "required": model_key in required,
                "schema": properties.get(model_key, {}),
            }
            if "description" in parameter["schema"]:
                parameter["description"] = parameter["schema"]["description"]
            parameters.append(parameter)
        return parameters

    def _resolve(self, schema: dict[str, t.Any]) -> dict[str, t.Any]:
        ref = schema.get("$ref", "")
        name = ref.rpartition("/")[2]
        return t.cast(dict[str, t.Any], self.components.get(name, schema) if ref else schema)

    def _request_body(self, number: int, sources: t.Sequence[Source]) -> dict[str, t.Any] | None:
        for source in sources:
            if source.location == "body":
                schema = self._schema(number, source.name, source)
                return {
                    "required": source.required,
                    "content": {"application/json": {"schema": schema}},
                }
        forms = [s for s in sources if s.location == "form"]
        if not forms:
            return None
        parts = [self._schema(number, s.name, s) for s in forms if s.kind == "model"]
        values = [s for s in forms if s.kind == "value"]
        if values:
            fields = {s.key: self._schema(number, s.name, s) for s in values}
            part: dict[str, t.Any] = {"type": "object", "properties": fields}
            required = [s.key for s in values if s.required]
            if required:
                part["required"] = required
            parts.append(part)
        schema = parts[0] if len(parts) == 1 else {"allOf": parts}
        form = {"schema": schema}
        return {
            "required": any(s.required for s in forms),
            "content": {"application/x-www-form-urlencoded": form, "multipart/form-data": form},
        }

    def _responses(
        self, number: int, spec: ViewSpec | None, status: int | None
    ) -> dict[str, t.Any]:
        responses: dict[str, t.Any] = {}
        response = spec.response if spec else None
        status = status or 200
        described: dict[str, t.Any] = {"description": HTTP_STATUS_CODES.get(status, "Success")}
        if response is not None and status != 204:
            schema = self._schema(number, "")
            described["content"] = {"application/json": {"schema": schema}}
        responses[str(status)] = described
        if spec and spec.sources:
            self.validates = True
            # A copy each: a caller may edit one operation's document, not every one's.
            responses["422"] = copy.deepcopy(_VALIDATION_RESPONSE)
        return responses


def _handler(view: t.Any, method: str) -> t.Callable[..., t.Any] | None:
    """Return what handles *method*: a view class's method, or *view*."""
    view_class = getattr(view, "view_class", None)
    if isinstance(view_class, type) and issubclass(view_class, MethodView):
        return getattr(view_class, method.lower(), None)
    if isinstance(view_class, type) and issubclass(view_class, View):
        return view_class.dispatch_request
    return t.cast("t.Callable[..., t.Any] | None", view)


def _docstring(view: t.Callable[..., t.Any] | None) -> str | None:
    if isinstance(view, functools.partial):  # its own __doc__ describes partial itself
        view = view.func
    return inspect.getdoc(view) if view is not None else None


def _path_parameters(rule: Rule) -> list[dict[str, t.Any]]:
    """Return *rule*'s URL variables as path parameters, by converter."""
    parameters = []
    converters = rule.map.converters if rule.map is not None else {}
    for match in _VARIABLE.finditer(rule.rule):
        converter = converters.get(match["converter"] or "default", UnicodeConverter)
        args, kwargs = parse_converter_args(match["args"]) if match["args"] else ((), {})
        parameters.append(
            {
                "name": match["name"],
                "in": "path",
                "required": True,
                "schema": _converter_schema(converter, args, kwargs),
            }
        )
    return parameters


def _converter_schema(
    converter: type[t.Any], args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
) -> dict[str, t.Any]:
    """Return the JSON schema of the values *converter* accepts."""
    schema: dict[str, t.Any]
    if issubclass(converter, (IntegerConverter, FloatConverter)):
        schema = {"type": "integer" if issubclass(converter, IntegerConverter) else "number"}
        if not kwargs.get("signed", False):
            schema["minimum"] = 0
        if kwargs.get("min") is not None:
            schema["minimum"] = kwargs["min"]
        if kwargs.get("max") is not None:
            schema["maximum"] = kwargs["max"]
        return schema
    if issubclass(converter, UUIDConverter):
        return {"type": "string", "format": "uuid"}
    if issubclass(converter, AnyConverter):
        return {"type": "string", "enum": [str(item) for item in args]}
    if issubclass(converter, PathConverter):
        return {"type": "string", "description": "A path: slashes allowed."}
    schema = {"type": "string", "minLength": 1}
    length = kwargs.get("length")
    if length is not None:
        schema["minLength"] = schema["maxLength"] = length
    else:
        schema["minLength"] = kwargs.get("minlength", 1)
        if kwargs.get("maxlength") is not None:
            schema["maxLength"] = kwargs["maxlength"]
    return schema


@click.command("openapi", short_help="Print the app's OpenAPI document.")
@click.option("--indent", type=click.IntRange(min=0), default=2, help="Spaces per JSON level.")
@with_appcontext
def openapi_command(indent: int) -> None:
    """Print the app's OpenAPI 3.1 document as JSON (needs microflask[typed])."""
    try:
        document = current_app.openapi()
    except ImportError as e:  # pydantic missing: its message names the extra
        raise click.ClickException(str(e)) from e
    click.echo(json.dumps(document, indent=indent or None))


# -- serving the document and its page ---------------------------------------------------


_REGISTERING = threading.Lock()


def register_openapi_routes(app: Microflask) -> None:
    """Add the routes ``OPENAPI_URL`` and ``OPENAPI_DOCS_URL`` ask for, once.

    :raises RuntimeError: if ``OPENAPI_DOCS_URL`` is set without ``OPENAPI_URL``.
    :raises ImportError: if the docs page is asked for and its assets are missing.
    """
    # Threads serving the first requests in parallel all get here: one adds.
    with _REGISTERING:
        url = app.config.get("OPENAPI_URL")
        docs_url = app.config.get("OPENAPI_DOCS_URL")
        if url and "openapi" not in app.view_functions:
            app.add_url_rule(url, "openapi", _document_view(app))
        if docs_url and "openapi_docs" not in app.view_functions:
            if not url:
                raise RuntimeError(
                    f"OPENAPI_DOCS_URL is {docs_url!r} but OPENAPI_URL is not set: the docs page"
                    " loads the document from there. Set OPENAPI_URL too, e.g. '/openapi.json'."
                )
            assets = _swagger_ui_folder()
            app.add_url_rule(docs_url, "openapi_docs", _docs_page_view(app))
            app.add_url_rule(
                f"{docs_url.rstrip('/')}/assets/<filename>",
                "openapi_docs_asset",
                _asset_view(assets),
            )


def _document_view(app: Microflask) -> t.Callable[[], Response]:
    document: list[str] = []

    def openapi() -> Response:
        # Built on first use: every route is registered by the time a request comes.
        if not document:
            document.append(json.dumps(app.openapi()))
        return app.response_class(document[0], mimetype="application/json")

    return openapi


def _docs_page_view(app: Microflask) -> t.Callable[[], str]:
    def openapi_docs() -> str:
        title = escape(app.config.get("OPENAPI_TITLE") or app.name)
        css, bundle, init = (
            escape(url_for("openapi_docs_asset", filename=name))
            for name in ("swagger-ui.css", "swagger-ui-bundle.js", _INIT_SCRIPT)
        )
        # No inline script, so that a Content-Security-Policy of 'self' allows the page.
        return (
            '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{title}: API documentation</title>\n"
            f'<link rel="stylesheet" href="{css}">\n<link rel="icon" href="data:,">\n'
            "</head>\n<body>\n"
            f'<div id="swagger-ui" data-url="{escape(url_for("openapi"))}"></div>\n'
            f'<script src="{bundle}"></script>\n<script src="{init}"></script>\n'
            "</body>\n</html>\n"
        )

    return openapi_docs


def _asset_view(folder: Path) -> t.Callable[[str], Response]:
    def openapi_docs_asset(filename: str) -> Response:
        if filename == _INIT_SCRIPT:
            return current_app.response_class(_INIT_SOURCE, mimetype="text/javascript")
        if filename not in _ASSETS:
            raise NotFound()
        return send_from_directory(folder, filename)

    return openapi_docs_asset


def _swagger_ui_folder() -> Path:
    """Return the Swagger UI 5 assets folder of swagger-ui-bundle-v2."""
    try:
        from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]
    except ImportError as e:
        raise ImportError(
            "OPENAPI_DOCS_URL serves Swagger UI from the swagger-ui-bundle-v2 package, which"
            " is not installed: pip install 'microflask[typed]'."
        ) from e
    folder = Path(str(swagger_ui_path))
    major = re.search(r"(\d+)\.\d+", folder.name)
    if major is None or int(major[1]) < 5:
        raise ImportError(
            f"The installed swagger_ui_bundle ships {folder.name!r}, which cannot show"
            " OpenAPI 3.1 documents: pip install 'swagger-ui-bundle-v2>=5'."
        )
    return folder
