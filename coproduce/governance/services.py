"""The review workflow. Each step runs in one transaction with its audit entry.

Views check access (access.py) before calling these; the functions here check the state of
the round (what may happen next), and raise `WorkflowError` with a message for the person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from coproduce.audit.log import record
from coproduce.governance import notify, uploads
from coproduce.governance.criteria import criteria_for
from coproduce.governance.models import (
    ACTIVE_STAGES,
    AnnualReview,
    Assessment,
    Condition,
    Panel,
    PanelMembership,
    ProtocolVersion,
    Recommendation,
    ReviewerAssignment,
    ReviewRound,
)
from coproduce.registry.models import Person, Study
from coproduce.webhooks import outbox as webhooks

Status = ReviewRound.Status
Decision = Recommendation.Decision
APPROVING = (Decision.APPROVE, Decision.APPROVE_WITH_CONDITIONS)


class WorkflowError(Exception):
    """A review step asked for out of turn; the message says what is allowed."""


class StaleEdit(Exception):
    """Someone else saved the record after this edit began."""


def _round_ref(review_round: ReviewRound) -> dict[str, list[Any]]:
    return {
        "study": [None, review_round.study.slug],
        "panel": [None, review_round.panel.name],
        "version": [None, review_round.protocol_version.label],
    }


# -- panels -------------------------------------------------------------------------------------


def steering_committee(study: Study, *, by: Any = None) -> Panel:
    """The study's steering committee, made on first use.

    Made automatically for every new study (signals.py), like its community of practice, so
    the creation is audited only when a person asked for it (`by`); the study's own audit
    entry already records the change someone made."""
    with transaction.atomic():
        panel = Panel.objects.filter(kind=Panel.Kind.STEERING, study=study).first()
        if panel is None:
            panel = Panel.objects.create(
                kind=Panel.Kind.STEERING,
                study=study,
                slug=f"steering-{study.slug}"[:140],
                name=f"Steering committee: {study.acronym or study.title}"[:200],
            )
            if by is not None:
                record(by, "governance.panel.created", panel, {"name": [None, panel.name]})
    return panel


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def end_term(membership: PanelMembership, end: dt.date, *, by: Any) -> None:
    """End the member's term on `end`. The row stays: past terms are the panel's history."""
    if end < membership.start:
        raise WorkflowError("The date the term ends must be the same as or after its start.")
    with transaction.atomic():
        before = PanelMembership.objects.values_list("end", flat=True).get(pk=membership.pk)
        membership.end = end
        membership.save(update_fields=["end"])
        record(
            by,
            "governance.panelmembership.ended",
            membership,
            {"end": [_plain(before), end.isoformat()]},
        )


# -- protocols and rounds -----------------------------------------------------------------------


def upload_protocol(
    study: Study, *, label: str, summary: str, uploaded: Any, checked: uploads.Checked, by: Any
) -> ProtocolVersion:
    stored = uploads.store(uploaded, checked)
    try:
        with transaction.atomic():
            version = ProtocolVersion.objects.create(
                study=study,
                label=label,
                summary_of_changes=summary,
                stored_name=stored,
                original_name=str(getattr(uploaded, "name", ""))[-200:],
                file_format=checked.file_format,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=by if getattr(by, "is_authenticated", False) else None,
            )
            record(
                by,
                "governance.protocolversion.uploaded",
                version,
                {
                    "study": [None, study.slug],
                    "label": [None, label],
                    "format": [None, checked.file_format],
                    "sha256": [None, checked.sha256],
                },
            )
    except Exception:
        uploads.path_of(stored).unlink(missing_ok=True)
        raise
    return version


def submit(version: ProtocolVersion, panel: Panel, *, note: str = "", by: Any) -> ReviewRound:
    if not panel.reviews_protocols:
        raise WorkflowError("Protocols are reviewed by the three review panels only.")
    previous = (
        ReviewRound.objects.filter(study=version.study, panel=panel)
        .order_by("-submitted_at")
        .first()
    )
    try:
        with transaction.atomic():
            review_round = ReviewRound.objects.create(
                study=version.study,
                protocol_version=version,
                panel=panel,
                previous_round=previous,
                cover_note=note,
                submitted_by=by if getattr(by, "is_authenticated", False) else None,
                submitted_at=timezone.now(),
            )
            Recommendation.objects.create(round=review_round)
            record(by, "governance.reviewround.submitted", review_round, _round_ref(review_round))
    except IntegrityError as exc:
        raise WorkflowError("This version has already been submitted to this panel.") from exc
    return review_round


def assign(review_round: ReviewRound, person: Person, *, by: Any) -> ReviewerAssignment:
    if review_round.is_released:
        raise WorkflowError("This round has been released; reviewers can no longer be added.")
    try:
        with transaction.atomic():
            assignment = ReviewerAssignment.objects.create(
                round=review_round, person=person, assigned_by=by
            )
            # The reviewer by id, not name: audit rows hold no personal data (the audit pages
            # read the name from the live record, coproduce/audit/describe.py).
            record(
                by,
                "governance.reviewerassignment.created",
                assignment,
                {
                    "round": [None, str(review_round.public_id)],
                    "reviewer": [None, str(person.public_id)],
                },
            )
            notify.assigned(assignment)  # a lay reviewer is emailed (through the outbox)
    except IntegrityError as exc:
        raise WorkflowError("This person is already a reviewer in this round.") from exc
    return assignment


def declare(assignment: ReviewerAssignment, *, has_conflict: bool, details: str, by: Any) -> None:
    """The reviewer's declaration of interests, once. No conflict opens the assessment."""
    with transaction.atomic():
        changed = ReviewerAssignment.objects.filter(
            pk=assignment.pk, declared_at__isnull=True
        ).update(declared_at=timezone.now(), has_conflict=has_conflict, conflict_details=details)
        if not changed:
            raise WorkflowError("You have already made your declaration for this round.")
        if not has_conflict:
            Assessment.objects.get_or_create(assignment=assignment)
        # The details stay on the assignment; the log says only whether there was a conflict.
        record(
            by,
            "governance.reviewerassignment.declared",
            assignment,
            {"conflict": [None, has_conflict]},
        )
    assignment.refresh_from_db()


