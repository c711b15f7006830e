"""Staff forms for funding and capacity. Field errors are NHS.UK style: plain words that name
the field and say how to put it right."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from coproduce.community.forms_cops import DateInput
from coproduce.funding import fy
from coproduce.funding.models import (
    Attendance,
    Award,
    AwardAmount,
    Contribution,
    FellowEvent,
    FurtherFunding,
    PlacementAgreement,
    StaffTime,
    TrainingSession,
    Vacancy,
)
from coproduce.registry.models import Organisation, Person, Placement, Secondment


def money_field(label: str = "Amount") -> forms.DecimalField:
    """Pounds and pence: at most 2 decimal places, never negative."""
    name = label.lower()
    return forms.DecimalField(
        label=f"{label} (pounds and pence)",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text="For example 12500 or 12500.50",
        error_messages={
            "required": f"Enter the {name}",
            "invalid": f"Enter the {name} as a number, for example 12500.50",
            "min_value": f"The {name} cannot be negative",
            "max_decimal_places": f"Enter the {name} in pounds and pence: no more than 2 "
            "decimal places",
            "max_digits": f"The {name} is too large",
            "max_whole_digits": f"The {name} is too large",
        },
    )


def year_choice(label: str = "Financial year") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "Choose a financial year"), *fy.choices()],
        coerce=int,
        help_text="April to March.",
        error_messages={
            "required": "Choose the financial year",
            "invalid_choice": "Choose a financial year from the list",
        },
    )


class StaffForm(forms.ModelForm):
    """Required messages that name the field, and date pickers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(field.label or name).lower()
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
                field.error_messages["invalid"] = (
                    f"Enter the {label} as a real date, for example 17 5 2012"
                )
            verb = (
                "Choose"
                if isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
                else "Enter"
            )
            if (
                field.error_messages.get("required")
                == forms.Field.default_error_messages["required"]
            ):
                field.error_messages["required"] = f"{verb} the {label}"


class AwardForm(StaffForm):
    class Meta:
        model = Award
        fields = ["funder", "reference", "title", "currency", "start", "end"]


