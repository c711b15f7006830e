"""The demo collaboration's data files (data/*.toml), read once, with study keys resolved.

Each file describes one part of the collaboration. A study is described once, in
registry.toml under `[studies.<key>]`, and every other file names it by that key; `slug()` turns
a key into the study's slug, and `community()` a community's name (a study key, or a theme-wide
community's own slug) into the community's slug. TOML has no null: a field left out of a table
is None, and the part that reads it says so.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


@functools.cache
def part(name: str) -> dict[str, Any]:
    """The parsed data/<name>.toml; callers must not change it (it is shared)."""
    with (DATA / f"{name}.toml").open("rb") as f:
        return tomllib.load(f)


def studies() -> dict[str, dict[str, Any]]:
    """Study rows by key, in the file's order."""
    return part("registry")["studies"]


def slug(key: str) -> str:
    """The slug of the study named by `key` (a KeyError names an unknown key)."""
    return studies()[key]["slug"]


def community(name: str) -> str:
    """The slug of a community of practice: a study's (named by the study key) has the study's
    slug; a theme-wide community is named by its own slug."""
    return slug(name) if name in studies() else name


def rows(table: list[dict[str, Any]], *fields: str) -> list[tuple[Any, ...]]:
    """A table array's rows as tuples of the named fields, in that order (a left-out field is
    None)."""
    return [tuple(row.get(name) for name in fields) for row in table]
