"""The similarity indexes are kept per consultation and rebuilt only when its submissions (or
indicative questions) changed: builds are counted through a patched `similarity.build_index`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coproduce.priorities import similarity
from coproduce.priorities.models import Consultation, IndicativeQuestion, Submission

STROKE = "What helps people return to work after a stroke?"
OTHERS = [
    "Why is the car park so expensive?",
    "How can children be more active at school?",
    "Does supported employment help people with severe mental illness?",
]
SUGGESTED = re.compile(r'for="similar-([0-9a-f-]{36})"')


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Every text list an index was built over, from an empty cache."""
    similarity.clear()
    calls: list[tuple[str, ...]] = []
    real = similarity.build_index

    def counting(texts: Sequence[str]) -> Any:
        calls.append(tuple(texts))
        return real(texts)

    monkeypatch.setattr(similarity, "build_index", counting)
    yield calls
    similarity.clear()


def _sub(consultation: Consultation, text: str) -> Submission:
    return Submission.objects.create(consultation=consultation, text=text, group="clinician")


def _suggested(client: Client, consultation: Consultation, submission: Submission) -> list[str]:
    url = reverse("priorities_staff:submission", args=[consultation.slug, submission.public_id])
    response = client.get(url)
    assert response.status_code == 200
    return SUGGESTED.findall(response.content.decode())


def _submission_builds(calls: list[tuple[str, ...]]) -> int:
    return sum(1 for texts in calls if STROKE in texts)


def test_the_second_request_does_not_rebuild(
    reader_client: Client, consultation: Consultation, builds: list[tuple[str, ...]]
) -> None:
    a = _sub(consultation, STROKE)
    others = [_sub(consultation, text) for text in OTHERS]
    dup = _sub(consultation, "Returning to work after stroke: what helps?")
    IndicativeQuestion.objects.create(consultation=consultation, text="Work after stroke")
    first = _suggested(reader_client, consultation, a)
    assert first[0] == str(dup.public_id)
    assert len(builds) == 2  # the submissions and the indicative questions
    assert _suggested(reader_client, consultation, a) == first
    _suggested(reader_client, consultation, others[0])
    iq = IndicativeQuestion.objects.get()
    page = reverse("priorities_staff:indicative", args=[consultation.slug, iq.public_id])
    assert reader_client.get(page).status_code == 200  # suggests from the same index
    assert len(builds) == 2


def test_new_edited_and_deleted_submissions_show_in_the_next_suggestions(
    reader_client: Client, consultation: Consultation, builds: list[tuple[str, ...]]
) -> None:
    a = _sub(consultation, STROKE)
    for text in OTHERS:
        _sub(consultation, text)
    before = _suggested(reader_client, consultation, a)
    new = _sub(consultation, "Getting back to work after a stroke: what helps?")
    assert _suggested(reader_client, consultation, a)[0] == str(new.public_id)
    # bulk_create, as services.save_answers does: no signals, still seen
    (bulk,) = Submission.objects.bulk_create(
        [Submission(consultation=consultation, text="Return to work after stroke", group="other")]
    )
    assert str(bulk.public_id) in _suggested(reader_client, consultation, a)[:2]
    edited = Submission.objects.get(text=OTHERS[0])
    assert str(edited.public_id) not in _suggested(reader_client, consultation, a)
    edited.text = STROKE  # word for word
    edited.save()
    assert _suggested(reader_client, consultation, a)[0] == str(edited.public_id)
    Submission.objects.filter(pk__in=[new.pk, bulk.pk, edited.pk]).delete()
    assert set(_suggested(reader_client, consultation, a)) <= set(before)
    assert str(new.public_id) not in _suggested(reader_client, consultation, a)
    assert _submission_builds(builds) == 5  # one per change, none for the repeated requests


