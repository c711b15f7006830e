"""A lay reviewer (a service user or carer on a panel) is emailed through the outbox when
assigned to a review and when the round is released; staff reviewers are not."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from coproduce.comms.models import OutboxMessage
from coproduce.comms.outbox import dispatch_due
from coproduce.governance import services
from coproduce.governance.models import Panel, PanelMembership
from tests.governance.conftest import _recommend, panel_user, upload


def _lay_reviewer(panel: Panel) -> Any:
    user = panel_user("carer", staff=False)
    user.person.email = "ruth.carer@example.org"
    user.person.save()
    PanelMembership.objects.create(
        panel=panel,
        person=user.person,
        represents=PanelMembership.Represents.CARER,
        start=dt.date(2010, 1, 1),
    )
    return user


def test_a_lay_reviewer_is_emailed_when_assigned_and_when_released(
    study: Any, member: Any, smtp_server: Any
) -> None:
    panel = Panel.objects.get(kind=Panel.Kind.SERVICE_USERS)
    chair = panel_user("su-chair", panel, "chair")
    lay = _lay_reviewer(panel)
    staff_reviewer = panel_user("staffreviewer", panel)
    staff_reviewer.person.email = "staff.reviewer@example.org"
    staff_reviewer.person.save()
    review_round = services.submit(upload(study, "1.0", by=member), panel, by=member)

    services.assign(review_round, lay.person, by=chair)
    services.assign(review_round, staff_reviewer.person, by=chair)
    link = f"{settings.SITE_URL}{review_round.get_absolute_url()}"
    assigned = OutboxMessage.objects.get()
    assert assigned.to_email == "ruth.carer@example.org"
    assert link in assigned.body_text
    assert f"You are asked to review: {study}" == assigned.subject

    _recommend(review_round, chair, release=True)
    released = OutboxMessage.objects.exclude(pk=assigned.pk).get()
    assert released.to_email == "ruth.carer@example.org"
    assert link in released.body_text
    assert released.subject == f"Review released: {study}"

    result = dispatch_due(max_seconds=10)
    assert result.sent == 2
    assert [m["rcpt_tos"] for m in smtp_server.messages] == [["ruth.carer@example.org"]] * 2
    subjects = {str(m["message"]["Subject"]) for m in smtp_server.messages}
    assert subjects == {f"You are asked to review: {study}", f"Review released: {study}"}
    body = smtp_server.messages[0]["message"].get_body(("plain",)).get_content()
    assert link in body


def test_a_lay_member_of_another_panel_is_not_emailed(study: Any, member: Any) -> None:
    panel = Panel.objects.get(kind=Panel.Kind.SCIENTIFIC)
    elsewhere = Panel.objects.get(kind=Panel.Kind.SERVICE_USERS)
    chair = panel_user("sci-chair", panel, "chair")
    lay = _lay_reviewer(elsewhere)  # lay on the service user panel, not on this one
    review_round = services.submit(upload(study, "1.0", by=member), panel, by=member)
    services.assign(review_round, lay.person, by=chair)
    assert not OutboxMessage.objects.exists()
