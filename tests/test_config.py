"""Tests for ``Config``: loading from objects, files, env vars, and the defaults."""

from __future__ import annotations

import json
import pathlib
import typing as t
from datetime import timedelta

import pytest

from microflask import Config, Microflask
from microflask.config import ConfigAttribute

FLASK_31_DEFAULTS: dict[str, t.Any] = {
    "DEBUG": False,
    "TESTING": False,
    "PROPAGATE_EXCEPTIONS": None,
    "SECRET_KEY": None,
    "SECRET_KEY_FALLBACKS": None,
    "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
    "USE_X_SENDFILE": False,
    "TRUSTED_HOSTS": None,
    "SERVER_NAME": None,
    "APPLICATION_ROOT": "/",
    "SESSION_COOKIE_NAME": "session",
    "SESSION_COOKIE_DOMAIN": None,
    "SESSION_COOKIE_PATH": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_PARTITIONED": False,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_REFRESH_EACH_REQUEST": True,
    "MAX_CONTENT_LENGTH": None,
    "MAX_FORM_MEMORY_SIZE": 500_000,
    "MAX_FORM_PARTS": 1_000,
    "SEND_FILE_MAX_AGE_DEFAULT": None,
    "TRAP_BAD_REQUEST_ERRORS": None,
    "TRAP_HTTP_EXCEPTIONS": False,
    "EXPLAIN_TEMPLATE_LOADING": False,
    "PREFERRED_URL_SCHEME": "http",
    "TEMPLATES_AUTO_RELOAD": None,
    "MAX_COOKIE_SIZE": 4093,
    "PROVIDE_AUTOMATIC_OPTIONS": True,
}


@pytest.fixture
def config(tmp_path: pathlib.Path) -> Config:
    return Config(tmp_path)


@pytest.mark.parametrize(("key", "value"), sorted(FLASK_31_DEFAULTS.items()))
def test_default_config_has_every_flask_key(
    monkeypatch: pytest.MonkeyPatch, key: str, value: t.Any
) -> None:
    monkeypatch.delenv("MICROFLASK_DEBUG", raising=False)
    app = Microflask("defaults")
    assert key in app.config
    assert app.config[key] == value


def test_session_cookie_samesite_defaults_to_lax() -> None:
    assert Microflask("x").config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_default_config_is_copied_per_app() -> None:
    first, second = Microflask("first"), Microflask("second")
    first.config["SERVER_NAME"] = "first.example"
    assert second.config["SERVER_NAME"] is None
    assert Microflask.default_config["SERVER_NAME"] is None


def test_config_is_a_dict_with_root_path(tmp_path: pathlib.Path) -> None:
    config = Config(tmp_path, {"A": 1})
    assert isinstance(config, dict)
    assert config.root_path == tmp_path
    assert config == {"A": 1}


class SettingsObject:
    DEBUG_LEVEL = 3
    SECRET_KEY = "from object"
    lower_case = "ignored"
    Mixed_Case = "ignored"


def test_from_object_takes_uppercase_attributes_only(config: Config) -> None:
    config.from_object(SettingsObject)
    assert config == {"DEBUG_LEVEL": 3, "SECRET_KEY": "from object"}


def test_from_object_accepts_an_instance(config: Config) -> None:
    config.from_object(SettingsObject())
    assert config["SECRET_KEY"] == "from object"


