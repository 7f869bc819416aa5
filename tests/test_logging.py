"""The app logger: its name, level, default handler and output stream."""

from __future__ import annotations

import io
import logging
import sys
import typing as t

import pytest

from microflask import Microflask, current_app
from microflask.logging import (
    create_logger,
    default_handler,
    has_level_handler,
    wsgi_errors_stream,
)


@pytest.fixture
def logger_app(request: pytest.FixtureRequest) -> t.Iterator[Microflask]:
    """An app with a logger of its own, reset after the test."""
    name = f"logtest.{request.node.name}"
    app = Microflask(name, root_path=str(request.path.parent))
    yield app
    logger = logging.getLogger(name)
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)


def hide_root_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Take pytest's handlers off the root logger for the rest of the test.

    Pytest adds them at the start of each test phase, so a fixture cannot.
    """
    monkeypatch.setattr(logging.root, "handlers", [])


def test_logger_is_named_after_the_app(logger_app: Microflask) -> None:
    assert logger_app.logger is logging.getLogger(logger_app.name)
    assert logger_app.logger.name == logger_app.name


def test_logger_is_made_once(logger_app: Microflask, monkeypatch: pytest.MonkeyPatch) -> None:
    hide_root_handlers(monkeypatch)
    assert logger_app.logger is logger_app.logger
    assert logger_app.logger.handlers.count(default_handler) == 1


def test_debug_sets_level_debug(logger_app: Microflask) -> None:
    logger_app.debug = True
    assert logger_app.logger.level == logging.DEBUG


def test_without_debug_level_stays_unset(logger_app: Microflask) -> None:
    assert logger_app.logger.level == logging.NOTSET


def test_debug_keeps_an_explicit_level(logger_app: Microflask) -> None:
    logging.getLogger(logger_app.name).setLevel(logging.ERROR)
    logger_app.debug = True
    assert logger_app.logger.level == logging.ERROR


def test_default_handler_added_when_no_handler(
    logger_app: Microflask, monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_root_handlers(monkeypatch)
    assert default_handler in logger_app.logger.handlers


def test_no_default_handler_when_logger_has_one(logger_app: Microflask) -> None:
    own = logging.StreamHandler(io.StringIO())
    logging.getLogger(logger_app.name).addHandler(own)
    assert logger_app.logger.handlers == [own]


def test_no_default_handler_when_an_ancestor_has_one(
    logger_app: Microflask, monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_root_handlers(monkeypatch)
    handler = logging.StreamHandler(io.StringIO())
    monkeypatch.setattr(logging.getLogger("logtest"), "handlers", [handler])
    assert default_handler not in logger_app.logger.handlers


@pytest.mark.parametrize(("level", "added"), [(logging.NOTSET, False), (logging.ERROR, True)])
def test_default_handler_depends_on_root_handler_level(
    monkeypatch: pytest.MonkeyPatch, level: int, added: bool
) -> None:
    handler = logging.StreamHandler(io.StringIO())
    handler.setLevel(level)
    monkeypatch.setattr(logging.root, "handlers", [handler])
    app = Microflask(f"rootlogtest_{level}", root_path="/")
    monkeypatch.setattr(logging.getLogger(app.name), "handlers", [])
    assert (default_handler in app.logger.handlers) is added


def test_has_level_handler_stops_where_propagation_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(logging.root, "handlers", [logging.NullHandler()])
    parent = logging.getLogger("logtest_chain")
    child = logging.getLogger("logtest_chain.child")
    assert has_level_handler(child)
    monkeypatch.setattr(child, "propagate", False)
    assert not has_level_handler(child)
    monkeypatch.setattr(parent, "handlers", [logging.NullHandler()])
    monkeypatch.setattr(child, "propagate", True)
    monkeypatch.setattr(parent, "propagate", False)
    assert has_level_handler(child)


def test_create_logger_returns_the_same_logger(
    logger_app: Microflask, monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_root_handlers(monkeypatch)
    logger = create_logger(logger_app)
    assert logger is logging.getLogger(logger_app.name)
    assert create_logger(logger_app).handlers == [default_handler]


def test_errors_stream_is_stderr_outside_a_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert t.cast(t.Any, wsgi_errors_stream)._get_current_object() is sys.stderr
    wsgi_errors_stream.write("to stderr")
    assert capsys.readouterr().err == "to stderr"


def test_errors_stream_is_wsgi_errors_in_a_request(logger_app: Microflask) -> None:
    errors = io.StringIO()
    with logger_app.test_request_context(errors_stream=errors):
        assert t.cast(t.Any, wsgi_errors_stream)._get_current_object() is errors


def test_log_in_view_goes_to_wsgi_errors(
    logger_app: Microflask, monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_root_handlers(monkeypatch)

    @logger_app.route("/")
    def index() -> str:
        current_app.logger.warning("watch out")
        return "ok"

    errors = io.StringIO()
    logger_app.test_client().get("/", errors_stream=errors)
    assert "WARNING in test_logging: watch out" in errors.getvalue()


def test_log_outside_request_goes_to_stderr(
    logger_app: Microflask, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_root_handlers(monkeypatch)
    logger_app.logger.error("from a script")
    assert "ERROR in test_logging: from a script" in capsys.readouterr().err


def test_unhandled_error_logged_with_traceback(
    logger_app: Microflask, monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_root_handlers(monkeypatch)

    @logger_app.route("/fail")
    def fail() -> str:
        raise ZeroDivisionError("no dividing")

    errors = io.StringIO()
    response = logger_app.test_client().get("/fail", errors_stream=errors)
    assert response.status_code == 500
    output = errors.getvalue()
    assert "ERROR in app: Exception on /fail [GET]" in output
    assert "Traceback" in output
    assert "ZeroDivisionError: no dividing" in output


def test_debug_messages_shown_in_debug_mode(
    logger_app: Microflask, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_root_handlers(monkeypatch)
    logger_app.debug = True
    logger_app.logger.debug("details")
    assert "DEBUG in test_logging: details" in capsys.readouterr().err
