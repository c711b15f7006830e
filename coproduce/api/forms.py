from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from coproduce.apitokens.models import AREAS, ApiToken
from coproduce.contacts.models import Contact
from coproduce.webhooks import addresses
from coproduce.webhooks.events import EVENT_TYPES


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What the token is for, so you can tell your tokens apart. For example: monthly report script.",
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "Token name must be 100 characters or fewer",
        },
    )
    access = forms.ChoiceField(
        label="What may it do?",
        choices=ApiToken.Access.choices,
        initial=ApiToken.Access.READ,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the token may only read, or also change"},
    )
    areas = forms.MultipleChoiceField(
        label="Which parts of the API? (optional)",
        help_text="Leave all unticked for every part.",
        choices=list(AREAS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expires = forms.DateField(
        label="Stops working after (optional)",
        help_text="A date in the future. Leave empty for a token that works until revoked.",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the date as a real date, for example 17 5 2027"},
    )

    def clean_expires(self) -> dt.datetime | None:
        day = self.cleaned_data.get("expires")
        if day is None:
            return None
        if day <= timezone.localdate():
            raise forms.ValidationError("The date the token stops working must be in the future")
        # The end of that day, UK time.
        end = dt.datetime.combine(day, dt.time(23, 59, 59))
        return timezone.make_aware(end)


class EndpointForm(forms.Form):
    url = forms.URLField(
        label="Address to send events to",
        max_length=500,
        assume_scheme="https",
        help_text="It must start with https:// and be on a host this installation allows.",
        error_messages={
            "required": "Enter the address to send events to",
            "invalid": "Enter a web address, like https://hooks.example.org/coproduce",
            "max_length": "The address must be 500 characters or fewer",
        },
    )
    description = forms.CharField(
        label="What is it for? (optional)",
        max_length=200,
        required=False,
        error_messages={"max_length": "The description must be 200 characters or fewer"},
    )
    event_types = forms.MultipleChoiceField(
        label="Events to send",
        choices=list(EVENT_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event to send"},
    )

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            addresses.check_url(url)
        except addresses.Refused as refusal:
            raise forms.ValidationError(str(refusal)) from refusal
        return url

    def save(self, owner: Any) -> Any:
        from coproduce.webhooks.models import Endpoint

        return Endpoint.objects.create(
            owner=owner,
            url=self.cleaned_data["url"],
            description=self.cleaned_data["description"],
            event_types=sorted(self.cleaned_data["event_types"]),
        )


PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()./-]+$")
PHONE_DIGITS = (6, 15)  # E.164 allows 15 digits; fewer than 6 is no one's number


class ContactForm(forms.ModelForm[Contact]):
    """What the API may change of a contact: the name, phone and organisation (the staff pages
    have no form for it). Never the email address, which joins the person's roles, and no
    merging: a manager merges contacts on the staff contacts pages."""

    class Meta:
        model = Contact
        fields = ["full_name", "phone", "organisation"]
        error_messages = {
            "full_name": {"max_length": "The name must be 200 characters or fewer"},
            "phone": {"max_length": "The phone number must be 40 characters or fewer"},
            "organisation": {"max_length": "The organisation must be 200 characters or fewer"},
        }

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data.get("phone") or ""
        if not phone:
            return ""
        digits = sum(character.isdigit() for character in phone)
        if not PHONE_CHARACTERS.match(phone) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
            raise forms.ValidationError(
                "Enter a phone number of 6 to 15 digits, with spaces, brackets, dots, dashes "
                "or a leading + if you like, for example 01632 960 123 or +44 1632 960123",
                code="invalid",
            )
        return phone
