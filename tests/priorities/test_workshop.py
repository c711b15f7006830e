"""The final workshop pages: small groups, rounds of ranks, the aggregated ranking after each
round, the agreed top 10 and what became of each priority."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.priorities.models import (
    Consultation,
    IndicativeQuestion,
    Priority,
    Workshop,
    WorkshopGroup,
    WorkshopRank,
)


@pytest.fixture
def workshop(consultation: Consultation) -> Workshop:
    for text in ("P question", "Q question", "R question"):
        IndicativeQuestion.objects.create(consultation=consultation, text=text, shortlisted=True)
    IndicativeQuestion.objects.create(consultation=consultation, text="Not shortlisted")
    w = Workshop.objects.create(
        consultation=consultation, title="Final workshop", held_on=dt.date(2010, 11, 18)
    )
    for name in ("A", "B", "C"):
        WorkshopGroup.objects.create(workshop=w, name=name)
    return w


def _iq(text: str) -> IndicativeQuestion:
    return IndicativeQuestion.objects.get(text=text)


def _key(workshop: Workshop, group: str, text: str) -> str:
    return f"g{workshop.groups.get(name=group).pk}_q{_iq(text).pk}"


def _url(name: str, workshop: Workshop, *extra: Any) -> str:
    return reverse(
        f"priorities_staff:{name}", args=[workshop.consultation.slug, workshop.public_id, *extra]
    )


def _round_data(workshop: Workshop, ranks: dict[str, dict[str, int]]) -> dict[str, str]:
    return {
        _key(workshop, group, f"{q} question"): str(r)
        for group, given in ranks.items()
        for q, r in given.items()
    }


def test_create_a_workshop_with_small_groups(manager_client: Client, consultation: Any) -> None:
    url = reverse("priorities_staff:workshop_create", args=[consultation.slug])
    page = manager_client.post(url, {"title": "W", "held_on": "2010-11-18", "groups_text": ""})
    assert "Enter at least one small group" in page.content.decode()
    page = manager_client.post(
        url, {"title": "W", "held_on": "2010-11-18", "groups_text": "Group A\ngroup a"}
    )
    assert "There is already a group called group a" in page.content.decode()
    assert not Workshop.objects.exists()
    page = manager_client.post(
        url, {"title": "W", "held_on": "2010-11-18", "groups_text": "Group A\n\nGroup B\n"}
    )
    workshop = Workshop.objects.get()
    assert page.status_code == 302
    assert page["Location"] == _url("workshop", workshop)
    assert list(workshop.groups.values_list("name", flat=True)) == ["Group A", "Group B"]
    assert AuditEntry.objects.filter(action="priorities.workshop.created").count() == 1
    edit = manager_client.post(
        _url("workshop_edit", workshop),
        {"title": "W2", "held_on": "2010-11-18", "groups_text": "Group C"},
    )
    assert edit.status_code == 302
    assert workshop.groups.count() == 3


def test_a_round_is_aggregated_as_worked_by_hand(
    manager_client: Client, reader_client: Client, workshop: Workshop
) -> None:
    """The hand-worked example of test_ranking: A ranks P1 Q2 R3; B ranks Q1 P2 (R unranked,
    so last = 3); C ranks nothing and is left out. Sums: P 3, Q 3, R 6: P and Q share 1st."""
    url = _url("workshop_round", workshop, 1)
    data = _round_data(workshop, {"A": {"P": 1, "Q": 2, "R": 3}, "B": {"Q": 1, "P": 2}})
    page = manager_client.post(url, data)
    assert page.status_code == 302
    assert WorkshopRank.objects.count() == 5
    html = reader_client.get(_url("workshop", workshop)).content.decode()
    assert "Aggregated ranking after round 1" in html
    table = html[html.index("Aggregated ranking after round 1") :]
    rows = [
        ("P question", "1=", "1", "2", "3"),
        ("Q question", "1=", "2", "1", "3"),
        ("R question", "3", "3", "3", "6"),
    ]
    for text, position, a, b, total in rows:
        cells = (
            f'<th class="nhsuk-table__header" scope="row">{text}</th>'
            f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{position}</td>'
            f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{a}</td>'
            f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{b}</td>'
            f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{total}</td>'
        )
        assert cells in table, text
    assert table.index("P question") < table.index("Q question") < table.index("R question")
    assert "ranked nothing (left out): C" in html
    assert "Not shortlisted" not in html
    assert "chart-spec-round-1" in html
    entry = AuditEntry.objects.get(action="priorities.workshop.round_saved")
    assert entry.changes["groups"] == [None, ["A", "B"]]


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ({"A": {"P": 1, "Q": 1}}, "A: rank 1 is given to more than one question"),
        ({"A": {"P": 1, "Q": 3}}, "A: rank from 1 without gaps (rank 2 is missing)"),
        ({}, "Enter the ranks of at least one group"),
    ],
)
def test_round_errors_save_nothing(
    manager_client: Client, workshop: Workshop, ranks: Any, message: str
) -> None:
    # A valid group beside a wrong one: the round is saved all or nothing.
    data = _round_data(workshop, {"B": {"P": 1}} if ranks else {})
    data.update(_round_data(workshop, ranks))
    page = manager_client.post(_url("workshop_round", workshop, 1), data)
    html = page.content.decode()
    assert page.status_code == 200
    assert "nhsuk-error-summary" in html
    assert message in html
    assert "<title>Error:" in html
    assert not WorkshopRank.objects.exists()


def test_rounds_are_numbered_in_turn_and_can_be_corrected(
    manager_client: Client, workshop: Workshop
) -> None:
    assert manager_client.get(_url("workshop_round", workshop, 2)).status_code == 404
    manager_client.post(_url("workshop_round", workshop, 1), _round_data(workshop, {"A": {"P": 1}}))
    assert manager_client.get(_url("workshop_round", workshop, 2)).status_code == 200
    page = manager_client.get(_url("workshop_round", workshop, 1))
    assert 'value="1" selected' in page.content.decode()
    manager_client.post(_url("workshop_round", workshop, 1), _round_data(workshop, {"B": {"Q": 1}}))
    assert list(WorkshopRank.objects.values_list("group__name", "question__text", "rank")) == [
        ("B", "Q question", 1)
    ]


def test_record_publish_and_show_the_top_ten(
    client: Client, manager_client: Client, workshop: Workshop
) -> None:
    manager_client.post(
        _url("workshop_round", workshop, 1),
        _round_data(workshop, {"A": {"R": 1, "P": 2, "Q": 3}}),
    )
    url = _url("workshop_top_ten", workshop)
    form = manager_client.get(url).content.decode()
    assert f'<option value="{_iq("R question").pk}" selected>' in form  # suggested from round 1
    p, q, r = (_iq(f"{x} question").pk for x in "PQR")
    page = manager_client.post(url, {"position_1": r, "position_2": r})
    assert "This question is already priority 1" in page.content.decode()
    page = manager_client.post(url, {"position_1": r, "position_3": p})
    assert "Choose priority 2, or leave every priority after it empty" in page.content.decode()
    assert not Priority.objects.exists()
    manager_client.post(_url("workshop_publish", workshop), {"published": "yes"})
    workshop.refresh_from_db()
    assert not workshop.published  # nothing to publish yet
    assert manager_client.post(url, {"position_1": r, "position_2": p}).status_code == 302
    assert list(workshop.priorities.values_list("position", "question_id")) == [(1, r), (2, p)]
    assert "Final workshop" not in client.get("/priorities/").content.decode()
    manager_client.post(_url("workshop_publish", workshop), {"published": "yes"})
    workshop.refresh_from_db()
    assert workshop.published
    public = client.get("/priorities/").content.decode()
    assert "Final workshop" in public
    assert public.index("R question") < public.index("P question")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"priorities.workshop.top_ten", "priorities.workshop.published"} <= actions
    # Re-ordering keeps the outcome a question already had.
    Priority.objects.filter(question_id=p).update(outcome=Priority.Outcome.NOT_TAKEN_FORWARD,
                                                  reason="Out of remit")  # fmt: skip
    manager_client.post(url, {"position_1": p, "position_2": q})
    kept = Priority.objects.get(question_id=p)
    assert (kept.position, kept.outcome, kept.reason) == (1, "not_taken_forward", "Out of remit")
    assert Priority.objects.get(question_id=q).outcome == Priority.Outcome.PENDING


def test_outcomes_need_a_study_or_a_reason(
    client: Client, manager_client: Client, workshop: Workshop, study: Any
) -> None:
    priority = Priority.objects.create(workshop=workshop, position=1, question=_iq("P question"))
    workshop.published = True
    workshop.save()
    url = _url("priority_outcome", workshop, 1)
    page = manager_client.post(url, {"outcome": "new_study", "reason": ""})
    assert "Choose the study this priority became" in page.content.decode()
    page = manager_client.post(url, {"outcome": "not_taken_forward", "reason": "  "})
    assert "Enter the reason it was not taken forward" in page.content.decode()
    priority.refresh_from_db()
    assert priority.outcome == Priority.Outcome.PENDING
    page = manager_client.post(url, {"outcome": "amended_scope", "study": study.slug,
                                     "reason": "Widened to carers."})  # fmt: skip
    assert page.status_code == 302
    priority.refresh_from_db()
    assert (priority.outcome, priority.study, priority.reason) == (
        "amended_scope", study, "Widened to carers.",
    )  # fmt: skip
    assert AuditEntry.objects.filter(action="priorities.priority.outcome").count() == 1
    public = client.get("/priorities/").content.decode()
    assert "An amended study scope" in public
    assert study.title in public
    staff = manager_client.get(
        reverse("priorities_staff:indicative", args=[workshop.consultation.slug,
                                                     _iq("P question").public_id])
    ).content.decode()  # fmt: skip
    assert "An amended study scope" in staff
    assert study.title in staff
    manager_client.post(url, {"outcome": "not_taken_forward", "study": study.slug,
                              "reason": "No funding"})  # fmt: skip
    priority.refresh_from_db()
    assert (priority.outcome, priority.study, priority.reason) == (
        "not_taken_forward", None, "No funding",
    )  # fmt: skip


def test_access_per_role(
    client: Client, reader_client: Client, manager_client: Client, workshop: Workshop
) -> None:
    Priority.objects.create(workshop=workshop, position=1, question=_iq("P question"))
    look = [_url("workshop", workshop)]
    change = [
        reverse("priorities_staff:workshop_create", args=[workshop.consultation.slug]),
        _url("workshop_edit", workshop),
        _url("workshop_round", workshop, 1),
        _url("workshop_top_ten", workshop),
        _url("priority_outcome", workshop, 1),
    ]
    for url in look + change:
        assert client.get(url).status_code == 302, url  # to sign in
        assert manager_client.get(url).status_code == 200, url
    for url in look:
        page = reader_client.get(url)
        assert page.status_code == 200
        assert "Enter the ranks for round" not in page.content.decode()
    for url in change:
        assert reader_client.get(url).status_code == 403, url
        assert reader_client.post(url, {}).status_code == 403, url
    publish = _url("workshop_publish", workshop)
    assert reader_client.post(publish, {"published": "yes"}).status_code == 403
    assert manager_client.get(publish).status_code == 405  # GET never changes anything
    workshop.refresh_from_db()
    assert not workshop.published


def test_workshop_page_queries_do_not_grow_with_ranks(
    manager_client: Client, workshop: Workshop
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get(_url("workshop", workshop)).status_code == 200
        return len(queries)

    manager_client.post(_url("workshop_round", workshop, 1), _round_data(workshop, {"A": {"P": 1}}))
    one = count()
    for n in (2, 3):
        manager_client.post(
            _url("workshop_round", workshop, n),
            _round_data(workshop, {"A": {"P": 1, "Q": 2}, "B": {"R": 1}, "C": {"Q": 1}}),
        )
    assert count() == one
