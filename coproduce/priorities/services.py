"""Priority setting workflows: saving and submitting responses, response rates, merging
submissions into indicative questions, marking them out of scope, and interim ballots.

Each workflow writes its audit entry (staff actions) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from coproduce.audit.log import record
from coproduce.priorities.models import (
    Answer,
    Ballot,
    BallotRank,
    Consultation,
    IndicativeQuestion,
    InterimSurvey,
    Invitation,
    Merge,
    Priority,
    Question,
    Response,
    StakeholderGroup,
    Submission,
    Workshop,
    WorkshopGroup,
    WorkshopRank,
)
from coproduce.priorities.questionnaire import Answers


class AlreadySubmitted(Exception):
    """The response was submitted before: it can no longer change."""


# -- responses ---------------------------------------------------------------------------------


def answers_of(response: Response | None) -> Answers:
    if response is None or response.pk is None:
        return {}
    return dict(response.answers.values_list("question_id", "value"))


@transaction.atomic
def save_response(
    consultation: Consultation,
    answers: Answers,
    *,
    response: Response | None = None,
    invitation: Invitation | None = None,
    group: str = "",
    submit: bool = False,
) -> Response:
    """Store the answers (replacing earlier ones: a question now skipped loses its answer) and,
    if `submit`, submit the response and turn free-text answers into submissions."""
    if response is None and invitation is not None:
        response = Response.objects.select_for_update().filter(invitation=invitation).first()
    if response is None:
        response = Response.objects.create(
            consultation=consultation,
            invitation=invitation,
            group=invitation.group if invitation else group,
        )
    else:
        response = Response.objects.select_for_update().get(pk=response.pk)
    if response.is_submitted:
        raise AlreadySubmitted(response.pk)
    response.answers.all().delete()
    Answer.objects.bulk_create(
        Answer(response=response, question_id=pk, value=value) for pk, value in answers.items()
    )
    if submit:
        response.submitted_at = timezone.now()
        questions = {
            q.pk: q
            for q in Question.objects.filter(
                consultation=consultation, kind=Question.Kind.FREE_TEXT, collects_submissions=True
            )
        }
        Submission.objects.bulk_create(
            Submission(
                consultation=consultation,
                response=response,
                question=questions[pk],
                group=response.group,
                text=value,
            )
            for pk, value in answers.items()
            if pk in questions and str(value).strip()
        )
    response.save()
    return response


# -- response rates ---------------------------------------------------------------------------


@dataclass
class Rate:
    label: str
    invited: int = 0
    responded: int = 0  # submitted through their personal invitation link
    in_progress: int = 0
    open_link: int = 0  # submitted through the open link (no denominator)

    @property
    def percent(self) -> int | None:
        """Responded as a whole percentage of invited, rounded half up (26/34 -> 76)."""
        if not self.invited:
            return None
        return (200 * self.responded + self.invited) // (2 * self.invited)


@dataclass
class Rates:
    overall: Rate
    groups: list[Rate] = field(default_factory=list)


def response_rates(consultation: Consultation) -> Rates:
    """Invited, responded (submitted) and in progress, overall and per stakeholder group: two
    grouped queries whatever the number of invitees."""
    return response_rates_for([consultation])[consultation.pk]


def response_rates_for(consultations: Iterable[Consultation]) -> dict[int, Rates]:
    """`response_rates` of each consultation by primary key, in the same two grouped queries
    whatever the number of consultations (the public /priorities/ page lists them all)."""
    ids = [c.pk for c in consultations]
    per_consultation = {
        pk: {value: Rate(label=str(label)) for value, label in StakeholderGroup.choices}
        for pk in ids
    }
    invited = (
        Invitation.objects.filter(consultation__in=ids)
        .values("consultation", "group")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(response__submitted_at__isnull=False)),
            going=Count(
                "pk",
                filter=Q(response__isnull=False, response__submitted_at__isnull=True),
            ),
        )
        .order_by()
    )
    for row in invited:
        rate = per_consultation[row["consultation"]][row["group"]]
        rate.invited, rate.responded, rate.in_progress = row["n"], row["done"], row["going"]
    opened = (
        Response.objects.filter(
            consultation__in=ids, invitation__isnull=True, submitted_at__isnull=False
        )
        .values("consultation", "group")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in opened:
        per_consultation[row["consultation"]][row["group"]].open_link = row["n"]
    rates = {}
    for pk, per_group in per_consultation.items():
        overall = Rate(label="All groups")
        for rate in per_group.values():
            overall.invited += rate.invited
            overall.responded += rate.responded
            overall.in_progress += rate.in_progress
            overall.open_link += rate.open_link
        groups = [r for r in per_group.values() if r.invited or r.open_link or r.in_progress]
        rates[pk] = Rates(overall=overall, groups=groups)
    return rates


# -- submissions and indicative questions ------------------------------------------------------


@transaction.atomic
def mark_out_of_scope(submissions: Iterable[Submission], reason: str, *, by: Any) -> int:
    count = 0
    for submission in submissions:
        before = [submission.out_of_scope, submission.out_of_scope_reason]
        submission.out_of_scope = True
        submission.out_of_scope_reason = reason.strip()[:300]
        submission.save(update_fields=["out_of_scope", "out_of_scope_reason"])
        record(
            by,
            "priorities.submission.out_of_scope",
            submission,
            {"out_of_scope": [before[0], True], "reason": [before[1], reason]},
        )
        count += 1
    return count


@transaction.atomic
def bring_back_into_scope(submission: Submission, *, by: Any) -> None:
    reason = submission.out_of_scope_reason
    submission.out_of_scope = False
    submission.out_of_scope_reason = ""
    submission.save(update_fields=["out_of_scope", "out_of_scope_reason"])
    record(
        by, "priorities.submission.in_scope", submission, {"out_of_scope": [True, False],
                                                           "reason": [reason, ""]}
    )  # fmt: skip


@transaction.atomic
def merge(
    submissions: Sequence[Submission],
    *,
    into: IndicativeQuestion | None = None,
    new_text: str = "",
    consultation: Consultation | None = None,
    by: Any,
) -> IndicativeQuestion:
    """Merge submissions into an indicative question (a new one when `into` is None).
    Out-of-scope submissions are brought back into scope by being merged."""
    if into is None:
        assert consultation is not None
        into = IndicativeQuestion.objects.create(consultation=consultation, text=new_text.strip())
        record(by, "priorities.indicativequestion.created", into, {"text": [None, into.text]})
    user = by if getattr(by, "is_authenticated", False) else None
    existing = set(
        Merge.objects.filter(indicative_question=into, submission__in=submissions).values_list(
            "submission_id", flat=True
        )
    )
    fresh = [s for s in submissions if s.pk not in existing]
    Merge.objects.bulk_create(
        Merge(submission=s, indicative_question=into, merged_by=user) for s in fresh
    )
    for submission in fresh:
        if submission.out_of_scope:
            submission.out_of_scope = False
            submission.out_of_scope_reason = ""
            submission.save(update_fields=["out_of_scope", "out_of_scope_reason"])
    if fresh:
        record(
            by,
            "priorities.indicativequestion.merged",
            into,
            {"sources": [None, sorted(str(s.public_id) for s in fresh)]},
        )
    return into


@transaction.atomic
def unmerge(submission: Submission, question: IndicativeQuestion, *, by: Any) -> None:
    deleted, _ = Merge.objects.filter(submission=submission, indicative_question=question).delete()
    if deleted:
        record(
            by,
            "priorities.indicativequestion.unmerged",
            question,
            {"sources": [str(submission.public_id), None]},
        )


def submission_status(submission: Submission, merged_count: int) -> str:
    if merged_count:
        return "merged"
    if submission.out_of_scope:
        return "out of scope"
    return "to sort"


# -- interim survey ----------------------------------------------------------------------------


@transaction.atomic
def cast_ballot(survey: InterimSurvey, group: str, ranked: Sequence[int]) -> Ballot:
    """`ranked`: indicative question ids, most important first (at most max_picks)."""
    if len(ranked) > survey.max_picks or len(set(ranked)) != len(ranked):
        raise ValueError("too many picks, or a question picked twice")
    ballot = Ballot.objects.create(survey=survey, group=group)
    BallotRank.objects.bulk_create(
        BallotRank(ballot=ballot, question_id=pk, rank=n) for n, pk in enumerate(ranked, 1)
    )
    return ballot


# -- final workshop ----------------------------------------------------------------------------


@transaction.atomic
def save_round(
    workshop: Workshop,
    number: int,
    ranks: Mapping[WorkshopGroup, Mapping[IndicativeQuestion, int]],
    *,
    by: Any,
) -> int:
    """Replace round `number`'s ranks with `ranks`, all or nothing. Returns the ranks stored."""
    existing = WorkshopRank.objects.filter(group__workshop=workshop, round=number)
    before = {
        f"{g}: {q}": r for g, q, r in existing.values_list("group__name", "question__text", "rank")
    }
    existing.delete()
    rows = [
        WorkshopRank(group=group, round=number, question=question, rank=rank)
        for group, given in ranks.items()
        for question, rank in given.items()
    ]
    WorkshopRank.objects.bulk_create(rows)
    record(
        by,
        "priorities.workshop.round_saved",
        workshop,
        {
            "round": [None, number],
            "groups": [None, sorted(g.name for g in ranks)],
            "ranks": [len(before) or None, len(rows)],
        },
    )
    return len(rows)


