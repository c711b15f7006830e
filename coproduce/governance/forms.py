"""Governance forms, rendered with {% nhsuk_field %}. Messages say what to do, NHS.UK style."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from coproduce.governance import uploads
from coproduce.governance.criteria import RATINGS, criteria_for
from coproduce.governance.models import (
    Panel,
    PanelMembership,
    ProtocolVersion,
    Recommendation,
    ReviewRound,
)
from coproduce.registry.models import Person
from coproduce.security.uploads import validate as validate_upload

YES_NO = [
    ("no", "No, I have no conflict of interest"),
    ("yes", "Yes, I have a conflict of interest"),
]


class ProtocolForm(forms.Form):
    label = forms.CharField(
        label="Version label",
        max_length=40,
        help_text="For example 1.0 or 2.1.",
        error_messages={"required": "Enter a version label"},
    )
    summary_of_changes = forms.CharField(
        label="Summary of changes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What changed since the last version. Leave empty for a first version.",
    )
    document = forms.FileField(
        label="Protocol document",
        help_text=f"A PDF or Word document (.docx), smaller than {uploads.human_size(uploads.DEFAULT_MAX_BYTES)}.",
        error_messages={
            "required": "Select a protocol document",
            "empty": "The selected file is empty.",
        },
    )

    def __init__(self, *args: Any, study: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.study = study
        self.fields[
            "document"
        ].help_text = f"A PDF or Word document (.docx), smaller than {uploads.human_size(uploads.max_bytes())}."
        self.checked: uploads.Checked | None = None

    def clean_label(self) -> str:
        label = self.cleaned_data["label"].strip()
        if ProtocolVersion.objects.filter(study=self.study, label__iexact=label).exists():
            raise forms.ValidationError("This study already has a protocol version with this label")
        return label

    def clean_document(self) -> Any:
        document = self.cleaned_data["document"]
        validate_upload(document, "protocol")
        self.checked = uploads.check(document)
        return document


class SubmitForm(forms.Form):
    panel = forms.ModelChoiceField(
        label="Which panel should review this version?",
        queryset=Panel.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select a panel"},
    )
    cover_note = forms.CharField(
        label="Note to the panel",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, version: ProtocolVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        field = self.fields["panel"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Panel.objects.filter(kind__in=Panel.REVIEWING).order_by("kind")

    def clean_panel(self) -> Panel:
        panel: Panel = self.cleaned_data["panel"]
        if ReviewRound.objects.filter(protocol_version=self.version, panel=panel).exists():
            raise forms.ValidationError(f"This version has already been submitted to the {panel}")
        return panel


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label="Reviewer",
        queryset=Person.objects.none(),
        help_text="Current members of the panel who are not yet reviewers in this round.",
        error_messages={"required": "Select a reviewer"},
    )

    def __init__(self, *args: Any, review_round: ReviewRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = eligible_reviewers(review_round)
        field.empty_label = "Select a reviewer"


def eligible_reviewers(review_round: ReviewRound) -> QuerySet[Person]:
    members = PanelMembership.objects.active_on().filter(panel_id=review_round.panel_id)
    return (
        Person.objects.filter(pk__in=members.values("person_id"))
        .exclude(review_assignments__round=review_round)
        .order_by("full_name")
    )


class DeclareForm(forms.Form):
    conflict = forms.ChoiceField(
        label="Do you have a conflict of interest with this study?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=(
            "For example a financial interest, a role in the study or its partner organisations, "
            "or a close working or personal relationship with the study team."
        ),
        error_messages={"required": "Select whether you have a conflict of interest"},
    )
    details = forms.CharField(
        label="Describe the conflict",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only if you have one. Managers see this; the study team does not.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("conflict") == "yes" and not data.get("details", "").strip():
            self.add_error("details", "Describe the conflict of interest")
        return data


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    STALE = (
        "Someone else saved a change here while you were editing, so your changes were not "
        "saved. Open the page again to see the latest version, then make your changes again."
    )


class AssessmentForm(VersionedForm):
    def __init__(self, *args: Any, panel_kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria_for(panel_kind)
        for criterion in self.criteria:
            self.fields[f"rating_{criterion.key}"] = forms.ChoiceField(
                label=criterion.label,
                help_text=criterion.hint,
                choices=RATINGS,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select a rating for {criterion.label.lower()}"},
            )
            self.fields[f"comment_{criterion.key}"] = forms.CharField(
                label=f"Comments on {criterion.label.lower()}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["comments"] = forms.CharField(
            label="Overall comments",
            required=False,
            widget=forms.Textarea(attrs={"rows": 5}),
        )
        self.order_fields([*[n for n in self.fields if n != "version"], "version"])

    def criterion_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"rating_{c.key}"], self[f"comment_{c.key}"]) for c in self.criteria]

    def ratings(self) -> dict[str, dict[str, str]]:
        return {
            c.key: {
                "rating": self.cleaned_data[f"rating_{c.key}"],
                "comment": self.cleaned_data[f"comment_{c.key}"].strip(),
            }
            for c in self.criteria
        }

    @staticmethod
    def initial_for(assessment: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {"version": assessment.version, "comments": assessment.comments}
        for key, value in (assessment.ratings or {}).items():
            initial[f"rating_{key}"] = value.get("rating", "")
            initial[f"comment_{key}"] = value.get("comment", "")
        return initial


class RecommendationForm(VersionedForm):
    decision = forms.ChoiceField(
        label="The panel's recommendation",
        choices=Recommendation.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the panel's recommendation"},
    )
    rationale = forms.CharField(
        label="Reasons",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the reasons for the recommendation"},
    )
    conditions = forms.CharField(
        label="Conditions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only for approval with conditions. One condition a line.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lines = [line.strip() for line in data.get("conditions", "").splitlines() if line.strip()]
        data["condition_list"] = lines
        decision = data.get("decision")
        if decision == Recommendation.Decision.APPROVE_WITH_CONDITIONS and not lines:
            self.add_error("conditions", "Enter at least one condition, one a line")
        elif decision and decision != Recommendation.Decision.APPROVE_WITH_CONDITIONS and lines:
            self.add_error(
                "conditions",
                "Remove the conditions, or choose approve with conditions",
            )
        return data


class ResponseForm(forms.Form):
    response = forms.CharField(
        label="The study team's response",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="How the study will act on the recommendation and any conditions.",
        error_messages={"required": "Enter the study team's response"},
    )


class ConditionMetForm(forms.Form):
    note = forms.CharField(
        label="How was it met?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MemberForm(forms.ModelForm):
    class Meta:
        model = PanelMembership
        fields = ["person", "role", "represents", "start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"start": "Term starts", "end": "Term ends", "represents": "Represents"}
        help_texts = {"represents": "Steering committees need a current service user or carer."}
        error_messages = {
            "person": {"required": "Select a person"},
            "start": {"required": "Enter the date the term starts", "invalid": "Enter a real date"},
            "end": {"invalid": "Enter a real date"},
        }


END_BEFORE_START = "The date the term ends must be the same as or after the date it starts"


class MembershipForm(forms.ModelForm):
    """Change a membership's role, whom the member represents and the term's dates."""

    class Meta:
        model = PanelMembership
        fields = ["role", "represents", "start", "end"]
        widgets = {
            "role": forms.RadioSelect,
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"start": "Term starts", "end": "Term ends", "represents": "Represents"}
        help_texts = {
            "end": "Leave empty while the term continues.",
            "represents": "Steering committees need a current service user or carer.",
        }
        error_messages = {
            "role": {"required": "Select a role"},
            "start": {"required": "Enter the date the term starts", "invalid": "Enter a real date"},
            "end": {"invalid": "Enter a real date"},
        }

    def __init__(self, *args: Any, allow_chair: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_chair:
            field = self.fields["role"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                (value, label)
                for value, label in PanelMembership.Role.choices
                if value != PanelMembership.Role.CHAIR
            ]
            field.help_text = "Only a manager can make someone chair."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", END_BEFORE_START)
            # Dated.clean would say it again in other words, against the saved end date.
            self.instance.end = None
        return data


class EndTermForm(forms.Form):
    end = forms.DateField(
        label="Date the term ends",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The member's last day on the panel. It can be today, past or future.",
        error_messages={
            "required": "Enter the date the term ends",
            "invalid": "Enter a real date",
        },
    )

    def __init__(self, *args: Any, membership: PanelMembership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean_end(self) -> Any:
        end = self.cleaned_data["end"]
        if end < self.membership.start:
            start = self.membership.start
            raise forms.ValidationError(f"{END_BEFORE_START}, {start.day} {start:%B %Y}")
        return end
