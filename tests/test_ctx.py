"""Tests for the app and request contexts, the proxies and the context helpers."""

from __future__ import annotations

import contextvars
import threading
import typing as t

import pytest

from microflask import (
    Microflask,
    Response,
    after_this_request,
    app_ctx,
    copy_current_request_context,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    request_ctx,
    session,
    stream_with_context,
)
from microflask.ctx import AppContext, RequestContext
from microflask.globals import _cv_app, _cv_request
from microflask.testing import MicroflaskClient

_ONLY_IN_REQUESTS = "can only be used when a request context is active"  # Flask's words


def test_contexts_live_in_context_variables(app: Microflask) -> None:
    assert isinstance(_cv_app, contextvars.ContextVar)
    assert isinstance(_cv_request, contextvars.ContextVar)
    with app.test_request_context() as ctx:
        assert _cv_request.get() is ctx
        assert _cv_app.get().app is app


def test_app_context_sets_current_app_and_app_ctx(app: Microflask) -> None:
    with app.app_context() as ctx:
        assert isinstance(ctx, AppContext)
        assert current_app._get_current_object() is app  # type: ignore[attr-defined]
        assert app_ctx._get_current_object() is ctx  # type: ignore[attr-defined]


def test_request_context_sets_request_and_request_ctx(app: Microflask) -> None:
    with app.test_request_context("/path") as ctx:
        assert isinstance(ctx, RequestContext)
        assert request.path == "/path"
        assert request_ctx._get_current_object() is ctx  # type: ignore[attr-defined]


def test_contexts_are_not_shared_with_other_threads(app: Microflask) -> None:
    seen: list[bool] = []
    with app.test_request_context():
        thread = threading.Thread(
            target=lambda: seen.append(has_app_context() or has_request_context())
        )
        thread.start()
        thread.join()
        assert has_request_context()
    assert seen == [False]


def test_request_context_pushes_an_app_context(app: Microflask) -> None:
    with app.test_request_context():
        assert current_app.name == app.name
    assert not has_app_context()


def test_request_context_reuses_the_active_app_context(app: Microflask) -> None:
    with app.app_context() as outer, app.test_request_context():
        assert _cv_app.get() is outer


def test_request_context_of_another_app_pushes_its_own(app: Microflask) -> None:
    other = Microflask("other")
    with app.app_context(), other.test_request_context():
        assert current_app.name == "other"


def test_contexts_pop_back_to_the_previous_state(app: Microflask) -> None:
    with app.app_context() as outer:
        with app.app_context() as inner:
            assert _cv_app.get() is inner
        assert _cv_app.get() is outer
    assert _cv_app.get(None) is None


def test_popping_the_wrong_app_context_raises(app: Microflask) -> None:
    first, second = app.app_context(), app.app_context()
    first.push()
    second.push()
    with pytest.raises(AssertionError, match="Popped wrong app context"):
        first.pop()
    # Popping resets to the state before ``first`` was pushed: nothing is left.
    assert _cv_app.get(None) is None


@pytest.mark.parametrize(
    ("proxy", "context"),
    [
        (lambda: current_app.name, "application context"),
        (lambda: g.value, "application context"),
        (lambda: app_ctx.app, "application context"),
        (lambda: request.path, "request context"),
        (lambda: request_ctx.request, "request context"),
        (lambda: session.get("x"), "request context"),
    ],
)
def test_proxy_outside_its_context_raises_naming_it(
    proxy: t.Callable[[], t.Any], context: str
) -> None:
    with pytest.raises(RuntimeError, match=f"Working outside of {context}") as excinfo:
        proxy()
    assert "with app." in str(excinfo.value)


def test_request_proxy_in_app_context_only_still_raises(app: Microflask) -> None:
    with app.app_context(), pytest.raises(RuntimeError, match="outside of request context"):
        request.path  # noqa: B018


def test_has_app_context(app: Microflask) -> None:
    assert has_app_context() is False
    with app.app_context():
        assert has_app_context() is True


def test_has_request_context(app: Microflask) -> None:
    assert has_request_context() is False
    with app.app_context():
        assert has_request_context() is False
    with app.test_request_context():
        assert has_request_context() is True


def test_copy_current_request_context_in_a_thread(
    app: Microflask, client: MicroflaskClient
) -> None:
    seen: list[str] = []

    @app.route("/work")
    def work() -> str:
        @copy_current_request_context
        def in_thread() -> None:
            seen.append(f"{request.args['job']} {current_app.name}")

        thread = threading.Thread(target=in_thread)
        thread.start()
        thread.join()
        return "started"

    assert client.get("/work?job=resize").data == b"started"
    assert seen == [f"resize {app.name}"]


