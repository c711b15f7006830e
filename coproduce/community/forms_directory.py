"""Forms for the staff associate directory: filters, bulk add, edit, consent, import.

A community is asked for by typing part of its name (`staff/lookup.py`: 3,000 communities at
national scale are too many for a select); `?cop=<slug>` still names one. The filter form
loads its theme choices once per data generation and keeps the objects, so applying a theme
filter never asks the database again.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import QueryDict

from coproduce import pagecache
from coproduce.community.models import (
    Associate,
    Channel,
    ConsentWording,
    Membership,
)
from coproduce.lib import textindex
from coproduce.lib.identifiers import normalise_email
from coproduce.registry.models import Theme
from coproduce.security.uploads import validate as validate_upload
from coproduce.staff.lookup import LookupField

FILTER_NAMES = ("q", "cop", "theme", "role", "consent", "status", "sort")
CONSENT_LABELS = {
    Channel.ENGAGE: "Engage newsletter",
    Channel.BRIEFING: "Monthly briefing",
    Channel.EVENTS: "Event invitations",
}


def _prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string that starts with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _address_prefix(prefix: str) -> Q:
    """Addresses starting with `prefix` (normalised); on SQLite over the `email_lower` alias."""
    if connection.vendor == "sqlite":
        upper = _prefix_upper_bound(prefix)
        return Q(email__isnull=False, email_lower__gte=prefix, email_lower__lt=upper)
    return Q(email__startswith=prefix)


def search_associates(queryset: Any, text: str) -> Any:
    """One box: the start of an address when the text has an @, else name or organisation.

    Addresses are stored normalised and uniquely indexed on LOWER(email) where not null. On
    SQLite `startswith` becomes a case-insensitive LIKE that no index serves; a range over the
    indexed expression is served by it (the IS NOT NULL term lets SQLite use the partial
    index). PostgreSQL keeps `startswith`, served by a varchar_pattern_ops index (migration
    community 0008).
    Text without an @ also matches the start of an address ("jo.bloggs" finds
    jo.bloggs@nhs.net), since people type what they remember. Names and organisations are
    found anywhere in them, ignoring case, through the trigram index
    (coproduce/lib/textindex.py; three characters or more).
    """
    text = " ".join(text.split())
    if not text:
        return queryset
    if connection.vendor == "sqlite":
        queryset = queryset.alias(email_lower=Lower("email"))
    address = _address_prefix(normalise_email(text))
    if "@" in text:
        return queryset.filter(address)
    named = textindex.contains(Associate, [("full_name", text), ("organisation", text)])
    return queryset.filter(named | address)


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label="Search by name, email address or organisation",
        required=False,
        max_length=200,
        help_text="An email address, or its start, finds the quickest.",
    )
    cop = LookupField(
        "communities",
        label="Community of practice",
        required=False,
        help_text="Type part of its name.",
    )
    theme = forms.ChoiceField(label="Interested in theme", required=False)
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "Any role"), *Associate.Role.choices]
    )
    consent = forms.ChoiceField(
        label="Consent",
        required=False,
        choices=[("", "Any")]
        + [(channel, f"Consents to {label.lower()}") for channel, label in CONSENT_LABELS.items()],
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Associate.Status.choices]
    )
    # Newest first is served by the index on `joined` whatever the filters; name order is
    # served by the (status, full_name) index only when a status is chosen.
    sort = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[("", "Newest first"), ("name", "Name, A to Z")],
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        # Loaded once while the data is unchanged (coproduce/pagecache/__init__.py); shared
        # between requests, so never changed here.
        self.themes = pagecache.memo(
            "directory-themes",
            lambda: {theme.slug: theme for theme in Theme.objects.only("slug", "name")},
        )
        _choice_field(self, "theme").choices = [("", "Any theme")] + [
            (slug, theme.name) for slug, theme in self.themes.items()
        ]

    @property
    def active(self) -> bool:
        return any(self.data.get(name) for name in FILTER_NAMES if name != "sort")

    def cleaned(self) -> dict[str, Any]:
        """The valid filters only: a filter with a bad value is left out and shows its error."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def apply(self, queryset: Any) -> Any:
        values = self.cleaned()
        if values.get("q"):
            queryset = search_associates(queryset, values["q"])
        if values.get("cop"):
            members = Membership.objects.filter(cop=values["cop"], left__isnull=True)
            queryset = queryset.filter(pk__in=members.values("associate_id"))
        if values.get("theme"):
            interested = Associate.interests.through.objects.filter(
                theme=self.themes[values["theme"]]
            )
            queryset = queryset.filter(pk__in=interested.values("associate_id"))
        if values.get("role"):
            queryset = queryset.filter(role=values["role"])
        if values.get("consent"):
            queryset = queryset.filter(**{f"consent_{values['consent']}": True})
        if values.get("status"):
            queryset = queryset.filter(status=values["status"])
        if values.get("sort") == "name":
            return queryset.order_by("full_name", "pk")
        return queryset.order_by("-joined", "-pk")

    def describe(self) -> dict[str, str]:
        """The filters in force, as stored in the audit log of an export or bulk action."""
        # A community is named by its slug (LookupField.prepare_value), as links carry it.
        return {
            name: str(self.fields[name].prepare_value(value))
            for name, value in self.cleaned().items()
        }

    def querystring(self) -> str:
        query = QueryDict(mutable=True)
        for name, value in self.describe().items():
            query[name] = value
        return query.urlencode()


