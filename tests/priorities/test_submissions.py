"""Merging submissions into indicative questions, out of scope, traceability both ways,
similarity suggestions, interim survey pages, and list query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.priorities import similarity
from coproduce.priorities.models import (
    Ballot,
    IndicativeQuestion,
    InterimSurvey,
    Submission,
)


def _sub(consultation: Any, text: str, group: str = "clinician") -> Submission:
    return Submission.objects.create(consultation=consultation, text=text, group=group)


def test_merge_into_a_new_question_traces_both_ways(
    manager_client: Client, consultation: Any
) -> None:
    a = _sub(consultation, "How can carers be supported after stroke?")
    b = _sub(consultation, "What help do carers of stroke survivors need?", "service_user_carer")
    c = _sub(consultation, "Why is parking so expensive?")
    url = reverse("priorities_staff:merge", args=[consultation.slug])
    response = manager_client.post(
        url, {"submission": [a.public_id, b.public_id], "new_text": "What support do carers need?"}
    )
    assert response.status_code == 302
    question = IndicativeQuestion.objects.get()
    assert set(question.sources.all()) == {a, b}
    assert list(a.indicative_questions.all()) == [question]
    assert AuditEntry.objects.filter(action="priorities.indicativequestion.merged").exists()
    page = manager_client.get(
        reverse("priorities_staff:indicative", args=[consultation.slug, question.public_id])
    ).content.decode()
    assert "How can carers be supported after stroke?" in page
    assert "What help do carers of stroke survivors need?" in page
    page = manager_client.get(
        reverse("priorities_staff:submission", args=[consultation.slug, b.public_id])
    ).content.decode()
    assert "Where it went" in page
    assert "What support do carers need?" in page
    # Out of scope needs a reason, and shows where it went too.
    scope = reverse("priorities_staff:out_of_scope", args=[consultation.slug])
    manager_client.post(scope, {"submission": [c.public_id], "reason": ""})
    c.refresh_from_db()
    assert not c.out_of_scope
    manager_client.post(scope, {"submission": [c.public_id], "reason": "A complaint"})
    c.refresh_from_db()
    assert c.out_of_scope
    assert c.out_of_scope_reason == "A complaint"
    listing = manager_client.get(
        reverse("priorities_staff:submissions", args=[consultation.slug]) + "?show=all"
    ).content.decode()
    assert "Out of scope: A complaint" in listing


def test_merging_into_an_existing_question_twice_adds_nothing(
    manager_client: Client, consultation: Any
) -> None:
    a = _sub(consultation, "one")
    question = IndicativeQuestion.objects.create(consultation=consultation, text="Q")
    url = reverse("priorities_staff:merge", args=[consultation.slug])
    for _ in range(2):
        manager_client.post(url, {"submission": [a.public_id], "into": question.pk})
    assert question.merges.count() == 1


def test_similarity_ranks_obvious_duplicates_first() -> None:
    texts = [
        "Why is the hospital car park so expensive?",
        "What exercises help arm and hand function after a stroke?",
        "Does supported employment help people with severe mental illness?",
        "Which exercises improve hand function after stroke?",
        "How can schools get children more active?",
        "Getting back to work after a stroke",
    ]
    index = similarity.LexicalIndex(texts)
    best = index.nearest("What exercises improve arm and hand function after stroke?", k=3)
    assert [i for i, _ in best][:2] in ([1, 3], [3, 1])
    assert index.nearest("help with work after stroke", k=1)[0][0] == 5
    assert index.nearest("zzz qqq", k=3) == []


def test_the_submission_page_suggests_the_duplicate_first(
    reader_client: Client, consultation: Any
) -> None:
    a = _sub(consultation, "What helps people return to work after a stroke?")
    _sub(consultation, "Why is the car park expensive?")
    dup = _sub(consultation, "Returning to work after stroke: what helps?")
    _sub(consultation, "How can children be more active at school?")
    page = reverse("priorities_staff:submission", args=[consultation.slug, a.public_id])
    html = reader_client.get(page).content.decode()
    first = html.index("similar-")
    assert str(dup.public_id) in html[first : first + 200]


def test_semantic_backend_is_off_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    similarity._semantic_model.cache_clear()
    monkeypatch.delenv("COPRODUCE_SIMILARITY", raising=False)
    assert similarity.backend_name() == "lexical"
    monkeypatch.setenv("COPRODUCE_SIMILARITY", "semantic")
    monkeypatch.setenv("COPRODUCE_SEMANTIC_MODEL", "/nonexistent/model")
    similarity._semantic_model.cache_clear()
    assert similarity.backend_name() == "lexical"  # no model directory: never downloads
    similarity._semantic_model.cache_clear()


def test_evidence_check_needs_a_source_when_answered(
    manager_client: Client, consultation: Any
) -> None:
    question = IndicativeQuestion.objects.create(consultation=consultation, text="Q")
    url = reverse("priorities_staff:indicative", args=[consultation.slug, question.public_id])
    page = manager_client.post(url, {"text": "Q", "evidence_status": "answered"})
    assert "Enter the source that answers it" in page.content.decode()
    manager_client.post(
        url,
        {"text": "Q", "evidence_status": "answered", "evidence_source": "Cochrane review 2009",
         "evidence_checked_on": "2010-08-02"},
    )  # fmt: skip
    question.refresh_from_db()
    assert question.evidence_status == "answered"
    assert question.evidence_source == "Cochrane review 2009"


def test_interim_ballot_and_results(
    client: Client, manager_client: Client, consultation: Any
) -> None:
    qs = [IndicativeQuestion.objects.create(consultation=consultation, text=t) for t in "ABC"]
    survey = InterimSurvey.objects.create(
        consultation=consultation, title="Interim", status="open", max_picks=2, shortlist_size=1
    )
    survey.questions.set(qs)
    url = reverse("consultations:ballot", args=[survey.open_token])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"group": "clinician", f"iq_{qs[0].pk}": "2"})
    assert "Rank your picks from 1 without gaps" in bad.content.decode()
    ok = client.post(url, {"group": "clinician", f"iq_{qs[1].pk}": "1", f"iq_{qs[0].pk}": "2"})
    assert ok.status_code == 302
    ballot = Ballot.objects.get()
    assert list(ballot.ranks.order_by("rank").values_list("question__text", flat=True)) == [
        "B",
        "A",
    ]
    results = reverse("priorities_staff:survey", args=[consultation.slug, survey.public_id])
    html = manager_client.get(results).content.decode()
    assert "Clinician" in html
    manager_client.post(
        reverse("priorities_staff:shortlist", args=[consultation.slug, survey.public_id])
    )
    assert list(
        IndicativeQuestion.objects.filter(shortlisted=True).values_list("text", flat=True)
    ) == ["B"]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_query_counts_do_not_grow_with_rows(reader_client: Client, consultation: Any) -> None:
    from coproduce.priorities.models import Invitation, Merge

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            s = _sub(consultation, f"submission {i}")
            q = IndicativeQuestion.objects.create(consultation=consultation, text=f"iq {i}")
            Merge.objects.create(submission=s, indicative_question=q)
            Invitation.objects.create(
                consultation=consultation, full_name=f"P {i}", email=f"p{i}@example.org",
                group="clinician",
            )  # fmt: skip

    urls = [
        reverse("priorities_staff:list"),
        reverse("priorities_staff:submissions", args=[consultation.slug]) + "?show=all",
        reverse("priorities_staff:indicative_list", args=[consultation.slug]),
        reverse("priorities_staff:invitees", args=[consultation.slug]),
        reverse("priorities_staff:detail", args=[consultation.slug]),
        reverse("priorities:index"),
    ]
    add(2, 0)
    before = [_queries(reader_client, url) for url in urls]
    add(15, 100)
    after = [_queries(reader_client, url) for url in urls]
    assert before == after