def save_assessment(
    assessment: Assessment,
    *,
    ratings: dict[str, dict[str, str]],
    comments: str,
    expected_version: int,
    by: Any,
) -> None:
    """Save only if nobody else saved since `expected_version` was read; else StaleEdit."""
    review_round = assessment.assignment.round
    if review_round.is_released:
        raise WorkflowError("This round has been released; assessments can no longer change.")
    keys = {c.key for c in criteria_for(review_round.panel.kind)}
    ratings = {key: value for key, value in ratings.items() if key in keys}
    now = timezone.now()
    with transaction.atomic():
        before = (
            Assessment.objects.filter(pk=assessment.pk).values_list("ratings", flat=True).first()
        )
        changed = Assessment.objects.filter(pk=assessment.pk, version=expected_version).update(
            ratings=ratings,
            comments=comments,
            version=F("version") + 1,
            submitted_at=now,
            updated_at=now,
        )
        if not changed:
            raise StaleEdit
        record(
            by,
            "governance.assessment.saved",
            assessment,
            {
                "round": [None, str(review_round.public_id)],
                "ratings": [before, ratings],
                "version": [expected_version, expected_version + 1],
            },
        )
    assessment.refresh_from_db()


def save_recommendation(
    recommendation: Recommendation,
    *,
    decision: str,
    rationale: str,
    conditions: list[str],
    expected_version: int,
    by: Any,
) -> None:
    """Record or change the panel's recommendation (before release), with its conditions."""
    review_round = recommendation.round
    if review_round.is_released:
        raise WorkflowError(
            "This round has been released; the recommendation can no longer change."
        )
    now = timezone.now()
    with transaction.atomic():
        before = (
            Recommendation.objects.filter(pk=recommendation.pk)
            .values_list("decision", flat=True)
            .first()
        )
        changed = Recommendation.objects.filter(
            pk=recommendation.pk, version=expected_version
        ).update(
            decision=decision,
            rationale=rationale,
            version=F("version") + 1,
            recorded_by=by,
            recorded_at=now,
        )
        if not changed:
            raise StaleEdit
        old_conditions = list(review_round.conditions.values_list("text", flat=True))
        if old_conditions != conditions:
            review_round.conditions.all().delete()
            Condition.objects.bulk_create(
                Condition(round=review_round, position=i, text=text)
                for i, text in enumerate(conditions)
            )
        ReviewRound.objects.filter(pk=review_round.pk).update(status=Status.RECOMMENDED)
        changes: dict[str, list[Any]] = {
            "study": [None, review_round.study.slug],
            "round": [None, str(review_round.public_id)],
            "decision": [before or None, decision],
        }
        if old_conditions != conditions:
            changes["conditions"] = [old_conditions, conditions]
        record(by, "governance.recommendation.recorded", recommendation, changes)
    recommendation.refresh_from_db()
    review_round.refresh_from_db()


