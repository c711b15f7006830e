"""The co-production side of the CLAHRC-NDL demo, run by `coproduce loaddemo` after the registry.

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
from coproduce.registry.demo import clahrc_ndl
from coproduce.registry.models import Person, Placement, Secondment, Study

D = dt.date
RTW = "return-to-work-after-stroke"
MOOD = "cbt-chronic-mood-disorder"
ESD = "early-supported-discharge"
STAK = "stak"

SIGN_INS = [
    ("fellow", "angela.wragg@greenwoodvale.nhs.example", "Angela", "Wragg"),
    ("resident", "zoe.catterall@trentside.example.org", "Zoe", "Catterall"),
]
SUPERVISOR = "joanne.pennington@trentside.example.org"

BROKER = [
    # person, study, date, hours, direction, kind, mobilisation, audience, outcome
    (
        "angela.wragg@greenwoodvale.nhs.example",
        RTW,
        D(2010, 3, 4),
        "3",
        "inward",
        "advising_design",
        "horizontal",
        "Study team",
        "Suggested occupational therapists record each contact on one page.",
    ),
    (
        "angela.wragg@greenwoodvale.nhs.example",
        RTW,
        D(2010, 6, 17),
        "2.5",
        "outward",
        "recruitment",
        "vertical",
        "Stroke unit ward managers",
        "Two wards agreed to introduce the study at discharge.",
    ),
    (
        "angela.wragg@greenwoodvale.nhs.example",
        RTW,
        D(2011, 2, 9),
        "4",
        "outward",
        "cop_facilitation",
        "horizontal",
        "Return to work community of practice",
        "Drafted the pro forma for capturing the intervention's content with members.",
    ),
    (
        "angela.wragg@greenwoodvale.nhs.example",
        RTW,
        D(2012, 5, 22),
        "2",
        "outward",
        "commissioning",
        "vertical",
        "Mapleford PCT stroke commissioners",
        "Commissioners asked for the pro forma data in the service specification.",
    ),
    (
        "samina.akhtar@trentsidehealthcare.nhs.example",
        MOOD,
        D(2011, 1, 12),
        "3",
        "inward",
        "practicalities",
        "feedback",
        "Therapy team",
        "Moved group sessions to a venue on the bus route.",
    ),
    (
        "samina.akhtar@trentsidehealthcare.nhs.example",
        MOOD,
        D(2011, 9, 28),
        "2",
        "outward",
        "service_change",
        "horizontal",
        "Service user network",
        "Service users offered to run follow-on groups after therapy ends.",
    ),
    (
        "peter.hollis@highmoor.nhs.example",
        MOOD,
        D(2010, 11, 3),
        "1.5",
        "outward",
        "dissemination",
        "vertical",
        "High Moor Health clinical governance group",
        "",
    ),
    (
        "susan.frecklington@trentsidehealthcare.nhs.example",
        ESD,
        D(2011, 4, 6),
        "3",
        "outward",
        "service_change",
        "vertical",
        "Early supported discharge team leads",
        "Teams agreed a shared referral form.",
    ),
]
RESIDENT_HOURS = [
    (
        D(2010, 5, 10),
        "6",
        "inward",
        "practicalities",
        "feedback",
        "Stroke ward",
        "Agreed which routine data the ward can share.",
    ),
    (
        D(2011, 3, 15),
        "4",
        "outward",
        "service_change",
        "feedback",
        "Discharge planning meeting",
        "Fed back early findings on delays.",
    ),
]


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


PARTICIPANTS = {
    RTW: [
        ("Rosalind Ferriby", "rosalind.ferriby@example.org", "granted"),
        ("Graham Kettleby", "graham.kettleby@example.org", "granted"),
        ("Denise Ollerton", "denise.ollerton@example.org", "not_recorded"),
    ],
    MOOD: [
        ("Marcus Brindley", "marcus.brindley@example.org", "granted"),
        ("Helen Ashover", "helen.ashover@example.org", "granted"),
    ],
}

SOURCES: dict[str, list[dict[str, Any]]] = {
    RTW: [
        dict(
            kind="meeting",
            title="Community of practice meeting: capturing the intervention",
            date=D(2011, 2, 9),
            notes="Members compared how each occupational therapist records return-to-work "
            "support. Employment support providers asked for a common record.",
            observations="Service users led the discussion of what a pro forma should ask.",
            people=[0, 1],
        ),
        dict(
            kind="email",
            title="Re: pro forma draft 2",
            date=D(2011, 3, 1),
            notes="Thanks, the employer contact section works. Can we keep it to one page?",
            message_id="<pro-forma-2@rtw.example.org>",
            thread_key="<pro-forma-1@rtw.example.org>",
            sender="Graham Kettleby <graham.kettleby@example.org>",
            people=[1, 2],
        ),
    ],
    MOOD: [
        dict(
            kind="meeting",
            title="Steering committee: what happens after therapy ends",
            date=D(2011, 9, 28),
            notes="Service users described losing support when group therapy ends and asked "
            "for follow-on groups they would run themselves.",
            observations="Therapists and researchers agreed to record the groups as "
            "implementation, outside the trial's outcomes.",
            people=[0, 1],
        ),
    ],
}

COMPROMISES: list[dict[str, Any]] = [
    dict(
        study=RTW,
        summary="Record the intervention's content on the community's pro forma",
        date=D(2011, 3, 14),
        topic="delivery",
        options="A detailed fidelity checklist; free-text notes; the one-page pro forma the "
        "community of practice drafted.",
        agreed="Therapists use the one-page pro forma; researchers accept less detail.",
        direction="mutual",
        rationale="Therapists would not complete a long checklist in routine practice.",
        version="2.1",
        positions=[
            ("academic", "A full fidelity checklist is needed to describe the intervention."),
            ("clinical", "Anything longer than a page will not be filled in."),
            ("service_user", "The record should include contact with the employer."),
        ],
        sources=[0, 1],
    ),
    dict(
        study=RTW,
        summary="Recruit at six weeks after stroke rather than at discharge",
        date=D(2010, 7, 1),
        topic="recruitment",
        options="Recruit at discharge; at six weeks; at the first outpatient visit.",
        agreed="Recruit at six weeks.",
        direction="practice",
        rationale="People are not ready to think about work at discharge.",
        version="1.3",
        positions=[
            ("academic", "Recruiting at discharge captures everyone."),
            ("service_user", "At discharge it is too soon to talk about work."),
        ],
        sources=[],
    ),
    dict(
        study=MOOD,
        summary="Keep follow-on groups outside the trial's outcome measures",
        date=D(2011, 10, 12),
        topic="outcomes",
        options="Evaluate the follow-on groups within the trial; leave them out; record "
        "attendance only.",
        agreed="Follow-on groups run by service users start after the trial's final "
        "follow-up and are recorded as implementation.",
        direction="rigour",
        rationale="Groups during follow-up would contaminate the comparison between arms.",
        version="3.0",
        positions=[
            ("service_user", "People need support as soon as therapy ends."),
            ("academic", "Randomised comparison must not be disturbed."),
            ("clinical", "Therapists can signpost to groups after follow-up."),
        ],
        sources=[0],
    ),
    dict(
        study=MOOD,
        summary="Accept incomplete questionnaires at 12 months",
        date=D(2012, 4, 2),
        topic="completeness",
        options="Chase every missing questionnaire; accept the core measure only.",
        agreed="Only the primary outcome is chased at 12 months.",
        direction="practice",
        rationale="Repeated chasing upset participants.",
        version="3.1",
        positions=[
            ("academic", "Missing data weakens the analysis."),
            ("service_user", "Repeated letters feel like pressure."),
        ],
        sources=[],
    ),
    dict(
        study=ESD,
        summary="Compare teams before and after instead of randomising",
        date=D(2010, 9, 20),
        topic="randomisation",
        options="Cluster randomisation of teams; a before and after comparison.",
        agreed="A before and after comparison across all teams.",
        direction="practice",
        rationale="Commissioners had already decided every team would change.",
        version="",
        positions=[
            ("commissioner", "All teams change this year."),
            ("academic", "Randomisation gives stronger evidence."),
        ],
        sources=[],
    ),
    dict(
        study=STAK,
        summary="Use pupils' own words in the activity diary",
        date=D(2011, 1, 17),
        topic="language",
        options="A validated adult diary; a diary written with pupils.",
        agreed="A diary written with pupils, checked against the validated one in a pilot.",
        direction="mutual",
        rationale="Pupils did not understand the validated wording.",
        version="1.2",
        positions=[
            ("academic", "Validated measures are comparable."),
            ("other", "Teachers: pupils must understand the questions."),
        ],
        sources=[],
    ),
]

DIALOGUES = [
    (
        RTW,
        D(2011, 6, 8),
        "Who owns the pro forma?",
        "Researchers, occupational therapists and two service users",
        "We discussed whether the pro forma is a research tool or a clinical record, and who "
        "decides when it changes.",
        ["purpose", "language"],
        ["legitimate", "dialogical"],
        "Changes to the pro forma go to the community of practice first.",
    ),
    (
        MOOD,
        D(2012, 1, 25),
        "Rapid feedback or a clean trial?",
        "Therapists, trial team and service user representatives",
        "Therapists wanted interim findings to improve groups now; the trial team needed to "
        "wait for the final analysis.",
        ["feedback_theory", "pace"],
        ["shared_goal", "time"],
        "Share process findings each quarter; outcomes only at the end.",
    ),
]

INVOLVEMENT = [
    (
        RTW,
        "Rosalind Ferriby",
        "RF-001",
        D(2010, 2, 3),
        "Steering committee meeting",
        "steering",
        "3",
        "Meeting or workshop, half day",
        "12.40",
        False,
        True,
    ),
    (
        RTW,
        "Graham Kettleby",
        "GK-002",
        D(2011, 2, 9),
        "Drafted the pro forma with therapists",
        "co_researcher",
        "4",
        "Involvement, hourly",
        "8.60",
        False,
        True,
    ),
    (
        RTW,
        "Denise Ollerton",
        "",
        D(2011, 5, 11),
        "Reviewed the participant leaflet",
        "reviewer",
        "2",
        "Document review",
        "0",
        True,
        True,
    ),
    (
        MOOD,
        "Marcus Brindley",
        "MB-003",
        D(2011, 11, 2),
        "Planned the follow-on groups",
        "co_facilitator",
        "6",
        "Meeting or workshop, full day",
        "15.20",
        False,
        True,
    ),
    (
        MOOD,
        "Helen Ashover",
        "HA-004",
        D(2012, 2, 15),
        "Co-facilitated a follow-on group",
        "co_facilitator",
        "2",
        "Involvement, hourly",
        "6.00",
        False,
        False,
    ),
    (
        STAK,
        "Priya Lound",
        "PL-005",
        D(2011, 1, 10),
        "Pupil diary workshop with parents",
        "advisory",
        "3",
        "Meeting or workshop, half day",
        "4.50",
        False,
        True,
    ),
]

JOURNAL = [
    (
        D(2010, 4, 20),
        "First weeks on the ward",
        "Staff see me as the person who asks for data. I attended handovers to listen.",
        ["embedding", "relationships"],
        "Joined handovers; brought nothing to ask for.",
        True,
    ),
    (
        D(2010, 9, 14),
        "Asked to run the audit",
        "The ward manager asked me to run the discharge audit for them.",
        ["focus", "independence"],
        "Agreed to advise on the audit, not to run it.",
        True,
    ),
    (
        D(2011, 2, 2),
        "Am I still a researcher?",
        "Colleagues at the university ask when I will publish.",
        ["identity"],
        "Set aside Friday mornings for writing.",
        False,
    ),
]


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
                consent_date=D(2010, 1, 20) if consent == "granted" else None,
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
        values["outcomes"] = (
            "Service users shaped the pro forma that therapists now use to record the "
            "intervention's content, and moved recruitment to six weeks after stroke."
        )
        Gripp2Report.objects.create(study=studies[RTW], **values)
        tally.created += 1
    return tally
