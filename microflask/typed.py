"""Typed views: request data from a view's annotations; response models.

When a URL rule is registered, :func:`adapt_view` inspects its view once: a parameter
annotated with a pydantic model (the JSON body) or with a marker (``Body``, ``Form``,
``Query``, ``Header``, ``Cookie``) is read from the request and validated, and a return
annotation naming a model validates and serializes what the view returns. Invalid
request data is a 422 ``application/problem+json`` answer listing every error. A view
with neither is left exactly as it is. Needs pydantic 2: ``pip install
'microflask[typed]'``.
"""

from __future__ import annotations

import collections.abc as cabc
import functools
import inspect
import json
import sys
import types
import typing as t
from dataclasses import dataclass

try:
    import pydantic
    from pydantic import BaseModel, TypeAdapter, ValidationError
except ImportError as error:  # pragma: no cover - tested in a subprocess without pydantic
    raise ImportError(
        "microflask.typed needs pydantic 2, which is not installed:"
        " pip install 'microflask[typed]'."
    ) from error

from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    UnprocessableEntity,
    UnsupportedMediaType,
)
from werkzeug.wrappers import Response as BaseResponse

from .globals import request
from .problem import PROBLEM_MIMETYPE, problem_details
from .views import MethodView, View

if t.TYPE_CHECKING:
    from werkzeug.routing import Rule

    from .app import Microflask
    from .wrappers import Request

__all__ = [
    "Body",
    "Cookie",
    "Form",
    "Header",
    "MalformedJSON",
    "Param",
    "Query",
    "REQUIRED",
    "RequestValidationError",
    "ResponseSpec",
    "ResponseValidationError",
    "Source",
    "UnsupportedBody",
    "ViewSpec",
    "adapt_view",
    "declared_status",
    "inspect_view",
]

# The pydantic.Field options that make sense for one value read from a request.
_FIELD_OPTIONS = frozenset(inspect.signature(pydantic.Field).parameters) & {
    "title",
    "description",
    "examples",
    "deprecated",
    "json_schema_extra",
    "pattern",
    "strict",
    "gt",
    "ge",
    "lt",
    "le",
    "multiple_of",
    "allow_inf_nan",
    "max_digits",
    "decimal_places",
    "min_length",
    "max_length",
    "union_mode",
    "coerce_numbers_to_str",
    "fail_fast",
}
_FORM_MIMETYPES = frozenset(("application/x-www-form-urlencoded", "multipart/form-data"))
_SEQUENCES = frozenset((list, tuple, set, frozenset, cabc.Sequence, cabc.Set))
_UNIONS = (t.Union, types.UnionType)
_Annotated = t.cast(t.Any, t.Annotated)


#: The default of a parameter that has none: the request must provide it.
REQUIRED: t.Any = object()


class _Unresolved(t.NamedTuple):
    """An annotation that could not be evaluated, with the reason."""

    text: str
    error: Exception


# -- markers ---------------------------------------------------------------------------


class Param:
    """Where a view parameter's value comes from, with pydantic's constraints.

    Use a subclass in ``Annotated``: ``limit: Annotated[int, Query(ge=1)] = 10``;
    *alias* is the name in the request when it differs from the parameter's.
    """

    location: t.ClassVar[str] = ""

    def __init__(self, *, alias: str | None = None, **options: t.Any) -> None:
        name = type(self).__name__
        if "default" in options or "default_factory" in options:
            raise TypeError(
                f"{name}() takes no default: give it as the parameter's default, for example"
                f" 'limit: Annotated[int, {name}()] = 10'."
            )
        unknown = sorted(options.keys() - _FIELD_OPTIONS)
        if unknown:
            raise TypeError(
                f"{name}() got unknown option(s) {unknown!r}; it takes alias= and these"
                f" pydantic.Field options: {', '.join(sorted(_FIELD_OPTIONS))}."
            )
        if alias is not None and not (isinstance(alias, str) and alias):
            raise TypeError(f"{name}(alias={alias!r}): the alias must be a non-empty string.")
        self.alias = alias
        self.options = options

    def __repr__(self) -> str:
        items = [f"alias={self.alias!r}"] if self.alias else []
        items += [f"{key}={value!r}" for key, value in self.options.items()]
        return f"{type(self).__name__}({', '.join(items)})"


class Body(Param):
    """The JSON body, validated as the parameter's type."""

    location = "body"


