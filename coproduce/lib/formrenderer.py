"""Django's form renderer, with <select> drawn in Python.

Django renders a <select> through one template include per <option>. A filter offering the
3,000 communities or studies of a national network costs about 0.1 s per select that way (the
staff associate directory drew two: 1.8 s of its 1.9 s, docs/performance.md). This renderer
produces the same markup as Django's `select.html`, `select_option.html` and `attrs.html` templates
(tests/lib/test_formrenderer.py compares them) with string joins; every other template is
rendered as before.
"""

from __future__ import annotations

import html
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def conditional_escape(value: Any) -> str:
    """django.utils.html.conditional_escape without its SafeString wrapping (same text)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _option(option: dict[str, Any]) -> str:
    return (
        f'<option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
        f"{conditional_escape(option['label'])}</option>"
    )


def render_select(widget: dict[str, Any]) -> SafeString:
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option.get("template_name", OPTION) != OPTION:
                return SafeString("")  # a custom option template: not ours to draw
            out.append("\n  " + _option(option) + "\n")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


class FastSelectRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT and "widget" in context:
            drawn = render_select(context["widget"])
            if drawn:
                return drawn
        return super().render(template_name, context, request)
