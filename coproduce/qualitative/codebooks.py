"""Starter codebooks (data/starter_codebooks.toml) and the versioned codebook of a project."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction

from coproduce.audit.log import record
from coproduce.qualitative.models import Code, CodeVersion, Project

STARTERS_FILE = Path(__file__).parent / "data" / "starter_codebooks.toml"
CODE_KEYS = {
    "key", "name", "parent", "codable", "definition", "inclusion", "exclusion", "examples",
}  # fmt: skip


@cache
def starters() -> dict[str, dict[str, Any]]:
    """Every starter codebook by key; a row with an unknown field or parent is an error."""
    with STARTERS_FILE.open("rb") as handle:
        books = tomllib.load(handle)["codebooks"]
    result: dict[str, dict[str, Any]] = {}
    for book in books:
        seen: set[str] = set()
        for code in book["codes"]:
            unknown = set(code) - CODE_KEYS
            if unknown:
                raise ValueError(f"{book['key']}: unknown fields {sorted(unknown)}")
            if code.get("parent") and code["parent"] not in seen:
                raise ValueError(f"{book['key']}: {code['key']} names a later or unknown parent")
            seen.add(code["key"])
        result[book["key"]] = book
    return result


def add_code(
    project: Project,
    *,
    name: str,
    by: Any,
    parent: Code | None = None,
    codable: bool = True,
    colour: str = "",
    starter: str = "",
    definition: str = "",
    inclusion: str = "",
    exclusion: str = "",
    examples: str = "",
) -> Code:
    position = project.codes.filter(parent=parent).count()
    code = Code.objects.create(
        project=project,
        parent=parent,
        name=name,
        codable=codable,
        colour=colour,
        starter=starter,
        position=position,
    )
    CodeVersion.objects.create(
        code=code,
        number=1,
        definition=definition,
        inclusion=inclusion,
        exclusion=exclusion,
        examples=examples,
        created_by=by if getattr(by, "pk", None) else None,
    )
    return code


@transaction.atomic
def copy_starter(project: Project, key: str, *, by: Any) -> list[Code]:
    """Copy starter codebook `key` into the project under a heading code named for it."""
    book = starters()[key]
    heading = add_code(
        project, name=book["name"], by=by, codable=False, starter=key, definition=book["reference"]
    )
    made: dict[str, Code] = {}
    for row in book["codes"]:
        made[row["key"]] = add_code(
            project,
            name=row["name"],
            by=by,
            parent=made[row["parent"]] if row.get("parent") else heading,
            codable=row.get("codable", True),
            starter=key,
            **{name: row.get(name, "") for name in CodeVersion.MEANING},
        )
    record(by, "qualitative.codebook.copied", project, {"starter": [None, key]})
    return [heading, *made.values()]


@transaction.atomic
def revise(code: Code, *, by: Any, **meaning: str) -> CodeVersion:
    """Change a code's meaning: a new version if anything in it changed, else the current one."""
    current = code.versions.select_for_update().order_by("-number").first()
    assert current is not None
    if all(
        meaning.get(name, getattr(current, name)) == getattr(current, name)
        for name in CodeVersion.MEANING
    ):
        return current
    version = CodeVersion.objects.create(
        code=code,
        number=current.number + 1,
        created_by=by if getattr(by, "pk", None) else None,
        **{name: meaning.get(name, getattr(current, name)) for name in CodeVersion.MEANING},
    )
    record(
        by,
        "qualitative.code.revised",
        code,
        {name: [getattr(current, name), getattr(version, name)] for name in CodeVersion.MEANING
         if getattr(current, name) != getattr(version, name)},
    )  # fmt: skip
    return version


def tree(project: Project) -> list[tuple[Code, int]]:
    """The project's codes depth first, each with its depth (0 for top level), in one query."""
    codes = list(project.codes.prefetch_related("versions").order_by("position", "name", "pk"))
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    result: list[tuple[Code, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for code in children.get(parent, []):
            result.append((code, depth))
            walk(code.pk, depth + 1)

    walk(None, 0)
    return result
