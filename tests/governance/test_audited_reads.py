"""Reading a review round's confidential pages, and downloading a protocol, are audited."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.governance import timeline
from tests.governance.conftest import Scene


def _read(action: str, actor: Any, obj: Any) -> AuditEntry:
    return AuditEntry.objects.get(
        action=action, actor=actor, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )


def test_opening_a_round_is_audited(scene: Scene) -> None:
    response = scene.client("chair").get(scene.round.get_absolute_url())
    assert response.status_code == 200
    entry = _read("governance.round.viewed", scene.users["chair"], scene.round)
    assert entry.actor_label == "chair"
    assert entry.changes == {}


def test_a_refused_round_page_is_not_a_read(scene: Scene) -> None:
    assert scene.client("outsider").get(scene.round.get_absolute_url()).status_code == 403
    assert not AuditEntry.objects.filter(action="governance.round.viewed").exists()


def test_opening_an_assessment_is_audited(scene: Scene) -> None:
    url = reverse("governance:assessment", args=[scene.round.public_id])
    assert scene.client("member").get(url).status_code == 200
    assessment = scene.round.assignments.get(person__user=scene.users["member"]).assessment
    _read("governance.assessment.viewed", scene.users["member"], assessment)


def test_opening_the_recommendation_is_audited(scene: Scene) -> None:
    url = reverse("governance:recommendation", args=[scene.round.public_id])
    assert scene.client("chair").get(url).status_code == 200
    _read("governance.recommendation.viewed", scene.users["chair"], scene.round.recommendation)


def test_downloading_a_protocol_is_audited_and_not_shown_as_an_upload(scene: Scene) -> None:
    events = len(timeline.for_study(scene.users["team"], scene.study))
    url = reverse("governance:protocol_download", args=[scene.version.public_id])
    response = scene.client("team").get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    _read("governance.protocol.downloaded", scene.users["team"], scene.version)
    scene.client("chair").get(scene.round.get_absolute_url())
    assert len(timeline.for_study(scene.users["team"], scene.study)) == events
