"""A full review round through the staff pages, and what each party sees on the way."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.governance.models import (
    Condition,
    Panel,
    ProtocolVersion,
    ReviewerAssignment,
    ReviewRound,
)
from tests.governance.conftest import PDF, Scene, client_for, panel_user


def _url(name: str, *args: Any) -> str:
    return reverse(f"governance:{name}", args=args)


def test_a_full_round_from_submission_to_condition_met(
    study: Any, member: Any, member_client: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    panel = Panel.objects.get(kind=Panel.Kind.SERVICE_USERS)
    chair = panel_user("suchair", panel, "chair")
    reviewer = panel_user("sureviewer", panel)
    chair_client, reviewer_client = client_for(chair), client_for(reviewer)

    # The study team uploads and submits.
    response = member_client.post(
        _url("protocol_new", study.slug),
        {
            "label": "1.0",
            "summary_of_changes": "",
            "document": SimpleUploadedFile("p.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    version = ProtocolVersion.objects.get(study=study)
    response = member_client.post(_url("protocol_submit", version.public_id), {"panel": panel.pk})
    review_round = ReviewRound.objects.get(protocol_version=version)
    assert response["Location"] == review_round.get_absolute_url()

    # The chair assigns a reviewer.
    response = chair_client.post(
        _url("assign", review_round.public_id), {"reviewer": reviewer.person.pk}
    )
    assert response.status_code == 302
    # Before declaring, the reviewer sees only the declaration and cannot download.
    page = reviewer_client.get(_url("round", review_round.public_id)).content.decode()
    assert "Declare your interests" in page
    assert reviewer_client.get(_url("protocol_download", version.public_id)).status_code == 403
    assert reviewer_client.get(_url("assessment", review_round.public_id)).status_code == 403
    # An empty declaration is an NHS.UK field error.
    response = reviewer_client.post(_url("declare", review_round.public_id), {})
    assert "Select whether you have a conflict of interest" in response.content.decode()
    response = reviewer_client.post(_url("declare", review_round.public_id), {"conflict": "no"})
    assert response["Location"] == _url("assessment", review_round.public_id)
    assert reviewer_client.get(_url("protocol_download", version.public_id)).status_code == 200

    ratings = {
        "version": 0,
        "rating_perspective": "meets",
        "rating_burden": "partly",
        "rating_accessibility": "not_met",
        "comment_accessibility": "Needs an easy-read version.",
        "comments": "Secret reviewer comment",
    }
    response = reviewer_client.post(_url("assessment", review_round.public_id), ratings)
    assert response.status_code == 302

    # Recommendation with conditions; the team does not see it until release.
    response = chair_client.post(
        _url("recommendation", review_round.public_id),
        {
            "version": 0,
            "decision": "approve_with_conditions",
            "rationale": "Panel rationale text",
            "conditions": "Easy-read information sheet\nEvening visits",
        },
    )
    assert response.status_code == 302
    team_page = member_client.get(_url("round", review_round.public_id)).content.decode()
    assert "Panel rationale text" not in team_page
    assert "Secret reviewer comment" not in team_page
    assert member_client.get(_url("response", review_round.public_id)).status_code == 403

    assert chair_client.post(_url("release", review_round.public_id)).status_code == 302
    team_page = member_client.get(_url("round", review_round.public_id)).content.decode()
    assert "Panel rationale text" in team_page
    assert "Secret reviewer comment" in team_page
    assert "Easy-read information sheet" in team_page
    assert reviewer.person.full_name not in team_page  # reviewers are anonymous to the team
    # After release the recommendation cannot change.
    assert chair_client.get(_url("recommendation", review_round.public_id)).status_code == 403

    response = member_client.post(
        _url("response", review_round.public_id), {"response": "We agree."}
    )
    assert response.status_code == 302
    condition = Condition.objects.filter(round=review_round).first()
    assert condition is not None
    response = chair_client.post(_url("condition_met", condition.public_id), {"note": "Seen"})
    condition.refresh_from_db()
    assert condition.met_at is not None
    assert condition.met_by == chair

    actions = set(
        AuditEntry.objects.filter(action__startswith="governance.").values_list("action", flat=True)
    )
    assert {
        "governance.protocolversion.uploaded",
        "governance.reviewround.submitted",
        "governance.reviewerassignment.created",
        "governance.reviewerassignment.declared",
        "governance.assessment.saved",
        "governance.recommendation.recorded",
        "governance.reviewround.released",
        "governance.reviewround.responded",
        "governance.condition.met",
    } <= actions
    timeline = member_client.get(_url("timeline", study.slug)).content.decode()
    for text in ("submitted to the Service user and carer panel", "released", "Condition of the"):
        assert text in timeline


def test_a_conflicted_reviewer_sees_nothing_of_the_round(scene: Scene) -> None:
    client = scene.client("conflicted")
    assert client.get(scene.round.get_absolute_url()).status_code == 403
    assert client.get(_url("protocol_download", scene.version.public_id)).status_code == 403
    study_page = client.get(_url("study", scene.study.slug)).content.decode()
    assert scene.round.get_absolute_url() not in study_page
    timeline = client.get(_url("timeline", scene.study.slug)).content.decode()
    assert "recommendation recorded" not in timeline
    assert "Condition of the" not in timeline


def test_the_study_team_does_not_learn_the_decision_before_release(scene: Scene) -> None:
    client = scene.client("team")
    timeline = client.get(_url("timeline", scene.study.slug)).content.decode()
    # The released round's recommendation shows; the unreleased one's does not.
    assert timeline.count("recommendation recorded") == 1
    page = client.get(scene.round.get_absolute_url()).content.decode()
    assert "Sound, with one condition." not in page
    member_page = scene.client("member").get(scene.round.get_absolute_url()).content.decode()
    assert "Sound, with one condition." in member_page


def test_a_new_version_starts_a_new_round_linked_to_the_last(scene: Scene) -> None:
    from tests.governance.conftest import upload

    version = upload(scene.study, "3.0")
    client = scene.client("team")
    client.post(_url("protocol_submit", version.public_id), {"panel": scene.panel.pk})
    new = ReviewRound.objects.get(protocol_version=version)
    assert new.previous_round == scene.released
    # Submitting the same version to the same panel again is a field error.
    response = client.post(_url("protocol_submit", version.public_id), {"panel": scene.panel.pk})
    assert "already been submitted" in response.content.decode()
    assert ReviewRound.objects.filter(protocol_version=version).count() == 1


def test_only_current_members_can_be_assigned_and_once(scene: Scene) -> None:
    client = scene.client("chair")
    outsider_person = scene.users["outsider"].person
    response = client.post(_url("assign", scene.round.public_id), {"reviewer": outsider_person.pk})
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        _url("assign", scene.round.public_id), {"reviewer": scene.users["member"].person.pk}
    )
    assert ReviewerAssignment.objects.filter(round=scene.round).count() == 2
    assert "nhsuk-error-message" in response.content.decode()


def test_release_needs_a_recommendation(scene: Scene) -> None:
    from coproduce.governance import services
    from tests.governance.conftest import upload

    version = upload(scene.study, "4.0")
    review_round = services.submit(version, scene.panel, by=None)
    response = scene.client("chair").post(_url("release", review_round.public_id), follow=True)
    assert "Record the panel" in response.content.decode()
    review_round.refresh_from_db()
    assert not review_round.is_released


def test_mutations_are_post_only_and_get_changes_nothing(scene: Scene) -> None:
    before = AuditEntry.objects.changes().count()  # reading a round is audited, not a change
    client = scene.client("manager")
    for name in ("dashboard", "panels", "annual_reviews"):
        client.get(_url(name))
    client.get(scene.round.get_absolute_url())
    client.get(_url("recommendation", scene.round.public_id))
    assert client.get(_url("release", scene.round.public_id)).status_code == 405
    assert AuditEntry.objects.changes().count() == before