class BulkAddForm(forms.Form):
    SELECTED = "selected"
    ALL = "all"

    target = LookupField(
        "communities",
        label="Add them to this community of practice",
        help_text="Type part of its name.",
        error_messages={"required": "Enter the name of the community to add them to."},
    )
    scope = forms.ChoiceField(
        label="Who to add",
        choices=[(SELECTED, "The associates I selected"), (ALL, "Everyone matching the filter")],
        initial=SELECTED,
        widget=forms.RadioSelect,
    )
    # Public ids, checked by hand in clean_selected (a stale or forged id is simply ignored).
    selected = forms.Field(required=False, widget=forms.MultipleHiddenInput)

    def say_how_many(self, matching: str) -> None:
        """Put the number of people "everyone matching" means into its label."""
        _choice_field(self, "scope").choices = [
            (self.SELECTED, "The associates I selected on this page"),
            (self.ALL, f"Everyone matching the search and filters ({matching})"),
        ]

    def clean_selected(self) -> list[uuid.UUID]:
        ids = []
        for value in self.cleaned_data.get("selected") or []:
            try:
                ids.append(uuid.UUID(str(value)))
            except ValueError:
                continue
        return ids

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if cleaned.get("scope") == self.SELECTED and not cleaned.get("selected"):
            raise forms.ValidationError(
                "Select at least one associate, or choose everyone matching the filter."
            )
        return cleaned


class AssociateEditForm(forms.ModelForm[Associate]):
    class Meta:
        model = Associate
        fields = ["full_name", "organisation", "role", "interests"]
        labels = {"full_name": "Full name", "interests": "Interested in these themes"}
        widgets = {"interests": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].required = False
        _choice_field(self, "role").choices = Associate.Role.choices


KEEP, GRANT, WITHDRAW = "", "yes", "no"


class StaffConsentForm(forms.Form):
    """Consent given or withdrawn by phone, on paper or in person, recorded by staff.

    The page shows the words to read out; a hidden field carries which version was shown, so
    the record names those words even if a new version is published before the form is sent.
    """

    def __init__(
        self, *args: Any, associate: Associate, wordings: dict[str, ConsentWording], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.wordings = wordings
        for channel, label in Channel.choices:
            current = getattr(associate, f"consent_{channel}")
            self.fields[channel] = forms.ChoiceField(
                label=label,
                required=False,
                initial=KEEP,
                widget=forms.RadioSelect,
                help_text=f"Now: {'consents' if current else 'does not consent'}.",
                choices=[
                    (KEEP, "Leave as it is"),
                    (GRANT, "They consent"),
                    (WITHDRAW, "They do not consent (withdraw)"),
                ],
            )
            self.fields[f"shown_{channel}"] = forms.IntegerField(
                required=False, widget=forms.HiddenInput, initial=wordings[channel].pk
            )

    def wanted(self) -> dict[str, bool]:
        return {
            channel: self.cleaned_data[channel] == GRANT
            for channel in Channel.values
            if self.cleaned_data.get(channel) in (GRANT, WITHDRAW)
        }

    def shown(self) -> dict[str, ConsentWording]:
        """The wording each channel's question was shown in (the current one if unknown)."""
        ids = {self.cleaned_data.get(f"shown_{channel}") for channel in Channel.values}
        found = {w.pk: w for w in ConsentWording.objects.filter(pk__in=ids - {None})}
        shown = {}
        for channel in Channel.values:
            wording = found.get(self.cleaned_data.get(f"shown_{channel}") or 0)
            shown[channel] = (
                wording if wording and wording.channel == channel else self.wordings[channel]
            )
        return shown


class ImportForm(forms.Form):
    # An empty file reaches the importer, which explains the problem like any other.
    file = forms.FileField(
        allow_empty_file=True,
        label="Upload a CSV or Excel (.xlsx) file",
        help_text="The first row names the columns. Up to 200,000 rows.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(
                "The file must be a CSV file (.csv) or an Excel file (.xlsx)."
            )
        validate_upload(upload, "directory")
        return upload
