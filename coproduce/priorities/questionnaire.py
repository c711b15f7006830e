"""A consultation's questionnaire as a Django form: one field per question (a ranking question
has one select per option), conditional questions, and validation that only asks for what is
shown.

A question with a condition (`show_if_question`, `show_if_value`) is shown when the earlier
question's answer is that value (for multiple choice: includes it) and the earlier question is
itself shown. The browser hides and shows questions as people answer (`static/priorities/
respond.js`); without JavaScript every question is listed with a hint saying when to answer it.
Either way the server decides from the posted answers: answers to hidden questions are dropped,
never stored, so an export leaves their cells empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms

from coproduce.priorities.models import Question, StakeholderGroup

Answers = dict[int, Any]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def condition_met(question: Question, answer: Any) -> bool:
    if _empty(answer):
        return False
    if isinstance(answer, list):
        return question.show_if_value in [str(item) for item in answer]
    return str(answer) == question.show_if_value


def visible_ids(questions: Sequence[Question], answers: Answers) -> set[int]:
    """The questions shown, given the answers so far (conditions point at earlier questions)."""
    shown: set[int] = set()
    for question in sorted(questions, key=lambda q: (q.position, q.pk)):
        parent = question.show_if_question_id
        if parent is None or (parent in shown and condition_met(question, answers.get(parent))):
            shown.add(question.pk)
    return shown


def field_name(question: Question) -> str:
    return f"q_{question.pk}"


def rank_field_name(question: Question, index: int) -> str:
    return f"q_{question.pk}_r{index}"


class QuestionnaireForm(forms.Form):
    """Build with the consultation's questions (in order). `submitting` decides whether
    required questions must be answered (saving to return later accepts gaps)."""

    def __init__(
        self,
        questions: Sequence[Question],
        *args: Any,
        submitting: bool = False,
        ask_group: bool = False,
        answers: Answers | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.submitting = submitting
        self.by_pk = {q.pk: q for q in self.questions}
        if ask_group:
            self.fields["group"] = forms.ChoiceField(
                label="Which of these describes you best?",
                help_text="We report how many people from each group took part.",
                choices=StakeholderGroup.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Select the group that describes you best"},
            )
        for question in self.questions:
            self._add_fields(question)
        if answers and not self.is_bound:
            self.initial.update(self.initial_from(answers))

    # -- fields ----------------------------------------------------------------------------

    def _hint(self, question: Question) -> str:
        hint = question.hint
        parent = self.by_pk.get(question.show_if_question_id or 0)
        if parent is not None:
            when = f"Answer this if you answered \u2018{question.show_if_value}\u2019 to question {parent.position}."
            hint = f"{hint} {when}".strip()
        return hint

    def _add_fields(self, question: Question) -> None:
        label = f"{question.position}. {question.text}"
        hint = self._hint(question)
        name = field_name(question)
        options = [(c, c) for c in question.choices]
        kind = question.kind
        if kind == Question.Kind.FREE_TEXT:
            self.fields[name] = forms.CharField(
                label=label,
                help_text=hint,
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
        elif kind == Question.Kind.SINGLE:
            self.fields[name] = forms.ChoiceField(
                label=label, help_text=hint, required=False, choices=options,
                widget=forms.RadioSelect,
            )  # fmt: skip
        elif kind == Question.Kind.MULTIPLE:
            self.fields[name] = forms.MultipleChoiceField(
                label=label, help_text=hint, required=False, choices=options,
                widget=forms.CheckboxSelectMultiple,
            )  # fmt: skip
        elif kind == Question.Kind.SCALE:
            values = question.scale_values()
            labelled = []
            for value in values:
                text = str(value)
                if value == values[0] and question.scale_min_label:
                    text += f" ({question.scale_min_label})"
                elif value == values[-1] and question.scale_max_label:
                    text += f" ({question.scale_max_label})"
                labelled.append((str(value), text))
            self.fields[name] = forms.ChoiceField(
                label=label, help_text=hint, required=False, choices=labelled,
                widget=forms.RadioSelect,
            )  # fmt: skip
        elif kind == Question.Kind.RANKING:
            ranks = [("", "Not ranked")] + [(str(n), str(n)) for n in range(1, len(options) + 1)]
            for index, option in enumerate(question.choices):
                self.fields[rank_field_name(question, index)] = forms.ChoiceField(
                    label=f"Rank for: {option}", required=False, choices=ranks
                )

    def initial_from(self, answers: Answers) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for question in self.questions:
            value = answers.get(question.pk)
            if value is None or _empty(value):
                continue
            if question.kind == Question.Kind.RANKING:
                for index, option in enumerate(question.choices):
                    if option in value:
                        initial[rank_field_name(question, index)] = str(value.index(option) + 1)
            else:
                initial[field_name(question)] = (
                    str(value) if question.kind == Question.Kind.SCALE else value
                )
        return initial

    # -- validation ------------------------------------------------------------------------

    def _raw_answer(self, question: Question, data: dict[str, Any]) -> Any:
        """The answer as stored: text, choice, list of choices, int, or ranked list."""
        if question.kind == Question.Kind.RANKING:
            ranked: list[tuple[int, str]] = []
            for index, option in enumerate(question.choices):
                given = data.get(rank_field_name(question, index))
                if given:
                    ranked.append((int(str(given)), option))
            return [option for _, option in sorted(ranked)]
        value = data.get(field_name(question))
        if question.kind == Question.Kind.SCALE and value not in (None, ""):
            return int(str(value))
        if question.kind == Question.Kind.FREE_TEXT and isinstance(value, str):
            return value.strip()
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = {q.pk: self._raw_answer(q, data) for q in self.questions}
        shown = visible_ids(self.questions, raw)
        for question in self.questions:
            if question.pk not in shown:
                continue
            if question.kind == Question.Kind.RANKING:
                self._check_ranking(question, data)
            if self.submitting and question.required and _empty(raw[question.pk]):
                target = (
                    rank_field_name(question, 0)
                    if question.kind == Question.Kind.RANKING
                    else field_name(question)
                )
                if target in self.fields and target not in self.errors:
                    self.add_error(target, self._required_message(question))
        self.answers: Answers = {
            pk: value for pk, value in raw.items() if pk in shown and not _empty(value)
        }
        return data

    def _required_message(self, question: Question) -> str:
        if question.kind == Question.Kind.FREE_TEXT:
            return f"Answer question {question.position}"
        if question.kind == Question.Kind.RANKING:
            return f"Rank at least one option in question {question.position}"
        if question.kind == Question.Kind.MULTIPLE:
            return f"Select at least one answer to question {question.position}"
        return f"Select an answer to question {question.position}"

    def _check_ranking(self, question: Question, data: dict[str, Any]) -> None:
        given = [
            int(data[name])
            for index in range(len(question.choices))
            if data.get(name := rank_field_name(question, index))
        ]
        first = rank_field_name(question, 0)
        if len(set(given)) != len(given):
            self.add_error(
                first, f"Give each option in question {question.position} a different rank"
            )
        elif given and sorted(given) != list(range(1, len(given) + 1)):
            self.add_error(
                first, f"Rank the options in question {question.position} from 1 without gaps"
            )

    # -- rendering -------------------------------------------------------------------------

    def items(self) -> Iterable[dict[str, Any]]:
        """Per question: its bound fields and the condition the browser checks."""
        for question in self.questions:
            if question.kind == Question.Kind.RANKING:
                fields = [self[rank_field_name(question, i)] for i in range(len(question.choices))]
            else:
                fields = [self[field_name(question)]]
            parent = self.by_pk.get(question.show_if_question_id or 0)
            yield {
                "question": question,
                "fields": fields,
                "ranking": question.kind == Question.Kind.RANKING,
                "hint": self._hint(question),
                "show_if": field_name(parent) if parent else "",
                "show_if_value": question.show_if_value if parent else "",
            }
