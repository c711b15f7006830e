"""The co-production side of the CLAHRC-NDL demo (data/coproduction.toml), loaded after the
registry part.

Invented records, built around what the sources say: the return to work after stroke
community's pro forma for capturing the intervention's content, and the chronic mood disorder
community's call for follow-on groups run by service users. Several studies get knowledge-
broker activity, compromises, sources (with participants' consent), reflexive dialogues,
public involvement and a GRIPP2 report, so every page shows something.

Two sign-ins are added (password as the registry demo's, set only when first created):
`fellow` (a diffusion fellow on return to work after stroke) and `resident` (a researcher in
residence), both in the researcher group, with no editing role.

Idempotent: records are matched by natural keys (study and title or summary, person and date
and kind, ...) and only created when missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from coproduce.coproduction import gripp2
from coproduce.coproduction.models import (
    BrokerActivity,
    Compromise,
    CompromisePosition,
    Contributor,
    Gripp2Report,
    InvolvementActivity,
    JournalEntry,
    JournalSupervisor,
    Participant,
    PaymentRate,
    ReflexiveDialogue,
    Source,
    SourceParticipant,
)
from coproduce.demo import data as demo_data
from coproduce.demo.loader import registry as clahrc_ndl
from coproduce.registry.models import Person, Placement, Secondment, Study

D = dt.date
_DATA = demo_data.part("coproduction")
RTW = demo_data.slug("rtw")
MOOD = demo_data.slug("mood")
ESD = demo_data.slug("esd")
STAK = demo_data.slug("stak")

# (username, email, first name, last name)
# (username, email, first name, last name)
SIGN_INS = demo_data.rows(_DATA["sign_ins"], "username", "email", "first_name", "last_name")
SUPERVISOR: str = _DATA["supervisor"]

# (person, study, date, hours, direction, kind, mobilisation, audience, outcome)
# (person, study, date, hours, direction, kind, mobilisation, audience, outcome)
_ACTIVITY = ("date", "hours", "direction", "kind", "mobilisation", "audience", "outcome")
BROKER: list[tuple[Any, ...]] = [
    (email, demo_data.slug(study), *rest)
    for email, study, *rest in demo_data.rows(_DATA["broker"], "person", "study", *_ACTIVITY)
]
# The researcher in residence's hours
RESIDENT_HOURS = demo_data.rows(_DATA["resident_hours"], *_ACTIVITY)


@dataclass
class Tally:
    created: int = 0

    def line(self) -> str:
        return (
            f"  co-production: {self.created} records created (broker activity, compromises, "
            "sources, dialogues, involvement, journal, GRIPP2); sign-ins fellow and resident"
        )


def _get_or_create(tally: Tally, model: Any, lookup: dict[str, Any], **values: Any) -> Any:
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    if created:
        tally.created += 1
    return obj


def _sign_ins(tally: Tally) -> None:
    user_model = get_user_model()
    group, _ = Group.objects.get_or_create(name="researcher")
    for username, email, first, last in SIGN_INS:
        person = Person.objects.filter(email=email).first()
        if person is None:
            continue
        user = user_model._default_manager.filter(username=username).first()
        if user is None:
            user = user_model(username=username, first_name=first, last_name=last, email=email)
            user.set_password(clahrc_ndl.DEMO_PASSWORD)
            user.save()
            tally.created += 1
        user.groups.add(group)
        if person.user_id is None:
            person.user = user
            person.save(update_fields=["user"])


def _broker(tally: Tally, studies: dict[str, Study]) -> None:
    for email, slug, date, hours, direction, kind, mob, audience, outcome in BROKER:
        secondment = (
            Secondment.objects.filter(person__email=email, study=studies[slug])
            .order_by("-start")
            .first()
        )
        if secondment is None:
            continue
        _get_or_create(
            tally,
            BrokerActivity,
            {"person": secondment.person, "date": date, "kind": kind},
            secondment=secondment,
            study=secondment.study,
            hours=Decimal(hours),
            direction=direction,
            mobilisation=mob,
            audience=audience,
            outcome=outcome,
        )
    placement = Placement.objects.filter(person__email=SIGN_INS[1][1]).first()
    if placement is not None:
        for date, hours, direction, kind, mob, audience, outcome in RESIDENT_HOURS:
            _get_or_create(
                tally,
                BrokerActivity,
                {"person": placement.person, "date": date, "kind": kind},
                placement=placement,
                study=placement.study,
                hours=Decimal(hours),
                direction=direction,
                mobilisation=mob,
                audience=audience,
                outcome=outcome,
            )


# A study's participants: (full name, email, research-use consent)
PARTICIPANTS: dict[str, list[tuple[str, str, str]]] = {}
for _row in _DATA["participants"]:
    PARTICIPANTS.setdefault(demo_data.slug(_row["study"]), []).append(
        (_row["full_name"], _row["email"], _row["consent"])
    )
CONSENTED_ON: dt.date = _DATA["consented_on"]

# A study's sources; `people` are its participants, by index.
SOURCES: dict[str, list[dict[str, Any]]] = {}
for _row in _DATA["sources"]:
    SOURCES.setdefault(demo_data.slug(_row["study"]), []).append(
        {name: value for name, value in _row.items() if name != "study"}
    )

# `sources` are the study's sources, by index.
COMPROMISES: list[dict[str, Any]] = [
    {
        **row,
        "study": demo_data.slug(row["study"]),
        "positions": demo_data.rows(row["positions"], "party", "position"),
    }
    for row in _DATA["compromises"]
]

# (study, date, title, partners, summary, challenges, enablers, actions)
# (study, date, title, partners, summary, challenges, enablers, actions)
DIALOGUES: list[tuple[Any, ...]] = [
    (demo_data.slug(study), *rest)
    for study, *rest in demo_data.rows(
        _DATA["dialogues"],
        "study", "date", "title", "partners", "summary", "challenges", "enablers", "actions",
    )
]  # fmt: skip

INVOLVEMENT: list[tuple[Any, ...]] = [
    (demo_data.slug(study), *rest)
    for study, *rest in demo_data.rows(
        _DATA["involvement"],
        "study", "contributor", "payee_reference", "date", "what", "role", "hours", "rate",
        "expenses", "payment_declined", "benefits_advice_offered",
    )
]  # fmt: skip

# The researcher in residence's journal
JOURNAL = demo_data.rows(
    _DATA["journal"], "date", "title", "text", "challenges", "strategies", "shared"
)
GRIPP2_OUTCOMES: str = _DATA["gripp2_outcomes"]


def load() -> Tally:
    tally = Tally()
    studies = {s.slug: s for s in Study.objects.filter(slug__in=[RTW, MOOD, ESD, STAK])}
    if len(studies) < 4:
        return tally
    _sign_ins(tally)
    _broker(tally, studies)

    sources: dict[str, list[Source]] = {}
    for slug, rows in SOURCES.items():
        study = studies[slug]
        people = [
            _get_or_create(
                tally,
                Participant,
                {"study": study, "email": email},
                full_name=name,
                consent=consent,
                consent_date=CONSENTED_ON if consent == "granted" else None,
                consent_note="Signed research-use consent form" if consent == "granted" else "",
            )
            for name, email, consent in PARTICIPANTS[slug]
        ]
        sources[slug] = []
        for row in rows:
            source = _get_or_create(
                tally,
                Source,
                {"study": study, "title": row["title"]},
                kind=row["kind"],
                date=row["date"],
                notes=row["notes"],
                observations=row.get("observations", ""),
                message_id=row.get("message_id", ""),
                thread_key=row.get("thread_key", ""),
                sender=row.get("sender", ""),
            )
            role = "attendee" if row["kind"] == "meeting" else "recipient"
            for index in row["people"]:
                link_role = "author" if row["kind"] == "email" and index == 1 else role
                SourceParticipant.objects.get_or_create(
                    source=source, participant=people[index], role=link_role
                )
            sources[slug].append(source)

    for row in COMPROMISES:
        study = studies[row["study"]]
        item = _get_or_create(
            tally,
            Compromise,
            {"study": study, "summary": row["summary"]},
            date=row["date"],
            topic=row["topic"],
            options_considered=row["options"],
            agreed=row["agreed"],
            direction=row["direction"],
            rationale=row["rationale"],
            protocol_version=row["version"],
        )
        if not item.positions.exists():
            CompromisePosition.objects.bulk_create(
                [
                    CompromisePosition(compromise=item, party=party, position=text)
                    for party, text in row["positions"]
                ]
            )
        for index in row["sources"]:
            item.sources.add(sources[row["study"]][index])

    for slug, date, title, partners, summary, challenges, enablers, actions in DIALOGUES:
        _get_or_create(
            tally,
            ReflexiveDialogue,
            {"study": studies[slug], "title": title},
            date=date,
            partners=partners,
            summary=summary,
            challenges=challenges,
            enablers=enablers,
            actions=actions,
        )

    rates = {rate.name: rate for rate in PaymentRate.objects.all()}
    for (
        slug,
        name,
        ref,
        date,
        what,
        role,
        hours,
        rate_name,
        expenses,
        declined,
        advice,
    ) in INVOLVEMENT:
        contributor = _get_or_create(tally, Contributor, {"full_name": name}, payee_reference=ref)
        rate = rates.get(rate_name)
        _get_or_create(
            tally,
            InvolvementActivity,
            {"study": studies[slug], "contributor": contributor, "date": date, "what": what},
            role=role,
            hours=Decimal(hours),
            rate=rate,
            fee=rate.fee_for(Decimal(hours)) if rate else Decimal("0"),
            expenses=Decimal(expenses),
            payment_declined=declined,
            benefits_advice_offered=advice,
            paid_on=date + dt.timedelta(days=21) if not declined else None,
        )

    placement = Placement.objects.filter(person__email=SIGN_INS[1][1]).first()
    supervisor = Person.objects.filter(email=SUPERVISOR).first()
    if placement is not None:
        if supervisor is not None:
            JournalSupervisor.objects.get_or_create(placement=placement, supervisor=supervisor)
        for date, title, text, challenges, strategies, shared in JOURNAL:
            _get_or_create(
                tally,
                JournalEntry,
                {"placement": placement, "date": date, "title": title},
                text=text,
                challenges=challenges,
                strategies=strategies,
                shared=shared,
            )

    if not Gripp2Report.objects.filter(study=studies[RTW]).exists():
        values = gripp2.prefill(studies[RTW])
        values["outcomes"] = GRIPP2_OUTCOMES
        Gripp2Report.objects.create(study=studies[RTW], **values)
        tally.created += 1
    return tally
