"""Two people editing the same assessment or recommendation: the second save is refused."""

from __future__ import annotations

from django.urls import reverse

from coproduce.governance.models import Assessment
from tests.governance.conftest import Scene, client_for

STALE = "Someone else saved a change here while you were editing"


def _assessment(comments: str, version: int) -> dict[str, object]:
    return {
        "version": version,
        "rating_methodology": "meets",
        "rating_implementation": "partly",
        "comments": comments,
    }


def test_the_second_concurrent_assessment_save_is_refused(scene: Scene) -> None:
    url = reverse("governance:assessment", args=[scene.round.public_id])
    first, second = client_for(scene.users["member"]), client_for(scene.users["member"])
    # Both open the form at version 0.
    assert 'name="version" value="0"' in first.get(url).content.decode()
    assert 'name="version" value="0"' in second.get(url).content.decode()
    assert first.post(url, _assessment("first", 0)).status_code == 302
    response = second.post(url, _assessment("second", 0))
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert "nhsuk-error-summary" in response.content.decode()
    assessment = Assessment.objects.get(
        assignment__round=scene.round, assignment__person__user=scene.users["member"]
    )
    assert assessment.comments == "first"
    assert assessment.version == 1
    # Reopened at the new version, the edit goes through.
    assert second.post(url, _assessment("second", 1)).status_code == 302
    assessment.refresh_from_db()
    assert (assessment.comments, assessment.version) == ("second", 2)


def test_the_second_concurrent_recommendation_save_is_refused(scene: Scene) -> None:
    url = reverse("governance:recommendation", args=[scene.round.public_id])
    version = scene.round.recommendation.version
    chair, manager = scene.client("chair"), scene.client("manager")
    data = {"version": version, "decision": "approve", "rationale": "chair's", "conditions": ""}
    assert chair.post(url, data).status_code == 302
    response = manager.post(url, {**data, "decision": "not_supported", "rationale": "manager's"})
    assert response.status_code == 200
    assert STALE in response.content.decode()
    scene.round.recommendation.refresh_from_db()
    assert scene.round.recommendation.decision == "approve"
    assert scene.round.recommendation.rationale == "chair's"


def test_conditions_are_required_for_approval_with_conditions(scene: Scene) -> None:
    url = reverse("governance:recommendation", args=[scene.round.public_id])
    response = scene.client("chair").post(
        url,
        {
            "version": scene.round.recommendation.version,
            "decision": "approve_with_conditions",
            "rationale": "x",
        },
    )
    assert "Enter at least one condition" in response.content.decode()
