"""Staff forms for implementation and evaluation."""

from __future__ import annotations

from typing import Any

from django import forms

from coproduce.audit.log import snapshot
from coproduce.community.forms_cops import DateInput
from coproduce.implementation import instruments
from coproduce.implementation.models import (
    Administration,
    Construct,
    DataPoint,
    Determinant,
    ImplementationRecord,
    Instrument,
    Item,
    Measure,
    PDSACycle,
    Recommendation,
)
from coproduce.implementation.transitions import allowed_from
from coproduce.registry.models import Organisation, Person, Study
from coproduce.security.uploads import validate as validate_upload
from coproduce.staff.editing import audit_saved


def _date(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
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


def _required_messages(form: forms.BaseForm) -> None:
    """Errors that name the field: 'Enter the title', 'Choose the level'."""
    for name, field in form.fields.items():
        label = str(field.label or name).lower()
        verb = (
            "Choose" if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) else "Enter"
        )
        field.error_messages.setdefault("required", f"{verb} the {label}")
        field.error_messages["required"] = f"{verb} the {label}"
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            field.error_messages["invalid_choice"] = f"Choose the {label} from the list"


def _code_label(construct: Construct) -> str:
    domain = f"{construct.domain} – " if construct.domain else ""
    return f"{construct.instrument.slug.upper()}: {domain}{construct.name}"


def _record_label(record: ImplementationRecord) -> str:
    return f"{record.study.title}: {record}"


