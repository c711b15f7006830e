"""The priority-setting side of the CLAHRC-NDL demo.

1. The scoping consultative review of 2008: a questionnaire to 34 invited commissioners,
   clinicians, service users and carers, managers and researchers, of whom 26 responded (76%),
   with a conditional question, the free-text answers as submissions and the indicative
   questions merged from them.
2. A small priority setting exercise in stroke rehabilitation (James Lind Alliance style):
   about 300 submissions through an open link, merged into indicative questions (some out of
   scope, some still to sort), evidence checks, an interim ranking survey, a workshop of three
   small groups over two rounds and the agreed top 10, each with its outcome.

The data, both consultations' questionnaires and plans included, is in data/priorities.toml.
Loaded in the demo's transaction. Names and words are invented. Idempotent:
consultations are matched by slug, and their contents are written only when the consultation
is created, so a second run creates nothing. No emails are queued.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from coproduce.demo import data as demo_data
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

_DATA = demo_data.part("priorities")
SEED: str = _DATA["seed"]
G = StakeholderGroup
SCOPING_SLUG: str = _DATA["scoping_slug"]
STROKE_SLUG: str = _DATA["stroke_slug"]

SCOPING_GROUPS = demo_data.rows(_DATA["scoping_groups"], "group", "invited", "responded")
FIRST: list[str] = _DATA["first"]
LAST: list[str] = _DATA["last"]

SCOPING_ANSWERS: list[str] = _DATA["scoping_answers"]
SCOPING_MERGES = demo_data.rows(_DATA["scoping_merges"], "question", "submissions")

# The stroke exercise: topics, each asked in several ways.
STROKE_TOPICS = demo_data.rows(_DATA["stroke_topics"], "question", "phrasings")
STROKE_OUT_OF_SCOPE = demo_data.rows(_DATA["stroke_out_of_scope"], "text", "reason")
OPENERS: list[str] = _DATA["openers"]
STROKE_GROUP_WEIGHTS = list(_DATA["stroke_group_weights"].items())
SCOPING: dict[str, Any] = _DATA["scoping"]
STROKE: dict[str, Any] = _DATA["stroke"]
TODAY: dict[str, Any] = _DATA["today"]


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
    scoping = Consultation.objects.filter(slug=SCOPING_SLUG).first()
    if scoping is None:
        _scoping(rng, summary)
    elif not scoping.workshops.exists():  # loaded before the outcomes were recorded
        _scoping_outcomes(scoping, summary)
    if not Consultation.objects.filter(slug=STROKE_SLUG).exists():
        _stroke(rng, summary)
    _today(timezone.localdate(), summary)
    return summary


def _today(today: dt.date, summary: Summary) -> None:
    """The today layer's illustrative open consultation, dated from `today`. Created with a few
    responses the first time; on a later run, while it is still open, its dates move so that it
    stays open (a consultation someone has closed is left alone)."""
    opens = today - dt.timedelta(days=TODAY["opened_days_ago"])
    closes = today + dt.timedelta(days=TODAY["closes_in_days"])
    c = Consultation.objects.filter(slug=TODAY["slug"]).first()
    if c is not None:
        if c.status == Consultation.Status.OPEN and c.closes < today + dt.timedelta(days=7):
            Consultation.objects.filter(pk=c.pk).update(opens=opens, closes=closes)
        return
    c = Consultation.objects.create(
        slug=TODAY["slug"],
        title=TODAY["title"],
        scope=TODAY["scope"],
        opens=opens,
        closes=closes,
        status=Consultation.Status.OPEN,
        open_link_enabled=True,
        published=False,
    )
    summary.consultations += 1
    q = _questions(c, TODAY["questions"])
    groups = list(StakeholderGroup)
    for index, text in enumerate(TODAY["answers"][: TODAY["responses"]]):
        answers = {q[0].pk: q[0].choices[index % len(q[0].choices)], q[1].pk: text}
        response = services.save_response(
            c, answers, group=groups[index % len(groups)].value, submit=True
        )
        Response.objects.filter(pk=response.pk).update(
            submitted_at=_aware(opens + dt.timedelta(days=1 + index), 11)
        )
        summary.responses += 1
        summary.submissions += 1


def _questions(consultation: Consultation, specs: list[dict[str, Any]]) -> list[Question]:
    made: list[Question] = []
    for position, spec in enumerate(specs, 1):
        spec = dict(spec)  # the data file's table is shared
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
        title=SCOPING["title"],
        scope=SCOPING["scope"],
        opens=SCOPING["opens"],
        closes=SCOPING["closes"],
        status=Consultation.Status.CLOSED,
        published=True,
    )
    summary.consultations += 1
    q = _questions(c, SCOPING["questions"])
    texts = iter(SCOPING_ANSWERS)
    n = 0
    concerns = SCOPING["concerns"]
    for group, invited, responded in SCOPING_GROUPS:
        for i in range(invited):
            first, last = FIRST[n % len(FIRST)], LAST[(n * 7) % len(LAST)]
            n += 1
            invitation = Invitation.objects.create(
                consultation=c,
                full_name=f"{first} {last}",
                email=f"{first.lower()}.{last.lower()}{n}@example.org",
                group=group,
                invited_at=_aware(SCOPING["invited_on"]),
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
                submitted_at=_aware(
                    SCOPING["responses_from"] + dt.timedelta(days=rng.randint(0, 45))
                )
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
    car_park = submissions[SCOPING["out_of_scope"]]
    car_park.out_of_scope = True
    car_park.out_of_scope_reason = SCOPING["out_of_scope_reason"]
    car_park.save()
    _scoping_outcomes(c, summary)


def _scoping_outcomes(c: Consultation, summary: Summary) -> None:
    """What the scoping review decided for each question after the scoping interviews: some
    studies taken forward, some with an amended scope, one not taken forward. Recorded as the
    outcomes of an unpublished meeting (no small groups or rounds: nothing was ranked)."""
    plan = SCOPING["feedback"]
    workshop = Workshop.objects.create(
        consultation=c, title=plan["title"], held_on=plan["held_on"], published=False
    )
    questions = {iq.text: iq for iq in c.indicative_questions.all()}
    keys = [row["study"] for row in plan["outcomes"] if "study" in row]
    studies = {s.slug: s for s in Study.objects.filter(slug__in=map(demo_data.slug, keys))}
    for position, row in enumerate(plan["outcomes"], 1):
        question = questions.get(row["question"])
        if question is None:  # changed or removed by someone since the demo was loaded
            continue
        study = studies.get(demo_data.slug(row["study"])) if "study" in row else None
        Priority.objects.create(
            workshop=workshop, position=position, question=question,
            outcome=row["outcome"], study=study, reason=row["reason"],
        )  # fmt: skip
        summary.priorities += 1


def _stroke(rng: random.Random, summary: Summary) -> None:
    c = Consultation.objects.create(
        slug=STROKE_SLUG,
        title=STROKE["title"],
        scope=STROKE["scope"],
        opens=STROKE["opens"],
        closes=STROKE["closes"],
        status=Consultation.Status.CLOSED,
        open_link_enabled=True,
        published=True,
    )
    summary.consultations += 1
    q = _questions(c, STROKE["questions"])
    texts: list[tuple[str, int | None]] = []
    for index, (_, phrasings) in enumerate(STROKE_TOPICS):
        for phrasing in phrasings:
            texts.append((phrasing, index))
    pool: list[tuple[str, int | None]] = []
    while len(pool) < STROKE["submissions"]:
        text, topic = texts[len(pool) % len(texts)]
        opener = OPENERS[rng.randrange(len(OPENERS))]
        pool.append(((opener + text).strip().capitalize().rstrip("?") + "?", topic))
    pool += [(text, None) for text, _ in STROKE_OUT_OF_SCOPE]
    groups = [g for g, _ in STROKE_GROUP_WEIGHTS]
    weights = [w for _, w in STROKE_GROUP_WEIGHTS]
    base = _aware(STROKE["responses_from"])
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
    # Merge every topic's submissions, except the last ones (still to sort).
    iqs: list[IndicativeQuestion] = []
    for text, _ in STROKE_TOPICS:
        iqs.append(IndicativeQuestion.objects.create(consultation=c, text=text))
    summary.indicative += len(iqs)
    merged = STROKE["merged"]
    Merge.objects.bulk_create(
        Merge(submission=s, indicative_question=iqs[topic])
        for s, (_, topic) in zip(submissions[:merged], pool[:merged], strict=True)
        if topic is not None
    )
    for s, (text, topic) in zip(submissions, pool, strict=True):
        if topic is None:
            s.out_of_scope = True
            s.out_of_scope_reason = dict(STROKE_OUT_OF_SCOPE)[text]
            s.save(update_fields=["out_of_scope", "out_of_scope_reason"])
    answered = iqs[STROKE["answered_topic"]]
    IndicativeQuestion.objects.filter(pk__in=[answered.pk]).update(
        evidence_status=IndicativeQuestion.Evidence.ANSWERED,
        evidence_source=STROKE["answered_source"],
        evidence_checked_on=STROKE["evidence_checked_on"],
        evidence_checked_by=STROKE["evidence_checked_by"],
    )
    IndicativeQuestion.objects.exclude(pk=answered.pk).filter(consultation=c).update(
        evidence_status=IndicativeQuestion.Evidence.UNANSWERED,
        evidence_source=STROKE["unanswered_source"],
        evidence_checked_on=STROKE["evidence_checked_on"],
        evidence_checked_by=STROKE["evidence_checked_by"],
    )
    _interim_and_workshop(rng, c, [iq for iq in iqs if iq != answered], summary)


def _interim_and_workshop(
    rng: random.Random, c: Consultation, iqs: list[IndicativeQuestion], summary: Summary
) -> None:
    interim = STROKE["interim"]
    survey = InterimSurvey.objects.create(
        consultation=c,
        title=interim["title"],
        status=InterimSurvey.Status.CLOSED,
        max_picks=interim["max_picks"],
        shortlist_size=interim["shortlist_size"],
    )
    survey.questions.set(iqs)
    # Each group leans toward different questions, so equal weighting matters.
    leanings: dict[str, list[int]] = interim["leanings"]
    sizes: dict[str, int] = interim["ballots"]
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

    shortlist = [
        row.question for row in analysis.interim_result(survey).shortlist(interim["shortlist_size"])
    ]
    IndicativeQuestion.objects.filter(pk__in=[iq.pk for iq in shortlist]).update(shortlisted=True)
    plan = STROKE["workshop"]
    workshop = Workshop.objects.create(
        consultation=c, title=plan["title"], held_on=plan["held_on"], published=True
    )
    groups = [WorkshopGroup.objects.create(workshop=workshop, name=name) for name in plan["groups"]]
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
    outcome_for = {
        row["question"]: (row["outcome"], demo_data.slug(row["study"]), row["reason"])
        for row in plan["outcomes"]
    }
    studies = {
        s.slug: s
        for s in Study.objects.filter(slug__in=[slug for _, slug, _ in outcome_for.values()])
    }
    for position, row in enumerate(final[: plan["priorities"]], 1):
        outcome, slug, reason = outcome_for.get(
            row.question.text,
            (Priority.Outcome.NOT_TAKEN_FORWARD, "", plan["not_taken_forward"]),
        )
        Priority.objects.create(
            workshop=workshop, position=position, question=row.question, outcome=outcome,
            study=studies.get(slug), reason=reason,
        )  # fmt: skip
        summary.priorities += 1
