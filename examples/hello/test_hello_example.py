"""The hello example answers text and JSON."""

from __future__ import annotations

import sys
import typing as t

import pytest

from microflask import Microflask
from microflask.testing import MicroflaskClient


@pytest.fixture
def app() -> t.Iterator[Microflask]:
    """Import hello.py (pytest put its folder on sys.path), and forget it after.

    Forgetting leaves the name ``hello`` free for other tests' modules.
    """
    import hello

    yield hello.app
    sys.modules.pop("hello", None)


def test_index_says_hello(client: MicroflaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.text == "Hello, World!"
    assert response.mimetype == "text/html"


def test_hello_greets_by_name_in_json(client: MicroflaskClient) -> None:
    response = client.get("/hello/Ada?greeting=Hi")
    assert response.json == {"message": "Hi, Ada!"}


def test_unknown_path_is_404(client: MicroflaskClient) -> None:
    assert client.get("/nope").status_code == 404