class StudyBound(forms.ModelForm[Any]):
    """A form for something of one study: its record choices are that study's."""

    def __init__(self, *args: Any, study: Study, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.study = study
        if "record" in self.fields:
            field = self.fields["record"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = ImplementationRecord.objects.filter(study=study).select_related("site")
            field.required = False
            field.empty_label = "None"
        _required_messages(self)


class RecordForm(StudyBound):
    class Meta:
        model = ImplementationRecord
        fields = ["meaning", "title", "site", "description", "compromises"]
        widgets = {
            "meaning": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "compromises": forms.CheckboxSelectMultiple,
        }
        labels = {"meaning": "Which kind of implementation is it?", "site": "Site"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site = self.fields["site"]
        assert isinstance(site, forms.ModelChoiceField)
        site.empty_label = "No single site"
        compromises = self.fields["compromises"]
        assert isinstance(compromises, forms.ModelMultipleChoiceField)
        compromises.queryset = compromises.queryset.filter(study=self.study)  # type: ignore[union-attr]


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=ImplementationRecord.Status.choices, widget=forms.RadioSelect
    )
    date = _date("Date", help_text="The day the status began.")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required_messages(self)


class DeterminantForm(StudyBound):
    date = _date("Date", help_text="When it was found or reported.")

    class Meta:
        model = Determinant
        fields = ["kind", "level", "category", "description", "source", "date", "record", "codes"]
        widgets = {
            "kind": forms.RadioSelect,
            "level": forms.RadioSelect,
            "category": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "codes": forms.SelectMultiple(attrs={"size": 8}),
        }
        labels = {"kind": "Barrier or facilitator"}
        help_texts = {"codes": "Optional: constructs of a framework it fits (i-PARIHS, CFIR 2022)."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = self.fields["codes"]
        assert isinstance(codes, forms.ModelMultipleChoiceField)
        codes.queryset = Construct.objects.filter(
            instrument__kind=Instrument.Kind.CODING_FRAME
        ).select_related("instrument")
        codes.label_from_instance = _code_label  # type: ignore[method-assign,assignment]


class RecommendationForm(StudyBound):
    made_on = _date("Date made")
    due = _date("Due date")

    class Meta:
        model = Recommendation
        fields = ["text", "made_by", "addressee", "partner", "contact", "made_on", "due", "record"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "addressee": forms.RadioSelect}
        labels = {"made_by": "Made by", "contact": "Who should act on it"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.order_by("full_name")
        for name in ("made_by", "contact"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = people
        partner = self.fields["partner"]
        assert isinstance(partner, forms.ModelChoiceField)
        partner.queryset = Organisation.objects.order_by("name")
        self.fields["partner"].required = False
        self.fields["contact"].required = False


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label="New status", widget=forms.RadioSelect)
    date = _date("Date")
    reason = forms.CharField(
        label="Reason for declining",
        required=False,
        help_text="Needed if it was declined.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome = forms.CharField(
        label="Outcome",
        required=False,
        help_text="Needed when recording the outcome.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, recommendation: Recommendation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Recommendation.Status.choices)
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s, labels[s]) for s in allowed_from(recommendation.status)]
        _required_messages(self)
        field.error_messages["required"] = "Choose the new status"


class ItemTextForm(forms.ModelForm[Item]):
    class Meta:
        model = Item
        fields = ["text"]
        labels = {"text": "Wording"}
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"text": {"required": "Enter the wording"}}


class AdministrationForm(StudyBound):
    date = _date("Date")

    class Meta:
        model = Administration
        fields = ["instrument", "date", "label", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Instrument.objects.filter(kind=Instrument.Kind.SURVEY)


class ResponseForm(forms.Form):
    """One respondent's scores: a choice per item of the instrument."""

    respondent = forms.CharField(
        label="Respondent reference",
        max_length=60,
        help_text="Not a name: a reference such as R07.",
        error_messages={"required": "Enter the respondent reference"},
    )

    def __init__(self, *args: Any, administration: Administration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.administration = administration
        instrument = administration.instrument
        self.items = list(
            Item.objects.filter(construct__instrument=instrument).select_related(
                "construct__instrument"
            )
        )
        for item in self.items:
            construct = item.construct
            # Each group of items offers its own scale (NoMAD: 0 to 10 for the general items,
            # 1 to 5 for the construct items) and, where allowed, each "not relevant" response
            # apart (NoMAD's option B: to my role, at this stage, to this intervention).
            choices: list[tuple[str, str]] = [("", "Not answered")]
            for point in construct.item_scale:
                label = str(point["label"])
                value = str(point["value"])
                choices.append((value, value if label == value else f"{value}: {label}"))
            choices += [
                (instruments.not_relevant_token(key), label)
                for key, label in construct.not_relevant_choices
            ]
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=f"{item.code} ({construct.name}): {item.text}",
                choices=choices,
                required=False,
            )

    def clean_respondent(self) -> str:
        respondent = self.cleaned_data["respondent"].strip()
        if self.administration.responses.filter(respondent=respondent).exists():
            raise forms.ValidationError("This respondent already has scores here")
        return respondent

    def values(self) -> dict[Item, instruments.Answer]:
        return {
            item: instruments.parse_answer(self.cleaned_data[f"item_{item.pk}"], item.construct)[1]
            for item in self.items
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="First column “respondent”, then one column per item code.",
        error_messages={"required": "Choose a CSV file", "empty": "The file is empty"},
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        validate_upload(upload, "scores")
        data = upload.read()
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError("The file must be a CSV file saved as UTF-8") from error
        return bytes(data)


class _PointChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.date:%d %b %Y}: {obj.value:g}"


class MeasureForm(StudyBound):
    baseline_end = _date(
        "Baseline ends",
        required=False,
        help_text="Freeze the median (and the control limits) over the points up to and "
        "including this date, and judge later points against it. Leave empty to use all the "
        "points.",
    )

    class Meta:
        model = Measure
        fields = [
            "name",
            "unit",
            "direction",
            "definition",
            "record",
            "rules",
            "baseline_end",
            "target",
        ]
        widgets = {
            "direction": forms.RadioSelect,
            "rules": forms.RadioSelect,
            "definition": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"target": {"invalid": "Enter the target as a number"}}

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        if self.instance.pk is None:
            return  # points come after the measure
        points = self.instance.points.order_by("date", "pk")
        field = _PointChoices(
            queryset=points,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="Astronomical data points",
            help_text="Tick the points everyone studying the chart would agree are obviously "
            "different from the rest. The run chart rules report them; this is a judgement, "
            "not a calculation.",
            initial=[point.pk for point in points if point.astronomical],
        )
        self.fields["astronomical_points"] = field

    def _save_m2m(self) -> None:
        """Set the points' astronomical flags, each change audited on its data point (this
        runs inside `save_with_audit`'s transaction)."""
        super()._save_m2m()  # type: ignore[misc]
        if "astronomical_points" not in self.cleaned_data:
            return
        chosen = {point.pk for point in self.cleaned_data["astronomical_points"]}
        for point in self.instance.points.all():
            if point.astronomical != (point.pk in chosen):
                before = snapshot(point)
                point.astronomical = point.pk in chosen
                point.save(update_fields=["astronomical"])
                audit_saved(self.actor, point, before)


class DataPointForm(forms.ModelForm[DataPoint]):
    date = _date("Date")

    class Meta:
        model = DataPoint
        fields = ["date", "value", "note", "astronomical"]
        error_messages = {
            "value": {"required": "Enter the value", "invalid": "Enter the value as a number"}
        }

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure

    def clean_date(self) -> Any:
        day = self.cleaned_data["date"]
        if self.measure.points.filter(date=day).exists():
            raise forms.ValidationError("There is already a value for this date")
        return day


class CycleForm(forms.ModelForm[PDSACycle]):
    start = _date("Start")
    end = _date("End", required=False, help_text="Leave empty while it continues.")

    class Meta:
        model = PDSACycle
        fields = ["title", "start", "end", "plan", "do", "study_notes", "act"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3}) for name in ("plan", "do", "study_notes", "act")
        }
        labels = {"plan": "Plan", "do": "Do", "study_notes": "Study", "act": "Act"}
        error_messages = {"title": {"required": "Enter the change being tested"}}
