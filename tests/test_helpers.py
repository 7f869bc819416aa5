"""Tests for helpers.py functions no other test file covers."""

from __future__ import annotations

import importlib
import pathlib
import sys
import typing as t

import pytest

from microflask import Microflask, request, stream_with_context
from microflask.helpers import get_root_path
from microflask.testing import MicroflaskClient


@pytest.fixture
def imported_namespace(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> t.Iterator[t.Callable[[int], str]]:
    """Return a function that imports a namespace package spread over N folders."""
    name = "nspkg_for_root_path"

    def make(folders: int) -> str:
        for index in range(folders):
            (tmp_path / str(index) / name).mkdir(parents=True)
            monkeypatch.syspath_prepend(str(tmp_path / str(index)))
        importlib.import_module(name)
        return name

    yield make
    sys.modules.pop(name, None)


def test_root_path_of_an_imported_namespace_package_is_its_folder(
    tmp_path: pathlib.Path, imported_namespace: t.Callable[[int], str]
) -> None:
    name = imported_namespace(1)
    assert get_root_path(name) == str(tmp_path / "0" / name)


def test_root_path_of_a_namespace_package_in_two_folders_must_be_given(
    imported_namespace: t.Callable[[int], str],
) -> None:
    name = imported_namespace(2)
    with pytest.raises(RuntimeError, match=f"{name!r}.*Pass 'root_path' explicitly"):
        get_root_path(name)


def test_stream_with_context_takes_an_iterator_without_close(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.route("/stream")
    def stream() -> t.Any:
        return stream_with_context(iter([request.path, "!"]))

    assert client.get("/stream").data == b"/stream!"
