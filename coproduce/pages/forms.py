"""The contact form, protected from spam by coproduce.lib.spam (no third party)."""

from __future__ import annotations

from typing import Any

from django import forms

from coproduce.lib.identifiers import normalise_email, validate_single_line
from coproduce.lib.spam import check_form
from coproduce.pages.models import Enquiry


class ContactForm(forms.ModelForm):
    # Named to look worth filling in to a bot; hidden from people and assistive technology.
    website = forms.CharField(required=False, label="Leave this empty")
    form_token = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Enquiry
        fields = ["name", "email", "organisation", "message"]
        labels = {
            "name": "Your name",
            "email": "Email address",
            "organisation": "Organisation (optional)",
            "message": "Your message",
        }
        help_texts = {
            "email": "We only use this to reply to you.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The name goes into the staff notification's subject line: one line only.
        for name in ("name", "organisation"):
            self.fields[name].validators.append(validate_single_line)

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        check_form(self)
        return cleaned
