"""Render Django forms with NHS.UK frontend markup (error summary, labels, hints, errors).

Usage in a template::

    {% load nhsuk %}
    {% nhsuk_error_summary form %}
    {% for field in form.visible_fields %}{% nhsuk_field field %}{% endfor %}
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.core.paginator import Page
from django.db.models.fields import BLANK_CHOICE_DASH
from django.http import QueryDict

register = template.Library()

BLANK_LABEL = BLANK_CHOICE_DASH[0][1]  # Django's "---------"

_INPUT_WIDTH = {
    "email": "nhsuk-u-width-two-thirds",
    "url": "nhsuk-u-width-two-thirds",
    "text": "nhsuk-u-width-two-thirds",
    "number": "nhsuk-input--width-5",
    "time": "nhsuk-input--width-10",
    "date": "nhsuk-input--width-10",
}


def _kind(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.SelectMultiple):
        return "select_multiple"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


def _options(field: forms.BoundField, kind: str) -> list[dict[str, Any]]:
    """The radios or checkboxes to draw, per the NHS.UK design system: no empty choice."""
    options: list[dict[str, Any]] = []
    if kind not in ("checkboxes", "radios"):
        return options
    for sub in field.subwidgets:
        data = sub.data
        label = data["label"]
        if kind == "radios" and str(data["value"]) == "":
            if field.field.required:
                continue  # the empty choice is no answer: nothing is chosen until a person does
            if label == BLANK_LABEL:
                label = "None"  # an optional choice: leaving it unset is a real answer
        options.append(
            {
                "id": data["attrs"]["id"],
                "value": data["value"],
                "label": label,
                "checked": data["selected"],
            }
        )
    return options


@register.inclusion_tag("includes/field.html")
def nhsuk_field(field: forms.BoundField, label_size: str = "") -> dict[str, Any]:
    widget = field.field.widget
    kind = _kind(widget)
    field_id = field.auto_id or f"id_{field.html_name}"
    described = []
    if field.help_text:
        described.append(f"{field_id}-hint")
    if field.errors:
        described.append(f"{field_id}-error")
    attrs: dict[str, str | bool] = {}
    # A limit is checked on the server, which says so ("Ensure this value has at most ...");
    # the browser's maxlength would cut pasted text silently instead. Text areas show the
    # NHS.UK character count (coproduce/templates/includes/field.html).
    max_length = getattr(field.field, "max_length", None)
    if max_length:
        attrs["maxlength"] = False
    count = max_length if kind == "textarea" and max_length else None
    if count:
        described.insert(0, f"{field_id}-info")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if kind == "input":
        input_type = getattr(widget, "input_type", "text")
        classes = ["nhsuk-input", _INPUT_WIDTH.get(input_type, "")]
        if field.errors:
            classes.append("nhsuk-input--error")
        attrs["class"] = " ".join(c for c in classes if c)
        if input_type == "email":
            attrs.setdefault("autocomplete", "email")
            attrs["spellcheck"] = "false"
    elif kind in ("select", "select_multiple"):
        attrs["class"] = "nhsuk-select" + (" nhsuk-select--error" if field.errors else "")
    elif kind == "textarea":
        classes = ["nhsuk-textarea"]
        if field.errors:
            classes.append("nhsuk-textarea--error")
        if count:
            classes.append("nhsuk-js-character-count")
        attrs["class"] = " ".join(classes)
    elif kind == "file":
        attrs["class"] = "nhsuk-file-upload"
    options = _options(field, kind)
    html = "" if kind in ("checkboxes", "radios") else field.as_widget(attrs=attrs)
    return {
        "field": field,
        "kind": kind,
        "field_id": field_id,
        "html": html,
        "options": options,
        "described": " ".join(described),
        "label_size": label_size,
        "required": field.field.required,
        "count": count,
        "count_text": f"{count:,}" if count else "",
    }


@register.inclusion_tag("includes/error_summary.html")
def nhsuk_error_summary(*forms_: forms.BaseForm) -> dict[str, Any]:
    items = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for error in form.non_field_errors():
            items.append({"href": "", "message": error})
        for field in form:
            for error in field.errors:
                anchor = field.auto_id
                kind = _kind(field.field.widget)
                if kind in ("checkboxes", "radios"):
                    options = _options(field, kind)
                    anchor = options[0]["id"] if options else f"{field.auto_id}_0"
                items.append({"href": f"#{anchor}", "message": error})
    return {"items": items}


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def nhsuk_pagination(
    context: template.Context, page: Page, param: str = "page", label: str = "Pagination"
) -> dict[str, Any]:
    """Previous/next links that keep the list's filters in the query string. `param` names the
    page's query parameter, and `label` the navigation, where a page has two lists to page."""
    request = context["request"]

    def link(number: int) -> str:
        query: QueryDict = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    return {
        "page": page,
        "label": label,
        "previous_url": link(page.previous_page_number()) if page.has_previous() else "",
        "next_url": link(page.next_page_number()) if page.has_next() else "",
    }
