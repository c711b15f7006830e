"""Type-ahead fields: the one way a staff form asks for one of thousands of things.

A select of 3,000 communities costs tens of milliseconds to draw and hundreds of kilobytes to
send on every page (docs/performance.md). A `LookupField` is a text box instead: the person
types part of a name and the server resolves it when the form is sent, so it works without
JavaScript:

- the text is a key (a community's slug, as links from other pages carry: `?cop=<slug>`), or
  matches exactly one name (whole, then in part, ignoring case): that one is used, and the box
  shows its full name;
- it matches several: the field says so and lists up to `SHOWN` of them as radios (named
  `<field>-pick`); choosing one and sending the form again uses it;
- it matches none: an NHS.UK field error, and the text stays in the box.

With JavaScript (`static/js/init.mjs`), the box offers suggestions as the person types: a
`<datalist>` filled from this module's JSON endpoint (`/staff/lookup/<kind>/?q=...`, at most
`SHOWN` names), with a polite status message saying how many there are.

An app declares each kind once, from its AppConfig.ready, with `register(Lookup(...))`:
the model's queryset, the key field, the name field and who may ask. Each kind has its own
URL (`staff:lookup_<kind>`), so each has its row in the authorization matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Model, Q, QuerySet, When
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe

from coproduce.lib.urls import reverse_once
from coproduce.registry import access

SHOWN = 10
MIN_TYPED = 2


@dataclass(frozen=True)
class Lookup:
    """One kind of thing a type-ahead field finds: `kind` names it in its URL."""

    kind: str
    queryset: Callable[[], QuerySet[Any]]
    key: str = "slug"
    label: str = "name"
    # The things' name in messages, plural and singular: "communities", "community".
    plural: str = "things"
    singular: str = "thing"
    # Who may ask the JSON endpoint (raises to refuse); staff by default.
    require: Callable[[Any], None] = access.require_staff

    def _named(self) -> QuerySet[Any]:
        return self.queryset().only(self.key, self.label).order_by(self.label, self.key)

    def matching(self, text: str, limit: int = SHOWN) -> list[Model]:
        """Up to `limit` + 1 things whose name holds `text`, names starting with it first
        (one query)."""
        starts = Case(When(**{f"{self.label}__istartswith": text}, then=0), default=1)
        named = self._named().filter(**{f"{self.label}__icontains": text})
        return list(
            named.alias(starts=starts).order_by("starts", self.label, self.key)[: limit + 1]
        )

    def resolve(self, text: str) -> tuple[Model | None, list[Model]]:
        """(the one thing `text` means, or None and the candidates: up to SHOWN + 1).

        One query for the key or the whole name, a second only when neither is found."""
        named = self._named().filter(Q(**{self.key: text}) | Q(**{f"{self.label}__iexact": text}))
        exact = list(named[: SHOWN + 2])
        by_key = [thing for thing in exact if self.key_of(thing) == text]
        if by_key:
            return by_key[0], []
        if len(exact) == 1:
            return exact[0], []
        candidates = exact or self.matching(text)
        if len(candidates) == 1:
            return candidates[0], []
        return None, candidates[: SHOWN + 1]

    def key_of(self, thing: Model) -> str:
        return str(getattr(thing, self.key))

    def label_of(self, thing: Model) -> str:
        return str(getattr(thing, self.label))

    def url(self) -> str:
        return reverse_once(f"staff:lookup_{self.kind}")


_LOOKUPS: dict[str, Lookup] = {}


def register(*lookups: Lookup) -> None:
    for lookup in lookups:
        _LOOKUPS[lookup.kind] = lookup


def registered(kind: str) -> Lookup:
    return _LOOKUPS[kind]


# --- the field ---------------------------------------------------------------------------------


class LookupInput(forms.TextInput):
    """A text box with an (empty) list of suggestions and, after an ambiguous answer, radios
    offering the candidates. Drawn by `{% nhsuk_field %}` like any text input."""

    template_name = "staff/widgets/lookup.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.kind = ""  # set by LookupField
        # Set by LookupField.clean: the name to show for the text sent, and the candidates.
        self.shown: dict[str, str] = {}
        self.candidates: list[tuple[str, str]] = []
        self.more = False

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        # A candidate chosen from the radios wins over the text that was ambiguous.
        return data.get(f"{name}-pick") or data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}-pick" not in data

    def format_value(self, value: Any) -> str | None:
        text = super().format_value(value)
        return self.shown.get(text, text) if text is not None else None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        lookup = registered(self.kind)
        widget = context["widget"]
        widget_id = widget["attrs"].get("id") or f"id_{name}"
        widget["attrs"]["data-lookup"] = lookup.url()
        widget["attrs"]["data-lookup-list"] = f"{widget_id}-suggestions"
        widget["attrs"]["data-lookup-status"] = f"{widget_id}-status"
        widget["lookup_id"] = widget_id
        widget["plural"] = lookup.plural
        widget["candidates"] = [
            {"id": f"{widget_id}-pick-{number}", "value": key, "label": label}
            for number, (key, label) in enumerate(self.candidates)
        ]
        widget["more"] = self.more
        widget["typed"] = value
        return context


class LookupField(forms.Field):
    """One thing named by typing part of its name (see the module's docstring).

    `cleaned_data` holds the model instance; `prepare_value` turns it back into its key, so a
    form can write the choice into a link (`?cop=<slug>`).
    """

    widget = LookupInput

    def __init__(self, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind = kind
        assert isinstance(self.widget, LookupInput)
        self.widget.kind = kind

    @property
    def lookup(self) -> Lookup:
        return registered(self.kind)

    def prepare_value(self, value: Any) -> Any:
        """A thing (or, as a model form's initial value, its primary key) as its key; the box
        shows its name. Text is left as it was typed."""
        lookup = self.lookup
        if isinstance(value, int) and not isinstance(value, bool):
            value = lookup.queryset().only(lookup.key, lookup.label).filter(pk=value).first()
        if isinstance(value, Model):
            key = lookup.key_of(value)
            assert isinstance(self.widget, LookupInput)
            self.widget.shown[key] = lookup.label_of(value)
            return key
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        before = self.prepare_value(initial) or ""
        try:
            after = self.clean(data)
        except forms.ValidationError:
            return True
        return (self.lookup.key_of(after) if after is not None else "") != before

    def clean(self, value: Any) -> Model | None:
        lookup = self.lookup
        widget = self.widget
        assert isinstance(widget, LookupInput)
        text = " ".join(str(value or "").split())
        if not text:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        found, candidates = lookup.resolve(text)
        if found is not None:
            widget.shown = {str(value): lookup.label_of(found)}
            return found
        if not candidates:
            raise forms.ValidationError(
                f"No {lookup.singular} has a name containing ‘{text}’. Check the spelling, "
                "or type a shorter part of the name.",
                code="none",
            )
        widget.more = len(candidates) > SHOWN
        candidates = candidates[:SHOWN]
        labels = [lookup.label_of(thing) for thing in candidates]
        widget.candidates = [
            # Two things of one name are told apart by their key.
            (
                lookup.key_of(thing),
                label if labels.count(label) == 1 else f"{label} ({lookup.key_of(thing)})",
            )
            for thing, label in zip(candidates, labels, strict=True)
        ]
        if widget.more:
            message = (
                f"More than {SHOWN} {lookup.plural} match ‘{text}’. Choose one of these, "
                "or type more of the name."
            )
        else:
            message = f"{len(candidates)} {lookup.plural} match ‘{text}’. Choose one of these."
        raise forms.ValidationError(message, code="several")


# --- the JSON endpoint -------------------------------------------------------------------------


def _suggest(lookup: Lookup) -> Callable[[HttpRequest], JsonResponse]:
    @login_required
    @require_safe
    def suggest(request: HttpRequest) -> JsonResponse:
        lookup.require(request.user)
        text = " ".join(request.GET.get("q", "").split())[:200]
        things = lookup.matching(text)[:SHOWN] if len(text) >= MIN_TYPED else []
        response = JsonResponse(
            {
                "results": [
                    {"key": lookup.key_of(thing), "label": lookup.label_of(thing)}
                    for thing in things
                ]
            }
        )
        response["Cache-Control"] = "private, max-age=60"
        return response

    return suggest


def urlpatterns() -> list[URLPattern]:
    return [
        path(f"lookup/{kind}/", _suggest(lookup), name=f"lookup_{kind}")
        for kind, lookup in sorted(_LOOKUPS.items())
    ]
