"""Funding and capacity of the CLAHRC-NDL demo (data/funding.toml): the award and its yearly
amounts, partners' matched funding for five financial years, staff time in kind, further
funding won, fellows' lifecycle events, the PATCHWORK vacancy's recruitment (nominated, not yet
agreed), researchers in residence's placement agreements and training sessions with
attendance.

Loaded after the registry and community parts, in the same transaction. Idempotent: rows are
matched by natural keys (award: reference; amount: award and year; contribution: partner,
year, kind and description; staff time: partner and description; further funding: title;
fellowship event: secondment, kind and date; placement agreement: placement; vacancy: study
and advert date; session: title and date; attendance: session and person or associate) and only
missing ones are created.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from coproduce.community.models import Associate
from coproduce.demo import data as demo_data
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
from coproduce.registry.models import Organisation, Person, Placement, Secondment, Study

KIND_WORDS = {"cash": "Cash contribution", "in_kind": "In-kind contribution"}
ATTENDANCE_ROLES = {value for value, _ in Attendance.Role.choices}


@dataclass
class Summary:
    created: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        parts = ", ".join(f"{n} {name}" for name, n in sorted(self.created.items()) if n)
        return f"  funding and capacity: {parts or 'nothing new'}"


def _made(summary: Summary, name: str, created: bool) -> None:
    if created:
        summary.created[name] += 1


def _award(data: dict[str, Any], summary: Summary) -> None:
    row = data["award"]
    award, created = Award.objects.get_or_create(
        reference=row["reference"],
        defaults={
            "funder": row["funder"],
            "title": row["title"],
            "start": row["start"],
            "end": row["end"],
        },
    )
    _made(summary, "award", created)
    for year, amount in row["amounts"].items():
        _, created = AwardAmount.objects.get_or_create(
            award=award, year=int(year), defaults={"amount": Decimal(amount)}
        )
        _made(summary, "award amounts", created)


def _matched(data: dict[str, Any], orgs: dict[str, Organisation], summary: Summary) -> None:
    years = data["matched"]["years"]
    for kind in ("cash", "in_kind"):
        for slug, amounts in data["matched"][kind].items():
            for year, amount in zip(years, amounts, strict=True):
                if Decimal(amount) == 0:
                    continue
                _, created = Contribution.objects.get_or_create(
                    organisation=orgs[slug],
                    year=year,
                    kind=kind,
                    description=KIND_WORDS[kind],
                    defaults={"amount": Decimal(amount)},
                )
                _made(summary, "contributions", created)
    for row in data["staff_time"]:
        _, created = StaffTime.objects.get_or_create(
            organisation=orgs[row["organisation"]],
            description=row["description"],
            defaults={"fte": Decimal(row["fte"]), "start": row["start"], "end": row["end"]},
        )
        _made(summary, "staff time", created)


def _further(data: dict[str, Any], people: dict[str, Person], summary: Summary) -> None:
    for row in data["further_funding"]:
        funding, created = FurtherFunding.objects.get_or_create(
            title=row["title"],
            defaults={
                "funder": row["funder"],
                "scheme": row.get("scheme", ""),
                "amount": Decimal(row["amount"]),
                "start": row["start"],
                "end": row.get("end"),
            },
        )
        _made(summary, "further funding", created)
        if created:
            slugs = [demo_data.slug(key) for key in row["studies"]]
            funding.studies.set(Study.objects.filter(slug__in=slugs))
            funding.people.set([people[email] for email in row["people"]])


def _secondment(email: str, study_key: str) -> Secondment:
    return Secondment.objects.filter(
        person__email=email, study__slug=demo_data.slug(study_key)
    ).earliest("start")


def _fellows(data: dict[str, Any], orgs: dict[str, Organisation], summary: Summary) -> None:
    for row in data["fellow_events"]:
        secondment = _secondment(row["person"], row["study"])
        for kind, day in row["events"]:
            _, created = FellowEvent.objects.get_or_create(
                secondment=secondment, kind=kind, date=day
            )
            _made(summary, "fellowship events", created)
    for row in data["vacancies"]:
        study = Study.objects.get(slug=demo_data.slug(row["study"]))
        found = Vacancy.objects.filter(study=study, advertised_on=row["advertised_on"]).first()
        if found is not None:
            continue
        nominee_row = row["nominee"]
        nominee, created = Person.objects.get_or_create(
            email=nominee_row["email"],
            defaults={
                "full_name": nominee_row["full_name"],
                "job_title": nominee_row["job_title"],
                "organisation": orgs[nominee_row["organisation"]],
            },
        )
        _made(summary, "people", created)
        Vacancy.objects.create(
            study=study,
            advertised_on=row["advertised_on"],
            replaces=_secondment(row["replaces"], row["study"]),
            notes=row["notes"],
            status=Vacancy.Status.NOMINATED,
            nominated_by=orgs[row["nominated_by"]],
            nominee=nominee,
            nominated_on=row["nominated_on"],
        )
        _made(summary, "vacancies", True)


def _placements(data: dict[str, Any], summary: Summary) -> None:
    for row in data["placement_agreements"]:
        placement = Placement.objects.filter(person__email=row["person"]).earliest("start")
        _, created = PlacementAgreement.objects.get_or_create(
            placement=placement,
            defaults={
                "fte": Decimal(row["fte"]),
                "agreed_on": row["agreed_on"],
                "notes": row.get("notes", ""),
            },
        )
        _made(summary, "placement agreements", created)


def _training(data: dict[str, Any], people: dict[str, Person], summary: Summary) -> None:
    fellows = set(Secondment.objects.values_list("person_id", flat=True))
    associates = list(Associate.objects.filter(erased__isnull=True).order_by("email"))
    offset = 0
    for row in data["training"]:
        session, created = TrainingSession.objects.get_or_create(
            title=row["title"],
            date=row["date"],
            defaults={
                "kind": row["kind"],
                "hours": Decimal(row["hours"]),
                "facilitator": row["facilitator"],
            },
        )
        _made(summary, "training sessions", created)
        for email in row["attended"]:
            person = people[email]
            role = "diffusion_fellow" if person.pk in fellows else "manager"
            _, created = Attendance.objects.get_or_create(
                session=session,
                person=person,
                defaults={"organisation_id": person.organisation_id, "role": role},
            )
            _made(summary, "attendances", created)
        count = row.get("associates", 0)
        for associate in associates[offset : offset + count]:
            role = associate.role if associate.role in ATTENDANCE_ROLES else "other"
            _, created = Attendance.objects.get_or_create(
                session=session, associate=associate, defaults={"role": role}
            )
            _made(summary, "attendances", created)
        offset += count


def load() -> Summary:
    data = demo_data.part("funding")
    summary = Summary()
    orgs = {org.slug: org for org in Organisation.objects.all()}
    people = {person.email: person for person in Person.objects.all()}
    _award(data, summary)
    _matched(data, orgs, summary)
    _further(data, people, summary)
    _fellows(data, orgs, summary)
    _placements(data, summary)
    _training(data, people, summary)
    return summary
