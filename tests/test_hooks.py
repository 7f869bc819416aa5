"""Tests for the request hooks: before, after, teardown, and the order they run in."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.routing import BuildError

from microflask import Microflask, Response, g, url_for
from microflask.testing import MicroflaskClient


@pytest.fixture
def calls() -> list[t.Any]:
    return []


@pytest.fixture(autouse=True)
def hook_views(app: Microflask, calls: list[t.Any]) -> None:
    """Add views that record their calls to the shared app."""

    @app.route("/")
    def index() -> str:
        calls.append("view")
        return "index"

    @app.route("/fail")
    def fail() -> str:
        calls.append("view")
        raise ZeroDivisionError("boom")


def test_before_request_runs_before_the_view(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.before_request(lambda: calls.append("before"))
    assert client.get("/").data == b"index"
    assert calls == ["before", "view"]


def test_before_request_return_ends_request(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    @app.before_request
    def stop() -> str:
        calls.append("stop")
        return "stopped early"

    @app.before_request
    def not_reached() -> None:
        calls.append("not reached")

    rv = client.get("/")
    assert rv.data == b"stopped early"
    assert calls == ["stop"]


def test_before_request_return_still_runs_after_request(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.before_request(lambda: ("denied", 403))

    @app.after_request
    def after(response: Response) -> Response:
        calls.append(("after", response.status_code))
        response.headers["X-After"] = "ran"
        return response

    rv = client.get("/")
    assert rv.status_code == 403
    assert rv.headers["X-After"] == "ran"
    assert calls == [("after", 403)]


def test_before_request_runs_in_registration_order(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    for name in ("first", "second", "third"):
        app.before_request(lambda name=name: calls.append(name))
    client.get("/")
    assert calls == ["first", "second", "third", "view"]


def test_after_request_runs_in_reverse_registration_order(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    for name in ("first", "second", "third"):

        def after(response: Response, name: str = name) -> Response:
            calls.append(name)
            return response

        app.after_request(after)
    client.get("/")
    assert calls == ["view", "third", "second", "first"]


def test_after_request_may_replace_the_response(app: Microflask, client: MicroflaskClient) -> None:
    app.after_request(lambda response: Response("replaced", status=201))
    rv = client.get("/")
    assert rv.status_code == 201
    assert rv.data == b"replaced"


def test_after_request_sees_the_previous_hooks_response(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.after_request
    def second(response: Response) -> Response:
        response.headers["X-Seen"] = response.get_data(as_text=True)
        return response

    app.after_request(lambda response: Response("from first"))
    assert client.get("/").headers["X-Seen"] == "from first"


def test_teardown_request_runs_without_exception(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.teardown_request(lambda exc: calls.append(("teardown", exc)))
    client.get("/")
    assert calls == ["view", ("teardown", None)]


def test_teardown_appcontext_runs_without_exception(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.teardown_appcontext(lambda exc: calls.append(("app teardown", exc)))
    client.get("/")
    assert calls == ["view", ("app teardown", None)]


@pytest.mark.parametrize("register", ["teardown_request", "teardown_appcontext"])
def test_teardown_gets_the_unhandled_exception(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any], register: str
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    getattr(app, register)(lambda exc: calls.append(exc))
    assert client.get("/fail").status_code == 500
    assert len(calls) == 2
    assert isinstance(calls[1], ZeroDivisionError)


@pytest.mark.parametrize("register", ["teardown_request", "teardown_appcontext"])
def test_teardown_runs_when_the_exception_propagates(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any], register: str
) -> None:
    getattr(app, register)(lambda exc: calls.append(exc))
    with pytest.raises(ZeroDivisionError):
        client.get("/fail")
    assert calls[0] == "view"
    assert isinstance(calls[1], ZeroDivisionError)


def test_teardown_gets_none_when_an_error_handler_handled_it(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.register_error_handler(ZeroDivisionError, lambda e: ("handled", 400))
    app.teardown_request(lambda exc: calls.append(("teardown", exc)))
    rv = client.get("/fail")
    assert rv.status_code == 400
    assert calls == ["view", ("teardown", None)]


def test_teardown_runs_when_before_request_raises(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    @app.before_request
    def explode() -> None:
        raise KeyError("early")

    app.teardown_request(lambda exc: calls.append(type(exc)))
    app.teardown_appcontext(lambda exc: calls.append(type(exc)))
    with pytest.raises(KeyError):
        client.get("/")
    assert calls == [KeyError, KeyError]


@pytest.mark.parametrize("register", ["teardown_request", "teardown_appcontext"])
def test_teardown_runs_in_reverse_registration_order(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any], register: str
) -> None:
    for name in ("first", "second"):
        getattr(app, register)(lambda exc, name=name: calls.append(name))
    client.get("/")
    assert calls == ["view", "second", "first"]


def test_teardown_can_still_use_g(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.before_request(lambda: setattr(g, "resource", "db"))
    app.teardown_request(lambda exc: calls.append(g.resource))
    app.teardown_appcontext(lambda exc: calls.append(g.resource))
    client.get("/")
    assert calls == ["view", "db", "db"]


def test_hooks_run_in_documented_order(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    app.url_value_preprocessor(lambda endpoint, values: calls.append("url_value_preprocessor"))
    app.before_request(lambda: calls.append("before_request"))

    @app.after_request
    def after(response: Response) -> Response:
        calls.append("after_request")
        return response

    app.teardown_request(lambda exc: calls.append("teardown_request"))
    app.teardown_appcontext(lambda exc: calls.append("teardown_appcontext"))
    client.get("/")
    assert calls == [
        "url_value_preprocessor",
        "before_request",
        "view",
        "after_request",
        "teardown_request",
        "teardown_appcontext",
    ]


def test_teardown_appcontext_runs_for_a_bare_app_context(
    app: Microflask, calls: list[t.Any]
) -> None:
    app.teardown_appcontext(lambda exc: calls.append(exc))
    with app.app_context():
        pass
    assert calls == [None]


def test_teardown_appcontext_gets_the_with_block_exception(
    app: Microflask, calls: list[t.Any]
) -> None:
    app.teardown_appcontext(lambda exc: calls.append(exc))
    error = ValueError("in block")
    with pytest.raises(ValueError), app.app_context():
        raise error
    assert calls == [error]


# -- live registries: a change made straight to a registry takes effect at once ------------


def _header(name: str, value: str) -> t.Callable[[Response], Response]:
    def add(response: Response) -> Response:
        response.headers[name] = value
        return response

    return add


def test_after_request_added_by_a_view_runs_for_that_response(app: Microflask) -> None:
    @app.route("/cached")
    def cached() -> str:
        # As Flask-Caching's ``cached(response_hit_indication=True)`` does.
        app.after_request_funcs.setdefault(None, []).append(_header("X-Hit", "1"))
        return "cached"

    client = app.test_client()
    assert client.get("/").headers.get("X-Hit") is None
    assert client.get("/cached").headers["X-Hit"] == "1"


def test_before_request_appended_after_the_first_request_runs(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    assert client.get("/").data == b"index"
    app.before_request_funcs[None].append(lambda: "stopped")
    assert client.get("/").data == b"stopped"


@pytest.mark.parametrize(
    "change",
    [
        lambda funcs, f: funcs.__setitem__(None, [f]),
        lambda funcs, f: funcs[None].insert(0, f),
        lambda funcs, f: funcs[None].extend([f]),
        lambda funcs, f: funcs[None].__iadd__([f]),
        lambda funcs, f: funcs.update({None: [f]}),
        lambda funcs, f: funcs.setdefault(None, []).append(f),
    ],
    ids=["assign", "insert", "extend", "iadd", "update", "setdefault"],
)
def test_every_way_of_adding_to_a_registry_is_seen(
    app: Microflask, client: MicroflaskClient, change: t.Callable[..., t.Any]
) -> None:
    client.get("/")
    change(app.after_request_funcs, _header("X-Added", "yes"))
    assert client.get("/").headers["X-Added"] == "yes"


@pytest.mark.parametrize(
    "change",
    [
        lambda funcs: funcs[None].clear(),
        lambda funcs: funcs[None].pop(),
        lambda funcs: funcs[None].remove(funcs[None][0]),
        lambda funcs: funcs[None].__delitem__(0),
        lambda funcs: funcs.__delitem__(None),
        lambda funcs: funcs.pop(None),
        lambda funcs: funcs.clear(),
        lambda funcs: funcs[None].__setitem__(0, lambda: None),
    ],
    ids=["clear", "pop", "remove", "del-item", "del-key", "dict-pop", "dict-clear", "replace"],
)
def test_every_way_of_removing_from_a_registry_is_seen(
    app: Microflask, client: MicroflaskClient, change: t.Callable[..., t.Any]
) -> None:
    app.before_request(lambda: "stopped")
    assert client.get("/").data == b"stopped"
    change(app.before_request_funcs)
    assert client.get("/").data == b"index"


def test_teardown_and_url_value_preprocessors_are_live(
    app: Microflask, client: MicroflaskClient, calls: list[t.Any]
) -> None:
    client.get("/")
    app.teardown_request_funcs[None].append(lambda exc: calls.append("teardown"))
    app.url_value_preprocessors[None].append(lambda endpoint, values: calls.append(endpoint))
    client.get("/")
    assert calls == ["view", "index", "view", "teardown"]


def test_url_defaults_and_context_processors_are_live(app: Microflask) -> None:
    from microflask import render_template_string, url_for

    @app.route("/page/<lang>")
    def page(lang: str) -> str:
        return render_template_string("{{ who }} {{ url_for('page') }}")

    with app.test_request_context():
        app.url_default_functions[None].append(
            lambda endpoint, values: values.setdefault("lang", "en")
        )
        assert url_for("page") == "/page/en"
    app.template_context_processors[None].append(lambda: {"who": "me"})
    assert app.test_client().get("/page/fr").text == "me /page/en"


def test_blueprint_hooks_added_to_the_app_registry_run_for_its_views(app: Microflask) -> None:
    from microflask import Blueprint

    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.add_url_rule("/", "index", lambda: "bp")
    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/bp/").data == b"bp"
    app.before_request_funcs["bp"].append(lambda: "bp stopped")
    assert client.get("/bp/").data == b"bp stopped"
    assert client.get("/").data == b"index"


def test_hook_added_by_another_thread_mid_request_runs_on_the_next_one(app: Microflask) -> None:
    # Under a threaded server another request may add a hook while this one reads the
    # registries: the next request must run it. A teardown function's ensure_sync
    # stands in for that moment, deterministically.
    late = _header("X-Late", "ran")
    plain_ensure_sync = app.ensure_sync

    def close(exc: BaseException | None) -> None:
        pass

    def ensure_sync(func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        if func is close and late not in app.after_request_funcs[None]:
            app.after_request_funcs[None].append(late)  # "another thread"
        return plain_ensure_sync(func)

    app.ensure_sync = ensure_sync  # type: ignore[method-assign]
    app.teardown_request(close)

    @app.route("/plain")
    def plain() -> str:
        return "ok"

    client = app.test_client()
    client.get("/plain")
    assert client.get("/plain").headers.get("X-Late") == "ran"  # as in Flask


def test_a_new_dict_assigned_to_a_registry_stays_live(
    app: Microflask, client: MicroflaskClient
) -> None:
    client.get("/")
    app.before_request_funcs = {None: [lambda: "stopped"]}
    assert client.get("/").data == b"stopped"
    app.before_request_funcs[None].clear()
    assert client.get("/").data == b"index"


def test_a_list_stored_into_a_registry_is_kept_and_changes_to_it_apply(
    app: Microflask, client: MicroflaskClient
) -> None:
    mine: list[t.Any] = []
    app.before_request_funcs[None] = mine
    assert app.before_request_funcs[None] is mine  # as in Flask
    assert client.get("/").data == b"index"
    mine.append(lambda: "stopped")
    assert client.get("/").data == b"stopped"


def test_url_defaults_run_for_endpoints_that_do_not_exist(app: Microflask) -> None:
    seen: list[str] = []
    app.url_defaults(lambda endpoint, values: seen.append(endpoint))
    with app.test_request_context():
        for i in range(3):
            with pytest.raises(BuildError):
                url_for(f"nope{i}")
    assert seen == ["nope0", "nope1", "nope2"]


def test_do_teardown_request_without_exc_passes_the_exception_being_handled(
    app: Microflask,
) -> None:
    seen: list[BaseException | None] = []
    app.teardown_request(seen.append)
    error = ValueError("handled here")
    with app.test_request_context():
        try:
            raise error
        except ValueError:
            app.do_teardown_request()
    assert seen[0] is error


def test_do_teardown_appcontext_without_exc_passes_the_exception_being_handled(
    app: Microflask,
) -> None:
    seen: list[BaseException | None] = []
    app.teardown_appcontext(seen.append)
    error = ValueError("handled here")
    try:
        raise error
    except ValueError:
        app.do_teardown_appcontext()
    assert seen == [error]
