"""Sections that apps higher up add to the public study page, registered from AppConfig.ready.

The registry is in the base layer and imports no domain app; an app that has something public
to say about a study (implementation: its published outputs and what changed) registers a
template and a function from the study to that template's context. The study page includes
each in the order registered, the context as `s`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Section = tuple[str, Callable[[Any], dict[str, Any]]]

_SECTIONS: dict[str, Section] = {}


def register(key: str, template: str, context: Callable[[Any], dict[str, Any]]) -> None:
    """Add (or replace, by key) a section of the public study page."""
    _SECTIONS[key] = (template, context)


def for_study(study: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(template, context(study)) for template, context in _SECTIONS.values()]