@transaction.atomic
def set_top_ten(workshop: Workshop, questions: Sequence[IndicativeQuestion], *, by: Any) -> None:
    """Record the agreed priorities in order; a question that stays keeps its outcome."""
    old = {p.question_id: p for p in Priority.objects.filter(workshop=workshop)}
    before = [p.question_id for p in sorted(old.values(), key=lambda p: p.position)]
    Priority.objects.filter(workshop=workshop).delete()
    created = []
    for position, question in enumerate(questions, 1):
        kept = old.get(question.pk)
        created.append(
            Priority(
                workshop=workshop,
                position=position,
                question=question,
                outcome=kept.outcome if kept else Priority.Outcome.PENDING,
                study_id=kept.study_id if kept else None,
                reason=kept.reason if kept else "",
            )
        )
    Priority.objects.bulk_create(created)
    record(
        by,
        "priorities.workshop.top_ten",
        workshop,
        {"top_ten": [before or None, [q.pk for q in questions]]},
    )


@transaction.atomic
def set_published(workshop: Workshop, published: bool, *, by: Any) -> None:
    before = workshop.published
    workshop.published = published
    workshop.save(update_fields=["published"])
    record(
        by,
        "priorities.workshop.published" if published else "priorities.workshop.unpublished",
        workshop,
        {"published": [before, published]},
    )
