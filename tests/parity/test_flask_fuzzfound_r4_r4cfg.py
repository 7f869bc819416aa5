"""Compare with Flask 3.1 the config and app-construction cases fuzzing found.

Each case is the smallest form of a difference found by drawing configuration
calls and application arguments for both frameworks; the generators live
outside the repository.
"""

from __future__ import annotations

import hashlib
import importlib
import pathlib
import sys
import typing as t
from datetime import timedelta

import pytest
from flask_parity import FRAMEWORKS, Scaffold, app_class


def test_from_pyfile_adds_keys_in_sorted_order(tmp_path: pathlib.Path) -> None:
    (tmp_path / "settings.py").write_text("ZED = 1\nALPHA = 2\nMID = 3\nlower = 4\n")
    found = {}
    for name, fw in FRAMEWORKS.items():
        config = fw.Config(tmp_path, {"FIRST": 0})
        config.from_pyfile("settings.py")
        found[name] = list(config.items())
    assert found["microflask"] == found["flask"]
    assert found["flask"] == [("FIRST", 0), ("ALPHA", 2), ("MID", 3), ("ZED", 1)]


def _traced_config(fw: t.Any, calls: list[str]) -> t.Any:
    """Return a Config subclass of *fw* that records its loader calls."""

    class TracedConfig(fw.Config):  # type: ignore[misc]
        def from_object(self, obj: object | str) -> None:
            calls.append(f"from_object {type(obj).__name__}")
            super().from_object(obj)

        def from_file(self, *args: t.Any, **kwargs: t.Any) -> bool:
            calls.append("from_file")
            return bool(super().from_file(*args, **kwargs))

    return TracedConfig


def test_from_pyfile_loads_through_from_object(tmp_path: pathlib.Path) -> None:
    (tmp_path / "settings.py").write_text("NAME = 'app'\n")
    found = {}
    for name, fw in FRAMEWORKS.items():
        calls: list[str] = []
        config = _traced_config(fw, calls)(tmp_path)
        calls.append(str(config.from_pyfile("settings.py")))
        calls.append(str(config.from_pyfile("missing.py", silent=True)))
        found[name] = (calls, dict(config))
    assert found["microflask"] == found["flask"]
    assert found["flask"] == (["from_object module", "True", "False"], {"NAME": "app"})


def test_empty_root_path_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.txt").write_text("from the working directory")
    monkeypatch.chdir(tmp_path)
    found = {}
    for name, fw in FRAMEWORKS.items():
        app = app_class(fw)("tests", root_path="")
        response = app.test_client().get("/static/a.txt")
        found[name] = (app.root_path, app.static_folder, response.status_code, response.data)
        response.close()
    assert found["microflask"] == found["flask"]
    assert found["flask"] == ("", "static", 200, b"from the working directory")


@pytest.mark.parametrize("value", [0, 1, "yes", None])
def test_debug_reads_the_config_value_as_set(value: object) -> None:
    found = {}
    for name, fw in FRAMEWORKS.items():
        app = app_class(fw)("tests")
        app.config["DEBUG"] = value
        found[name] = (app.debug, type(app.debug))
    assert found["microflask"] == found["flask"]
    assert found["flask"][0] is value


def test_permanent_session_lifetime_none_reads_as_none() -> None:
    found = {}
    for name, fw in FRAMEWORKS.items():
        app = app_class(fw)("tests")
        app.permanent_session_lifetime = None
        found[name] = (app.permanent_session_lifetime, app.config["PERMANENT_SESSION_LIFETIME"])
    assert found["microflask"] == found["flask"] == (None, None)
    app.config["PERMANENT_SESSION_LIFETIME"] = 60
    assert app.permanent_session_lifetime == timedelta(seconds=60)


def _namespace_package(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> str:
    """Make namespace package ``r4cfg_ns`` in two folders, ``sub`` in the later one."""
    for folder, sub in (("later", "sub"), ("earlier", "other")):
        (tmp_path / folder / "r4cfg_ns" / sub).mkdir(parents=True)
        (tmp_path / folder / "r4cfg_ns" / sub / "__init__.py").write_text("")
        monkeypatch.syspath_prepend(str(tmp_path / folder))
    importlib.invalidate_caches()
    for module in [m for m in sys.modules if m.startswith("r4cfg_ns")]:
        monkeypatch.delitem(sys.modules, module)
    return str(tmp_path / "later")


def test_instance_path_of_a_namespace_package_is_beside_its_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    later = _namespace_package(monkeypatch, tmp_path)
    found: dict[str, t.Any] = {}
    for name, fw in FRAMEWORKS.items():
        app = app_class(fw)("r4cfg_ns.sub")
        found[name] = (app.root_path, app.instance_path)
    for module in [m for m in sys.modules if m.startswith("r4cfg_ns")]:
        del sys.modules[module]
    assert found["microflask"] == found["flask"]
    assert found["flask"] == (f"{later}/r4cfg_ns/sub", f"{later}/instance")


def _session_app(fw: t.Any, interface: object) -> t.Any:
    """Return an app of *fw* with its own session interface and two views."""
    made = app_class(fw)("tests")
    made.config.update(SECRET_KEY="key", SESSION_COOKIE_SAMESITE="Lax")
    made.session_interface = interface
    app = t.cast(Scaffold, made)

    @app.route("/set")
    def set_value() -> str:
        fw.session["user"] = "ada"
        return "set"

    @app.route("/get")
    def get_value() -> str:
        return repr(fw.session.get("user"))

    return app


@pytest.mark.parametrize(
    ("setting", "value"),
    [("salt", "other salt"), ("key_derivation", "concat"), ("digest_method", hashlib.sha512)],
)
def test_session_signing_follows_a_changed_interface_setting(setting: str, value: object) -> None:
    found = {}
    for name, fw in FRAMEWORKS.items():
        interface = importlib.import_module(f"{name}.sessions").SecureCookieSessionInterface()
        client = _session_app(fw, interface).test_client()
        client.get("/set")
        before = client.get("/get").data
        setattr(interface, setting, staticmethod(value) if callable(value) else value)
        found[name] = (before, client.get("/get").data)
    assert found["microflask"] == found["flask"] == (b"'ada'", b"None")


def test_bytearray_secret_keys_sign_and_verify_sessions() -> None:
    found = {}
    for name, fw in FRAMEWORKS.items():
        interface = importlib.import_module(f"{name}.sessions").SecureCookieSessionInterface()
        old_app = _session_app(fw, interface)
        old_app.config["SECRET_KEY"] = bytearray(b"old key")
        client = old_app.test_client()
        client.get("/set")
        round_trip = client.get("/get").data
        new_app = _session_app(fw, interface)
        new_app.config.update(SECRET_KEY="new key", SECRET_KEY_FALLBACKS=[bytearray(b"old key")])
        client.application = new_app
        found[name] = (round_trip, client.get("/get").data)
    assert found["microflask"] == found["flask"] == (b"'ada'", b"'ada'")
