"""Staff forms for priority setting, and the public interim-survey ballot."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import validate_email

from coproduce.lib.identifiers import normalise_email
from coproduce.priorities.models import (
    Consultation,
    IndicativeQuestion,
    InterimSurvey,
    Priority,
    Question,
    StakeholderGroup,
    Workshop,
    WorkshopGroup,
)
from coproduce.staff.lookup import LookupField

RESERVED_SLUGS = {"new"}


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = [
            "title",
            "slug",
            "scope",
            "opens",
            "closes",
            "status",
            "open_link_enabled",
            "reminder_days_before_close",
            "published",
        ]
        widgets = {
            "opens": forms.DateInput(attrs={"type": "date"}),
            "closes": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"slug": "Used in web addresses: lower case letters, numbers and hyphens."}

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError("Choose another web address: this one is reserved")
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens") and data.get("closes") and data["closes"] < data["opens"]:
            self.add_error("closes", "The closing date must be on or after the opening date")
        return data


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label="Options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For single choice, multiple choice and ranking: one option per line.",
    )

    class Meta:
        model = Question
        fields = [
            "position",
            "kind",
            "text",
            "hint",
            "required",
            "scale_min",
            "scale_max",
            "scale_min_label",
            "scale_max_label",
            "collects_submissions",
            "show_if_question",
            "show_if_value",
        ]
        labels = {
            "show_if_question": "Show only when this question...",
            "show_if_value": "...has this answer",
        }

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        parents = consultation.questions.filter(
            kind__in=[Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.SCALE]
        )
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        field = self.fields["show_if_question"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = parents
        field.empty_label = "Always show"
        if self.instance.pk and not self.is_bound:
            self.initial["choices_text"] = "\n".join(self.instance.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        options = [line.strip() for line in data.get("choices_text", "").splitlines()]
        options = [o for o in options if o]
        kind = data.get("kind")
        if kind in Question.CHOICE_KINDS:
            if len(options) < 2:
                self.add_error("choices_text", "Enter at least two options, one per line")
            elif len(set(options)) != len(options):
                self.add_error("choices_text", "Each option must be different")
        self.options = options if kind in Question.CHOICE_KINDS else []
        if kind == Question.Kind.SCALE:
            low, high = data.get("scale_min"), data.get("scale_max")
            if low is not None and high is not None and not 1 <= high - low <= 10:
                self.add_error("scale_max", "A scale has 2 to 11 points")
        if kind != Question.Kind.FREE_TEXT and data.get("collects_submissions"):
            self.add_error("collects_submissions", "Only free-text answers can be submissions")
        parent = data.get("show_if_question")
        value = (data.get("show_if_value") or "").strip()
        if parent is not None:
            if parent.position >= (data.get("position") or 0):
                self.add_error("show_if_question", "A condition must refer to an earlier question")
            allowed = (
                [str(v) for v in parent.scale_values()]
                if parent.kind == Question.Kind.SCALE
                else parent.choices
            )
            if value not in allowed:
                self.add_error(
                    "show_if_value",
                    f"Enter one of the answers to question {parent.position}: "
                    + ", ".join(allowed),
                )
        elif value:
            self.add_error("show_if_question", "Choose the question the answer belongs to")
        data["show_if_value"] = value
        return data

    def save(self, commit: bool = True) -> Question:
        question: Question = super().save(commit=False)
        question.consultation = self.consultation
        question.choices = self.options
        if commit:
            question.save()
        return question


class InviteesForm(forms.Form):
    lines = forms.CharField(
        label="Invitees",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "One person per line: full name, email address, group. Groups: "
            + ", ".join(str(label).lower() for _, label in StakeholderGroup.choices)
            + " (or their codes: "
            + ", ".join(StakeholderGroup.values)
            + ")."
        ),
    )

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consultation = consultation

    def clean_lines(self) -> list[tuple[str, str, str]]:
        groups = {str(label).lower(): value for value, label in StakeholderGroup.choices}
        groups.update({value: value for value in StakeholderGroup.values})
        existing = {
            e.lower() for e in self.consultation.invitations.values_list("email", flat=True)
        }
        people, problems, seen = [], [], set()
        for number, line in enumerate(self.cleaned_data["lines"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) != 3:
                problems.append(f"line {number}: expected name, email, group")
                continue
            name, email, group = parts
            email = normalise_email(email)
            try:
                validate_email(email)
            except forms.ValidationError:
                problems.append(f"line {number}: {email or 'no email'} is not an email address")
                continue
            if group.lower() not in groups:
                problems.append(f"line {number}: unknown group {group!r}")
                continue
            if not name:
                problems.append(f"line {number}: enter the person's name")
                continue
            if email in existing or email in seen:
                problems.append(f"line {number}: {email} is already invited")
                continue
            seen.add(email)
            people.append((name, email, groups[group.lower()]))
        if problems:
            raise forms.ValidationError("; ".join(problems))
        return people


class OutOfScopeForm(forms.Form):
    reason = forms.CharField(
        label="Why is this out of scope?",
        max_length=300,
        error_messages={"required": "Enter the reason this is out of scope"},
    )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label="Merge into an existing indicative question",
        queryset=IndicativeQuestion.objects.none(),
        required=False,
        empty_label="Choose a question",
    )
    new_text = forms.CharField(
        label="Or write a new indicative question",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["into"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = consultation.indicative_questions.all()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("into") and not (data.get("new_text") or "").strip():
            self.add_error("into", "Choose an indicative question or write a new one")
        elif data.get("into") and (data.get("new_text") or "").strip():
            self.add_error("new_text", "Either choose a question or write a new one, not both")
        return data


class IndicativeQuestionForm(forms.ModelForm):
    class Meta:
        model = IndicativeQuestion
        fields = [
            "text",
            "evidence_status",
            "evidence_source",
            "evidence_checked_on",
            "evidence_checked_by",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "evidence_checked_on": forms.DateInput(attrs={"type": "date"}),
            "evidence_source": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status = data.get("evidence_status")
        checked = (IndicativeQuestion.Evidence.ANSWERED, IndicativeQuestion.Evidence.PARTLY)
        if status in checked and not (data.get("evidence_source") or "").strip():
            self.add_error("evidence_source", "Enter the source that answers it")
        if status != IndicativeQuestion.Evidence.NOT_CHECKED and not data.get(
            "evidence_checked_on"
        ):
            self.add_error("evidence_checked_on", "Enter the date the evidence was checked")
        return data


class InterimSurveyForm(forms.ModelForm):
    class Meta:
        model = InterimSurvey
        fields = ["title", "status", "max_picks", "shortlist_size", "questions"]
        widgets = {"questions": forms.CheckboxSelectMultiple}
        help_texts = {
            "questions": "Questions already answered by existing evidence are usually left out.",
            "max_picks": "Each participant picks and ranks up to this many (usually 10).",
        }

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["questions"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = consultation.indicative_questions.all()


class BallotForm(forms.Form):
    """Pick and rank up to `max_picks` questions: a rank select beside each question."""

    group = forms.ChoiceField(
        label="Which of these describes you best?",
        choices=StakeholderGroup.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the group that describes you best"},
    )

    def __init__(
        self, *args: Any, questions: list[IndicativeQuestion], max_picks: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.max_picks = max_picks
        ranks = [("", "Not picked")] + [(str(n), str(n)) for n in range(1, max_picks + 1)]
        for question in questions:
            self.fields[f"iq_{question.pk}"] = forms.ChoiceField(
                label=question.text, required=False, choices=ranks
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [(int(data[f"iq_{q.pk}"]), q.pk) for q in self.questions if data.get(f"iq_{q.pk}")]
        ranks = sorted(r for r, _ in given)
        first = f"iq_{self.questions[0].pk}" if self.questions else None
        if not given:
            self.add_error(first, "Pick at least one question and give it rank 1")
        elif len(set(ranks)) != len(ranks):
            self.add_error(first, "Give each question you pick a different rank")
        elif ranks != list(range(1, len(ranks) + 1)):
            self.add_error(first, "Rank your picks from 1 without gaps")
        self.ranked = [pk for _, pk in sorted(given)]
        return data


# -- final workshop ----------------------------------------------------------------------------


def _names(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class WorkshopForm(forms.ModelForm):
    groups_text = forms.CharField(
        label="Small groups",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One group name per line, for example Group A.",
    )

    class Meta:
        model = Workshop
        fields = ["title", "held_on"]
        labels = {"held_on": "Date of the workshop"}
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["groups_text"].label = "Add small groups"
            self.fields["groups_text"].help_text = (
                "One new group name per line. Existing groups: "
                + (", ".join(self.instance.groups.values_list("name", flat=True)) or "none")
                + "."
            )

    def clean_groups_text(self) -> list[str]:
        names = _names(self.cleaned_data.get("groups_text") or "")
        existing = set()
        if self.instance.pk:
            existing = {n.lower() for n in self.instance.groups.values_list("name", flat=True)}
        if not names and not self.instance.pk:
            raise forms.ValidationError("Enter at least one small group, one name per line")
        seen: set[str] = set()
        for name in names:
            if len(name) > 100:
                raise forms.ValidationError(f"{name[:20]}...: a name has at most 100 characters")
            if name.lower() in seen or name.lower() in existing:
                raise forms.ValidationError(f"There is already a group called {name}")
            seen.add(name.lower())
        return names


class RoundForm(forms.Form):
    """One round's ranks for every small group: a rank select per group and question. A group
    left blank ranked nothing this round and is left out of its aggregation."""

    def __init__(
        self,
        *args: Any,
        groups: list[WorkshopGroup],
        questions: list[IndicativeQuestion],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.groups = groups
        self.questions = questions
        ranks = [("", "Not ranked")] + [(str(n), str(n)) for n in range(1, len(questions) + 1)]
        for group in groups:
            for question in questions:
                self.fields[self.key(group, question)] = forms.ChoiceField(
                    label=question.text, required=False, choices=ranks
                )

    @staticmethod
    def key(group: WorkshopGroup, question: IndicativeQuestion) -> str:
        return f"g{group.pk}_q{question.pk}"

    def fields_of(self, group: WorkshopGroup) -> list[forms.BoundField]:
        return [self[self.key(group, q)] for q in self.questions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.ranks: dict[WorkshopGroup, dict[IndicativeQuestion, int]] = {}
        for group in self.groups:
            given = {
                q: int(data[self.key(group, q)])
                for q in self.questions
                if data.get(self.key(group, q))
            }
            if not given:
                continue
            by_rank: dict[int, list[IndicativeQuestion]] = {}
            for question, rank in given.items():
                by_rank.setdefault(rank, []).append(question)
            problem = False
            for rank, questions in sorted(by_rank.items()):
                if len(questions) > 1:
                    problem = True
                    for question in questions:
                        self.add_error(
                            self.key(group, question),
                            f"{group.name}: rank {rank} is given to more than one question",
                        )
            missing = [n for n in range(1, len(given) + 1) if n not in by_rank]
            if missing and not problem:
                problem = True
                first = next(q for q in self.questions if q in given)
                self.add_error(
                    self.key(group, first),
                    f"{group.name}: rank from 1 without gaps (rank {missing[0]} is missing)",
                )
            if not problem:
                self.ranks[group] = given
        if not self.errors and not self.ranks and self.groups and self.questions:
            self.add_error(
                self.key(self.groups[0], self.questions[0]),
                "Enter the ranks of at least one group",
            )
        return data


class TopTenForm(forms.Form):
    """The agreed top 10, in order: priority 1 must be chosen; the rest may be left empty from
    some point on, but not skipped."""

    SIZE = 10

    def __init__(self, *args: Any, questions: list[IndicativeQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a question")] + [(str(q.pk), q.text) for q in questions]
        self.by_pk = {str(q.pk): q for q in questions}
        for n in range(1, self.SIZE + 1):
            self.fields[f"position_{n}"] = forms.ChoiceField(
                label=f"Priority {n}",
                required=n == 1,
                choices=choices,
                error_messages={"required": "Choose the question agreed as priority 1"},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: list[IndicativeQuestion] = []
        seen: dict[str, int] = {}
        gap = 0
        for n in range(1, self.SIZE + 1):
            value = data.get(f"position_{n}")
            if not value:
                gap = gap or n
                continue
            if gap:
                self.add_error(
                    f"position_{gap}",
                    f"Choose priority {gap}, or leave every priority after it empty",
                )
                gap = 0
                break
            if value in seen:
                self.add_error(f"position_{n}", f"This question is already priority {seen[value]}")
                continue
            seen[value] = n
            chosen.append(self.by_pk[value])
        self.chosen = chosen
        return data


class PriorityOutcomeForm(forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["outcome", "study", "reason"]
        labels = {
            "outcome": "What became of this priority?",
            "study": "Study",
            "reason": "Reason or note",
        }
        help_texts = {
            "study": "For a new study or an amended study scope: the study in the registry.",
            "reason": "Required when the priority is not taken forward; otherwise an optional "
            "note, such as how the scope changed.",
        }
        widgets = {"outcome": forms.RadioSelect, "reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # 3,000 studies at national scale: typed, not chosen from a select (staff/lookup.py).
        self.fields["study"] = LookupField(
            "studies",
            label="Study",
            required=False,
            help_text=self.fields["study"].help_text + " Type part of its title.",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        study_needed = (Priority.Outcome.NEW_STUDY, Priority.Outcome.AMENDED_SCOPE)
        if outcome in study_needed and not data.get("study"):
            self.add_error("study", "Choose the study this priority became")
        if outcome == Priority.Outcome.NOT_TAKEN_FORWARD:
            if not (data.get("reason") or "").strip():
                self.add_error("reason", "Enter the reason it was not taken forward")
            data["study"] = None
        if outcome == Priority.Outcome.PENDING:
            data["study"] = None
        data["reason"] = (data.get("reason") or "").strip()
        return data
