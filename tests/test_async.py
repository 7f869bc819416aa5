"""Tests for ``async def`` views and hooks, and the overridable sync bridge."""

from __future__ import annotations

import asyncio
import threading
import typing as t

import pytest

from microflask import (
    Blueprint,
    Microflask,
    after_this_request,
    g,
    render_template_string,
    request,
)
from microflask.testing import MicroflaskClient
from microflask.views import MethodView
from microflask.wrappers import Response


class _Boom(Exception):
    pass


def test_async_view(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/")
    async def index() -> str:
        await asyncio.sleep(0)
        return f"async {request.args['q']}"

    assert client.get("/?q=1").text == "async 1"


def test_async_view_with_url_variables(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/<int:n>")
    async def double(n: int) -> str:
        await asyncio.sleep(0)
        return str(n * 2)

    assert client.get("/21").text == "42"


def test_async_view_awaits_its_tasks_to_completion(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.route("/")
    async def gather() -> str:
        async def part(n: int) -> int:
            await asyncio.sleep(0.01)
            return n

        return ",".join(map(str, await asyncio.gather(part(1), part(2), part(3))))

    assert client.get("/").text == "1,2,3"


def test_async_view_cancels_the_tasks_it_leaves_running(
    app: Microflask, client: MicroflaskClient
) -> None:
    cancelled: list[str] = []
    tasks: list[asyncio.Task[None]] = []

    @app.route("/")
    async def start_and_leave() -> str:
        async def forever() -> None:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancelled.append("cancelled")
                raise

        tasks.append(asyncio.get_running_loop().create_task(forever()))
        await asyncio.sleep(0)
        return "returned"

    assert client.get("/").text == "returned"
    assert cancelled == ["cancelled"] and tasks[0].cancelled()


def test_async_view_sees_g_set_by_a_sync_hook(app: Microflask, client: MicroflaskClient) -> None:
    @app.before_request
    def set_user() -> None:
        g.user = "ada"

    @app.route("/")
    async def index() -> str:
        return str(g.user)

    assert client.get("/").text == "ada"


def test_async_error_handler(app: Microflask, client: MicroflaskClient) -> None:
    @app.errorhandler(_Boom)
    async def handle(e: _Boom) -> tuple[str, int]:
        await asyncio.sleep(0)
        return f"handled {e}", 418

    @app.route("/")
    async def index() -> str:
        raise _Boom("boom")

    response = client.get("/")
    assert (response.status_code, response.text) == (418, "handled boom")


def test_async_error_handler_for_an_http_code(app: Microflask, client: MicroflaskClient) -> None:
    @app.errorhandler(404)
    async def not_found(e: Exception) -> tuple[str, int]:
        return "async 404", 404

    assert client.get("/missing").text == "async 404"


def test_async_before_and_after_request(app: Microflask, client: MicroflaskClient) -> None:
    @app.before_request
    async def before() -> None:
        await asyncio.sleep(0)
        g.seen = "before"

    @app.after_request
    async def after(response: Response) -> Response:
        await asyncio.sleep(0)
        response.headers["X-After"] = "async"
        return response

    @app.route("/")
    def index() -> str:
        return str(g.seen)

    response = client.get("/")
    assert (response.text, response.headers["X-After"]) == ("before", "async")


def test_async_before_request_return_ends_request(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.before_request
    async def stop() -> tuple[str, int]:
        return "stopped", 403

    @app.route("/")
    def index() -> str:
        return "view"

    response = client.get("/")
    assert (response.status_code, response.text) == (403, "stopped")


def test_async_teardown_request_and_appcontext(app: Microflask, client: MicroflaskClient) -> None:
    calls: list[tuple[str, str | None]] = []

    @app.teardown_request
    async def teardown_request(exc: BaseException | None) -> None:
        await asyncio.sleep(0)
        calls.append(("request", type(exc).__name__ if exc else None))

    @app.teardown_appcontext
    async def teardown_appcontext(exc: BaseException | None) -> None:
        await asyncio.sleep(0)
        calls.append(("appcontext", type(exc).__name__ if exc else None))

    @app.route("/")
    def index() -> str:
        return ""

    client.get("/")
    assert calls == [("request", None), ("appcontext", None)]


def test_async_after_this_request(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/")
    def index() -> str:
        @after_this_request
        async def add_header(response: Response) -> Response:
            response.headers["X-Later"] = "yes"
            return response

        return ""

    assert client.get("/").headers["X-Later"] == "yes"


def test_async_context_processor(app: Microflask, client: MicroflaskClient) -> None:
    @app.context_processor
    async def extra() -> dict[str, t.Any]:
        await asyncio.sleep(0)
        return {"who": "async"}

    @app.route("/")
    def index() -> str:
        return render_template_string("{{ who }}")

    assert client.get("/").text == "async"


def test_async_blueprint_hooks_and_error_handler(app: Microflask, client: MicroflaskClient) -> None:
    bp = Blueprint("bp", __name__)
    calls: list[str] = []

    @bp.before_request
    async def before() -> None:
        calls.append("before")

    @bp.errorhandler(_Boom)
    async def handle(e: _Boom) -> str:
        calls.append("handler")
        return "bp handled"

    @bp.route("/")
    async def index() -> str:
        raise _Boom

    app.register_blueprint(bp)
    assert client.get("/").text == "bp handled"
    assert calls == ["before", "handler"]


def test_async_method_view(app: Microflask, client: MicroflaskClient) -> None:
    app.config["CSRF_CROSS_ORIGIN_PROTECTION"] = False

    class Items(MethodView):
        async def get(self) -> str:
            await asyncio.sleep(0)
            return "got"

        async def delete(self) -> str:
            await asyncio.sleep(0)
            return "deleted"

    app.add_url_rule("/items", view_func=Items.as_view("items"))
    assert (client.get("/items").text, client.delete("/items").text) == ("got", "deleted")


# --- the sync bridge can be overridden --------------------------------------------


class RecordingApp(Microflask):
    """An app that records which functions pass through its sync bridge."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.ensured: list[str] = []
        self.converted: list[str] = []

    def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        self.ensured.append(getattr(func, "__name__", repr(func)))
        return super().ensure_sync(func)

    def async_to_sync(
        self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        self.converted.append(func.__name__)
        return super().async_to_sync(func)


@pytest.fixture
def recording_app() -> RecordingApp:
    app = RecordingApp(__name__)
    app.config["TESTING"] = True

    @app.before_request
    async def before() -> None:
        pass

    @app.after_request
    async def after(response: Response) -> Response:
        return response

    @app.errorhandler(_Boom)
    async def handle(e: _Boom) -> str:
        return "handled"

    @app.route("/")
    async def view() -> str:
        raise _Boom

    return app


@pytest.mark.parametrize("attribute", ["ensured", "converted"])
def test_sync_bridge_is_overridable(recording_app: RecordingApp, attribute: str) -> None:
    assert recording_app.test_client().get("/").text == "handled"
    assert {"before", "after", "handle", "view"} <= set(getattr(recording_app, attribute))


def test_ensure_sync_override_sees_sync_views_too() -> None:
    app = RecordingApp(__name__)

    @app.route("/")
    def plain_view() -> str:
        return "plain"

    assert app.test_client().get("/").text == "plain"
    assert "plain_view" in app.ensured
    assert app.converted == []


def test_async_to_sync_override_decides_how_coroutines_run() -> None:
    runs: list[str] = []

    class LoopApp(Microflask):
        def async_to_sync(
            self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
        ) -> t.Callable[..., t.Any]:
            def run(*args: t.Any, **kwargs: t.Any) -> t.Any:
                runs.append(func.__name__)
                loop = asyncio.new_event_loop()
                try:
                    return loop.run_until_complete(func(*args, **kwargs))
                finally:
                    loop.close()

            return run

    loop_app = LoopApp(__name__)

    @loop_app.route("/")
    async def index() -> str:
        return "custom loop"

    assert loop_app.test_client().get("/").text == "custom loop"
    assert runs == ["index"]


def test_ensure_sync_returns_sync_functions_unchanged(app: Microflask) -> None:
    def plain() -> str:
        return "plain"

    assert app.ensure_sync(plain) is plain


def test_ensure_sync_wraps_coroutine_functions(app: Microflask) -> None:
    async def coro(x: int) -> int:
        return x + 1

    wrapped = app.ensure_sync(coro)
    assert wrapped is not coro
    assert wrapped(1) == 2
    assert wrapped.__name__ == "coro"


# --- an event loop already running in the thread ----------------------------------


def test_async_view_called_while_a_loop_runs_in_the_thread(
    app: Microflask, client: MicroflaskClient
) -> None:
    threads: list[threading.Thread] = []

    @app.route("/")
    async def index() -> str:
        threads.append(threading.current_thread())
        await asyncio.sleep(0)
        return f"inner {request.args['q']}"

    async def outer() -> str:
        return client.get("/?q=x").text

    assert asyncio.run(outer()) == "inner x"
    # The running loop cannot be re-entered, so the view ran on another thread.
    assert threads[0] is not threading.current_thread()


def test_async_hooks_run_while_a_loop_runs_in_the_thread(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.before_request
    async def before() -> None:
        g.hook = "hooked"

    @app.route("/")
    async def index() -> str:
        return str(g.hook)

    async def outer() -> str:
        return client.get("/").text

    assert asyncio.run(outer()) == "hooked"
