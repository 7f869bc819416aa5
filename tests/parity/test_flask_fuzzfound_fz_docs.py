"""Compare with Flask 3.1 the cases that checking Flask's documentation found.

Each case is the smallest form of a difference found by running the examples
and documented arguments of Flask's documentation on both frameworks; the
checks themselves live outside the repository.
"""

from __future__ import annotations

import typing as t

import flask.cli
import pytest
import werkzeug.serving
from click.testing import CliRunner
from flask_parity import FRAMEWORKS, app_class

import microflask.cli

ServerCalls = list[tuple[str, int, dict[str, t.Any]]]


def _served_app(fw_name: str, monkeypatch: pytest.MonkeyPatch, calls: ServerCalls) -> t.Any:
    """Return an app whose ``run()`` records the server call instead of serving."""

    def fake_run_simple(host: str, port: int, app: t.Any, **options: t.Any) -> None:
        calls.append((host, port, options))

    monkeypatch.setattr(werkzeug.serving, "run_simple", fake_run_simple)
    for name in ("FLASK_RUN_FROM_CLI", "MICROFLASK_RUN_FROM_CLI"):
        monkeypatch.delenv(name, raising=False)
    return app_class(FRAMEWORKS[fw_name])("served")


def _printed(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out.replace("Microflask", "Flask").replace("microflask", "flask")


@pytest.mark.parametrize("debug", [False, True])
def test_app_run_prints_the_server_banner(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], debug: bool
) -> None:
    found = {}
    for name in FRAMEWORKS:
        calls: ServerCalls = []
        _served_app(name, monkeypatch, calls).run(debug=debug, load_dotenv=False)
        found[name] = (_printed(capsys), calls)
    assert found["microflask"] == found["flask"]
    assert (
        found["flask"][0]
        == f" * Serving Flask app 'served'\n * Debug mode: {'on' if debug else 'off'}\n"
    )


def test_app_run_under_the_cli_says_it_ignores_the_call(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    found = {}
    for name in FRAMEWORKS:
        calls: ServerCalls = []
        app = _served_app(name, monkeypatch, calls)
        monkeypatch.setenv(
            "MICROFLASK_RUN_FROM_CLI" if name == "microflask" else "FLASK_RUN_FROM_CLI", "true"
        )
        app.run(load_dotenv=False)
        found[name] = (_printed(capsys), calls)
    assert found["microflask"] == found["flask"]
    assert (
        found["flask"][0].startswith(" * Ignoring a call to 'app.run()'") and not found["flask"][1]
    )


def test_app_can_be_set_up_again_once_run_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in FRAMEWORKS:
        app = _served_app(name, monkeypatch, [])
        app.add_url_rule("/", "index", lambda: "index")
        app.test_client().get("/")
        app.run(load_dotenv=False)
        app.add_url_rule("/later", "later", lambda: "later")  # refused before run()
        assert app.test_client().get("/later").get_data() == b"later", name


def test_a_cli_factory_returning_none_is_no_app_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("FLASK_RUN_FROM_CLI", "MICROFLASK_RUN_FROM_CLI"):
        monkeypatch.setenv(variable, "")  # the groups set it: restored after the test
    groups = {"flask": flask.cli.FlaskGroup, "microflask": microflask.cli.MicroflaskGroup}
    infos = {"flask": flask.cli.ScriptInfo, "microflask": microflask.cli.ScriptInfo}
    errors = {"flask": flask.cli.NoAppException, "microflask": microflask.cli.NoAppException}
    for name in FRAMEWORKS:
        with pytest.raises(errors[name]):
            infos[name](create_app=lambda: None).load_app()
        result = CliRunner().invoke(groups[name](create_app=lambda: None), ["routes"])
        assert (result.exit_code, result.output.startswith("Usage:")) == (2, True), name
