"""The governance side of the CLAHRC-NDL demo: panel and committee members, protocol versions
and review rounds across all three review panels, with conditions (one met, one overdue), a
revise-and-resubmit followed by a resubmission, a reviewer who declared a conflict, and one
overdue annual scientific review.

The data, the review story included, is in data/governance.toml. Loaded after the registry
part, in the same transaction. Every name is
invented. Idempotent: people by email, memberships by (panel, person, start), a study's demo
rounds only when its first demo protocol version does not exist yet. The workflow runs through
services.py (so the audit log, and so the timelines, are real); dates are then moved back so
that the history looks lived in. Three extra sign-ins show the panel roles, with the demo
password when first created: `panelchair` (chair of the scientific committee) and `reviewer` (a
committee member), both staff readers (academic staff), and `carer` (a carer on the service user
and carer panel) with no staff role: a lay member sees their panel and its rounds, and reviews
when assigned, but not the staff area (the directory, people, exports).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Q
from django.utils import timezone

from coproduce.demo import data as demo_data
from coproduce.demo.loader import registry as clahrc_ndl
from coproduce.governance import services, uploads
from coproduce.governance.criteria import criteria_for
from coproduce.governance.models import (
    ACTIVE_STAGES,
    AnnualReview,
    Condition,
    Panel,
    PanelMembership,
    ProtocolVersion,
    ReviewRound,
)
from coproduce.registry.models import Person, Study

_DATA = demo_data.part("governance")
# The published demo password, as in the registry.
DEMO_PASSWORD = clahrc_ndl.DEMO_PASSWORD
Role = PanelMembership.Role
Rep = PanelMembership.Represents
K = Panel.Kind
TERM_START: dt.date = _DATA["term_start"]

# (email, full name, job title)
PEOPLE = demo_data.rows(_DATA["people"], "email", "full_name", "job_title")
# (panel kind, email, role, represents)
MEMBERS = demo_data.rows(_DATA["members"], "panel", "person", "role", "represents")
# (username, first name, last name, email, role group or None for a lay member)
# (username, first name, last name, email, role group or None for a lay member)
SIGN_INS = demo_data.rows(
    _DATA["sign_ins"], "username", "first_name", "last_name", "email", "group"
)
# Steering committees left without a lay member, so the dashboard has something to show.
NO_LAY_MEMBER = {demo_data.slug(key) for key in _DATA["no_lay_member"]}
LAY_MEMBERS: list[str] = _DATA["lay_members"]
OVERDUE_STUDY = demo_data.slug(_DATA["overdue_study"])
CHAIRS: dict[str, str] = _DATA["chairs"]
REVIEWERS: dict[str, list[str]] = _DATA["reviewers"]
# (kind, name, slug) of each panel made when missing
PANELS = [(kind, panel["name"], panel["slug"]) for kind, panel in _DATA["panels"].items()]
DEMO_PDF = (demo_data.DATA / "protocol.pdf").read_bytes()
# The review story of a few studies (see data/governance.toml), study keys as slugs.
ROUNDS: list[dict[str, Any]] = [
    {**story, "study": demo_data.slug(story["study"])} for story in _DATA["rounds"]
]
STUDY_ROUNDS = tuple(story["study"] for story in ROUNDS)

# The review rounds are dated from the day the demo is loaded (so that there is always a round in
# hand), not from the collaboration's 2008-2013 history: each says so in its cover note.
TODAY_LAYER_NOTE = (
    "Illustrative (the demo's today layer): this round is dated from the day the demo was "
    "loaded, not from the collaboration's 2008-2013 history."
)


@dataclass
class Summary:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.created[key] = self.created.get(key, 0) + n

    def line(self) -> str:
        rounds = ReviewRound.objects.aggregate(
            total=Count("pk"), released=Count("pk", filter=Q(released_at__isnull=False))
        )
        unmet = Condition.objects.filter(met_at__isnull=True).count()
        overdue = AnnualReview.objects.filter(
            next_due__lt=timezone.localdate(), study__stage__in=ACTIVE_STAGES
        ).count()
        return (
            f"  governance: {Panel.objects.count()} panels and committees, "
            f"{PanelMembership.objects.count()} memberships, "
            f"{ProtocolVersion.objects.count()} protocol versions, {rounds['total']} review "
            f"rounds ({rounds['released']} released), {unmet} conditions unmet, {overdue} "
            f"annual review(s) overdue; sign-ins panelchair and reviewer (staff readers) and "
            f"carer (a lay panel member, no staff role)"
        )


def _pdf(name: str) -> tuple[SimpleUploadedFile, uploads.Checked]:
    upload = SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")
    return upload, uploads.check(upload)


def _ratings(kind: str, rating: str) -> dict[str, dict[str, str]]:
    return {c.key: {"rating": rating, "comment": ""} for c in criteria_for(kind)}


class _Loader:
    def __init__(self, today: dt.date, summary: Summary) -> None:
        self.today = today
        self.summary = summary
        self.people: dict[str, Person] = {}
        self.users: dict[str, Any] = {}
        self.panels = {p.kind: p for p in Panel.objects.exclude(kind=K.STEERING)}

    def person(self, email: str) -> Person:
        return self.people[email]

    def user_of(self, email: str) -> Any:
        return self.people[email].user

    def load_people(self) -> None:
        for email, name, title in PEOPLE:
            person, created = Person.objects.get_or_create(
                email=email, defaults={"full_name": name, "job_title": title}
            )
            self.people[email] = person
            self.summary.add("people", created)
        user_model = get_user_model()
        for username, first, last, email, group_name in SIGN_INS:
            user = user_model._default_manager.filter(username=username).first()
            if user is None:
                user = user_model(username=username, first_name=first, last_name=last, email=email)
                user.set_password(DEMO_PASSWORD)
                user.save()
                self.summary.add("sign-ins")
            if group_name is not None:  # lay panel members get no staff role group
                user.groups.add(Group.objects.get_or_create(name=group_name)[0])
            person = self.people[email]
            if person.user_id is None:
                person.user = user
                person.save(update_fields=["user"])

    def load_panels(self) -> None:
        for kind, name, slug in PANELS:
            if kind not in self.panels:
                self.panels[kind] = Panel.objects.create(kind=kind, name=name, slug=slug)
        for kind, email, role, represents in MEMBERS:
            self._member(self.panels[kind], self.person(email), role, represents)
        lay = [self.person(email) for email in LAY_MEMBERS]
        for i, study in enumerate(Study.objects.order_by("slug")):
            steering = services.steering_committee(study)
            if study.slug not in NO_LAY_MEMBER:
                rep = Rep.SERVICE_USER if i % 2 == 0 else Rep.CARER
                self._member(steering, lay[i % 2], Role.MEMBER, rep)

    def _member(self, panel: Panel, person: Person, role: str, represents: str) -> None:
        _, created = PanelMembership.objects.get_or_create(
            panel=panel,
            person=person,
            start=TERM_START,
            defaults={"role": role, "represents": represents},
        )
        self.summary.add("memberships", created)

    # -- rounds ---------------------------------------------------------------------------------

    def run_round(
        self,
        version: ProtocolVersion,
        kind: str,
        *,
        decision: str = "",
        conditions: tuple[str, ...] = (),
        conflict: bool = False,
        release: bool = True,
        days_ago: int = 0,
        met: int = 0,
    ) -> ReviewRound:
        panel = self.panels[kind]
        chair = self.user_of(CHAIRS[kind])
        review_round = services.submit(version, panel, note=TODAY_LAYER_NOTE, by=None)
        for n, email in enumerate(REVIEWERS[kind]):
            assignment = services.assign(review_round, self.person(email), by=chair)
            has_conflict = conflict and n == 1
            services.declare(
                assignment,
                has_conflict=has_conflict,
                details="Works in a partner organisation of the study." if has_conflict else "",
                by=None,
            )
            if not has_conflict and decision:
                rating = "meets" if decision in services.APPROVING else "partly"
                services.save_assessment(
                    assignment.assessment,
                    ratings=_ratings(kind, rating),
                    comments="A clear protocol; see the comments on each criterion.",
                    expected_version=0,
                    by=None,
                )
        if decision:
            services.save_recommendation(
                review_round.recommendation,
                decision=decision,
                rationale="The panel discussed the protocol and the reviewers' assessments.",
                conditions=list(conditions),
                expected_version=0,
                by=chair,
            )
            if release:
                services.release(review_round, by=chair)
                for condition in list(review_round.conditions.all())[:met]:
                    services.condition_met(
                        condition, note="Seen in the revised materials.", by=chair
                    )
        if days_ago:
            when = timezone.now() - dt.timedelta(days=days_ago)
            ReviewRound.objects.filter(pk=review_round.pk).update(
                submitted_at=when - dt.timedelta(days=30),
                released_at=when if review_round.released_at else None,
            )
        self.summary.add("rounds")
        return review_round

    def version(self, study: Study, label: str, summary: str) -> ProtocolVersion:
        upload, checked = _pdf(f"{study.slug}-{label}.pdf")
        self.summary.add("protocol versions")
        return services.upload_protocol(
            study, label=label, summary=summary, uploaded=upload, checked=checked, by=None
        )

    def load_rounds(self) -> None:
        studies = {s.slug: s for s in Study.objects.filter(slug__in=STUDY_ROUNDS)}
        for story in ROUNDS:
            study = studies.get(story["study"])
            if study is None or ProtocolVersion.objects.filter(study=study, label="1.0").exists():
                continue
            for data in story["versions"]:
                version = self.version(study, data["label"], data["summary"])
                for review in data["reviews"]:
                    self.run_round(
                        version,
                        review["panel"],
                        decision=review.get("decision", ""),
                        conditions=tuple(review.get("conditions", ())),
                        conflict=review.get("conflict", False),
                        release=review.get("release", True),
                        days_ago=review.get("days_ago", 0),
                        met=review.get("met", 0),
                    )

    def load_overdue(self) -> None:
        study = Study.objects.filter(slug=OVERDUE_STUDY, stage__in=ACTIVE_STAGES).first()
        if study is None:
            return
        schedule, _ = AnnualReview.objects.get_or_create(
            study=study, defaults={"next_due": self.today}
        )
        if schedule.last_reviewed is None and schedule.next_due >= self.today:
            schedule.next_due = self.today - dt.timedelta(days=45)
            schedule.last_reviewed = schedule.next_due - dt.timedelta(days=365)
            schedule.save()


def load(today: dt.date | None = None) -> Summary:
    """Load the governance demo; call inside a transaction, after the registry demo."""
    today = today or timezone.localdate()
    summary = Summary()
    services.ensure_schedules(today)
    loader = _Loader(today, summary)
    loader.load_people()
    loader.load_panels()
    loader.load_rounds()
    loader.load_overdue()
    return summary
