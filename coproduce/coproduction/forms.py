"""Forms for co-production records, rendered with {% nhsuk_field %}."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from coproduce.community.forms_cops import DateInput
from coproduce.coproduction import gripp2
from coproduce.coproduction import models as m
from coproduce.registry.models import Person, Placement, Secondment
from coproduce.security.uploads import validate as validate_upload


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


def _checkboxes(label: str, choices: Any, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
    )


# --- knowledge-broker activity -----------------------------------------------------------------


class BrokerActivityForm(forms.ModelForm[m.BrokerActivity]):
    """One short form: the posting is chosen for you when you have only one."""

    posting = forms.ChoiceField(label="Which post is this for?", widget=forms.RadioSelect)
    date = _date("Date")

    class Meta:
        model = m.BrokerActivity
        fields = ["date", "hours", "direction", "kind", "mobilisation", "audience", "outcome"]
        labels = {
            "hours": "Hours",
            "direction": "Direction",
            "kind": "What kind of work?",
            "mobilisation": "How did knowledge move?",
            "audience": "Audience or organisation",
            "outcome": "Outcome",
        }
        help_texts = {"hours": "For example 1.5 for an hour and a half."}
        widgets = {
            "hours": forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
            "direction": forms.RadioSelect,
            "mobilisation": forms.RadioSelect,
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "hours": {
                "required": "Enter the hours, like 1.5",
                "invalid": "Enter the hours as a number, like 1.5",
                "min_value": "Enter at least 0.25 hours",
                "max_value": "Enter no more than 24 hours",
            },
            "direction": {"required": "Choose inward or outward"},
            "kind": {"required": "Choose what kind of work it was"},
            "mobilisation": {"required": "Choose how knowledge moved"},
        }

    def __init__(
        self,
        *args: Any,
        secondments: list[Secondment],
        placements: list[Placement],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.postings: dict[str, Secondment | Placement] = {}
        choices = []
        for sec in secondments:
            key = f"s:{sec.public_id}"
            self.postings[key] = sec
            choices.append((key, f"Diffusion fellow: {sec.study.title}"))
        for placement in placements:
            key = f"p:{placement.public_id}"
            self.postings[key] = placement
            choices.append((key, f"Researcher in residence at {placement.host_organisation}"))
        field = self.fields["posting"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        field.error_messages["required"] = "Choose which post this is for"
        if choices:
            field.initial = choices[0][0]
        if self.instance.pk:
            self.initial["posting"] = self.posting_key(self.instance)
        if len(choices) == 1:
            field.widget = forms.HiddenInput()
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [
            ("", "Choose the kind of work"),
            *m.BrokerActivity.Kind.choices,
        ]
        self.fields["date"].initial = timezone.localdate()
        self.fields["hours"].initial = Decimal("1")
        self.fields["direction"].initial = m.BrokerActivity.Direction.INWARD
        self.fields["mobilisation"].initial = m.BrokerActivity.Mobilisation.HORIZONTAL
        self.order_fields(["posting", "date", "hours", "direction", "kind", "mobilisation"])

    @staticmethod
    def posting_key(activity: m.BrokerActivity) -> str:
        if activity.secondment is not None:
            return f"s:{activity.secondment.public_id}"
        if activity.placement is not None:
            return f"p:{activity.placement.public_id}"
        return ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        posting = self.postings.get(data.get("posting", ""))
        day: dt.date | None = data.get("date")
        if posting is not None and day is not None:
            if day < posting.start or (posting.end and day > posting.end):
                self.add_error("date", "Enter a date within the post's start and end dates")
            if day > timezone.localdate():
                self.add_error("date", "Enter today's date or a date in the past")
        return data

    def save(self, commit: bool = True) -> m.BrokerActivity:
        activity = super().save(commit=False)
        posting = self.postings[self.cleaned_data["posting"]]
        activity.person_id = posting.person_id
        if isinstance(posting, Secondment):
            activity.secondment, activity.placement = posting, None
            activity.study_id = posting.study_id
        else:
            activity.placement, activity.secondment = posting, None
            activity.study_id = posting.study_id
        if commit:
            activity.save()
        return activity


# --- compromises -------------------------------------------------------------------------------


class CompromiseForm(forms.ModelForm[m.Compromise]):
    date = _date("Date agreed")

    class Meta:
        model = m.Compromise
        fields = [
            "summary",
            "date",
            "topic",
            "options_considered",
            "agreed",
            "direction",
            "rationale",
            "protocol",
            "protocol_version",
            "sources",
        ]
        labels = {
            "summary": "Short title",
            "topic": "Topic",
            "options_considered": "Options considered",
            "agreed": "What was agreed",
            "direction": "Direction of concession",
            "rationale": "Rationale",
            "protocol": "Protocol version it changed (optional)",
            "protocol_version": "Protocol version as written before versions were linked "
            "(optional)",
            "sources": "Sources it was recorded from",
        }
        widgets = {
            "topic": forms.RadioSelect,
            "direction": forms.RadioSelect,
            "options_considered": forms.Textarea(attrs={"rows": 3}),
            "agreed": forms.Textarea(attrs={"rows": 3}),
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "sources": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "summary": {"required": "Enter a short title"},
            "topic": {"required": "Choose the topic"},
            "agreed": {"required": "Enter what was agreed"},
            "direction": {"required": "Choose the direction of concession"},
        }

    def __init__(self, *args: Any, study: Any, can_see_sources: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        protocol = self.fields["protocol"]
        assert isinstance(protocol, forms.ModelChoiceField)
        protocol.queryset = protocol.queryset.filter(study=study)  # type: ignore[union-attr]
        protocol.label_from_instance = lambda version: f"Version {version.label}"  # type: ignore[method-assign,assignment]
        protocol.empty_label = "None"
        protocol.help_text = "One of the study's governance protocol versions."
        protocol.error_messages["invalid_choice"] = "Choose a protocol version of this study"
        if can_see_sources:
            self.fields["sources"].queryset = m.Source.objects.filter(study=study)  # type: ignore[attr-defined]
        else:
            del self.fields["sources"]


PositionFormSet: Any = forms.inlineformset_factory(
    m.Compromise,
    m.CompromisePosition,
    fields=["party", "position"],
    extra=3,
    max_num=8,
    can_delete=True,
    can_delete_extra=False,  # only a saved position can be deleted; a blank one is left blank
    labels={"party": "Party", "position": "Their position"},
    widgets={"position": forms.Textarea(attrs={"rows": 2})},
)


# --- sources -----------------------------------------------------------------------------------


def parse_people(text: str) -> list[tuple[str, str]]:
    """(name, email) for each line like "Name <email>"; the address may be missing."""
    from email.utils import parseaddr

    people = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, address = parseaddr(line.strip())
        if "@" not in address:
            name, address = line.strip(), ""
        people.append((name or address, address.lower()))
    return people


def people_text(source: m.Source, role: str) -> str:
    """The source's participants in one role, one a line as Name <email> (parse_people's form)."""
    from email.utils import formataddr

    lines = []
    for link in source.links.filter(role=role).select_related("participant").order_by("pk"):
        participant = link.participant
        if participant.email:
            lines.append(formataddr((participant.full_name, participant.email)))
        else:
            lines.append(participant.full_name)
    return "\n".join(lines)


class MeetingForm(forms.ModelForm[m.Source]):
    date = _date("Date of the meeting")
    attendees = forms.CharField(
        label="Attendees",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line, as Name <email>; the email address is optional.",
        error_messages={"required": "Enter who attended"},
    )

    class Meta:
        model = m.Source
        fields = ["title", "date", "attendees", "notes", "observations"]
        labels = {"title": "Meeting", "notes": "Notes", "observations": "Observations"}
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 5}),
            "observations": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {"title": {"required": "Enter the meeting's name"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault(
                "attendees", people_text(self.instance, m.SourceParticipant.Role.ATTENDEE)
            )

    def attendee_list(self) -> list[tuple[str, str]]:
        return parse_people(self.cleaned_data["attendees"])


class DocumentForm(forms.ModelForm[m.Source]):
    date = _date("Date of the document")
    upload = forms.FileField(
        label="File",
        required=False,
        help_text="Up to 5 MB. Kept safely and only ever offered for download.",
    )
    authors = forms.CharField(
        label="Authors",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One a line, as Name <email>.",
    )

    class Meta:
        model = m.Source
        fields = ["title", "date", "authors", "notes", "upload"]
        labels = {"title": "Document title", "notes": "What it says"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 5})}
        error_messages = {"title": {"required": "Enter the document's title"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault(
                "authors", people_text(self.instance, m.SourceParticipant.Role.AUTHOR)
            )
            self.fields["upload"].label = "Add a file (optional)"
            self.fields["upload"].help_text = (
                "Up to 5 MB. Kept with the files already attached, safely, and only ever "
                "offered for download."
            )

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if upload is not None:
            validate_upload(upload, "attachment")
        return upload


class EmailImportForm(forms.Form):
    file = forms.FileField(
        label="Email file",
        help_text="An .eml file (one message) or an .mbox file (many), up to 25 MB.",
        error_messages={"required": "Choose an .eml or .mbox file"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".eml", ".mbox")):
            raise forms.ValidationError("The file must be an .eml or .mbox file")
        validate_upload(upload, "email")
        return upload


class ConsentForm(forms.ModelForm[m.Participant]):
    consent_date = _date("Date consent was given or withdrawn", required=False)

    class Meta:
        model = m.Participant
        fields = ["full_name", "consent", "consent_date", "consent_note"]
        labels = {"full_name": "Name", "consent": "Research-use consent"}
        widgets = {"consent": forms.RadioSelect}


# --- journal -----------------------------------------------------------------------------------


class JournalEntryForm(forms.ModelForm[m.JournalEntry]):
    date = _date("Date")
    challenges = _checkboxes("Challenges", m.JournalChallenge.choices)
    placement = forms.ModelChoiceField(
        queryset=Placement.objects.none(), label="Placement", widget=forms.RadioSelect
    )

    class Meta:
        model = m.JournalEntry
        fields = ["placement", "date", "title", "text", "challenges", "strategies", "shared"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 5}),
            "strategies": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "title": {"required": "Enter a title"},
            "text": {"required": "Enter what happened"},
        }

    def __init__(self, *args: Any, placements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["placement"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = placements
        field.label_from_instance = lambda obj: f"At {obj.host_organisation} from {obj.start:%B %Y}"  # type: ignore[method-assign]
        first = placements.first()
        if first is not None and not self.instance.pk:
            field.initial = first.pk
        self.fields["date"].initial = timezone.localdate()


class SupervisorsForm(forms.Form):
    supervisors = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label="Supervisors who may read the entries you share",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, author: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["supervisors"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Person.objects.filter(user__isnull=False).exclude(pk=author.pk)


# --- dialogues ---------------------------------------------------------------------------------


class DialogueForm(forms.ModelForm[m.ReflexiveDialogue]):
    date = _date("Date")
    challenges = _checkboxes("Challenges discussed", m.DialogueChallenge.choices)
    enablers = _checkboxes("Enablers discussed", m.DialogueEnabler.choices)

    class Meta:
        model = m.ReflexiveDialogue
        fields = ["title", "date", "partners", "summary", "challenges", "enablers", "actions"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "actions": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "title": {"required": "Enter a title"},
            "partners": {"required": "Enter who took part"},
            "summary": {"required": "Enter what was said"},
        }


# --- public involvement ------------------------------------------------------------------------


class InvolvementForm(forms.ModelForm[m.InvolvementActivity]):
    date = _date("Date")
    contributor_name = forms.CharField(
        label="Public contributor",
        max_length=200,
        help_text="Their full name; a new name adds a new contributor.",
        error_messages={"required": "Enter the contributor's name"},
    )
    paid_on = _date("Date paid", required=False)

    class Meta:
        model = m.InvolvementActivity
        fields = [
            "contributor_name",
            "date",
            "what",
            "role",
            "hours",
            "rate",
            "expenses",
            "payment_declined",
            "benefits_advice_offered",
            "paid_on",
        ]
        labels = {"what": "What they did", "rate": "Payment rate"}
        help_texts = {"rate": "The fee is worked out from the rate and the hours."}
        widgets = {"hours": forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"})}
        error_messages = {
            "what": {"required": "Enter what they did"},
            "role": {"required": "Choose their role"},
            "hours": {"required": "Enter the hours"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An activity already recorded keeps its rate even if that rate is no longer active.
        rates = (
            Q(active=True) | Q(pk=self.instance.rate_id)
            if self.instance.rate_id
            else Q(active=True)
        )
        self.fields["rate"].queryset = m.PaymentRate.objects.filter(rates)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["contributor_name"].initial = self.instance.contributor.full_name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The fee follows the rate and the hours. When editing, it is worked out again only if
        # either changed, so a later change to a rate's amount never rewrites a past fee.
        rate, hours = data.get("rate"), data.get("hours")
        if hours is not None and (
            not self.instance.pk or {"rate", "hours"} & set(self.changed_data)
        ):
            self.instance.fee = rate.fee_for(hours) if rate else Decimal("0")
        return data

    def save(self, commit: bool = True) -> m.InvolvementActivity:
        activity = super().save(commit=False)
        name = self.cleaned_data["contributor_name"].strip()
        contributor = m.Contributor.objects.filter(full_name__iexact=name).first()
        if contributor is None:
            contributor = m.Contributor.objects.create(full_name=name)
        activity.contributor = contributor
        if commit:
            activity.save()
        return activity


class PaymentRateForm(forms.ModelForm[m.PaymentRate]):
    class Meta:
        model = m.PaymentRate
        fields = ["name", "unit", "amount", "guidance", "active"]
        widgets = {"unit": forms.RadioSelect}


class Gripp2Form(forms.ModelForm[m.Gripp2Report]):
    """One GRIPP2 checklist (short or long form): per published item, an answer and a
    "Not reported" box. Saving records which form the report is kept in; the other form's
    answers are left as they were."""

    class Meta:
        model = m.Gripp2Report
        fields = ["form"]
        widgets = {"form": forms.HiddenInput}

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.checklist = gripp2.checklists()[kind]
        self.initial["form"] = kind
        for item in self.checklist.items:
            hint = item.text or "Wording of this item not verified."
            if not item.verified:
                hint += " (Provisional: not checked against the published checklist.)"
            self.fields[f"item_{item.number}"] = forms.CharField(
                label=item.label,
                help_text=hint,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=gripp2.answer(self.instance, kind, item.number),
            )
            self.fields[f"nr_{item.number}"] = forms.BooleanField(
                label=f"Not reported ({item.number})",
                required=False,
                initial=gripp2.marked_not_reported(self.instance, kind, item.number),
            )

    def clean_form(self) -> str:
        if self.cleaned_data.get("form") != self.kind:
            raise forms.ValidationError("The checklist changed while you were editing it.")
        return self.kind

    def layout(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        """(section title, [(answer field, not-reported field)]) in published order."""
        return [
            (
                section.title,
                [(self[f"item_{i.number}"], self[f"nr_{i.number}"]) for i in section.items],
            )
            for section in self.checklist.sections
        ]

    def save(self, commit: bool = True) -> m.Gripp2Report:
        report = super().save(commit=False)
        for item in self.checklist.items:
            gripp2.set_answer(
                report,
                self.kind,
                item.number,
                self.cleaned_data[f"item_{item.number}"],
                self.cleaned_data[f"nr_{item.number}"],
            )
        if commit:
            report.save()
        return report
