"""Records of the funding app for the shared test scenes: the CRUD contract's cases
(tests/staff/test_crud_kinds.py) and the authorization matrix's scene."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

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
from tests import factories

D = dt.date


def award() -> Award:
    return Award.objects.get_or_create(
        reference="NIHR-CLAHRC-TEST",
        defaults={"funder": "NIHR", "start": D(2008, 10, 1), "end": D(2013, 9, 30)},
    )[0]


def award_amount() -> AwardAmount:
    return AwardAmount.objects.create(award=award(), year=2009, amount=Decimal("2000000"))


def partner() -> Any:
    return factories.OrganisationFactory()


def contribution(organisation: Any = None) -> Contribution:
    return Contribution.objects.create(
        organisation=organisation or partner(),
        year=2010,
        kind="cash",
        amount=Decimal("5000"),
        description="Cash towards evaluation",
    )


def staff_time(organisation: Any = None) -> StaffTime:
    return StaffTime.objects.create(
        organisation=organisation or partner(),
        description="Service manager's time",
        fte=Decimal("0.1"),
        start=D(2010, 4, 1),
        end=D(2011, 3, 31),
    )


def further_funding() -> FurtherFunding:
    return FurtherFunding.objects.create(
        funder="NIHR",
        scheme="RfPB",
        title="Follow-on trial",
        amount=Decimal("250000"),
        start=D(2012, 1, 1),
    )


def vacancy(study: Any) -> Vacancy:
    return Vacancy.objects.create(study=study, advertised_on=D(2011, 1, 10))


def fellow_event(secondment: Any = None) -> FellowEvent:
    secondment = secondment or factories.SecondmentFactory()
    return FellowEvent.objects.create(
        secondment=secondment, kind="renewed", date=secondment.start + dt.timedelta(days=400)
    )


def placement_agreement(placement: Any = None) -> PlacementAgreement:
    return PlacementAgreement.objects.create(
        placement=placement or factories.PlacementFactory(),
        fte=Decimal("0.5"),
        agreed_on=D(2009, 12, 1),
    )


def session() -> TrainingSession:
    return TrainingSession.objects.create(
        title="Knowledge brokering basics", kind="knowledge_brokering", date=D(2011, 5, 1)
    )


def attendance(person: Any = None) -> Attendance:
    return Attendance.objects.create(
        session=session(), person=person or factories.PersonFactory(), role="clinician"
    )


def authz_objects(
    study: Any, organisation: Any, secondment: Any, person: Any, placement: Any
) -> dict[str, Any]:
    """The authorization matrix's funding records (tests/security/authz_scene.py)."""
    amount = award_amount()
    return {
        "award": amount.award,
        "award_amount": amount,
        "contribution": contribution(organisation),
        "staff_time": staff_time(organisation),
        "further_funding": further_funding(),
        "vacancy": vacancy(study),
        "fellow_event": fellow_event(secondment),
        "training_session": session(),
        "placement_agreement": placement_agreement(placement),
        "attendance": attendance(person),
    }


def crud_cases(KindCase: Any) -> list[Any]:
    """The CRUD contract's cases: every kind is read by staff and changed by managers."""

    def case(
        key: str,
        make: Any,
        data: Any,
        edit: tuple[str, str],
        invalid: tuple[str, str],
        parent: Any = None,
    ) -> Any:
        return KindCase(
            "funding",
            key,
            make,
            parent or (lambda scene: None),
            data,
            edit,
            invalid,
            "manager_client",
            "member_client",
        )

    return [
        case(
            "award",
            lambda scene: award(),
            lambda scene: {
                "funder": "NIHR",
                "reference": "RP-PG-0001",
                "title": "Programme grant",
                "currency": "GBP",
                "start": "2010-04-01",
                "end": "2015-03-31",
            },
            ("title", "Renamed award"),
            ("funder", "title"),
        ),
        case(
            "awardamount",
            lambda scene: award_amount(),
            lambda scene: {"year": "2010", "amount": "1500000.00"},
            ("amount", "1999999.99"),
            ("year", "amount"),
            parent=lambda scene: award(),
        ),
        case(
            "contribution",
            lambda scene: contribution(),
            lambda scene: {
                "organisation": str(partner().pk),
                "year": "2010",
                "kind": "in_kind",
                "amount": "1200.50",
                "currency": "GBP",
                "description": "Room hire for the CoP",
                "received_on": "2010-06-01",
            },
            ("description", "Room hire"),
            ("organisation", "description"),
        ),
        case(
            "stafftime",
            lambda scene: staff_time(),
            lambda scene: {
                "organisation": str(partner().pk),
                "person": "",
                "description": "Analyst time",
                "fte": "0.20",
                "start": "2011-04-01",
                "end": "2012-03-31",
            },
            ("description", "Analyst days"),
            ("organisation", "description"),
        ),
        case(
            "furtherfunding",
            lambda scene: further_funding(),
            lambda scene: {
                "funder": "Health Foundation",
                "scheme": "Innovating for Improvement",
                "title": "Stroke follow-up",
                "amount": "75000",
                "currency": "GBP",
                "start": "2012-09-01",
                "end": "",
                "studies": [str(scene.study.pk)],
            },
            ("title", "Stroke follow-up study"),
            ("funder", "title"),
        ),
        case(
            "vacancy",
            lambda scene: vacancy(scene.study),
            lambda scene: {
                "study": str(scene.study.pk),
                "advertised_on": "2011-02-01",
                "replaces": "",
                "notes": "Advertised to all partners",
            },
            ("notes", "Re-advertised"),
            ("study", "notes"),
        ),
        case(
            "fellowevent",
            lambda scene: fellow_event(),
            lambda scene: {
                "secondment": str(factories.SecondmentFactory().pk),
                "kind": "renewed",
                "date": "2011-01-01",
                "note": "Renewed for two years",
            },
            ("note", "Renewed for one year"),
            ("kind", "note"),
        ),
        case(
            "placementagreement",
            lambda scene: placement_agreement(),
            lambda scene: {
                "placement": str(factories.PlacementFactory().pk),
                "fte": "0.40",
                "agreed_on": "2010-01-04",
                "notes": "Two days a week",
            },
            ("notes", "Two days a week, reviewed yearly"),
            ("placement", "notes"),
        ),
        case(
            "session",
            lambda scene: session(),
            lambda scene: {
                "title": "Co-production in practice",
                "kind": "coproduction",
                "date": "2011-09-01",
                "hours": "3",
                "facilitator": "Dr Example",
            },
            ("title", "Co-production in everyday practice"),
            ("title", "facilitator"),
        ),
        case(
            "attendance",
            lambda scene: attendance(),
            lambda scene: {
                "person": str(factories.PersonFactory().pk),
                "associate": "",
                "organisation": "",
                "role": "manager",
                "note": "",
            },
            ("role", "commissioner"),
            ("role", "note"),
            parent=lambda scene: session(),
        ),
    ]
