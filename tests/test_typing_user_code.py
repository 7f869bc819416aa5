"""User code as a type checker sees it: typed as it would be on Flask.

``mypy --strict tests`` checks this file: each ``assert_type`` fails if a type
comes out as ``Any`` or narrower than Flask's, and each ``type: ignore`` marks a
mistake Flask's annotations catch (unused, it fails under ``--strict``). The
tests run the same code, so it is also shown to work.
"""

from __future__ import annotations

import hashlib
import logging
import typing as t
from datetime import timedelta
from functools import cached_property
from types import TracebackType

import pytest
from jinja2 import BaseLoader, ChoiceLoader, DictLoader
from typing_extensions import assert_type

from microflask import (
    Blueprint,
    Microflask,
    Response,
    after_this_request,
    session,
    stream_with_context,
)
from microflask.sessions import SecureCookieSessionInterface
from microflask.testing import MicroflaskClient


class _LoggingApp(Microflask):
    """Overrides written against Flask's signatures."""

    logged: list[str] = []

    @cached_property
    def jinja_loader(self) -> BaseLoader | None:
        """Serve templates from a dict before the template folder."""
        return ChoiceLoader([DictLoader({"hi.txt": "hi {{ name }}"})])

    def log_exception(
        self, exc_info: tuple[type, BaseException, TracebackType] | tuple[None, None, None]
    ) -> None:
        """Record the error's type name instead of logging it."""
        self.logged.append(exc_info[0].__name__ if exc_info[0] else "")


def test_logger_is_a_logging_logger() -> None:
    app = Microflask(__name__)
    assert_type(app.logger, logging.Logger)
    assert app.logger.name == __name__


def test_default_config_values_are_any() -> None:
    lifetime = Microflask.default_config["PERMANENT_SESSION_LIFETIME"]
    assert_type(lifetime, t.Any)
    assert lifetime.total_seconds() == timedelta(days=31).total_seconds()


def test_flask_typed_overrides_of_loader_and_log_exception() -> None:
    app = _LoggingApp(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/")
    def boom() -> str:
        raise KeyError("x")

    @app.route("/hi")
    def hi() -> str:
        from microflask import render_template

        return render_template("hi.txt", name="you")

    client = app.test_client()
    assert client.get("/").status_code == 500
    assert app.logged == ["KeyError"]
    assert client.get("/hi").text == "hi you"


def test_stream_with_context_decorator_keeps_the_signature(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.route("/<int:n>")
    def count(n: int) -> Response:
        @stream_with_context
        def numbers(upto: int) -> t.Iterator[str]:
            yield from (str(i) for i in range(upto))

        assert_type(numbers(n), t.Iterator[str])
        return Response(numbers(n))

    assert client.get("/3").text == "012"


def test_decorators_keep_the_decorated_function_type(app: Microflask) -> None:
    bp = Blueprint("bp", __name__)

    @app.route("/")
    def index() -> tuple[str, int]:
        return "x", 201

    @app.shell_context_processor
    def shell_names() -> dict[str, t.Any]:
        return {"a": 1}

    @bp.app_template_test()
    def is_short(value: str) -> bool:
        return len(value) < 3

    @app.template_filter("shout")
    def shout(value: str) -> str:
        return value.upper()

    assert_type(index(), tuple[str, int])
    assert_type(shell_names(), dict[str, t.Any])
    assert_type(is_short("ab"), bool)
    assert_type(shout("a"), str)
    app.register_blueprint(bp)
    assert app.make_shell_context()["a"] == 1
    assert app.jinja_env.tests["is_short"] is is_short


def test_mistakes_flask_annotations_catch(app: Microflask) -> None:
    @app.route("/count")  # type: ignore[type-var]  # an int is no response
    def count() -> int:
        return 1

    @app.template_test()  # type: ignore[type-var]  # a test returns a bool
    def named(value: str) -> str:
        return value

    @app.shell_context_processor  # type: ignore[type-var]  # a dict, not a list
    def names() -> list[str]:
        return []

    assert app.view_functions["count"] is t.cast(object, count)
    assert count() == 1
    assert named("x") == "x"
    assert len(app.shell_context_processors) == 1
    assert names() == []


def _sha512(string: bytes = b"") -> t.Any:
    return hashlib.sha512(string)


class _Sha512Sessions(SecureCookieSessionInterface):
    """A digest typed as Flask types its own (bytes in, anything out)."""

    digest_method = staticmethod(_sha512)


def test_session_interface_digest_typed_as_flask() -> None:
    app = Microflask(__name__)
    app.secret_key = "k"
    app.session_interface = _Sha512Sessions()

    @app.route("/")
    def index() -> str:
        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    client = app.test_client()
    client.get("/")
    assert client.get("/").text == "2"


class _MoreDefaultsApp(Microflask):
    """A plain dict of defaults, typed ``dict[str, Any]`` as Flask declares it."""

    default_config = dict(Microflask.default_config, GREETING="hi")


def test_default_config_may_be_a_plain_dict() -> None:
    assert _MoreDefaultsApp(__name__).config["GREETING"] == "hi"


def test_hook_registry_pop_returns_the_hooks_typed(app: Microflask) -> None:
    def hook() -> None:
        pass

    app.before_request(hook)
    hooks = app.before_request_funcs.pop(None, None)
    wrong: int = hooks  # type: ignore[assignment]  # a list or None, not Any
    assert wrong == [hook]  # type: ignore[comparison-overlap]
    assert app.before_request_funcs.pop("bp", None) is None


def test_after_this_request_checks_the_hook(app: Microflask, client: MicroflaskClient) -> None:
    @app.route("/")
    def index() -> str:
        @after_this_request
        def tag(response: Response) -> Response:
            response.headers["X-Tag"] = "1"
            return response

        @after_this_request  # type: ignore[type-var]  # a hook takes the response
        def forgot_response() -> None:
            pass

        assert_type(tag(Response()), Response)
        return "x"

    with pytest.raises(TypeError):
        client.get("/")
