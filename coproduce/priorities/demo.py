"""The priority-setting side of the CLAHRC-NDL demo.

1. The scoping consultative review of 2008: a questionnaire to 34 invited commissioners,
   clinicians, service users and carers, managers and researchers, of whom 26 responded (76%),
   with a conditional question, the free-text answers as submissions and the indicative
   questions merged from them.
2. A small priority setting exercise in stroke rehabilitation (James Lind Alliance style):
   about 300 submissions through an open link, merged into indicative questions (some out of
   scope, some still to sort), evidence checks, an interim ranking survey, a workshop of three
   small groups over two rounds and the agreed top 10, each with its outcome.

Run by `coproduce loaddemo` inside its transaction. Names and words are invented. Idempotent:
consultations are matched by slug, and their contents are written only when the consultation
is created, so a second run creates nothing. No emails are queued.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from coproduce.priorities import services
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
from coproduce.registry.models import Study

SEED = "coproduce-clahrc-ndl-priorities-v1"
G = StakeholderGroup
SCOPING_SLUG = "scoping-consultation-2008"
STROKE_SLUG = "stroke-rehabilitation-priorities"

# (group, invited, responded): 34 invited, 26 responded.
SCOPING_GROUPS = [
    (G.COMMISSIONER, 8, 6),
    (G.CLINICIAN, 10, 8),
    (G.SERVICE_USER, 8, 6),
    (G.MANAGER, 5, 4),
    (G.RESEARCHER, 3, 2),
]
FIRST = ["Ada", "Bea", "Cal", "Dora", "Eli", "Fern", "Gus", "Hal", "Iris", "Jon", "Kit", "Lila",
         "Mo", "Nell", "Oz", "Pip", "Rae", "Sid", "Tess", "Uma", "Vic", "Wyn", "Yara", "Zed"]  # fmt: skip
LAST = ["Arkwright", "Bramley", "Cotgrave", "Dunstan", "Eakring", "Farndon", "Gedling",
        "Hucknall", "Ilkeston", "Keyworth", "Linby", "Mapperley", "Newstead", "Ollerton",
        "Papplewick", "Ruddington", "Selston", "Tollerton", "Upton", "Wollaton"]  # fmt: skip

SCOPING_ANSWERS = [
    "How can we reduce waiting times for psychological therapy in primary care?",
    "Does supported employment help people with severe mental illness stay in work?",
    "What stops people with serious mental illness getting dental care?",
    "How can GPs better support regular attenders with medically unexplained symptoms?",
    "What helps people return to work after a stroke?",
    "Do home visits by therapists after stroke reduce readmissions?",
    "How can early supported discharge after stroke be delivered in rural Lincolnshire?",
    "What works to reduce the risk of diabetes in South Asian communities?",
    "How can schools get children more physically active?",
    "What is the best way to support parents of children with ADHD?",
    "How should ADHD medication be reviewed and optimised in childhood?",
    "Which outcome measures should child mental health services agree on?",
    "How do we get research findings into commissioning decisions faster?",
    "What support do carers of people after stroke need in the first year?",
    "Would group therapy run by service users help people with chronic depression?",
    "How can preconception care reach women who do not plan pregnancy?",
    "What is the impact of injuries on people's lives a year later?",
    "Can virtual reality rehabilitation at home improve arm function after stroke?",
    "How can we help people with personality disorder get ready for treatment?",
    "What makes dental and physical health checks work in mental health services?",
    "How do waiting times for talking therapies affect recovery?",
    "What helps stroke survivors go back to their jobs?",
    "How can we make diabetes prevention culturally appropriate for South Asian families?",
    "The car park at the hospital is too expensive.",
    "How can we involve service users in designing studies from the start?",
    "Why do some GP practices refer far more people with unexplained symptoms than others?",
]
SCOPING_MERGES = [
    ("How can waiting times for psychological therapy be reduced, and how do they affect recovery?", [0, 20]),
    ("What helps people return to work after a stroke?", [4, 21]),
    ("How can diabetes prevention work for South Asian communities?", [7, 22]),
    ("How can general practice support people with medically unexplained symptoms?", [3, 25]),
    ("How can early supported discharge after stroke be delivered in rural areas?", [6]),
    ("What works to help people with serious mental illness get dental and physical health care?", [2, 19]),
]  # fmt: skip

# The stroke exercise: topics, each asked in several ways.
STROKE_TOPICS: list[tuple[str, list[str]]] = [
    ("What are the best ways to improve arm and hand function after stroke?",
     ["how can I get my arm working again after stroke", "which exercises help hand function after a stroke",
      "does intensive arm therapy improve recovery of the hand", "best therapy for a weak arm after stroke"]),
    ("What helps stroke survivors return to work?",
     ["what support helps people go back to work after stroke", "how can employers help stroke survivors return to their job",
      "does vocational rehabilitation help return to work after stroke", "getting back to work after a stroke"]),
    ("How can fatigue after stroke be managed?",
     ["how to cope with tiredness after stroke", "what treatments help post-stroke fatigue",
      "why am I so exhausted since my stroke and what helps", "managing fatigue after a stroke"]),
    ("What support do carers of stroke survivors need?",
     ["what help do carers need after someone has a stroke", "how can carers of stroke survivors be supported",
      "carers are left alone after discharge, what support works", "support for family carers after stroke"]),
    ("How can emotional and psychological problems after stroke be treated?",
     ["what helps with depression after stroke", "how to treat anxiety and low mood after a stroke",
      "psychological support after stroke, what works", "treating depression in stroke survivors"]),
    ("How can communication problems (aphasia) be improved?",
     ["what therapy helps aphasia after stroke", "how can speech be improved after stroke",
      "does more speech and language therapy help aphasia", "best treatment for aphasia"]),
    ("Do home visits by therapists after discharge improve recovery?",
     ["are therapy home visits after discharge worth it", "do home visits after stroke prevent falls and readmission",
      "benefits of home visits by occupational therapists after stroke"]),
    ("How can early supported discharge be delivered in rural areas?",
     ["early supported discharge in rural areas", "how can stroke teams reach people in villages after discharge",
      "rural early supported discharge after stroke"]),
    ("How can walking and balance be improved after stroke?",
     ["what helps walking after stroke", "how to improve balance and prevent falls after stroke",
      "best exercises for walking again after a stroke"]),
    ("Can virtual reality or games help rehabilitation at home?",
     ["do computer games help stroke rehab at home", "virtual reality rehabilitation for stroke at home",
      "can gaming consoles improve arm movement after stroke"]),
    ("How can a second stroke be prevented?",
     ["how to stop another stroke happening", "what lifestyle changes prevent a second stroke",
      "preventing recurrent stroke"]),
    ("How can memory and thinking problems after stroke be helped?",
     ["what helps memory problems after a stroke", "treatment for cognitive problems after stroke",
      "concentration and memory after stroke, what helps"]),
    ("When is the best time to start rehabilitation after stroke?",
     ["how soon should therapy start after stroke", "is early rehabilitation after stroke better",
      "best timing for starting stroke rehab"]),
    ("How can stroke survivors get back to driving?",
     ["when can I drive again after a stroke", "assessment for driving after stroke",
      "getting back to driving after stroke"]),
    ("How can people be helped to stay socially connected after stroke?",
     ["loneliness after stroke, what helps", "how can stroke survivors keep a social life",
      "peer support groups after stroke"]),
    ("Does more therapy time lead to better recovery?",
     ["would more hours of therapy improve recovery", "is the amount of rehab after stroke enough",
      "more physiotherapy after stroke, does it help"]),
]  # fmt: skip
STROKE_OUT_OF_SCOPE = [
    ("The hospital car park charges are too high for visitors.", "A service complaint, not a research question"),
    ("Please can the ward have better food.", "A service complaint, not a research question"),
    ("What causes brain tumours?", "Outside the scope: not about stroke rehabilitation"),
    ("The ambulance took an hour to arrive.", "A service complaint, not a research question"),
]  # fmt: skip
OPENERS = ["", "I would like to know ", "As a carer: ", "My question is ", "Research should ask ",
           "From my own experience, ", "Please find out "]  # fmt: skip
STROKE_GROUP_WEIGHTS = [
    (G.SERVICE_USER, 45), (G.CLINICIAN, 30), (G.MANAGER, 8), (G.COMMISSIONER, 5),
    (G.RESEARCHER, 7), (G.OTHER, 5),
]  # fmt: skip


@dataclass
class Summary:
    consultations: int = 0
    invitations: int = 0
    responses: int = 0
    submissions: int = 0
    indicative: int = 0
    ballots: int = 0
    priorities: int = 0

    def line(self) -> str:
        scoping = Consultation.objects.filter(slug=SCOPING_SLUG).first()
        rate = ""
        if scoping is not None:
            overall = services.response_rates(scoping).overall
            rate = (
                f"; scoping consultation: {overall.responded} of {overall.invited} responded "
                f"({overall.percent}%)"
            )
        return (
            f"  priority setting: {Consultation.objects.count()} consultations, "
            f"{Submission.objects.count()} submissions, "
            f"{IndicativeQuestion.objects.count()} indicative questions, "
            f"{Ballot.objects.count()} interim rankings, {Priority.objects.count()} agreed "
            f"priorities{rate}"
        )


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def load() -> Summary:
    summary = Summary()
    rng = random.Random(SEED)  # noqa: S311 - invented demo data, not secrets
    if not Consultation.objects.filter(slug=SCOPING_SLUG).exists():
        _scoping(rng, summary)
    if not Consultation.objects.filter(slug=STROKE_SLUG).exists():
        _stroke(rng, summary)
    return summary


def _questions(consultation: Consultation, specs: list[dict[str, Any]]) -> list[Question]:
    made: list[Question] = []
    for position, spec in enumerate(specs, 1):
        parent = spec.pop("show_if", None)
        made.append(
            Question.objects.create(
                consultation=consultation,
                position=position,
                show_if_question=made[parent] if parent is not None else None,
                **spec,
            )
        )
    return made


def _scoping(rng: random.Random, summary: Summary) -> None:
    c = Consultation.objects.create(
        slug=SCOPING_SLUG,
        title="CLAHRC-NDL scoping consultative review",
        scope=(
            "Before our studies start, we ask commissioners, clinicians, managers, researchers, "
            "service users and carers whether the proposed studies address local priorities, "
            "and what research they would like to see. Answers may amend a study's scope or "
            "stop a study going ahead. Complaints about individual services are out of scope."
        ),
        opens=dt.date(2008, 10, 6),
        closes=dt.date(2008, 11, 28),
        status=Consultation.Status.CLOSED,
        published=True,
    )
    summary.consultations += 1
    q = _questions(
        c,
        [
            {"kind": Question.Kind.SCALE, "text": "How important is it that our research addresses local service priorities?",
             "required": True, "scale_min": 1, "scale_max": 5, "scale_min_label": "Not important",
             "scale_max_label": "Very important"},
            {"kind": Question.Kind.SINGLE, "text": "Do you have concerns about any of the proposed studies?",
             "required": True, "choices": ["Yes", "No"]},
            {"kind": Question.Kind.FREE_TEXT, "text": "Which studies concern you, and why?",
             "show_if": 1, "show_if_value": "Yes", "required": True},
            {"kind": Question.Kind.MULTIPLE, "text": "Which themes matter most to your organisation or to you?",
             "choices": ["Mental health", "Primary care", "Stroke rehabilitation", "Children and young people"]},
            {"kind": Question.Kind.RANKING, "text": "Rank these outcomes by how much they matter to you",
             "choices": ["Patient experience", "Clinical outcomes", "Cost to services", "Staff wellbeing"]},
            {"kind": Question.Kind.FREE_TEXT, "text": "What question about health and care in our region should research answer?",
             "required": True, "collects_submissions": True},
        ],
    )  # fmt: skip
    texts = iter(SCOPING_ANSWERS)
    n = 0
    concerns = [
        "The ADHD parenting study may be hard to staff in the north of the county.",
        "The trial may not reach people who do not speak English.",
        "The stroke study should include carers, not only patients.",
    ]
    for group, invited, responded in SCOPING_GROUPS:
        for i in range(invited):
            first, last = FIRST[n % len(FIRST)], LAST[(n * 7) % len(LAST)]
            n += 1
            invitation = Invitation.objects.create(
                consultation=c,
                full_name=f"{first} {last}",
                email=f"{first.lower()}.{last.lower()}{n}@example.org",
                group=group,
                invited_at=_aware(dt.date(2008, 10, 6)),
            )
            summary.invitations += 1
            if i >= responded:
                continue
            worried = rng.random() < 0.3
            answers: dict[int, Any] = {
                q[0].pk: rng.choice([3, 4, 4, 5, 5]),
                q[1].pk: "Yes" if worried else "No",
                q[3].pk: sorted(rng.sample(q[3].choices, rng.randint(1, 3)), key=q[3].choices.index),
                q[4].pk: rng.sample(q[4].choices, rng.randint(2, 4)),
                q[5].pk: next(texts),
            }  # fmt: skip
            if worried:
                answers[q[2].pk] = rng.choice(concerns)
            response = services.save_response(c, answers, invitation=invitation, submit=True)
            Response.objects.filter(pk=response.pk).update(
                submitted_at=_aware(dt.date(2008, 10, 8) + dt.timedelta(days=rng.randint(0, 45)))
            )
            summary.responses += 1
    submissions = list(c.submissions.order_by("pk"))
    summary.submissions += len(submissions)
    for text, indices in SCOPING_MERGES:
        iq = IndicativeQuestion.objects.create(consultation=c, text=text)
        Merge.objects.bulk_create(
            Merge(submission=submissions[i], indicative_question=iq) for i in indices
        )
        summary.indicative += 1
    car_park = submissions[23]
    car_park.out_of_scope = True
    car_park.out_of_scope_reason = "A service complaint, not a research question"
    car_park.save()


def _stroke(rng: random.Random, summary: Summary) -> None:
    c = Consultation.objects.create(
        slug=STROKE_SLUG,
        title="Stroke rehabilitation priority setting partnership",
        scope=(
            "Unanswered questions about life after stroke and stroke rehabilitation in "
            "Nottinghamshire, Derbyshire and Lincolnshire, from stroke survivors, carers and "
            "the professionals who work with them. Out of scope: prevention of a first stroke, "
            "acute treatment in hospital, and complaints about individual services."
        ),
        opens=dt.date(2010, 3, 1),
        closes=dt.date(2010, 6, 30),
        status=Consultation.Status.CLOSED,
        open_link_enabled=True,
        published=True,
    )
    summary.consultations += 1
    q = _questions(
        c,
        [
            {"kind": Question.Kind.SINGLE, "text": "Have you had a stroke, or do you care for someone who has?",
             "choices": ["I have had a stroke", "I care for someone who has", "Neither"], "required": True},
            {"kind": Question.Kind.FREE_TEXT, "collects_submissions": True, "required": True,
             "text": "What questions about life after stroke would you like research to answer?"},
        ],
    )  # fmt: skip
    texts: list[tuple[str, int | None]] = []
    for index, (_, phrasings) in enumerate(STROKE_TOPICS):
        for phrasing in phrasings:
            texts.append((phrasing, index))
    pool: list[tuple[str, int | None]] = []
    while len(pool) < 296:
        text, topic = texts[len(pool) % len(texts)]
        opener = OPENERS[rng.randrange(len(OPENERS))]
        pool.append(((opener + text).strip().capitalize().rstrip("?") + "?", topic))
    pool += [(text, None) for text, _ in STROKE_OUT_OF_SCOPE]
    groups = [g for g, _ in STROKE_GROUP_WEIGHTS]
    weights = [w for _, w in STROKE_GROUP_WEIGHTS]
    base = _aware(dt.date(2010, 3, 2))
    responses = Response.objects.bulk_create(
        Response(consultation=c, group=rng.choices(groups, weights)[0],
                 submitted_at=base + dt.timedelta(hours=rng.randint(0, 2800)))
        for _ in pool
    )  # fmt: skip
    Answer.objects.bulk_create(
        Answer(response=r, question=q[1], value=text) for r, (text, _) in zip(responses, pool, strict=True)
    )  # fmt: skip
    Answer.objects.bulk_create(
        Answer(response=r, question=q[0], value=rng.choice(q[0].choices)) for r in responses
    )
    submissions = Submission.objects.bulk_create(
        Submission(consultation=c, response=r, question=q[1], group=r.group, text=text)
        for r, (text, _) in zip(responses, pool, strict=True)
    )
    summary.responses += len(responses)
    summary.submissions += len(submissions)
    # Merge every topic's submissions, except the last 40 submissions (still to sort).
    iqs: list[IndicativeQuestion] = []
    for text, _ in STROKE_TOPICS:
        iqs.append(IndicativeQuestion.objects.create(consultation=c, text=text))
    summary.indicative += len(iqs)
    Merge.objects.bulk_create(
        Merge(submission=s, indicative_question=iqs[topic])
        for s, (_, topic) in zip(submissions[:250], pool[:250], strict=True)
        if topic is not None
    )
    for s, (text, topic) in zip(submissions, pool, strict=True):
        if topic is None:
            s.out_of_scope = True
            s.out_of_scope_reason = dict(STROKE_OUT_OF_SCOPE)[text]
            s.save(update_fields=["out_of_scope", "out_of_scope_reason"])
    IndicativeQuestion.objects.filter(pk__in=[iqs[10].pk]).update(
        evidence_status=IndicativeQuestion.Evidence.ANSWERED,
        evidence_source="National clinical guideline for stroke (invented citation for the demo)",
        evidence_checked_on=dt.date(2010, 8, 2),
        evidence_checked_by="Information specialist",
    )
    IndicativeQuestion.objects.exclude(pk=iqs[10].pk).filter(consultation=c).update(
        evidence_status=IndicativeQuestion.Evidence.UNANSWERED,
        evidence_source="Searched the Cochrane Library and UK DUETs (invented for the demo)",
        evidence_checked_on=dt.date(2010, 8, 2),
        evidence_checked_by="Information specialist",
    )
    _interim_and_workshop(rng, c, [iq for i, iq in enumerate(iqs) if i != 10], summary)


def _interim_and_workshop(
    rng: random.Random, c: Consultation, iqs: list[IndicativeQuestion], summary: Summary
) -> None:
    survey = InterimSurvey.objects.create(
        consultation=c,
        title="Interim priority setting survey: stroke rehabilitation",
        status=InterimSurvey.Status.CLOSED,
        max_picks=10,
        shortlist_size=12,
    )
    survey.questions.set(iqs)
    # Each group leans toward different questions, so equal weighting matters.
    leanings = {
        G.SERVICE_USER: [2, 3, 4, 0, 14],
        G.CLINICIAN: [0, 8, 5, 12, 15],
        G.MANAGER: [6, 7, 1, 15],
        G.COMMISSIONER: [7, 1, 6],
        G.RESEARCHER: [9, 0, 11],
        G.OTHER: [1, 13],
    }
    sizes = {G.SERVICE_USER: 40, G.CLINICIAN: 25, G.MANAGER: 6, G.COMMISSIONER: 4,
             G.RESEARCHER: 5, G.OTHER: 3}  # fmt: skip
    ranks = []
    for group, size in sizes.items():
        favoured = [iqs[i] for i in leanings[group] if i < len(iqs)]
        for _ in range(size):
            ballot = Ballot.objects.create(survey=survey, group=group)
            others = [iq for iq in iqs if iq not in favoured]
            picked = rng.sample(favoured, len(favoured)) + rng.sample(others, rng.randint(2, 5))
            picked = picked[: rng.randint(5, 10)]
            ranks += [
                BallotRank(ballot=ballot, question=iq, rank=n) for n, iq in enumerate(picked, 1)
            ]
            summary.ballots += 1
    BallotRank.objects.bulk_create(ranks)
    from coproduce.priorities import analysis

    shortlist = [row.question for row in analysis.interim_result(survey).shortlist(12)]
    IndicativeQuestion.objects.filter(pk__in=[iq.pk for iq in shortlist]).update(shortlisted=True)
    workshop = Workshop.objects.create(
        consultation=c,
        title="Stroke rehabilitation priority setting workshop",
        held_on=dt.date(2010, 11, 18),
        published=True,
    )
    groups = [WorkshopGroup.objects.create(workshop=workshop, name=name)
              for name in ("Group A", "Group B", "Group C")]  # fmt: skip
    order = list(shortlist)
    rows = []
    for round_number in (1, 2):
        for small_group in groups:
            mine = order[:]
            # Groups disagree a little in round 1, and converge in round 2.
            for _ in range(4 if round_number == 1 else 1):
                i, j = rng.randrange(len(mine)), rng.randrange(len(mine))
                mine[i], mine[j] = mine[j], mine[i]
            rows += [WorkshopRank(group=small_group, round=round_number, question=iq, rank=n)
                     for n, iq in enumerate(mine, 1)]  # fmt: skip
    WorkshopRank.objects.bulk_create(rows)
    final = analysis.workshop_rounds(workshop)[-1][1]
    studies = {s.slug: s for s in Study.objects.filter(
        slug__in=["return-to-work-after-stroke", "home-visits-after-stroke",
                  "early-supported-discharge"])}  # fmt: skip
    outcome_for = {
        "What helps stroke survivors return to work?": (
            Priority.Outcome.NEW_STUDY, "return-to-work-after-stroke", ""),
        "Do home visits by therapists after discharge improve recovery?": (
            Priority.Outcome.NEW_STUDY, "home-visits-after-stroke", ""),
        "How can early supported discharge be delivered in rural areas?": (
            Priority.Outcome.AMENDED_SCOPE, "early-supported-discharge",
            "The study's scope was widened to rural Lincolnshire."),
    }  # fmt: skip
    for position, row in enumerate(final[:10], 1):
        outcome, slug, reason = outcome_for.get(
            row.question.text,
            (Priority.Outcome.NOT_TAKEN_FORWARD, "", "Passed to the regional research network: "
             "outside the collaboration's funded themes for now."),
        )  # fmt: skip
        Priority.objects.create(
            workshop=workshop, position=position, question=row.question, outcome=outcome,
            study=studies.get(slug), reason=reason,
        )  # fmt: skip
        summary.priorities += 1
