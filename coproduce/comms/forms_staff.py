"""Staff forms for mailings: compose (content and audience), schedule, and the list filter."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from coproduce.comms import invitations
from coproduce.comms.models import Mailing
from coproduce.community.models import Associate, Channel, CommunityOfPractice
from coproduce.registry.models import Theme

LONDON = ZoneInfo("Europe/London")

# How the confirmation page and the form name what people agreed to receive.
CHANNEL_PHRASES = {
    Channel.ENGAGE: "the Engage newsletter",
    Channel.BRIEFING: "the monthly briefing",
    Channel.EVENTS: "invitations to events",
}


def channel_phrase(channel: str) -> str:
    return CHANNEL_PHRASES.get(channel, channel)  # type: ignore[call-overload]


class _NamedChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MailingForm(forms.ModelForm[Mailing]):
    kind = forms.ChoiceField(
        label="What kind of mailing is it?",
        choices=Mailing.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of mailing",
            "invalid_choice": "Choose the kind of mailing",
        },
    )
    channel = forms.ChoiceField(
        label="Announcements only: who should receive it?",
        help_text="Newsletters, briefings and invitations go to the people who agreed to "
        "receive them. An announcement goes to the people who agreed to receive the one "
        "you choose here.",
        choices=[
            (value, f"People who agreed to receive {phrase}")
            for value, phrase in CHANNEL_PHRASES.items()
        ],
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose who should receive the announcement"},
    )
    cops = _NamedChoice(
        label="Communities of practice",
        queryset=CommunityOfPractice.objects.order_by("name").only("pk", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Members of any community you tick. Tick none of these and no theme to send "
        "to everyone who agreed.",
    )
    themes = _NamedChoice(
        label="Themes",
        queryset=Theme.objects.order_by("name").only("pk", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="People interested in any theme you tick.",
    )
    event = forms.ModelChoiceField(
        label="Event invitations only: which event?",
        help_text="Its date, place and a link to book are added below your message.",
        queryset=invitations.choosable().none(),
        required=False,
        empty_label="Choose an event",
        error_messages={"invalid_choice": "Choose an event from the list"},
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=Associate.Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Only people with one of the roles you tick. Tick none to include every role.",
    )

    class Meta:
        model = Mailing
        fields = [
            "kind",
            "channel",
            "event",
            "subject",
            "summary",
            "body",
            "cops",
            "themes",
            "roles",
        ]
        labels = {
            "subject": "Subject",
            "summary": "Summary",
            "body": "Message",
        }
        help_texts = {
            "subject": "The email's subject line and the page title in the news archive.",
            "summary": "One or two sentences shown in the news archive.",
            "body": "Write in Markdown: ## before a heading, * before each bullet point, "
            "[words](https://address) for a link, a blank line between paragraphs. The greeting "
            "(“Dear …”) and the links to unsubscribe are added for you.",
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}
        error_messages = {
            "subject": {
                "required": "Enter a subject",
                "max_length": "The subject must be 200 characters or fewer",
            },
            "summary": {"max_length": "The summary must be 300 characters or fewer"},
            "body": {"required": "Enter the message"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["event"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = invitations.choosable(self.instance.event_id)

    def clean_roles(self) -> list[str]:
        return sorted(self.cleaned_data.get("roles") or [])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        kind = cleaned.get("kind")
        if kind in Mailing.KIND_CHANNEL:
            cleaned["channel"] = str(Mailing.KIND_CHANNEL[kind])
        elif kind == Mailing.Kind.ANNOUNCEMENT and not cleaned.get("channel"):
            self.add_error("channel", "Choose who should receive the announcement")
        if kind == Mailing.Kind.EVENT_INVITATION and not cleaned.get("event"):
            self.add_error("event", "Choose the event you are inviting people to")
        elif kind != Mailing.Kind.EVENT_INVITATION:
            cleaned["event"] = None
        return cleaned


class ScheduleForm(forms.Form):
    """A future date and time, UK time (Europe/London, so summer time is handled)."""

    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date to send it",
            "invalid": "Enter the date as a real date, for example 17 5 2026",
        },
    )
    time = forms.TimeField(
        label="Time (UK time)",
        help_text="For example 09:30. UK time, with summer time when it applies.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter the time to send it",
            "invalid": "Enter the time as hours and minutes, for example 09:30",
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        day, at = cleaned.get("date"), cleaned.get("time")
        if day is None or at is None:
            return cleaned
        naive = dt.datetime.combine(day, at.replace(second=0, microsecond=0))
        when = naive.replace(tzinfo=LONDON)
        # A time skipped when the clocks go forward does not survive the round trip.
        if when.astimezone(dt.UTC).astimezone(LONDON).replace(tzinfo=None) != naive:
            self.add_error(
                "time", "That time does not exist on that day because the clocks go forward"
            )
            return cleaned
        if when <= timezone.now():
            self.add_error("date", "The date and time must be in the future")
            return cleaned
        cleaned["when"] = when
        return cleaned


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Mailing.Status.choices],
    )
