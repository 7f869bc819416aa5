"""Tests for class-based views: ``View.as_view`` and ``MethodView`` dispatch."""

from __future__ import annotations

import asyncio
import typing as t
from functools import wraps

import pytest

from microflask import Microflask, request
from microflask.testing import MicroflaskClient
from microflask.views import MethodView, View, http_method_funcs

# --- View.as_view ----------------------------------------------------------------


class Greeting(View):
    """Say hello to someone."""

    def __init__(self, greeting: str, *, punctuation: str = ".") -> None:
        self.greeting = greeting
        self.punctuation = punctuation

    def dispatch_request(self, name: str = "you") -> str:
        return f"{self.greeting}, {name}{self.punctuation}"


def test_as_view_passes_arguments_to_the_constructor(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.add_url_rule("/", view_func=Greeting.as_view("greet", "Hello", punctuation="!"))
    assert client.get("/").text == "Hello, you!"


def test_as_view_passes_url_variables_to_dispatch_request(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.add_url_rule("/<name>", view_func=Greeting.as_view("greet", "Hi"))
    assert client.get("/Ada").text == "Hi, Ada."


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [
        ("__name__", "greet"),
        ("__doc__", "Say hello to someone."),
        ("__module__", __name__),
        ("view_class", Greeting),
        ("methods", None),
        ("provide_automatic_options", None),
    ],
)
def test_as_view_function_attributes(attribute: str, expected: object) -> None:
    assert getattr(Greeting.as_view("greet", "Hi"), attribute) == expected


def test_as_view_name_is_the_endpoint(app: Microflask) -> None:
    app.add_url_rule("/", view_func=Greeting.as_view("greet", "Hi"))
    assert t.cast(t.Any, app.view_functions["greet"]).view_class is Greeting


def test_view_without_dispatch_request_raises(app: Microflask, client: MicroflaskClient) -> None:
    class Empty(View):
        pass

    app.add_url_rule("/", view_func=Empty.as_view("empty"))
    with pytest.raises(NotImplementedError):
        client.get("/")


class PostOnly(View):
    methods = ["POST"]

    def dispatch_request(self) -> str:
        return request.method


@pytest.mark.parametrize(("method", "status"), [("POST", 200), ("GET", 405), ("PUT", 405)])
def test_view_methods_restrict_the_rule(
    app: Microflask, client: MicroflaskClient, method: str, status: int
) -> None:
    app.config["CSRF_CROSS_ORIGIN_PROTECTION"] = False
    app.add_url_rule("/", view_func=PostOnly.as_view("post_only"))
    assert client.open("/", method=method).status_code == status


def test_decorators_are_applied_in_order(app: Microflask, client: MicroflaskClient) -> None:
    calls: list[str] = []

    def tag(label: str) -> t.Callable[[t.Callable[..., t.Any]], t.Callable[..., t.Any]]:
        def decorator(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
            @wraps(f)
            def wrapper(**kwargs: t.Any) -> t.Any:
                calls.append(label)
                return f(**kwargs)

            return wrapper

        return decorator

    class Decorated(View):
        decorators = [tag("first"), tag("second")]

        def dispatch_request(self) -> str:
            calls.append("view")
            return "ok"

    app.add_url_rule("/", view_func=Decorated.as_view("decorated"))
    assert client.get("/").text == "ok"
    # The first decorator is applied first, so it is the innermost wrapper.
    assert calls == ["second", "first", "view"]


def test_decorators_see_the_view_name(app: Microflask) -> None:
    seen: list[str] = []

    def remember_name(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        seen.append(f.__name__)
        return f

    class Decorated(View):
        decorators = [remember_name]

        def dispatch_request(self) -> str:
            return ""

    view: t.Any = Decorated.as_view("named")
    assert (seen, view.__name__, view.view_class) == (["named"], "named", Decorated)


def test_decorator_can_short_circuit_the_view(app: Microflask, client: MicroflaskClient) -> None:
    def deny(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        return lambda **kwargs: ("denied", 403)

    class Secret(View):
        decorators = [deny]

        def dispatch_request(self) -> str:
            return "secret"

    app.add_url_rule("/", view_func=Secret.as_view("secret"))
    response = client.get("/")
    assert (response.status_code, response.text) == (403, "denied")


@pytest.mark.parametrize(
    ("provide", "status", "allow"),
    [
        (None, 200, {"GET", "HEAD", "OPTIONS"}),
        # Set by hand, True does not add OPTIONS to the methods: Flask 3.1 answers 405.
        (True, 405, {"GET", "HEAD"}),
        (False, 405, {"GET", "HEAD"}),
    ],
)
def test_provide_automatic_options(
    app: Microflask, client: MicroflaskClient, provide: bool | None, status: int, allow: set[str]
) -> None:
    class Page(View):
        provide_automatic_options = provide

        def dispatch_request(self) -> str:
            return "page"

    app.add_url_rule("/", view_func=Page.as_view("page"))
    response = client.options("/")
    assert response.status_code == status
    assert set(response.allow) == allow


def test_explicit_automatic_options_answer_when_options_is_listed(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.add_url_rule(
        "/", "page", lambda: "page", methods=["GET", "OPTIONS"], provide_automatic_options=True
    )
    response = client.options("/")
    assert (response.status_code, response.data) == (200, b"")
    assert set(response.allow) == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize(("init_every_request", "distinct"), [(True, 2), (False, 1)])
def test_init_every_request(
    app: Microflask, client: MicroflaskClient, init_every_request: bool, distinct: int
) -> None:
    handled: list[View] = []

    class Counted(View):
        def dispatch_request(self) -> str:
            handled.append(self)
            return "ok"

    Counted.init_every_request = init_every_request
    app.add_url_rule("/", view_func=Counted.as_view("counted"))
    assert [client.get("/").text, client.get("/").text] == ["ok", "ok"]
    # The list keeps both instances alive, so their ids cannot be reused.
    assert len({id(view) for view in handled}) == distinct


def test_init_every_request_false_creates_the_instance_in_as_view() -> None:
    created: list[View] = []

    class Once(View):
        init_every_request = False

        def __init__(self, label: str) -> None:
            self.label = label
            created.append(self)

        def dispatch_request(self) -> str:
            return self.label

    Once.as_view("once", "x")
    assert [type(view) for view in created] == [Once]


# --- MethodView ------------------------------------------------------------------


class Items(MethodView):
    def get(self) -> str:
        return "list"

    def post(self) -> str:
        return "created"


class ItemsWithDelete(Items):
    def delete(self) -> str:
        return "deleted"


class PutMixin:
    def put(self) -> str:
        return "replaced"


class ItemsWithPut(PutMixin, Items):
    pass


class ExplicitMethods(Items):
    methods = ["GET"]


class Empty(MethodView):
    pass


@pytest.mark.parametrize(
    ("view_class", "methods"),
    [
        (Items, {"GET", "POST"}),
        (ItemsWithDelete, {"GET", "POST", "DELETE"}),
        (ItemsWithPut, {"GET", "POST", "PUT"}),
        (ExplicitMethods, {"GET"}),
        (Empty, None),
    ],
)
def test_method_view_derives_methods(
    view_class: type[MethodView], methods: set[str] | None
) -> None:
    derived = view_class.methods
    assert (set(derived) if derived is not None else None) == methods


@pytest.fixture
def items_client(app: Microflask, client: MicroflaskClient) -> MicroflaskClient:
    app.config["CSRF_CROSS_ORIGIN_PROTECTION"] = False
    app.add_url_rule("/items", view_func=ItemsWithDelete.as_view("items"))
    return client


@pytest.mark.parametrize(
    ("method", "body"), [("GET", "list"), ("POST", "created"), ("DELETE", "deleted")]
)
def test_method_view_dispatches_on_the_method(
    items_client: MicroflaskClient, method: str, body: str
) -> None:
    assert items_client.open("/items", method=method).text == body


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_method_view_answers_405_for_undefined_methods(
    items_client: MicroflaskClient, method: str
) -> None:
    response = items_client.open("/items", method=method)
    assert response.status_code == 405
    assert set(response.allow) == {"GET", "HEAD", "POST", "DELETE", "OPTIONS"}


def test_method_view_listed_but_unimplemented_method_raises(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.config["CSRF_CROSS_ORIGIN_PROTECTION"] = False

    class Partial(MethodView):
        methods = ["GET", "PUT"]

        def get(self) -> str:
            return ""

    app.add_url_rule("/", view_func=Partial.as_view("partial"))
    with pytest.raises(AssertionError, match="Unimplemented method 'PUT'"):
        client.put("/")


def test_method_view_head_falls_back_to_get(app: Microflask, client: MicroflaskClient) -> None:
    calls: list[str] = []

    class Page(MethodView):
        def get(self) -> tuple[str, dict[str, str]]:
            calls.append(request.method)
            return "body", {"X-From": "get"}

    app.add_url_rule("/", view_func=Page.as_view("page"))
    response = client.head("/")
    assert (response.status_code, response.headers["X-From"], response.data) == (200, "get", b"")
    assert calls == ["HEAD"]


def test_method_view_head_handler_wins_over_get(app: Microflask, client: MicroflaskClient) -> None:
    class Page(MethodView):
        def get(self) -> tuple[str, dict[str, str]]:
            return "body", {"X-From": "get"}

        def head(self) -> tuple[str, dict[str, str]]:
            return "", {"X-From": "head"}

    app.add_url_rule("/", view_func=Page.as_view("page"))
    assert client.head("/").headers["X-From"] == "head"


def test_method_view_receives_url_variables(app: Microflask, client: MicroflaskClient) -> None:
    class Item(MethodView):
        def get(self, item_id: int) -> str:
            return f"item {item_id + 1}"

    app.add_url_rule("/items/<int:item_id>", view_func=Item.as_view("item"))
    assert client.get("/items/41").text == "item 42"


def test_method_view_passes_as_view_arguments(app: Microflask, client: MicroflaskClient) -> None:
    class Model(MethodView):
        def __init__(self, model: str) -> None:
            self.model = model

        def get(self) -> str:
            return self.model

    app.add_url_rule("/users", view_func=Model.as_view("users", "User"))
    app.add_url_rule("/posts", view_func=Model.as_view("posts", "Post"))
    assert (client.get("/users").text, client.get("/posts").text) == ("User", "Post")


def test_async_method_view_methods_are_awaited(app: Microflask, client: MicroflaskClient) -> None:
    app.config["CSRF_CROSS_ORIGIN_PROTECTION"] = False

    class Async(MethodView):
        async def get(self) -> str:
            await asyncio.sleep(0)
            return "async get"

        async def post(self) -> str:
            await asyncio.sleep(0)
            return f"async post {request.form['x']}"

    app.add_url_rule("/", view_func=Async.as_view("async"))
    assert client.get("/").text == "async get"
    assert client.post("/", data={"x": "1"}).text == "async post 1"
    assert set(Async.methods or ()) == {"GET", "POST"}


def test_async_view_dispatch_request_is_awaited(app: Microflask, client: MicroflaskClient) -> None:
    class Async(View):
        async def dispatch_request(self) -> str:  # type: ignore[override]
            await asyncio.sleep(0)
            return "awaited"

    app.add_url_rule("/", view_func=Async.as_view("async"))
    assert client.get("/").text == "awaited"


def test_http_method_funcs_names_the_methods_a_method_view_collects() -> None:
    assert http_method_funcs == {
        "get",
        "post",
        "head",
        "options",
        "delete",
        "put",
        "trace",
        "patch",
    }

    class Everything(MethodView):
        pass

    for name in http_method_funcs:
        setattr(Everything, name, lambda self: "")

    class Sub(Everything):
        pass

    assert Sub.methods == {name.upper() for name in http_method_funcs}
