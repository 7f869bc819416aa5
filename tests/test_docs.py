"""Every Python block in README.md and docs/*.md runs, in order, file by file.

Blocks of one file share a namespace, so a later block builds on an earlier
one. A block whose info string names a file after the language (for example
``html+jinja templates/base.html``) is written to that path in the working
folder, a fresh ``tmp_path``, before the blocks after it run. Blocks in other
languages (``sh``, ``text``) are shown, not run.
"""

from __future__ import annotations

import os
import re
import typing as t
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Pages that only include other files (``--8<--`` snippets, see mkdocs.yml) and
# have no Python of their own; every other page must run at least one block.
NO_PYTHON = {"performance.md"}
LANGUAGES = {"python", "sh", "text", "html+jinja", "toml", "ini", "json", "css"}
_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)


class Block(t.NamedTuple):
    """One fenced code block: its language, target file, source and line."""

    language: str
    target: str | None
    source: str
    line: int


def _blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    blocks = []
    for match in _FENCE.finditer(text):
        language, _, target = match["info"].strip().partition(" ")
        line = text.count("\n", 0, match.start()) + 2
        blocks.append(Block(language, target.strip() or None, match["body"], line))
    return blocks


def _ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", DOCS, ids=_ids)
def test_every_block_names_its_language(path: Path) -> None:
    unnamed = [b.line for b in _blocks(path) if b.language not in LANGUAGES]
    assert not unnamed, f"{path.name}: blocks at lines {unnamed} need one of {sorted(LANGUAGES)}"


@pytest.mark.parametrize("name", sorted(NO_PYTHON))
def test_pages_without_python_have_none(name: str) -> None:
    path = ROOT / "docs" / name
    assert path.is_file(), f"{name} is in NO_PYTHON but does not exist"
    assert not [b.line for b in _blocks(path) if b.language == "python"]


@pytest.mark.parametrize("path", [p for p in DOCS if p.name not in NO_PYTHON], ids=_ids)
def test_python_blocks_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    saved_environ = dict(os.environ)
    namespace: dict[str, t.Any] = {"__name__": f"docs_{path.stem.replace('-', '_')}"}
    ran = 0
    try:
        for block in _blocks(path):
            if block.target is not None:
                target = tmp_path / block.target
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(block.source, encoding="utf-8")
            elif block.language == "python":
                code = compile(block.source, f"{path.name}, block at line {block.line}", "exec")
                exec(code, namespace)
                ran += 1
    finally:
        os.environ.clear()
        os.environ.update(saved_environ)
    assert ran, f"{path.name} has no python block to run"