@pytest.fixture
def settings_module(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> str:
    name = "microflask_test_settings_mod"
    (tmp_path / f"{name}.py").write_text(
        "NAME_FROM_MODULE = 'module'\nlowercase = 'no'\n\n"
        "class Production:\n    HOST = 'prod'\n    port = 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(__import__("sys").modules, name, raising=False)
    return name


def test_from_object_import_string_module(config: Config, settings_module: str) -> None:
    config.from_object(settings_module)
    assert config == {"NAME_FROM_MODULE": "module"}


def test_from_object_import_string_attribute(config: Config, settings_module: str) -> None:
    config.from_object(f"{settings_module}.Production")
    assert config == {"HOST": "prod"}


def test_from_object_bad_import_string_raises(config: Config) -> None:
    with pytest.raises(ImportError):
        config.from_object("no_such_module_for_microflask.Settings")


def test_from_pyfile_loads_uppercase_names(config: Config, tmp_path: pathlib.Path) -> None:
    (tmp_path / "settings.cfg").write_text("SECRET_KEY = 'file'\nCOUNT = 2 + 3\nhidden = 1\n")
    assert config.from_pyfile("settings.cfg") is True
    assert config == {"SECRET_KEY": "file", "COUNT": 5}


def test_from_pyfile_takes_an_absolute_path(tmp_path: pathlib.Path) -> None:
    (tmp_path / "abs.py").write_text("ABS = True\n")
    config = Config("/nonexistent-root")
    config.from_pyfile(tmp_path / "abs.py")
    assert config["ABS"] is True


def test_from_pyfile_missing_file_raises(config: Config) -> None:
    with pytest.raises(OSError, match="Unable to load configuration file"):
        config.from_pyfile("missing.cfg")


def test_from_pyfile_missing_file_silent(config: Config) -> None:
    assert config.from_pyfile("missing.cfg", silent=True) is False
    assert config == {}


def test_from_pyfile_syntax_error_is_raised_even_silent(
    config: Config, tmp_path: pathlib.Path
) -> None:
    (tmp_path / "broken.py").write_text("THIS IS NOT PYTHON\n")
    with pytest.raises(SyntaxError):
        config.from_pyfile("broken.py", silent=True)


def test_from_envvar_loads_the_named_file(
    config: Config, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "env.cfg").write_text("FROM_ENV = 'yes'\n")
    monkeypatch.setenv("MY_APP_SETTINGS", str(tmp_path / "env.cfg"))
    assert config.from_envvar("MY_APP_SETTINGS") is True
    assert config["FROM_ENV"] == "yes"


def test_from_envvar_unset_variable_raises(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_APP_SETTINGS", raising=False)
    with pytest.raises(RuntimeError, match="'MY_APP_SETTINGS' is not set"):
        config.from_envvar("MY_APP_SETTINGS")


def test_from_envvar_unset_variable_silent(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_APP_SETTINGS", raising=False)
    assert config.from_envvar("MY_APP_SETTINGS", silent=True) is False


def test_from_envvar_missing_file_raises(
    config: Config, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_APP_SETTINGS", str(tmp_path / "nope.cfg"))
    with pytest.raises(OSError, match="Unable to load configuration file"):
        config.from_envvar("MY_APP_SETTINGS")
    assert config.from_envvar("MY_APP_SETTINGS", silent=True) is False


def test_from_file_json(config: Config, tmp_path: pathlib.Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"PORT": 8000, "lower": 1}))
    assert config.from_file("config.json", load=json.load) is True
    assert config == {"PORT": 8000}


def test_from_file_toml_in_binary_mode(config: Config, tmp_path: pathlib.Path) -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    (tmp_path / "config.toml").write_text('NAME = "toml"\nLIMITS = [1, 2]\nsmall = 0\n')
    assert config.from_file("config.toml", load=tomllib.load, text=False) is True
    assert config == {"NAME": "toml", "LIMITS": [1, 2]}


def test_from_file_text_mode_gives_text(config: Config, tmp_path: pathlib.Path) -> None:
    (tmp_path / "c.txt").write_text("x")
    modes = []

    def load(f: t.IO[t.Any]) -> dict[str, t.Any]:
        modes.append(type(f.read()))
        return {}

    config.from_file("c.txt", load=load)
    config.from_file("c.txt", load=load, text=False)
    assert modes == [str, bytes]


def test_from_file_missing_raises(config: Config) -> None:
    with pytest.raises(OSError, match="Unable to load configuration file"):
        config.from_file("missing.json", load=json.load)


def test_from_file_missing_silent(config: Config) -> None:
    assert config.from_file("missing.json", load=json.load, silent=True) is False


def test_from_mapping_takes_uppercase_keys(config: Config) -> None:
    assert config.from_mapping({"A": 1, "b": 2}, C=3, d=4) is True
    assert config == {"A": 1, "C": 3}


def test_from_mapping_keywords_override_the_mapping(config: Config) -> None:
    config.from_mapping({"A": 1}, A=2)
    assert config["A"] == 2


def test_from_mapping_without_arguments(config: Config) -> None:
    assert config.from_mapping() is True
    assert config == {}


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1", 1),
        ("1.5", 1.5),
        ("true", True),
        ("null", None),
        ('"quoted"', "quoted"),
        ("[1, 2]", [1, 2]),
        ('{"a": 1}', {"a": 1}),
        ("not json", "not json"),
        ("", ""),
    ],
)
def test_from_prefixed_env_decodes_json(
    config: Config, monkeypatch: pytest.MonkeyPatch, raw: str, value: t.Any
) -> None:
    monkeypatch.setenv("MICROFLASK_SOME_VALUE", raw)
    assert config.from_prefixed_env() is True
    assert config["SOME_VALUE"] == value


def test_from_prefixed_env_ignores_other_variables(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTHER_SOME_VALUE", "1")
    monkeypatch.setenv("MICROFLASKSOME", "1")
    config.from_prefixed_env()
    assert "SOME_VALUE" not in config
    assert "OTHER_SOME_VALUE" not in config
    assert "SOME" not in config


def test_from_prefixed_env_custom_prefix(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYAPP_SECRET_KEY", "from env")
    config.from_prefixed_env("MYAPP")
    assert config["SECRET_KEY"] == "from env"


def test_from_prefixed_env_custom_loads(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROFLASK_VALUE", "abc")
    config.from_prefixed_env(loads=str.upper)
    assert config["VALUE"] == "ABC"


def test_from_prefixed_env_nests_on_double_underscore(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    config["DB"] = {"HOST": "localhost", "PORT": 1}
    monkeypatch.setenv("MICROFLASK_DB__PORT", "5432")
    monkeypatch.setenv("MICROFLASK_CACHE__REDIS__URL", '"redis://x"')
    config.from_prefixed_env()
    assert config["DB"] == {"HOST": "localhost", "PORT": 5432}
    assert config["CACHE"] == {"REDIS": {"URL": "redis://x"}}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, {"server": "smtp", "port": 25}),
        ({"lowercase": False}, {"SERVER": "smtp", "PORT": 25}),
        ({"trim_namespace": False}, {"mail_server": "smtp", "mail_port": 25}),
        (
            {"lowercase": False, "trim_namespace": False},
            {"MAIL_SERVER": "smtp", "MAIL_PORT": 25},
        ),
    ],
)
def test_get_namespace(
    config: Config, options: dict[str, bool], expected: dict[str, t.Any]
) -> None:
    config.update(MAIL_SERVER="smtp", MAIL_PORT=25, MAILER="other", SERVER="x")
    assert config.get_namespace("MAIL_", **options) == expected


def test_repr_shows_class_and_contents(config: Config) -> None:
    config["A"] = 1
    assert repr(config) == "<Config {'A': 1}>"


def test_app_config_root_path_is_the_app_root(tmp_path: pathlib.Path) -> None:
    (tmp_path / "settings.py").write_text("ROOTED = 1\n")
    app = Microflask("x", root_path=str(tmp_path))
    app.config.from_pyfile("settings.py")
    assert app.config["ROOTED"] == 1


def test_permanent_session_lifetime_accepts_seconds(app: Microflask) -> None:
    app.config["PERMANENT_SESSION_LIFETIME"] = 60
    assert app.permanent_session_lifetime == timedelta(seconds=60)


def test_config_attribute_on_the_class_is_the_descriptor(app: Microflask) -> None:
    descriptor = Microflask.__dict__["testing"]
    assert isinstance(descriptor, ConfigAttribute)
    assert descriptor.__get__(None, None) is descriptor
    app.testing = False
    assert app.config["TESTING"] is False


@pytest.mark.parametrize(
    "load",
    [
        lambda config, name: config.from_pyfile(name, silent=True),
        lambda config, name: config.from_file(name, load=json.load, silent=True),
    ],
)
def test_silent_load_ignores_a_path_through_a_file(
    config: Config, tmp_path: pathlib.Path, load: t.Callable[[Config, str], bool]
) -> None:
    (tmp_path / "plain.txt").write_text("")
    assert load(config, "plain.txt/settings.cfg") is False
    assert config == {}
