"""``app.run``: the development server's arguments, with Werkzeug's server recorded."""

from __future__ import annotations

import typing as t

import pytest
import werkzeug.serving

from microflask import Microflask


@pytest.fixture
def run_simple_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, t.Any]]:
    recorded: list[dict[str, t.Any]] = []

    def fake_run_simple(host: str, port: int, app: object, **options: t.Any) -> None:
        recorded.append({"host": host, "port": port, "app": app, **options})

    monkeypatch.setattr(werkzeug.serving, "run_simple", fake_run_simple)
    monkeypatch.delenv("MICROFLASK_RUN_FROM_CLI", raising=False)
    monkeypatch.delenv("MICROFLASK_DEBUG", raising=False)
    monkeypatch.setenv("MICROFLASK_SKIP_DOTENV", "1")
    return recorded


def test_run_defaults_to_localhost_5000_threaded(
    app: Microflask, run_simple_calls: list[dict[str, t.Any]]
) -> None:
    app.run()
    assert run_simple_calls == [
        {
            "host": "127.0.0.1",
            "port": 5000,
            "app": app,
            "use_reloader": False,
            "use_debugger": False,
            "threaded": True,
        }
    ]


def test_run_takes_host_and_port_from_server_name(
    app: Microflask, run_simple_calls: list[dict[str, t.Any]]
) -> None:
    app.config["SERVER_NAME"] = "example.test:8123"
    app.run()
    assert (run_simple_calls[0]["host"], run_simple_calls[0]["port"]) == ("example.test", 8123)


@pytest.mark.parametrize(("port", "expected"), [(0, 0), ("8080", 8080), (None, 5000)])
def test_run_port_argument(
    app: Microflask, run_simple_calls: list[dict[str, t.Any]], port: t.Any, expected: int
) -> None:
    app.run(host="0.0.0.0", port=port)
    assert (run_simple_calls[0]["host"], run_simple_calls[0]["port"]) == ("0.0.0.0", expected)


def test_run_debug_turns_on_reloader_and_debugger(
    app: Microflask, run_simple_calls: list[dict[str, t.Any]]
) -> None:
    app.run(debug=True, use_reloader=False)
    assert app.debug is True
    assert run_simple_calls[0]["use_debugger"] is True
    assert run_simple_calls[0]["use_reloader"] is False


def test_run_reads_microflask_debug_from_the_environment(
    app: Microflask, run_simple_calls: list[dict[str, t.Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MICROFLASK_SKIP_DOTENV")
    monkeypatch.setenv("MICROFLASK_DEBUG", "1")
    app.run()
    assert app.debug is True
    assert run_simple_calls[0]["use_debugger"] is True


def test_run_is_ignored_under_the_cli(
    app: Microflask, run_simple_calls: list[dict[str, t.Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROFLASK_RUN_FROM_CLI", "true")
    app.run()
    assert run_simple_calls == []


def test_run_prints_the_banner_with_the_app_name(
    app: Microflask, run_simple_calls: list[dict[str, t.Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    app.run()
    assert (
        capsys.readouterr().out == f" * Serving Microflask app {app.name!r}\n * Debug mode: off\n"
    )
    app.run(debug=True)
    assert capsys.readouterr().out.endswith(" * Debug mode: on\n")


def test_run_prints_no_banner_in_the_reloaders_child(
    app: Microflask,
    run_simple_calls: list[dict[str, t.Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    app.run()
    assert len(run_simple_calls) == 1
    assert capsys.readouterr().out == ""