def test_copy_current_request_context_outside_request_raises() -> None:
    with pytest.raises(RuntimeError, match=f"'copy_current_request_context' {_ONLY_IN_REQUESTS}"):
        copy_current_request_context(lambda: None)


def test_after_this_request_modifies_the_response(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.route("/")
    def index() -> str:
        @after_this_request
        def add_header(response: Response) -> Response:
            response.headers["X-After"] = "added"
            return response

        return "index"

    rv = client.get("/")
    assert rv.headers["X-After"] == "added"
    assert client.get("/").headers["X-After"] == "added"


def test_after_this_request_runs_only_for_its_request(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.route("/")
    def index() -> str:
        if "mark" in request.args:
            after_this_request(lambda r: r.headers.set("X-Once", "1") or r)
        return "index"

    assert client.get("/?mark=1").headers.get("X-Once") == "1"
    assert client.get("/").headers.get("X-Once") is None


def test_after_this_request_outside_request_raises() -> None:
    with pytest.raises(RuntimeError, match=f"'after_this_request' {_ONLY_IN_REQUESTS}"):
        after_this_request(lambda r: r)


def test_stream_with_context_keeps_the_request(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/stream")
    def stream() -> t.Any:
        def generate() -> t.Iterator[str]:
            yield "hello "
            yield request.args["name"]
            yield f" from {current_app.name}"

        return stream_with_context(generate())

    rv = client.get("/stream?name=ann")
    assert rv.data == f"hello ann from {app.name}".encode()


def test_stream_with_context_as_decorator(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/stream")
    def stream() -> t.Any:
        def path() -> t.Iterator[str]:
            yield request.path

        # Typed as Flask types it, stream_with_context returns an iterator even when
        # it decorates a generator function, which it wraps in a function.
        generate = t.cast(t.Callable[[], t.Iterator[str]], stream_with_context(path))
        return generate()

    assert client.get("/stream").data == b"/stream"


def test_stream_without_context_loses_the_request(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.route("/stream")
    def stream() -> t.Any:
        def generate() -> t.Iterator[str]:
            yield "start"
            yield request.path

        return generate()

    rv = client.get("/stream")
    with pytest.raises(RuntimeError, match="outside of request context"):
        rv.get_data()
    rv.close()


def test_stream_with_context_outside_request_raises() -> None:
    with pytest.raises(RuntimeError, match=f"'stream_with_context' {_ONLY_IN_REQUESTS}"):
        stream_with_context(iter(["x"]))


def test_g_attributes(app: Microflask) -> None:
    with app.app_context():
        g.user = "ann"
        assert g.user == "ann"
        with pytest.raises(AttributeError, match="'user2'"):
            g.user2  # noqa: B018


def test_g_get(app: Microflask) -> None:
    with app.app_context():
        g.present = 1
        assert g.get("present") == 1
        assert g.get("absent") is None
        assert g.get("absent", "fallback") == "fallback"


def test_g_pop(app: Microflask) -> None:
    with app.app_context():
        g.value = 1
        assert g.pop("value") == 1
        assert "value" not in g
        assert g.pop("value", "gone") == "gone"
        with pytest.raises(KeyError):
            g.pop("value")


def test_g_setdefault(app: Microflask) -> None:
    with app.app_context():
        assert g.setdefault("items", []) == []
        g.items.append(1)
        assert g.setdefault("items", ["ignored"]) == [1]
        assert g.setdefault("none") is None
        assert "none" in g


def test_g_contains_and_iterates(app: Microflask) -> None:
    with app.app_context():
        assert "a" not in g
        g.a = 1
        g.b = 2
        assert "a" in g
        assert sorted(g) == ["a", "b"]


def test_g_is_per_app_context(app: Microflask) -> None:
    with app.app_context():
        g.value = "outer"
        with app.app_context():
            assert "value" not in g
            g.value = "inner"
        assert g.value == "outer"


def test_g_is_fresh_for_each_request(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/")
    def index() -> str:
        count = g.get("count", 0) + 1
        g.count = count
        return str(count)

    assert client.get("/").data == b"1"
    assert client.get("/").data == b"1"


def test_g_is_shared_between_request_and_its_app_context(app: Microflask) -> None:
    with app.app_context():
        g.shared = "yes"
        with app.test_request_context():
            assert g.shared == "yes"


def test_app_context_g_and_url_adapter_can_be_replaced(app: Microflask) -> None:
    app.config["SERVER_NAME"] = "example.org"
    ctx = app.app_context()
    assert ctx.url_adapter is not None
    assert ctx.url_adapter is ctx.url_adapter
    replacement = app.app_ctx_globals_class()
    ctx.g = replacement
    ctx.url_adapter = None
    with ctx:
        g.value = 1
        assert replacement.value == 1
        with pytest.raises(RuntimeError, match="SERVER_NAME"):
            app.url_for("static", filename="x")


@pytest.mark.parametrize(
    ("kwargs", "attribute", "expected"),
    [
        ({"path": "/a/b"}, "path", "/a/b"),
        ({"path": "/p?x=1"}, "args", {"x": "1"}),
        ({"query_string": {"q": "v"}}, "args", {"q": "v"}),
        ({"method": "PUT"}, "method", "PUT"),
        ({"headers": {"X-Thing": "1"}}, "headers", "1"),
        ({"base_url": "https://example.org/app/"}, "url", "https://example.org/app/"),
        ({"subdomain": "api"}, "host", "api.localhost"),
        ({"url_scheme": "https"}, "scheme", "https"),
        ({"data": {"field": "v"}, "method": "POST"}, "form", {"field": "v"}),
        ({"json": {"k": 1}, "method": "POST"}, "json", {"k": 1}),
    ],
)
def test_test_request_context_takes_environ_builder_arguments(
    app: Microflask, kwargs: dict[str, t.Any], attribute: str, expected: t.Any
) -> None:
    with app.test_request_context(**kwargs):
        value = getattr(request, attribute)
        if attribute == "headers":
            value = value["X-Thing"]
        elif attribute in ("args", "form"):
            value = value.to_dict()
        assert value == expected


def test_test_request_context_base_url_with_subdomain_raises(app: Microflask) -> None:
    with pytest.raises(
        AssertionError, match='Cannot pass "subdomain" or "url_scheme" with "base_url"'
    ):
        app.test_request_context(base_url="http://x/", subdomain="api")


def test_request_context_matches_the_url_on_push(app: Microflask) -> None:
    app.route("/user/<int:uid>")(lambda uid: str(uid))
    with app.test_request_context("/user/3"):
        assert request.endpoint == "<lambda>"
        assert request.view_args == {"uid": 3}


@pytest.mark.parametrize(
    "proxy", [g, request, session, current_app], ids=["g", "request", "session", "current_app"]
)
def test_unbound_proxy_repr_says_unbound(proxy: t.Any) -> None:
    assert repr(proxy) == "<LocalProxy unbound>"


def test_bound_proxy_repr_is_the_objects(app: Microflask) -> None:
    with app.test_request_context("/here"):
        assert repr(request) == "<Request 'http://localhost/here' [GET]>"


@pytest.mark.parametrize(
    "call",
    [
        lambda app: app.preprocess_request(),
        lambda app: app.dispatch_request(),
        lambda app: app.full_dispatch_request(),
        lambda app: app.process_response(Response()),
        lambda app: app.make_default_options_response(),
    ],
)
def test_dispatch_methods_outside_a_request_raise_runtime_error(
    app: Microflask, call: t.Callable[[Microflask], t.Any]
) -> None:
    with app.app_context(), pytest.raises(RuntimeError, match="outside of request context"):
        call(app)


def test_copied_context_shares_the_session_with_the_request(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.route("/remember")
    def remember() -> str:
        @copy_current_request_context
        def work() -> None:
            session["seen"] = "in a thread"

        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        return "ok"

    rv = client.get("/remember")
    assert "session=" in rv.headers["Set-Cookie"]
    with client.session_transaction() as sess:
        assert sess["seen"] == "in a thread"


def test_copying_a_context_does_not_count_as_using_the_session(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.route("/")
    def index() -> str:
        copy_current_request_context(lambda: None)()
        return "ok"

    assert "Vary" not in client.get("/").headers


def test_wsgi_app_makes_its_context_through_request_context() -> None:
    made: list[str] = []

    class Tracking(Microflask):
        def request_context(self, environ: t.Any) -> RequestContext:
            made.append(environ["PATH_INFO"])
            return super().request_context(environ)

    app = Tracking(__name__)
    app.add_url_rule("/here", "here", lambda: "ok")
    assert app.test_client().get("/here").text == "ok"
    assert made == ["/here"]
