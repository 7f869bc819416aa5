"""Give every public module of microflask a reference page in the docs site.

An MkDocs hook (``hooks:`` in ``mkdocs.yml``): it lists the modules in the
``microflask`` package, makes a page ``reference/<dotted.name>.md`` holding
mkdocstrings' ``::: microflask.<name>`` for each one that has no hand-written
page there, and adds them all under "API reference" in the navigation. A new
module is documented without any step; one that is internal goes in
``INTERNAL`` below.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import griffe
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

PACKAGE = Path(__file__).resolve().parents[2] / "microflask"
# Modules with no API of their own: the base class whose members the app and
# blueprint pages show, and the ``python -m microflask`` entry point.
INTERNAL = {"microflask.scaffold", "microflask.__main__"}


def public_modules() -> list[str]:
    """Return the dotted names of the public modules, the package first."""
    names = []
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(part.startswith("_") for part in parts):
            continue
        name = ".".join(parts)
        if name not in INTERNAL:
            names.append(name)
    return sorted(names, key=lambda name: (name != "microflask", name))


def _page(name: str) -> str:
    return f"reference/{name}.md"


def package_page() -> str:
    """Return the package's page: its docstring, then where each name lives.

    Each name in ``microflask.__all__`` links to its documentation on its
    module's page, so a name exported but documented nowhere fails the
    ``--strict`` build instead of being rendered twice.
    """
    package = griffe.load("microflask", search_paths=[str(PACKAGE.parent)])
    rows = []
    for name in sorted(package.exports or [], key=lambda name: str(name).lower()):
        member = package.members[str(name)]
        # Submodules are members; every other name is an alias of an import.
        target = member.target_path if isinstance(member, griffe.Alias) else member.path
        module = target if target == member.path else target.rpartition(".")[0]
        if target == member.path:
            link = f"[`{name}`]({target}.md)"
            home = f"the module [`{target}`]({target}.md)"
        elif target.startswith("microflask."):
            link = f"[`{name}`][{target}]"
            home = f"[`{module}`]({module}.md)"
        else:
            link = f"`{name}`"
            home = f"`{target}` (re-exported)"
        rows.append(f"| {link} | {home} |")
    return "\n".join(
        [
            "# `microflask`",
            "",
            "::: microflask",
            "    options:",
            "      members: false",
            "",
            "## What `from microflask import ...` gives you",
            "",
            "| name | documented in |",
            "|---|---|",
            *rows,
            "",
        ]
    )


def _nav_paths(nav: t.Any) -> set[str]:
    """Return every page path named anywhere in the navigation *nav*."""
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, dict):
        nav = list(nav.values())
    return set().union(*map(_nav_paths, nav)) if isinstance(nav, list) else set()


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Complete the navigation: unlisted guide pages, then the reference.

    A page added to ``docs/`` but not to the ``nav`` of ``mkdocs.yml`` goes
    at the end of the "Guide" section, so no page is left unreachable.
    """
    nav: list[t.Any] = list(config.nav or [])
    listed = _nav_paths(nav)
    unlisted = sorted(
        page.name for page in Path(config.docs_dir).glob("*.md") if page.name not in listed
    )
    for section in nav:
        if isinstance(section, dict) and isinstance(section.get("Guide"), list):
            section["Guide"] = [*section["Guide"], *unlisted]
    entries: list[t.Any] = [{name: _page(name)} for name in public_modules()]
    config.nav = [*nav, {"API reference": entries}]
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add a generated page for each public module without a written one."""
    for name in public_modules():
        if files.get_file_from_path(_page(name)) is None:
            content = package_page() if name == "microflask" else f"# `{name}`\n\n::: {name}\n"
            files.append(File.generated(config, _page(name), content=content))
    return files