class AwardAmountForm(StaffForm):
    year = year_choice()
    amount = money_field()

    class Meta:
        model = AwardAmount
        fields = ["year", "amount"]

    def __init__(self, *args: Any, award: Award | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.award = award or getattr(self.instance, "award", None)

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        award = self.award
        if award is not None and year not in award.years():
            first, last = award.years()[0], award.years()[-1]
            raise forms.ValidationError(
                f"Choose a financial year the award runs in: {fy.label(first)} to {fy.label(last)}"
            )
        if award is not None:
            taken = AwardAmount.objects.filter(award=award, year=year).exclude(pk=self.instance.pk)
            if taken.exists():
                raise forms.ValidationError(
                    f"The award already has an amount for {fy.label(year)}: change that one"
                )
        return year


class ContributionForm(StaffForm):
    organisation = forms.ModelChoiceField(
        label="Partner",
        queryset=Organisation.objects.filter(partner_since__isnull=False).order_by("name"),
        error_messages={"required": "Choose the partner that made the contribution"},
    )
    year = year_choice()
    amount = money_field()

    class Meta:
        model = Contribution
        fields = [
            "organisation",
            "year",
            "kind",
            "amount",
            "currency",
            "description",
            "received_on",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].error_messages["required"] = (
            "Choose the partner that made the contribution"
        )


class StaffTimeForm(StaffForm):
    organisation = forms.ModelChoiceField(
        label="Partner", queryset=Organisation.objects.filter(partner_since__isnull=False)
    )

    class Meta:
        model = StaffTime
        fields = ["organisation", "person", "description", "fte", "start", "end"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].error_messages["required"] = (
            "Choose the partner that gives the staff time"
        )
        self.fields["fte"].error_messages.update(
            {
                "min_value": "The full-time equivalent must be at least 0.01",
                "max_value": "The full-time equivalent cannot be more than 1",
            }
        )


class FurtherFundingForm(StaffForm):
    amount = money_field()

    class Meta:
        model = FurtherFunding
        fields = ["funder", "scheme", "title", "amount", "currency", "start", "end", "studies"]
        fields += ["people"]
        widgets = {
            "studies": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = Person.objects.order_by("full_name")  # type: ignore[attr-defined]


def _secondments() -> Any:
    return Secondment.objects.select_related("person", "study").order_by("person__full_name")


class VacancyForm(StaffForm):
    class Meta:
        model = Vacancy
        fields = ["study", "advertised_on", "replaces", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["replaces"].queryset = _secondments()  # type: ignore[attr-defined]


class NominateForm(forms.Form):
    nominated_by = forms.ModelChoiceField(
        label="Nominating partner",
        queryset=Organisation.objects.filter(partner_since__isnull=False),
        error_messages={"required": "Choose the partner that nominated the fellow"},
    )
    nominee = forms.ModelChoiceField(
        label="Nominee",
        queryset=Person.objects.order_by("full_name"),
        error_messages={"required": "Choose the person nominated"},
    )
    nominated_on = forms.DateField(
        label="Date nominated",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date nominated",
            "invalid": "Enter the date nominated as a real date, for example 17 5 2012",
        },
    )


class AgreeForm(forms.Form):
    agreed_on = forms.DateField(
        label="Date the agreement was signed",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date the agreement was signed",
            "invalid": "Enter the date as a real date, for example 17 5 2012",
        },
    )
    start = forms.DateField(
        label="Secondment starts",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date the secondment starts",
            "invalid": "Enter the start as a real date, for example 17 5 2012",
        },
    )
    end = forms.DateField(
        label="Secondment ends",
        required=False,
        widget=DateInput(),
        help_text="Leave empty while it continues.",
        error_messages={"invalid": "Enter the end as a real date, for example 17 5 2012"},
    )
    fte = forms.DecimalField(
        label="Full-time equivalent",
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("1"),
        initial=Decimal("0.20"),
        help_text="0.2 is one day a week.",
        error_messages={
            "required": "Enter the full-time equivalent",
            "invalid": "Enter the full-time equivalent as a number, for example 0.2",
            "min_value": "The full-time equivalent must be at least 0.01",
            "max_value": "The full-time equivalent cannot be more than 1",
            "max_decimal_places": "Enter the full-time equivalent to 2 decimal places at most",
        },
    )
    in_kind_value = money_field("Value a year")
    in_kind_value.required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date must be on or after the start date")
        return data


class FellowEventForm(StaffForm):
    class Meta:
        model = FellowEvent
        fields = ["secondment", "kind", "date", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["secondment"].queryset = _secondments()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        secondment, date = data.get("secondment"), data.get("date")
        if (
            secondment
            and date
            and date < secondment.start
            and data.get("kind")
            not in (
                FellowEvent.Kind.NOMINATED,
                FellowEvent.Kind.AGREED,
            )
        ):
            self.add_error("date", "The date must be on or after the secondment starts")
        return data


class PlacementAgreementForm(StaffForm):
    class Meta:
        model = PlacementAgreement
        fields = ["placement", "fte", "agreed_on", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["placement"].queryset = Placement.objects.select_related(  # type: ignore[attr-defined]
            "person", "host_organisation"
        ).order_by("person__full_name")


class TrainingSessionForm(StaffForm):
    class Meta:
        model = TrainingSession
        fields = ["title", "kind", "date", "hours", "facilitator"]


class AttendanceForm(StaffForm):
    class Meta:
        model = Attendance
        fields = ["person", "associate", "organisation", "role", "note"]

    def __init__(self, *args: Any, session: TrainingSession | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.order_by("full_name")  # type: ignore[attr-defined]
        self.fields["person"].help_text = "Or choose the associate below."
