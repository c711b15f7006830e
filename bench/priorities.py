"""Fill the bench's throw-away database with one large priority setting exercise, and time the
similarity suggestions.

bench/run.py runs this with the virtualenv's Python, DJANGO_SETTINGS_MODULE=coproduce.settings
and COPRODUCE_DATA_DIR (or DATABASE_URL) pointing at the bench's own database, after
`migrate` and `loaddemo`. Never point it at real data: it inserts a fake consultation.

  python bench/priorities.py generate RESPONDENTS SUBMISSIONS SEED
      one published, closed consultation (`bench-priorities`) with RESPONDENTS submitted
      responses from invitees in the six stakeholder groups (and a fifth more invitees who did
      not respond), SUBMISSIONS free-text submissions spread over the respondents, 80
      indicative questions with about 60% of the submissions merged into them and 5% out of
      scope, an interim survey with RESPONDENTS / 2 ballots of up to 10 ranks, and a published
      workshop (3 small groups, 2 rounds over a shortlist of 25, an agreed top 10).
      Deterministic for a given SEED (random.Random(SEED)).
  python bench/priorities.py similarity [BATCH]
      times the lexical similarity suggestions: building the index over every submission of
      that consultation, one submission's nearest neighbours against all of them, a BATCH
      (default 100) of submissions each against all of them, and the submission page's own
      path (the unsorted in-scope pool rebuilt for one submission).

Each command prints one JSON object as its last line of output, for run.py to read.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from typing import Any

import django

SLUG = "bench-priorities"
TOPICS = [
    "stroke rehabilitation", "falls in older people", "dementia care at home",
    "child mental health", "diabetes self-management", "heart failure clinics",
    "COPD exacerbations", "carers' wellbeing", "hospital discharge", "pain management",
    "depression in primary care", "learning disability services", "eating disorders",
    "end of life care", "frailty assessment", "loneliness", "physical activity",
    "medication reviews", "telehealth monitoring", "waiting lists",
]  # fmt: skip
ASKS = [
    "What helps people with {t} stay independent at home?",
    "Does earlier support for {t} reduce hospital admissions?",
    "How can GPs and community teams work together on {t}?",
    "Which services for {t} do service users and carers value most?",
    "Is group therapy for {t} as effective as one-to-one care?",
    "How do we reach people with {t} who do not come to appointments?",
    "What is the cost of delays in {t} for the NHS and for families?",
    "Can volunteers support people living with {t}?",
]
EXTRAS = [
    "", " In rural areas especially.", " My mother waited months.",
    " Staff do not have time to explain.", " This matters for young carers too.",
    " Nobody follows up after discharge.", " Transport to clinics is a problem.",
    " Information is hard to find online.",
]  # fmt: skip
GROUP_WEIGHTS = {
    "service_user_carer": 40,
    "clinician": 25,
    "manager": 10,
    "commissioner": 5,
    "researcher": 10,
    "other": 10,
}
QUESTIONS = 80
SHORTLIST = 25


def _setup() -> None:
    django.setup()


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload))


def _manager() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model()._default_manager.filter(username="manager").first()


def generate(respondents: int, submissions: int, seed: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from coproduce.priorities import analysis
    from coproduce.priorities.models import (
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
        Submission,
        Workshop,
        WorkshopGroup,
        WorkshopRank,
    )

    rng = random.Random(seed)
    started = time.monotonic()
    groups = list(GROUP_WEIGHTS)
    weights = list(GROUP_WEIGHTS.values())
    batch = 2000
    with transaction.atomic():
        Consultation.objects.filter(slug=SLUG).delete()
        consultation = Consultation.objects.create(
            slug=SLUG,
            title="Bench: research priorities for community services",
            scope="What research should the collaboration do about community services?",
            opens=dt.date(2024, 1, 8),
            closes=dt.date(2024, 3, 29),
            status=Consultation.Status.CLOSED,
            published=True,
        )
        question = Question.objects.create(
            consultation=consultation, position=1, kind=Question.Kind.FREE_TEXT,
            text="What questions about community services should research answer?",
            collects_submissions=True,
        )  # fmt: skip
        invited = respondents + respondents // 5
        invitations = Invitation.objects.bulk_create(
            (
                Invitation(
                    consultation=consultation,
                    full_name=f"Bench Invitee {n}",
                    email=f"invitee{n:06d}@example.org",
                    group=rng.choices(groups, weights)[0],
                    invited_at=timezone.now(),
                )
                for n in range(1, invited + 1)
            ),
            batch_size=batch,
        )
        when = timezone.make_aware(dt.datetime(2024, 2, 1, 10))
        responses = Response.objects.bulk_create(
            (
                Response(consultation=consultation, invitation=i, group=i.group, submitted_at=when)
                for i in invitations[:respondents]
            ),
            batch_size=batch,
        )
        rows = []
        for n in range(submissions):
            response = responses[n % len(responses)]
            text = rng.choice(ASKS).format(t=rng.choice(TOPICS)) + rng.choice(EXTRAS)
            out = rng.random() < 0.05
            rows.append(
                Submission(
                    consultation=consultation,
                    response=response,
                    question=question,
                    group=response.group,
                    text=text,
                    out_of_scope=out,
                    out_of_scope_reason="Not about community services" if out else "",
                )
            )
        made = Submission.objects.bulk_create(rows, batch_size=batch)
        combos = sorted({(a, t) for a in ASKS for t in TOPICS})
        chosen = rng.sample(combos, QUESTIONS)
        iqs = IndicativeQuestion.objects.bulk_create(
            IndicativeQuestion(
                consultation=consultation,
                text=ask.format(t=topic),
                evidence_status=IndicativeQuestion.Evidence.UNANSWERED,
            )
            for ask, topic in chosen
        )
        by_text = {iq.text: iq for iq in iqs}
        user = _manager()
        merges = []
        for submission in made:
            if submission.out_of_scope or rng.random() > 0.63:
                continue
            target = by_text.get(submission.text.split("?")[0] + "?") or rng.choice(iqs)
            merges.append(Merge(submission=submission, indicative_question=target, merged_by=user))
        Merge.objects.bulk_create(merges, batch_size=batch)
        survey = InterimSurvey.objects.create(
            consultation=consultation, title="Bench interim survey",
            status=InterimSurvey.Status.CLOSED, max_picks=10, shortlist_size=SHORTLIST,
        )  # fmt: skip
        survey.questions.set(iqs)
        ballots = Ballot.objects.bulk_create(
            (
                Ballot(survey=survey, group=rng.choices(groups, weights)[0])
                for _ in range(max(1, respondents // 2))
            ),
            batch_size=batch,
        )
        favoured = iqs[:30]
        ranks = []
        for ballot in ballots:
            picks = rng.sample(favoured, 6) + rng.sample(iqs[30:], 4)
            rng.shuffle(picks)
            ranks += [
                BallotRank(ballot=ballot, question=iq, rank=n)
                for n, iq in enumerate(picks[: rng.randint(3, 10)], 1)
            ]
        BallotRank.objects.bulk_create(ranks, batch_size=batch)
        shortlist = [row.question for row in analysis.interim_result(survey).shortlist(SHORTLIST)]
        IndicativeQuestion.objects.filter(pk__in=[q.pk for q in shortlist]).update(shortlisted=True)
        workshop = Workshop.objects.create(
            consultation=consultation, title="Bench priority setting workshop",
            held_on=dt.date(2024, 5, 14), published=True,
        )  # fmt: skip
        small = [WorkshopGroup.objects.create(workshop=workshop, name=f"Group {c}") for c in "ABC"]
        wranks = []
        for number in (1, 2):
            for group in small:
                order = shortlist[:]
                rng.shuffle(order)
                wranks += [
                    WorkshopRank(group=group, round=number, question=q, rank=n)
                    for n, q in enumerate(order, 1)
                ]
        WorkshopRank.objects.bulk_create(wranks)
        final = analysis.workshop_results(workshop)[-1].rows
        Priority.objects.bulk_create(
            Priority(workshop=workshop, position=n, question=row.question)
            for n, row in enumerate(final[:10], 1)
        )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    unsorted = (
        Submission.objects.filter(consultation=consultation, merges__isnull=True)
        .filter(out_of_scope=False)
        .order_by("pk")
        .first()
    )
    return {
        "slug": SLUG,
        "survey": str(survey.public_id),
        "workshop": str(workshop.public_id),
        "submission": str(unsorted.public_id) if unsorted else "",
        "invited": invited,
        "respondents": len(responses),
        "submissions": len(made),
        "merged": len(merges),
        "questions": len(iqs),
        "ballots": len(ballots),
        "ballot_ranks": len(ranks),
        "seconds": round(time.monotonic() - started, 1),
    }


def similarity_timings(batch: int) -> dict[str, Any]:
    from coproduce.priorities import similarity, views_staff
    from coproduce.priorities.models import Consultation

    consultation = Consultation.objects.get(slug=SLUG)
    rows = list(consultation.submissions.order_by("pk").values_list("pk", "text"))
    texts = [text for _, text in rows]
    started = time.perf_counter()
    index = similarity.build_index(texts)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    index.nearest(texts[0], views_staff.SUGGESTIONS, exclude=0)
    one_s = time.perf_counter() - started
    picked = random.Random(7).sample(range(len(texts)), min(batch, len(texts)))
    started = time.perf_counter()
    for i in picked:
        index.nearest(texts[i], views_staff.SUGGESTIONS, exclude=i)
    batch_s = time.perf_counter() - started
    first = consultation.submissions.filter(merges__isnull=True, out_of_scope=False).first()
    started = time.perf_counter()
    pool = views_staff._suggest_submissions(consultation, first.text, first.pk) if first else []
    page_s = time.perf_counter() - started
    return {
        "backend": similarity.backend_name(),
        "texts": len(texts),
        "build_seconds": round(build_s, 3),
        "one_ms": round(one_s * 1000, 1),
        "batch": len(picked),
        "batch_seconds": round(batch_s, 3),
        "page_path_seconds": round(page_s, 3),
        "page_pool": consultation.submissions.filter(
            merges__isnull=True, out_of_scope=False
        ).count(),
        "page_found": len(pool),
    }


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    _setup()
    command, args = argv[0], argv[1:]
    if command == "generate":
        _emit(generate(int(args[0]), int(args[1]), int(args[2])))
    elif command == "similarity":
        _emit(similarity_timings(int(args[0]) if args else 100))
    else:
        print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
