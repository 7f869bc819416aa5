"""Tests that setup methods refuse to run once the app has handled a request."""

from __future__ import annotations

import typing as t

import pytest

from microflask import Blueprint, Microflask
from microflask.testing import MicroflaskClient


def _do_nothing(*args: t.Any) -> None:
    return None


# Typed Any: it stands in for views, hooks and handlers of every signature.
_noop: t.Any = _do_nothing


def _identity(response: t.Any) -> t.Any:
    return response


SETUP_CALLS: list[tuple[str, t.Callable[[Microflask], object]]] = [
    ("route", lambda app: app.route("/late")(_noop)),
    ("get", lambda app: app.get("/late")(_noop)),
    ("post", lambda app: app.post("/late")(_noop)),
    ("put", lambda app: app.put("/late")(_noop)),
    ("delete", lambda app: app.delete("/late")(_noop)),
    ("patch", lambda app: app.patch("/late")(_noop)),
    ("add_url_rule", lambda app: app.add_url_rule("/late", "late", _noop)),
    ("endpoint", lambda app: app.endpoint("late")(_noop)),
    ("before_request", lambda app: app.before_request(_noop)),
    ("after_request", lambda app: app.after_request(_identity)),
    ("teardown_request", lambda app: app.teardown_request(_noop)),
    ("teardown_appcontext", lambda app: app.teardown_appcontext(_noop)),
    ("errorhandler", lambda app: app.errorhandler(404)(_noop)),
    ("register_error_handler", lambda app: app.register_error_handler(404, _noop)),
    ("register_blueprint", lambda app: app.register_blueprint(Blueprint("late", __name__))),
    ("context_processor", lambda app: app.context_processor(_noop)),
    ("url_value_preprocessor", lambda app: app.url_value_preprocessor(_noop)),
    ("url_defaults", lambda app: app.url_defaults(_noop)),
    ("shell_context_processor", lambda app: app.shell_context_processor(_noop)),
    ("template_filter", lambda app: app.template_filter("late")(_noop)),
    ("template_test", lambda app: app.template_test("late")(_noop)),
    ("template_global", lambda app: app.template_global("late")(_noop)),
    ("add_template_filter", lambda app: app.add_template_filter(_noop, "late")),
    ("add_template_test", lambda app: app.add_template_test(_noop, "late")),
    ("add_template_global", lambda app: app.add_template_global(_noop, "late")),
]
IDS = [method for method, _ in SETUP_CALLS]


@pytest.fixture
def served_app(app: Microflask, client: MicroflaskClient) -> Microflask:
    """The app after it has handled one request."""
    app.add_url_rule("/", "index", lambda: "index")
    assert client.get("/").text == "index"
    return app


@pytest.mark.parametrize(("method", "call"), SETUP_CALLS, ids=IDS)
def test_setup_method_after_first_request_raises(
    served_app: Microflask, method: str, call: t.Callable[[Microflask], object]
) -> None:
    with pytest.raises(AssertionError) as info:
        call(served_app)
    message = str(info.value)
    assert f"setup method {method!r}" in message
    assert "already handled its first request" in message
    assert "before the app serves requests" in message


@pytest.mark.parametrize(("method", "call"), SETUP_CALLS, ids=IDS)
def test_setup_method_before_first_request_works(
    app: Microflask, method: str, call: t.Callable[[Microflask], object]
) -> None:
    call(app)
    app.add_url_rule("/", "index", lambda: "index")
    assert app.test_client().get("/").status_code == 200


def test_refused_route_is_not_added(served_app: Microflask, client: MicroflaskClient) -> None:
    with pytest.raises(AssertionError):
        served_app.add_url_rule("/late", "late", lambda: "late")
    assert "late" not in served_app.view_functions
    assert client.get("/late").status_code == 404


def test_a_failed_request_also_finishes_setup(app: Microflask, client: MicroflaskClient) -> None:
    assert client.get("/missing").status_code == 404
    with pytest.raises(AssertionError, match="first request"):
        app.before_request(_noop)


def test_request_context_without_a_request_does_not_finish_setup(app: Microflask) -> None:
    with app.test_request_context("/"):
        pass
    with app.app_context():
        pass
    app.add_url_rule("/", "index", lambda: "index")
    assert app.test_client().get("/").text == "index"


def test_setup_is_finished_per_app(served_app: Microflask) -> None:
    other = Microflask("other")
    other.add_url_rule("/", "index", lambda: "other")
    assert other.test_client().get("/").text == "other"
