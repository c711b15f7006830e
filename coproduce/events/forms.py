"""Forms: booking a place (public), choosing a kind of event, and the staff event form.

Staff enter dates and times in UK time (settings.TIME_ZONE): a date and a start time, an end
time, and an end date only when the event runs over more than one day.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django import forms

from coproduce.events import dates
from coproduce.events.models import Event
from coproduce.events.reminders import MAX_REMINDER_HOURS
from coproduce.lib.identifiers import normalise_email, validate_single_line
from coproduce.lib.spam import check_form
from coproduce.staff.lookup import LookupField


class BookingForm(forms.Form):
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
        help_text="We will email your booking to this address, with a link to cancel it.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    access_needs = forms.CharField(
        label="Access needs",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Tell us anything that would help you take part, such as step-free access, "
            "a hearing loop, large print or dietary needs."
        ),
        error_messages={"max_length": "Access needs must be 2,000 characters or fewer"},
    )
    # Named to look worth filling in to a bot; hidden from people and assistive technology.
    website = forms.CharField(required=False, label="Leave this empty")
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_form(self)
        return cleaned


class KindForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type of event",
        choices=[("", "All types of event"), *Event.Kind.choices],
        required=False,
    )

    def chosen(self) -> str:
        return self.cleaned_data.get("kind", "") if self.is_valid() else ""


# Words the public events pages use in their own addresses (see urls.py).
RESERVED_SLUGS = frozenset({"past", "booking", "feed", "new"})


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class _TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


def _refuse_control_characters(value: str, label: str) -> str:
    """A one-line text (a title, a venue) holds no line break nor other control character: they
    cannot be seen or typed in a one-line box, and reach calendars and feeds."""
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value):
        raise forms.ValidationError(
            f"{label} must be on one line, without line breaks or hidden characters",
            code="control_characters",
        )
    return value


class EventForm(forms.ModelForm):
    date = forms.DateField(
        label="Date",
        widget=_DateInput(),
        help_text="The day the event starts, for example 17 March 2026.",
        error_messages={"required": "Enter the date", "invalid": "Enter a real date"},
    )
    start_time = forms.TimeField(
        label="Start time",
        widget=_TimeInput(),
        help_text="UK time, on the 24-hour clock, for example 09:30.",
        error_messages={
            "required": "Enter the start time",
            "invalid": "Enter a real time, like 09:30",
        },
    )
    end_time = forms.TimeField(
        label="End time",
        widget=_TimeInput(),
        help_text="UK time, for example 16:00.",
        error_messages={
            "required": "Enter the end time",
            "invalid": "Enter a real time, like 16:00",
        },
    )
    end_date = forms.DateField(
        label="End date",
        required=False,
        widget=_DateInput(),
        help_text="Only if the event runs over more than one day.",
        error_messages={"invalid": "Enter a real date"},
    )
    online_url = forms.URLField(
        label="Online joining link",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="For an online or hybrid event. Sent to people with a place.",
        error_messages={"invalid": "Enter a web address, like https://meet.example.org/event"},
    )
    cop = LookupField(
        "communities",
        label="Community of practice",
        required=False,
        help_text="For a community's meeting, or an event it hosts. Type part of its name.",
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "slug",
            "kind",
            "status",
            "summary",
            "description",
            "date",
            "start_time",
            "end_time",
            "end_date",
            "venue",
            "address",
            "online_url",
            "capacity",
            "cop",
            "reminder_hours_before",
        ]
        labels = {
            "slug": "Web address name",
            "kind": "Type of event",
            "summary": "Summary",
            "online_url": "Online joining link",
            "capacity": "Places",
            "reminder_hours_before": "Send reminders this many hours before",
        }
        help_texts = {
            "slug": "Lower-case letters, numbers and hyphens, used in the event's web address.",
            "summary": "One or two sentences for the list of events.",
            "capacity": "How many people can come. Leave empty for no limit; "
            "once places are taken, later bookings join a waiting list.",
            "online_url": "For an online or hybrid event. Sent to people with a place.",
            "reminder_hours_before": "48 is two days before. Up to 336 (two weeks).",
        }
        error_messages = {
            "title": {"required": "Enter the title"},
            "slug": {
                "required": "Enter a web address name",
                "unique": "Another event already uses this web address name",
                "invalid": "Use only lower-case letters, numbers and hyphens",
            },
            "kind": {"required": "Select the type of event"},
            "capacity": {
                "min_value": "Places must be 0 or more",
                "invalid": "Enter a whole number",
            },
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        event = self.instance
        if event.pk and event.starts and event.ends:
            starts, ends = dates.local(event.starts), dates.local(event.ends)
            self.initial.setdefault("date", starts.date())
            self.initial.setdefault("start_time", starts.time())
            self.initial.setdefault("end_time", ends.time())
            if ends.date() != starts.date():
                self.initial.setdefault("end_date", ends.date())

    def clean_title(self) -> str:
        return _refuse_control_characters(self.cleaned_data["title"], "Title")

    def clean_summary(self) -> str:
        return _refuse_control_characters(self.cleaned_data.get("summary", ""), "Summary")

    def clean_venue(self) -> str:
        return _refuse_control_characters(self.cleaned_data.get("venue", ""), "Venue")

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(
                "This web address name is taken by the events pages: choose another"
            )
        return slug

    def clean_capacity(self) -> int | None:
        value = self.cleaned_data.get("capacity")
        if value is not None and value < 0:
            raise forms.ValidationError("Places must be 0 or more", code="min_value")
        return value

    def clean_reminder_hours_before(self) -> int:
        value = self.cleaned_data.get("reminder_hours_before")
        if value is None:
            raise forms.ValidationError("Enter how many hours before to send reminders")
        if not 0 <= value <= MAX_REMINDER_HOURS:
            raise forms.ValidationError(f"Enter a number of hours from 0 to {MAX_REMINDER_HOURS}")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start and end:
            zone = dates.london()
            last_day = cleaned.get("end_date") or day
            starts = dt.datetime.combine(day, start, tzinfo=zone)
            ends = dt.datetime.combine(last_day, end, tzinfo=zone)
            if ends <= starts:
                field = "end_date" if cleaned.get("end_date") else "end_time"
                self.add_error(field, "The event must end after it starts")
            else:
                # Stored (and compared for the audit trail) in UTC, like values read back.
                self.instance.starts = starts.astimezone(dt.UTC)
                self.instance.ends = ends.astimezone(dt.UTC)
        if not (cleaned.get("venue") or cleaned.get("address") or cleaned.get("online_url")):
            self.add_error("venue", "Enter a venue or address, or an online joining link")
        return cleaned
