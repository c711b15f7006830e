"""Overdue-recommendation nudges through the outbox, and the barriers/facilitators matrix."""

from __future__ import annotations

import datetime as dt
from typing import Any

from coproduce.comms import outbox, scheduler
from coproduce.comms.models import OutboxMessage
from coproduce.implementation import reports, services, transitions
from coproduce.implementation.models import Determinant, Recommendation
from tests import factories
from tests.implementation.conftest import make_recommendation

D = dt.date
TODAY = D(2030, 6, 1)


def test_overdue_recommendations_are_nudged_once_per_due_date(
    study: Any, researcher_person: Any, smtp_server: Any
) -> None:
    contact = factories.PersonFactory(full_name="Therapy Lead", email="lead@example.org")
    overdue = make_recommendation(
        study, researcher_person, contact=contact, due=D(2030, 5, 1), text="Protect time."
    )
    accepted = make_recommendation(study, researcher_person, due=D(2030, 5, 2), text="Add adviser.")
    transitions.move(accepted, Recommendation.Status.ACCEPTED)
    make_recommendation(study, researcher_person, due=D(2030, 7, 1), text="Not yet due.")
    done = make_recommendation(study, researcher_person, due=D(2030, 4, 1), text="Declined one.")
    transitions.move(done, Recommendation.Status.DECLINED, reason="No budget.")
    due_today = make_recommendation(study, researcher_person, due=TODAY, text="Due today.")

    assert services.queue_overdue_nudges(on=TODAY) == 2
    assert services.queue_overdue_nudges(on=TODAY) == 0  # idempotent: a second tick adds nothing
    keys = set(OutboxMessage.objects.values_list("key", flat=True))
    assert keys == {
        f"recommendation-overdue:{overdue.pk}:2030-05-01",
        f"recommendation-overdue:{accepted.pk}:2030-05-02",
    }
    outbox.dispatch_due(max_seconds=10)
    outbox.dispatch_due(max_seconds=10)
    received = {tuple(m["rcpt_tos"]): m["message"] for m in smtp_server.messages}
    assert set(received) == {("lead@example.org",), ("imp@example.org",)}
    message = received[("lead@example.org",)]
    assert str(message["Subject"]) == f"Overdue recommendation for {study.title}"
    body = str(message.get_body(preferencelist=("plain",)).get_content())
    assert "Protect time." in body
    assert overdue.get_absolute_url() in body

    # A new due date that passes in turn gives one new nudge.
    Recommendation.objects.filter(pk=overdue.pk).update(due=D(2030, 5, 20))
    assert services.queue_overdue_nudges(on=TODAY) == 1
    assert due_today.pk not in {
        int(key.split(":")[1]) for key in OutboxMessage.objects.values_list("key", flat=True)
    }


def test_the_job_is_registered_with_the_clock() -> None:
    assert scheduler._JOBS["overdue recommendations"] is services.queue_overdue_nudges


def _determinant(study: Any, kind: str, level: str, category: str) -> Determinant:
    return Determinant.objects.create(
        study=study,
        kind=kind,
        level=level,
        category=category,
        description="x",
        source="y",
        date=D(2010, 1, 1),
    )


def test_matrix_counts_per_study_and_across_studies(study: Any) -> None:
    other = factories.StudyFactory()
    _determinant(study, "barrier", "individual", "political")
    _determinant(study, "barrier", "individual", "political")
    _determinant(study, "facilitator", "individual", "political")
    _determinant(study, "barrier", "system", "resources")
    _determinant(other, "barrier", "individual", "political")
    _determinant(other, "facilitator", "team", "other")

    mine = reports.matrix(Determinant.objects.filter(study=study), study.slug)
    assert mine.count("individual", "political", "barrier") == 2
    assert mine.count("individual", "political", "facilitator") == 1
    assert mine.count("system", "resources", "barrier") == 1
    assert (mine.grand.barriers, mine.grand.facilitators) == (3, 1)
    level, cells, total = mine.rows[0]
    assert level == "individual"
    assert (cells[0].barriers, cells[0].facilitators) == (2, 1)
    assert (total.barriers, total.facilitators) == (2, 1)
    assert cells[0].barriers_url.endswith(
        f"?study={study.slug}&level=individual&category=political&kind=barrier"
    )

    everything = reports.matrix(Determinant.objects.all())
    assert everything.count("individual", "political", "barrier") == 3
    assert (everything.grand.barriers, everything.grand.facilitators) == (4, 2)
    politics = everything.totals[0]
    assert (politics.barriers, politics.facilitators) == (3, 1)
    assert "study=" not in politics.barriers_url

    charts = reports.matrix_charts(everything, "all studies")
    barrier_table = charts[0].table
    assert barrier_table.rows[0][1] == 3  # individual, political
    assert barrier_table.footer == ["All levels", 3, 0, 0, 1, 0, 0, 4]
    values = charts[0].spec["data"]["values"]
    assert sum(v["count"] for v in values) == 4


def test_matrix_query_count_does_not_grow(study: Any, django_assert_num_queries: Any) -> None:
    for _ in range(30):
        _determinant(study, "barrier", "team", "cultural")
    with django_assert_num_queries(1):
        reports.matrix(Determinant.objects.all())


def test_an_overdue_recommendation_is_announced_to_webhooks_once(
    study: Any, researcher_person: Any, django_user_model: Any
) -> None:
    from coproduce.webhooks.models import Delivery, Endpoint

    owner = django_user_model.objects.create_user("hooks")
    Endpoint.objects.create(
        owner=owner, url="https://hooks.example.org/x", event_types=["recommendation.overdue"]
    )
    rec = make_recommendation(study, researcher_person, due=D(2030, 5, 1), text="Protect time.")
    services.queue_overdue_nudges(on=TODAY)
    services.queue_overdue_nudges(on=TODAY)
    [delivery] = Delivery.objects.all()
    assert str(rec.public_id) in delivery.body
    assert '"due":"2030-05-01"' in delivery.body