def release(review_round: ReviewRound, *, by: Any) -> None:
    """Show the assessments and recommendation to the study team."""
    recommendation = review_round.recommendation
    if not recommendation.decision:
        raise WorkflowError("Record the panel's recommendation before releasing the review.")
    now = timezone.now()
    with transaction.atomic():
        changed = ReviewRound.objects.filter(pk=review_round.pk, released_at__isnull=True).update(
            status=Status.RELEASED, released_at=now, released_by=by
        )
        if not changed:
            raise WorkflowError("This review has already been released.")
        record(
            by,
            "governance.reviewround.released",
            review_round,
            {**_round_ref(review_round), "decision": [None, recommendation.decision]},
        )
        webhooks.emit(
            "review.released",
            {
                "round": str(review_round.public_id),
                "study": review_round.study.slug,
                "panel": review_round.panel.slug,
                "decision": recommendation.decision,
            },
        )
        if (
            review_round.panel.kind == Panel.Kind.SCIENTIFIC
            and recommendation.decision in APPROVING
        ):
            mark_annually_reviewed(review_round.study, timezone.localdate(now), by=by)
        notify.released(review_round)  # lay reviewers are told (through the outbox)
    review_round.refresh_from_db()


def respond(review_round: ReviewRound, *, text: str, by: Any) -> None:
    if not review_round.is_released:
        raise WorkflowError("You can respond once the panel has released its review.")
    with transaction.atomic():
        ReviewRound.objects.filter(pk=review_round.pk).update(
            status=Status.RESPONDED, response=text, responded_by=by, responded_at=timezone.now()
        )
        record(
            by,
            "governance.reviewround.responded",
            review_round,
            {**_round_ref(review_round), "response": [review_round.response or None, text]},
        )
    review_round.refresh_from_db()


def condition_met(condition: Condition, *, note: str, by: Any) -> None:
    if not condition.round.is_released:
        raise WorkflowError("Conditions can be marked met once the review is released.")
    with transaction.atomic():
        changed = Condition.objects.filter(pk=condition.pk, met_at__isnull=True).update(
            met_at=timezone.now(), met_by=by, met_note=note
        )
        if not changed:
            raise WorkflowError("This condition is already marked as met.")
        record(
            by,
            "governance.condition.met",
            condition,
            {
                "study": [None, condition.round.study.slug],
                "round": [None, str(condition.round.public_id)],
                "met": [False, True],
                "note": [None, note or None],
            },
        )
    condition.refresh_from_db()


# -- annual scientific review -------------------------------------------------------------------


def first_due(study: Study, today: dt.date) -> dt.date:
    start = study.start if study.start and study.start > today else today
    return start + dt.timedelta(days=365)


def ensure_schedules(today: dt.date | None = None) -> int:
    """Give every active study without one a next-review date. Returns how many were made."""
    today = today or timezone.localdate()
    missing = Study.objects.filter(stage__in=ACTIVE_STAGES, annual_review__isnull=True)
    rows = [AnnualReview(study=study, next_due=first_due(study, today)) for study in missing]
    AnnualReview.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def mark_annually_reviewed(study: Study, on: dt.date, *, by: Any) -> AnnualReview:
    schedule, _ = AnnualReview.objects.get_or_create(
        study=study, defaults={"next_due": on + dt.timedelta(days=365)}
    )
    before = schedule.next_due
    schedule.last_reviewed = on
    schedule.next_due = on + dt.timedelta(days=365)
    schedule.save()
    record(
        by,
        "governance.annualreview.reviewed",
        schedule,
        {
            "study": [None, study.slug],
            "next_due": [before.isoformat(), schedule.next_due.isoformat()],
        },
    )
    return schedule