class Form(Param):
    """Form fields (urlencoded or multipart): a model's fields, or one field."""

    location = "form"


class Query(Param):
    """A query string argument; ``list[T]`` collects a repeated key."""

    location = "query"


class Header(Param):
    """A request header; parameter ``x_token`` reads ``X-Token``."""

    location = "header"


class Cookie(Param):
    """A cookie sent with the request."""

    location = "cookie"


# -- errors ----------------------------------------------------------------------------


class _ProblemError(HTTPException):
    """An HTTP error whose body is always problem+json."""

    problem: dict[str, t.Any] | None = None

    def get_body(self, environ: t.Any = None, scope: t.Any = None) -> str:
        return json.dumps(problem_details(self))

    def get_headers(self, environ: t.Any = None, scope: t.Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", PROBLEM_MIMETYPE)]


class MalformedJSON(_ProblemError, BadRequest):
    """A 400 for a body that says it is JSON but does not parse."""


class UnsupportedBody(_ProblemError, UnsupportedMediaType):
    """A 415 for a body in a content type the view does not read."""


class RequestValidationError(_ProblemError, UnprocessableEntity):
    """A 422 listing each invalid value as ``{loc, msg, type}`` in ``errors``."""

    description = "The request's data is invalid: see 'errors'."

    def __init__(self, errors: list[dict[str, t.Any]]) -> None:
        super().__init__()
        self.errors = errors
        self.problem = {"errors": errors}


class ResponseValidationError(Exception):
    """A view's return value does not match its annotation: a server error."""


class _Invalid(Exception):
    def __init__(self, errors: list[dict[str, t.Any]]) -> None:
        self.errors = errors


def _errors(error: ValidationError, prefix: tuple[str, ...]) -> list[dict[str, t.Any]]:
    return [
        {"loc": [*prefix, *item["loc"]], "msg": item["msg"], "type": item["type"]}
        for item in error.errors(include_url=False, include_context=False, include_input=False)
    ]


# -- what a view reads and returns -----------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One view parameter read from the request.

    *kind* is ``body`` (the JSON body), ``value`` (one key, or every value of a
    repeated key when *many*) or ``model`` (a model's fields from *fields*: request
    key, model key, many).
    """

    name: str
    location: str
    kind: str
    key: str
    annotation: t.Any
    adapter: TypeAdapter[t.Any]
    default: t.Any
    many: bool = False
    fields: tuple[tuple[str, str, bool], ...] = ()
    description: str | None = None

    @property
    def required(self) -> bool:
        """Whether the request must provide it (the parameter has no default)."""
        return self.default is REQUIRED

    def read(self, req: Request) -> t.Any:
        """Return the validated value from *req*.

        :raises MalformedJSON: for a JSON body that does not parse.
        :raises UnsupportedBody: for a body of another content type.
        """
        if self.location == "body":
            return self._read_body(req)
        if self.location == "form":
            if req.mimetype and req.mimetype not in _FORM_MIMETYPES:
                raise UnsupportedBody(
                    f"Send form data (application/x-www-form-urlencoded or"
                    f" multipart/form-data), not {req.mimetype!r}."
                )
            values: t.Any = CombinedMultiDict([req.form, req.files])
        elif self.location == "query":
            values = req.args
        elif self.location == "header":
            values = req.headers
        else:
            values = req.cookies
        if self.kind == "model":
            return self._read_model(values)
        raw = self._getlist(values, self.key) if self.many else values.get(self.key)
        if raw is None or raw == []:
            if self.default is REQUIRED:
                loc = [self.location, self.key]
                raise _Invalid([{"loc": loc, "msg": "Field required", "type": "missing"}])
            return self.default
        try:
            return self.adapter.validate_python(raw)
        except ValidationError as e:
            raise _Invalid(_errors(e, (self.location, self.key))) from None

    def _getlist(self, values: t.Any, key: str) -> list[str]:
        items: list[str] = values.getlist(key)
        if self.location != "header":
            return items
        # The server joins a repeated header into one "a, b" (RFC 9110, 5.3); empty
        # elements are to be ignored.
        return [part for item in items for part in map(str.strip, item.split(",")) if part]

    def _read_body(self, req: Request) -> t.Any:
        if not req.is_json:
            if not req.mimetype and self.default is not REQUIRED:
                return self.default
            sent = repr(req.mimetype) if req.mimetype else "a body without a content type"
            raise UnsupportedBody(
                f"Send a JSON body with Content-Type: application/json, not {sent}."
            )
        try:
            return self.adapter.validate_json(req.get_data())
        except ValidationError as e:
            if any(item["type"] == "json_invalid" for item in e.errors(include_url=False)):
                raise MalformedJSON("The body is not valid JSON.") from None
            raise _Invalid(_errors(e, ("body",))) from None

    def _read_model(self, values: t.Any) -> t.Any:
        data: dict[str, t.Any] = {}
        for key, model_key, many in self.fields:
            if many:
                items = self._getlist(values, key)
                if items:
                    data[model_key] = items
            elif (value := values.get(key)) is not None:
                data[model_key] = value
        try:
            return self.adapter.validate_python(data)
        except ValidationError as e:
            keys = {model_key: key for key, model_key, _ in self.fields}
            errors = _errors(e, (self.location,))
            for item in errors:
                if len(item["loc"]) > 1:
                    item["loc"][1] = keys.get(item["loc"][1], item["loc"][1])
            raise _Invalid(errors) from None


@dataclass(frozen=True)
class ResponseSpec:
    """A view's response model: what its return annotation says it returns."""

    annotation: t.Any
    adapter: TypeAdapter[t.Any]

    def respond(self, app: Microflask, endpoint: str, rv: t.Any) -> t.Any:
        """Return *rv* with its value serialized through the model (tuples kept).

        :raises ResponseValidationError: if the value does not fit the model.
        """
        value, rest = (rv[0], rv[1:]) if isinstance(rv, tuple) and rv else (rv, ())
        if value is None or isinstance(value, BaseResponse):
            return rv  # the core's own checks and pass-through apply
        try:
            data = self.adapter.validate_python(_rows_as_dicts(value), from_attributes=True)
        except ValidationError as e:
            problems = "; ".join(
                f"{'.'.join(map(str, item['loc'])) or '(value)'}: {item['msg']}"
                for item in e.errors(include_url=False, include_input=False)
            )
            raise ResponseValidationError(
                f"The view function for {endpoint!r} returned a value that does not match"
                f" its return annotation {_type_name(self.annotation)}: {problems}. Fix the"
                " view or its annotation; the value was not sent."
            ) from None
        body = app.response_class(
            self.adapter.dump_json(data, by_alias=True), mimetype="application/json"
        )
        return (body, *rest) if rest else body


def _rows_as_dicts(value: t.Any) -> t.Any:
    """Return *value*, or each item of a list, with ``sqlite3.Row`` as a dict.

    A row is read by column name, which ``from_attributes`` cannot do.
    """
    row = getattr(sys.modules.get("sqlite3"), "Row", ())  # (): sqlite3 unused, no rows
    if isinstance(value, list) and row:
        return [dict(item) if isinstance(item, row) else item for item in value]
    return dict(value) if isinstance(value, row) else value


@dataclass(frozen=True)
class ViewSpec:
    """What a view, or one method of a class-based view, reads and returns."""

    sources: tuple[Source, ...]
    response: ResponseSpec | None
    doc: str | None

    def read(self, req: Request) -> dict[str, t.Any]:
        """Return the typed parameters' values from *req*.

        :raises RequestValidationError: listing every invalid or missing value.
        """
        values: dict[str, t.Any] = {}
        errors: list[dict[str, t.Any]] = []
        for source in self.sources:
            try:
                values[source.name] = source.read(req)
            except _Invalid as e:
                errors.extend(e.errors)
        if errors:
            raise RequestValidationError(errors)
        return values


# -- inspecting a view -----------------------------------------------------------------


def inspect_view(view_func: t.Callable[..., t.Any], rule: Rule) -> dict[str | None, ViewSpec]:
    """Return what *view_func* reads and returns, by request method.

    The key None covers every method; a ``MethodView`` has one entry per method it
    handles. An empty dict means the view needs nothing.

    :raises TypeError: for a mistake in the annotations, naming the view and fix.
    """
    arguments = frozenset(rule.arguments)
    view_class = getattr(view_func, "view_class", None)
    if not (isinstance(view_class, type) and issubclass(view_class, View)):
        spec = _view_spec(view_func, arguments, rule, skip_self=False)
        return {None: spec} if spec is not None else {}
    if not issubclass(view_class, MethodView):
        takes_self = _takes_self(view_class, "dispatch_request")
        spec = _view_spec(view_class.dispatch_request, arguments, rule, takes_self)
        return {None: spec} if spec is not None else {}
    specs: dict[str | None, ViewSpec] = {}
    for method in sorted(rule.methods or ()):
        name = method.lower()
        if getattr(view_class, name, None) is None and method == "HEAD":
            name = "get"
        func = getattr(view_class, name, None)
        if func is None:
            continue
        spec = _view_spec(func, arguments, rule, _takes_self(view_class, name))
        if spec is not None:
            specs[method] = spec
    return specs


def _takes_self(view_class: type, name: str) -> bool:
    """Whether the method *name*, got from the class, still takes ``self``."""
    return not isinstance(inspect.getattr_static(view_class, name), (staticmethod, classmethod))


def _view_spec(
    func: t.Callable[..., t.Any], arguments: frozenset[str], rule: Rule, skip_self: bool
) -> ViewSpec | None:
    try:
        signature = inspect.signature(func)
        # A decorator may fill a model parameter itself (APIFlask's @app.input,
        # Flask-Pydantic's @validate): behind a functools.wraps wrapper, only a marked
        # parameter is read from the request.
        declared = inspect.signature(func, follow_wrapped=False).parameters
    except (TypeError, ValueError):  # a callable Python cannot describe: left alone
        return None
    where = f"view {getattr(func, '__qualname__', func)!r} for URL rule {rule.rule!r}"
    hints = _hints(func)
    sources: list[Source] = []
    for index, param in enumerate(signature.parameters.values()):
        if skip_self and index == 0:
            continue
        hint = hints.get(param.name, param.annotation)
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            _refuse_marker(param, hint, where)
            continue
        source = _source(param, hint, param.name in arguments, param.name in declared, where)
        if source is not None:
            sources.append(source)
    _check_bodies(sources, where)
    _check_keys(sources, where)
    response = _response_spec(hints.get("return"), where)
    if not sources and response is None:
        return None
    # A partial's own __doc__ describes functools.partial: read its function's.
    doc = inspect.getdoc(func.func if isinstance(func, functools.partial) else func)
    return ViewSpec(tuple(sources), response, doc)


def _hints(func: t.Callable[..., t.Any]) -> dict[str, t.Any]:
    """Return the evaluated annotations; any that fail become ``_Unresolved``."""
    try:
        evaluated = t.get_type_hints(func, include_extras=True)
    except Exception:
        pass  # one bad name must not hide the others: evaluate them one by one
    else:
        return {
            name: hint if name == "return" else _marker_outside(hint)
            for name, hint in evaluated.items()
        }
    target = inspect.unwrap(func)
    namespace = getattr(target, "__globals__", {})
    hints: dict[str, t.Any] = {}
    for name, annotation in getattr(target, "__annotations__", {}).items():
        if not isinstance(annotation, str):
            hints[name] = annotation
            continue
        try:
            hints[name] = eval(annotation, namespace)  # what get_type_hints does
        except Exception as e:
            hints[name] = _Unresolved(annotation, e)
    return hints


def _marker_outside(hint: t.Any) -> t.Any:
    """Unwrap ``Optional[Annotated[T, m]]`` where *m* is a request marker.

    Python 3.10's ``get_type_hints`` wraps that Optional around the hint of a
    parameter whose default is None; written by hand it means the same.
    """
    args = t.get_args(hint)
    if t.get_origin(hint) is t.Union and len(args) == 2 and args[1] is type(None):
        inner = args[0]
        if t.get_origin(inner) is t.Annotated and any(
            isinstance(item, Param) or (isinstance(item, type) and issubclass(item, Param))
            for item in inner.__metadata__
        ):
            return inner
    return hint


def _refuse_marker(param: inspect.Parameter, hint: t.Any, where: str) -> None:
    """Refuse a request marker on ``*args``/``**kwargs``: never filled."""
    if isinstance(hint, _Unresolved):
        return
    marker = _split_marker(hint, param.name, where)[1]
    if marker is not None:
        stars = "*" if param.kind is param.VAR_POSITIONAL else "**"
        raise TypeError(
            f"In the {where}: parameter {stars + param.name!r} cannot be read with"
            f" {marker!r}: only a named parameter is filled from the request. Name one"
            " parameter per value."
        )


def _source(
    param: inspect.Parameter, hint: t.Any, is_url_variable: bool, declared: bool, where: str
) -> Source | None:
    default = param.default
    if isinstance(default, Param) or (isinstance(default, type) and issubclass(default, Param)):
        name = default.__name__ if isinstance(default, type) else type(default).__name__
        shown = name if isinstance(default, type) else repr(default)
        raise TypeError(
            f"In the {where}: parameter {param.name!r} has the marker {shown} as its"
            f" default, which is never read. Put the marker in the annotation and the default"
            f" after it: '{param.name}: Annotated[int, {name}()] = 10'."
        )
    if isinstance(hint, _Unresolved):
        if any(name in hint.text for name in ("Body", "Form", "Query", "Header", "Cookie")):
            raise TypeError(
                f"In the {where}: the annotation {hint.text!r} of parameter {param.name!r}"
                f" cannot be evaluated ({hint.error}). Import the names it uses at module"
                " level, not only under TYPE_CHECKING."
            )
        return None
    base, marker = _split_marker(hint, param.name, where)
    if marker is None:
        if is_url_variable or not declared or not _mentions_model(base):
            return None
        marker = Body()
    if is_url_variable:
        raise TypeError(
            f"In the {where}: parameter {param.name!r} is a URL variable, which keeps its"
            f" converter; it cannot also be read with {marker!r}. Rename the parameter or"
            " drop the marker."
        )
    if param.kind is param.POSITIONAL_ONLY:
        raise TypeError(
            f"In the {where}: parameter {param.name!r} is positional-only, so it cannot be"
            " passed by name. Remove the '/' before it."
        )
    default = REQUIRED if param.default is param.empty else param.default
    return _make_source(param.name, base, marker, default, where)


def _split_marker(hint: t.Any, name: str, where: str) -> tuple[t.Any, Param | None]:
    """Return the annotation without its marker, and the marker if any."""
    if t.get_origin(hint) is not t.Annotated:
        return hint, None
    base, *metadata = t.get_args(hint)
    for item in metadata:
        if isinstance(item, type) and issubclass(item, Param):
            raise TypeError(
                f"In the {where}: parameter {name!r} is annotated with the class"
                f" {item.__name__}; call it: Annotated[..., {item.__name__}()]."
            )
    markers = [item for item in metadata if isinstance(item, Param)]
    if len(markers) > 1:
        raise TypeError(
            f"In the {where}: parameter {name!r} has several markers {markers!r}; a value"
            " comes from one place: keep one."
        )
    others = [item for item in metadata if not isinstance(item, Param)]
    if others:
        base = _Annotated[tuple([base, *others])]
    return base, (markers[0] if markers else None)


def _make_source(name: str, base: t.Any, marker: Param, default: t.Any, where: str) -> Source:
    location = marker.location
    annotation = _Annotated[base, pydantic.Field(**marker.options)] if marker.options else base
    adapter = _adapter(annotation, f"parameter {name!r}", where)
    description = marker.options.get("description")
    if location == "body":
        return Source(
            name, location, "body", "", annotation, adapter, default, False, (), description
        )
    if _is_model(base):
        fields = tuple(_model_fields(base, location))
        return Source(
            name, location, "model", "", annotation, adapter, default, False, fields, description
        )
    key = marker.alias or (name.replace("_", "-") if location == "header" else name)
    many = _is_sequence(base)
    return Source(name, location, "value", key, annotation, adapter, default, many, (), description)


def _model_fields(model: type[BaseModel], location: str) -> t.Iterator[tuple[str, str, bool]]:
    """Yield each field's request key, pydantic key, and whether it repeats."""
    for name, field in model.model_fields.items():
        alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
        if alias:
            yield alias, alias, _is_sequence(field.annotation)
        else:
            key = name.replace("_", "-") if location == "header" else name
            yield key, name, _is_sequence(field.annotation)


def _check_bodies(sources: list[Source], where: str) -> None:
    bodies = [s.name for s in sources if s.location == "body"]
    forms = [s.name for s in sources if s.location == "form"]
    if len(bodies) > 1 or (bodies and forms):
        raise TypeError(
            f"In the {where}: parameters {bodies + forms!r} all read the request body, which"
            " is either one JSON document or form data. Combine them into one model."
        )


def _check_keys(sources: list[Source], where: str) -> None:
    """Refuse two parameters that read the same request key."""
    seen: dict[tuple[str, str], str] = {}
    for source in sources:
        keys = [key for key, _, _ in source.fields] if source.kind == "model" else [source.key]
        for key in keys:
            # Header names are case-insensitive: X-Token and x-token are one header.
            name = (source.location, key.lower() if source.location == "header" else key)
            if name in seen:
                raise TypeError(
                    f"In the {where}: parameters {seen[name]!r} and {source.name!r} both read"
                    f" the {source.location} key {key!r}. Give one of them another alias."
                )
            seen[name] = source.name


def _response_spec(hint: t.Any, where: str) -> ResponseSpec | None:
    if hint is None or isinstance(hint, _Unresolved):
        return None
    if t.get_origin(hint) is tuple:
        hint = (*t.get_args(hint), None)[0]
    hint = _without_responses(hint)
    if hint is None or not _mentions_model(hint):
        return None
    return ResponseSpec(hint, _adapter(hint, "the return annotation", where))


def declared_status(func: t.Callable[..., t.Any]) -> int | None:
    """Return the status *func*'s annotation gives: ``tuple[X, Literal[201]]``."""
    return _declared_status(_hints(func).get("return"))


def _declared_status(hint: t.Any) -> int | None:
    if t.get_origin(hint) is not tuple or len(t.get_args(hint)) < 2:
        return None
    status = t.get_args(hint)[1]
    if t.get_origin(status) is not t.Literal or len(t.get_args(status)) != 1:
        return None
    code = t.get_args(status)[0]
    # Literal[True] is an int to isinstance, but not an HTTP status.
    return code if type(code) is int and 100 <= code <= 599 else None


def _without_responses(hint: t.Any) -> t.Any:
    """Drop Response classes from a union: a returned Response passes through."""
    if t.get_origin(hint) not in _UNIONS:
        return None if _is_response(hint) else hint
    kept = tuple(arg for arg in t.get_args(hint) if not _is_response(arg))
    return t.Union[kept] if kept else None  # noqa: UP007 (a Union of one type is that type)


def _adapter(annotation: t.Any, what: str, where: str) -> TypeAdapter[t.Any]:
    try:
        return TypeAdapter(annotation)
    except Exception as e:
        raise TypeError(
            f"In the {where}: pydantic cannot validate {what} of type"
            f" {_type_name(annotation)}: {e}. Use a type pydantic supports."
        ) from e


def _is_model(tp: t.Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _is_response(tp: t.Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseResponse)


def _mentions_model(tp: t.Any) -> bool:
    """Return whether a model appears in *tp*, e.g. ``list[Model]``."""
    return _is_model(tp) or any(_mentions_model(arg) for arg in t.get_args(tp))


def _is_sequence(tp: t.Any) -> bool:
    """Whether *tp* (under Optional or Annotated) is a list-like of values."""
    origin = t.get_origin(tp)
    if origin is t.Annotated:
        return _is_sequence(t.get_args(tp)[0])
    if origin in _UNIONS:
        return any(_is_sequence(arg) for arg in t.get_args(tp) if arg is not type(None))
    return origin in _SEQUENCES or tp in _SEQUENCES


def _type_name(tp: t.Any) -> str:
    return tp.__name__ if isinstance(tp, type) else repr(tp)


# -- the adapted view ------------------------------------------------------------------


def adapt_view(
    app: Microflask, rule: Rule, view_func: t.Callable[..., t.Any]
) -> t.Callable[..., t.Any] | None:
    """Return what runs *view_func* typed, or None if it needs nothing.

    The callable takes the URL variables as keyword arguments, reads and validates the
    typed parameters, calls the view and applies its response model. Call it in a
    request context.

    :raises TypeError: for a mistake in the view's annotations.
    """
    specs = inspect_view(view_func, rule)
    if not specs:
        return None
    view = app.ensure_sync(view_func)
    endpoint = t.cast(str, rule.endpoint)
    only = specs.get(None)

    def adapted(**kwargs: t.Any) -> t.Any:
        spec = only or specs.get(request.method)
        if spec is None:
            return view(**kwargs)
        if spec.sources:
            kwargs.update(spec.read(request._get_current_object()))  # type: ignore[attr-defined]
        rv = view(**kwargs)
        if spec.response is None:
            return rv
        return spec.response.respond(app, endpoint, rv)

    adapted.__name__ = getattr(view_func, "__name__", "view")
    adapted.__qualname__ = getattr(view_func, "__qualname__", adapted.__name__)
    adapted.__doc__ = view_func.__doc__
    return adapted
