"""The instance folder, instance-relative config and resource files."""

from __future__ import annotations

import os
import re
import sys
import typing as t
from pathlib import Path

import pytest

from microflask import Blueprint, Microflask


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> t.Iterator[Path]:
    """A folder on ``sys.path`` for module files; their imports are undone."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if str(getattr(sys.modules[name], "__file__", "") or "").startswith(str(tmp_path)):
            del sys.modules[name]


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_instance_path_beside_module(modules: Path) -> None:
    write(modules / "inst_module.py")
    app = Microflask("inst_module")
    assert app.instance_path == str(modules / "instance")


def test_instance_path_beside_package(modules: Path) -> None:
    write(modules / "inst_pkg" / "__init__.py")
    write(modules / "inst_pkg" / "views.py")
    assert Microflask("inst_pkg").instance_path == str(modules / "instance")
    assert Microflask("inst_pkg.views").instance_path == str(modules / "instance")


def test_instance_path_of_imported_module(modules: Path) -> None:
    write(modules / "inst_imported.py", "from microflask import Microflask\n"
                                        "app = Microflask(__name__)\n")  # fmt: skip
    import inst_imported  # type: ignore[import-not-found]

    assert inst_imported.app.instance_path == str(modules / "instance")


def test_instance_path_when_installed_in_site_packages(modules: Path) -> None:
    site = modules / "env" / "lib" / "python3.x" / "site-packages"
    write(site / "inst_installed.py")
    sys.path.insert(0, str(site))
    try:
        app = Microflask("inst_installed")
    finally:
        sys.path.remove(str(site))
    assert app.instance_path == str(modules / "env" / "var" / "inst_installed-instance")


def test_instance_path_when_installed_under_prefix(
    modules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(modules / "inst_prefixed.py")
    monkeypatch.setattr(sys, "prefix", str(modules))
    app = Microflask("inst_prefixed")
    assert app.instance_path == str(modules / "var" / "inst_prefixed-instance")


def test_instance_folder_is_not_created(modules: Path) -> None:
    write(modules / "inst_lazy.py")
    Microflask("inst_lazy")
    assert not (modules / "instance").exists()


def test_explicit_instance_path(tmp_path: Path) -> None:
    app = Microflask("inst_explicit", instance_path=str(tmp_path / "data"))
    assert app.instance_path == str(tmp_path / "data")


def test_relative_instance_path_is_an_error() -> None:
    with pytest.raises(ValueError, match="'relative/data'"):
        Microflask("inst_relative", instance_path="relative/data")


@pytest.fixture
def config_app(tmp_path: Path) -> t.Callable[[bool], Microflask]:
    write(tmp_path / "root" / "settings.cfg", "WHERE = 'root'\n")
    write(tmp_path / "instance" / "settings.cfg", "WHERE = 'instance'\n")

    def make(instance_relative: bool) -> Microflask:
        return Microflask(
            "inst_config",
            root_path=str(tmp_path / "root"),
            instance_path=str(tmp_path / "instance"),
            instance_relative_config=instance_relative,
        )

    return make


def test_config_files_relative_to_root_by_default(
    config_app: t.Callable[[bool], Microflask],
) -> None:
    app = config_app(False)
    assert app.config.root_path == app.root_path
    app.config.from_pyfile("settings.cfg")
    assert app.config["WHERE"] == "root"


def test_instance_relative_config(config_app: t.Callable[[bool], Microflask]) -> None:
    app = config_app(True)
    assert app.config.root_path == app.instance_path
    app.config.from_pyfile("settings.cfg")
    assert app.config["WHERE"] == "instance"


def test_instance_relative_missing_file_is_silent_when_asked(
    config_app: t.Callable[[bool], Microflask],
) -> None:
    app = config_app(True)
    assert app.config.from_pyfile("missing.cfg", silent=True) is False
    with pytest.raises(OSError, match="missing.cfg"):
        app.config.from_pyfile("missing.cfg")


@pytest.fixture
def resource_app(tmp_path: Path) -> Microflask:
    write(tmp_path / "root" / "schema.sql", "CREATE TABLE café (id);\n")
    (tmp_path / "root" / "latin1.txt").write_bytes("café".encode("latin-1"))
    return Microflask(
        "inst_resources",
        root_path=str(tmp_path / "root"),
        instance_path=str(tmp_path / "instance"),
    )


def test_open_resource_reads_bytes_by_default(resource_app: Microflask) -> None:
    with resource_app.open_resource("schema.sql") as f:
        assert f.read() == "CREATE TABLE café (id);\n".encode()


@pytest.mark.parametrize("mode", ["r", "rt"])
def test_open_resource_reads_text_as_utf8(resource_app: Microflask, mode: str) -> None:
    with resource_app.open_resource("schema.sql", mode) as f:
        assert f.read() == "CREATE TABLE café (id);\n"


def test_open_resource_with_encoding(resource_app: Microflask) -> None:
    with resource_app.open_resource("latin1.txt", "r", encoding="latin-1") as f:
        assert f.read() == "café"


@pytest.mark.parametrize("mode", ["w", "wb", "a", "r+", "x"])
def test_open_resource_refuses_writing(resource_app: Microflask, mode: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(mode))):
        resource_app.open_resource("schema.sql", mode)


def test_open_resource_missing_file(resource_app: Microflask) -> None:
    with pytest.raises(FileNotFoundError):
        resource_app.open_resource("missing.sql")


def test_blueprint_open_resource_uses_its_root(tmp_path: Path) -> None:
    write(tmp_path / "bp" / "data.txt", "from the blueprint")
    bp = Blueprint("inst_bp", __name__, root_path=str(tmp_path / "bp"))
    with bp.open_resource("data.txt", "r") as f:
        assert f.read() == "from the blueprint"


def test_open_instance_resource_writes_and_reads(resource_app: Microflask, tmp_path: Path) -> None:
    os.makedirs(resource_app.instance_path)
    with resource_app.open_instance_resource("notes.txt", "w") as f:
        f.write("café noted")
    assert (tmp_path / "instance" / "notes.txt").read_text(encoding="utf-8") == "café noted"
    with resource_app.open_instance_resource("notes.txt") as f:
        assert f.read() == "café noted".encode()
    with resource_app.open_instance_resource("notes.txt", "r") as f:
        assert f.read() == "café noted"


def test_open_instance_resource_with_encoding(resource_app: Microflask, tmp_path: Path) -> None:
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "old.txt").write_bytes("café".encode("latin-1"))
    with resource_app.open_instance_resource("old.txt", "r", encoding="latin-1") as f:
        assert f.read() == "café"


def test_open_instance_resource_appends(resource_app: Microflask, tmp_path: Path) -> None:
    write(tmp_path / "instance" / "log.txt", "one\n")
    with resource_app.open_instance_resource("log.txt", "a") as f:
        f.write("two\n")
    assert (tmp_path / "instance" / "log.txt").read_text() == "one\ntwo\n"


def test_open_instance_resource_is_relative_to_instance_not_root(
    resource_app: Microflask,
) -> None:
    with pytest.raises(FileNotFoundError):
        resource_app.open_instance_resource("schema.sql")
