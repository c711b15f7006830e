"""Staff forms for communities of practice: activities, leadership changes, purpose, health."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from coproduce.community import health
from coproduce.community.models import Activity, CommunityOfPractice, LeadershipPeriod


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and sends ISO dates."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a real date, for example 17 5 2012",
        },
    )


class ActivityForm(forms.ModelForm[Activity]):
    date = _date_field("Date", help_text="A future date makes it an upcoming meeting.")

    class Meta:
        model = Activity
        fields = [
            "title",
            "date",
            "characteristic",
            "led_by",
            "description",
            "attendee_count",
            "outputs",
        ]
        labels = {
            "title": "Title",
            "characteristic": "Which characteristic of a community of practice is it mainly?",
            "led_by": "Who led it?",
            "description": "Description",
            "attendee_count": "Number of people who took part",
            "outputs": "Outputs",
        }
        help_texts = {
            "characteristic": "Choose the one that fits best.",
            "attendee_count": "Leave as 0 for an upcoming meeting.",
        }
        widgets = {
            "characteristic": forms.RadioSelect,
            "led_by": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "outputs": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "title": {"required": "Enter a title"},
            "characteristic": {
                "required": "Choose the characteristic of the activity",
                "invalid_choice": "Choose the characteristic of the activity",
            },
            "led_by": {
                "required": "Choose who led the activity",
                "invalid_choice": "Choose who led the activity",
            },
            "attendee_count": {
                "invalid": "Enter the number of people as a whole number, like 12",
                "min_value": "The number of people must be 0 or more",
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Radios need no empty choice: nothing chosen is the "required" error.
        choices = {
            "characteristic": Activity.Characteristic.choices,
            "led_by": Activity.LedBy.choices,
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options
        self.fields["attendee_count"].required = False

    def clean_attendee_count(self) -> int:
        return self.cleaned_data.get("attendee_count") or 0

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        day = cleaned.get("date")
        if day and day > timezone.localdate() and cleaned.get("attendee_count"):
            self.add_error(
                "attendee_count",
                "An upcoming meeting has had no one take part yet: leave the number as 0",
            )
        return cleaned


class LeadershipForm(forms.ModelForm[LeadershipPeriod]):
    """A change of leadership: a new period, which ends the one before it."""

    start = _date_field("Start date", help_text="The day the new leadership took over.")

    class Meta:
        model = LeadershipPeriod
        fields = ["model", "leads", "start", "note"]
        labels = {
            "model": "How is the community led from now on?",
            "leads": "Who leads it",
            "note": "Note for staff",
        }
        help_texts = {
            "leads": "As it should appear on the public page, for example “Two members "
            "(a service user and an occupational therapist) with the study's researcher”.",
        }
        widgets = {"model": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "model": {
                "required": "Choose how the community is led",
                "invalid_choice": "Choose how the community is led",
            },
        }

    def __init__(self, *args: Any, cop: CommunityOfPractice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cop = cop
        field = self.fields["model"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = CommunityOfPractice.Leadership.choices

    def clean_start(self) -> dt.date:
        start: dt.date = self.cleaned_data["start"]
        if start > timezone.localdate():
            raise forms.ValidationError("The start date must be today or in the past")
        latest = self.cop.leadership_periods.order_by("-start", "-pk").first()
        if latest is not None and start <= latest.start:
            raise forms.ValidationError(
                f"The start date must be after {latest.start.day} {latest.start:%B %Y}, "
                "when the current leadership started"
            )
        return start

    def save(self, commit: bool = True) -> LeadershipPeriod:
        self.instance.cop = self.cop
        return super().save(commit=commit)


class CommunityAboutForm(forms.ModelForm[CommunityOfPractice]):
    class Meta:
        model = CommunityOfPractice
        fields = ["purpose", "ground_rules"]
        labels = {"purpose": "Purpose", "ground_rules": "Ground rules"}
        help_texts = {
            "purpose": "What the community is for, in a few sentences. Shown on the public page.",
            "ground_rules": "How members agree to work together. Shown on the public page.",
        }
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 5}),
            "ground_rules": forms.Textarea(attrs={"rows": 6}),
        }


class HealthForm(forms.Form):
    """Which quarters the health pages show: GET parameters, changing nothing."""

    until = _date_field(
        "Show figures up to",
        required=False,
        help_text="Only quarters that had ended by this date are shown. Leave empty for today.",
    )
    quarters = forms.TypedChoiceField(
        label="Number of quarters",
        choices=[
            (count, f"{count} quarters ({count // 4} years)") for count in health.QUARTER_CHOICES
        ],
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a number of quarters from the list"},
    )

    def clean_until(self) -> dt.date | None:
        until: dt.date | None = self.cleaned_data.get("until")
        if until and until > timezone.localdate():
            raise forms.ValidationError("The date must be today or in the past")
        return until

    def settings(self) -> tuple[dt.date, int]:
        """The date and number of quarters to use; defaults for anything invalid."""
        self.is_valid()  # fields with a bad value are left out of cleaned_data
        cleaned = self.cleaned_data
        return (
            cleaned.get("until") or timezone.localdate(),
            cleaned.get("quarters") or health.DEFAULT_QUARTERS,
        )
