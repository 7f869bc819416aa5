"""House style that ruff cannot check: every docstring's summary line in microflask/.

The summary is a docstring's first line: at most 72 characters, ending in a period.
"""

from __future__ import annotations

import ast
import typing as t
from pathlib import Path

import microflask

PACKAGE = Path(microflask.__file__).parent
MAX_SUMMARY = 72

_Documented: t.TypeAlias = ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef


def _summaries(node: _Documented, prefix: str = "") -> t.Iterator[tuple[str, str]]:
    """Yield (qualified name, summary line) for *node* and everything inside it."""
    docstring = ast.get_docstring(node)
    if docstring is not None:
        yield prefix or "<module>", docstring.partition("\n")[0].strip()
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _summaries(child, f"{prefix}.{child.name}" if prefix else child.name)


def _problem(summary: str) -> str | None:
    if len(summary) > MAX_SUMMARY:
        return f"{len(summary)} characters, over {MAX_SUMMARY}"
    if not summary.endswith("."):
        return "does not end with a period"
    return None


def _offenders() -> dict[str, str]:
    """Map each offending docstring, as "path:qualified.name", to what is wrong."""
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE.parent).as_posix()
        for name, summary in _summaries(ast.parse(path.read_text(), str(path))):
            problem = _problem(summary)
            if problem is not None:
                offenders[f"{where}:{name}"] = f"{problem}: {summary!r}"
    return offenders


def test_docstring_summaries_are_short_sentences() -> None:
    found = _offenders()
    wrong = [f"{key} {problem}" for key, problem in found.items()]
    assert not wrong, (
        f"Docstring summary lines must be at most {MAX_SUMMARY} characters and end with"
        " a period; shorten or end these:\n" + "\n".join(wrong)
    )


def test_a_long_or_unfinished_summary_is_a_problem() -> None:
    assert _problem("Return the thing.") is None
    assert _problem("x" * MAX_SUMMARY + ".") == "73 characters, over 72"
    assert _problem("Return the thing, and") == "does not end with a period"