def test_merging_and_out_of_scope_need_no_rebuild_but_are_honoured(
    manager_client: Client, consultation: Consultation, builds: list[tuple[str, ...]]
) -> None:
    a = _sub(consultation, STROKE)
    dup = _sub(consultation, "Returning to work after stroke: what helps?")
    near = _sub(consultation, "Work after a stroke")
    for text in OTHERS:
        _sub(consultation, text)
    assert _suggested(manager_client, consultation, a)[:2] == [
        str(dup.public_id),
        str(near.public_id),
    ]
    merge = reverse("priorities_staff:merge", args=[consultation.slug])
    response = manager_client.post(
        merge, {"submission": [dup.public_id], "new_text": "What helps return to work?"}
    )
    assert response.status_code == 302
    assert str(dup.public_id) not in _suggested(manager_client, consultation, a)
    scope = reverse("priorities_staff:out_of_scope", args=[consultation.slug])
    manager_client.post(scope, {"submission": [near.public_id], "reason": "Not research"})
    assert str(near.public_id) not in _suggested(manager_client, consultation, a)
    assert _submission_builds(builds) == 1


def test_two_consultations_do_not_mix(
    reader_client: Client, consultation: Consultation, builds: list[tuple[str, ...]]
) -> None:
    other = Consultation.objects.create(
        slug="second", title="Second", scope="Anything", opens=dt.date(2020, 1, 1),
        closes=dt.date(2099, 1, 1), status=Consultation.Status.OPEN,
    )  # fmt: skip
    a = _sub(consultation, STROKE)
    mine = _sub(consultation, "Returning to work after stroke: what helps?")
    b = _sub(other, STROKE)
    theirs = _sub(other, "Work after stroke: what helps people return?")
    _sub(other, OTHERS[0])
    for _ in range(2):
        assert _suggested(reader_client, consultation, a) == [str(mine.public_id)]
        assert _suggested(reader_client, other, b) == [str(theirs.public_id)]
    assert _submission_builds(builds) == 2  # one each, both kept
    late = _sub(other, "Back to work after a stroke")
    assert _suggested(reader_client, consultation, a) == [str(mine.public_id)]
    assert str(late.public_id) in _suggested(reader_client, other, b)
    assert _submission_builds(builds) == 3  # only the second consultation's was rebuilt


def test_an_edited_indicative_question_is_reflected(
    reader_client: Client, consultation: Consultation, builds: list[tuple[str, ...]]
) -> None:
    a = _sub(consultation, STROKE)
    _sub(consultation, OTHERS[0])
    iq = IndicativeQuestion.objects.create(consultation=consultation, text="Car parking charges")
    url = reverse("priorities_staff:submission", args=[consultation.slug, a.public_id])
    link = reverse("priorities_staff:indicative", args=[consultation.slug, iq.public_id])
    assert link not in reader_client.get(url).content.decode()
    assert link not in reader_client.get(url).content.decode()
    assert len(builds) == 2  # the submissions and the indicative questions
    iq.text = "Return to work after stroke"
    iq.save()
    assert link in reader_client.get(url).content.decode()
    assert len(builds) == 3
    assert builds[-1] == ("Return to work after stroke",)


def test_the_cache_keeps_a_few_slots_and_one_version_each() -> None:
    similarity.clear()
    made: list[str] = []

    def build(value: str) -> Any:
        return lambda: made.append(value) or value

    assert similarity.cached("a", 1, build("a1")) == "a1"
    assert similarity.cached("a", 1, build("again")) == "a1"
    assert similarity.cached("a", 2, build("a2")) == "a2"
    for n in range(similarity.MAX_CACHED):
        similarity.cached(n, 1, build(f"slot {n}"))
    assert similarity.cached("a", 2, build("a2 rebuilt")) == "a2 rebuilt"  # evicted, oldest
    assert made == ["a1", "a2", *[f"slot {n}" for n in range(similarity.MAX_CACHED)], "a2 rebuilt"]
    similarity.clear()


def test_the_inverted_index_ranks_as_plain_cosine_does() -> None:
    texts = [STROKE, *OTHERS, "Work after stroke", "Stroke and work: what helps?", "", "the a"]
    index = similarity.LexicalIndex(texts)
    query = "What helps return to work after stroke?"
    q = index.vector_for(query)
    plain = sorted(
        ((i, index.cosine(q, v)) for i, v in enumerate(index.vectors) if v),
        key=lambda pair: (-pair[1], pair[0]),
    )
    plain = [(i, s) for i, s in plain if s > 0]
    got = index.nearest(query, k=10)
    assert [i for i, _ in got] == [i for i, _ in plain]
    assert [round(s, 9) for _, s in got] == [round(s, 9) for _, s in plain]
    assert [i for i, _ in index.nearest(query, k=10, among={1, 4})] == [4]
