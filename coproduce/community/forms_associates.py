"""Forms for associates: joining, managing choices by link, and asking for a new link.

Consent checkboxes are labelled with the exact words of the current ConsentWording of each
channel, and a signed hidden field carries the ids of the wordings on the page: what is
recorded is the version the person read, even if new words were published while they typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from coproduce.community.models import Associate, Channel, CommunityOfPractice, ConsentWording
from coproduce.lib.identifiers import normalise_email, validate_single_line
from coproduce.lib.spam import check_form
from coproduce.registry.models import Theme

_WORDINGS_SALT = "coproduce.community.consent-wordings"
# A form left open longer than this asks the person to read the wordings again.
WORDINGS_MAX_AGE = 2 * 24 * 60 * 60
WORDING_CHANGED_MESSAGE = (
    "The wording of our questions about emails has changed since you opened this page. "
    "Read them again and make your choices."
)


def current_wordings() -> dict[str, ConsentWording]:
    """The wording to show for each channel that has one, in channel order."""
    latest: dict[str, ConsentWording] = {}
    for wording in ConsentWording.objects.order_by("channel", "-version"):
        latest.setdefault(wording.channel, wording)
    return {channel: latest[channel] for channel in Channel.values if channel in latest}


def sign_wordings(wordings: dict[str, ConsentWording]) -> str:
    return signing.dumps(
        {channel: wording.pk for channel, wording in wordings.items()}, salt=_WORDINGS_SALT
    )


def read_wordings(value: str) -> dict[str, ConsentWording]:
    """The wordings a signed value names; channels whose wording is gone are left out."""
    try:
        ids = signing.loads(value or "", salt=_WORDINGS_SALT, max_age=WORDINGS_MAX_AGE)
    except signing.BadSignature:
        return {}
    if not isinstance(ids, dict):
        return {}
    found = ConsentWording.objects.in_bulk(
        [pk for pk in ids.values() if isinstance(pk, int) and not isinstance(pk, bool)]
    )
    return {
        channel: found[pk]
        for channel, pk in ids.items()
        if pk in found and found[pk].channel == channel
    }


def communities_by_theme() -> QuerySet[CommunityOfPractice]:
    return CommunityOfPractice.objects.select_related("theme", "study__theme").order_by(
        Coalesce("theme__position", "study__theme__position"),
        Coalesce("theme__name", "study__theme__name"),
        "name",
    )


class _CommunityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ConsentAndCommunitiesForm(forms.Form):
    """Communities to belong to and a consent checkbox per channel, worded as published."""

    communities = _CommunityChoiceField(
        queryset=CommunityOfPractice.objects.none(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Communities of practice",
        error_messages={"invalid_choice": "Select communities of practice from the list."},
    )
    wordings = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, wordings: dict[str, ConsentWording], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel_wordings = wordings
        communities = self.fields["communities"]
        assert isinstance(communities, forms.ModelMultipleChoiceField)
        communities.queryset = communities_by_theme()
        for channel, wording in wordings.items():
            self.fields[f"consent_{channel}"] = forms.BooleanField(
                required=False, label=wording.text
            )
        self.initial.setdefault("wordings", sign_wordings(wordings))
        self.shown_wordings: dict[str, ConsentWording] = {}

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[f"consent_{channel}"] for channel in self.channel_wordings]

    def community_groups(self) -> list[dict[str, Any]]:
        """The communities as checkboxes, grouped under their theme's name."""
        selected = {str(value) for value in (self["communities"].value() or [])}
        communities = self.fields["communities"]
        assert isinstance(communities, forms.ModelMultipleChoiceField)
        groups: list[dict[str, Any]] = []
        for index, cop in enumerate(communities.queryset or []):
            theme = cop.theme or (cop.study.theme if cop.study else None)
            name = theme.name if theme else "Other"
            if not groups or groups[-1]["theme"] != name:
                groups.append({"theme": name, "options": []})
            groups[-1]["options"].append(
                {
                    "id": f"{self['communities'].auto_id}_{index}",
                    "value": cop.slug,
                    "label": cop.name,
                    "checked": cop.slug in selected,
                }
            )
        return groups

    def consents(self) -> dict[str, bool]:
        return {
            channel: bool(self.cleaned_data.get(f"consent_{channel}"))
            for channel in self.channel_wordings
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.shown_wordings = read_wordings(cleaned.get("wordings", ""))
        for channel in self.channel_wordings:
            if cleaned.get(f"consent_{channel}") and channel not in self.shown_wordings:
                raise forms.ValidationError(WORDING_CHANGED_MESSAGE, code="wording")
        return cleaned


class JoinForm(ConsentAndCommunitiesForm):
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        validators=[validate_single_line],
        error_messages={
            "required": "Enter your full name",
            "max_length": "Full name must be 200 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will send you an email to check that this address is yours.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    organisation = forms.CharField(
        label="Organisation",
        max_length=200,
        validators=[validate_single_line],
        required=False,
        help_text="Where you work or volunteer, if anywhere.",
        error_messages={"max_length": "Organisation must be 200 characters or fewer"},
    )
    role = forms.ChoiceField(
        label="Which of these best describes you?",
        choices=Associate.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the option that best describes you"},
    )
    interests = forms.ModelMultipleChoiceField(
        label="Which research themes interest you?",
        help_text="Select all that apply.",
        queryset=Theme.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select research themes from the list."},
    )
    # Named to look worth filling in to a bot; hidden from people and assistive technology.
    website = forms.CharField(required=False, label="Leave this empty")
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = ["full_name", "email", "organisation", "role", "interests", "communities"]

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        check_form(self)
        return cleaned


class ManageForm(ConsentAndCommunitiesForm):
    """An associate's own choices, reached by a signed link."""


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Use the address you registered with.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    website = forms.CharField(required=False, label="Leave this empty")
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_form(self)
        return cleaned
