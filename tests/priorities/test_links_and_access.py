"""Who may see what: anonymous, reader, manager; invitation link holders vs tampered links."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coproduce.priorities import invitations, links
from coproduce.priorities.models import Consultation


def test_a_tampered_or_replaced_link_does_not_work(
    client: Client, consultation: Any, invitation: Any
) -> None:
    token = links.invitation_token(invitation)
    assert client.get(reverse("consultations:invitation", args=[token])).status_code == 200
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(reverse("consultations:invitation", args=[tampered])).status_code == 404
    assert client.get(reverse("consultations:invitation", args=["x" * 500])).status_code == 404
    invitations.new_link(invitation)
    assert client.get(reverse("consultations:invitation", args=[token])).status_code == 404
    fresh = links.invitation_path(invitation)
    assert client.get(fresh).status_code == 200


def test_the_open_link_needs_the_right_token_and_to_be_enabled(
    client: Client, consultation: Consultation
) -> None:
    url = reverse("consultations:open", args=[consultation.slug, consultation.open_token])
    assert client.get(url).status_code == 200
    wrong = reverse("consultations:open", args=[consultation.slug, "not-the-token"])
    assert client.get(wrong).status_code == 404
    consultation.open_link_enabled = False
    consultation.save()
    assert client.get(url).status_code == 404


STAFF_PAGES = [
    ("priorities_staff:list", False),
    ("priorities_staff:detail", True),
    ("priorities_staff:invitees", True),
    ("priorities_staff:submissions", True),
    ("priorities_staff:indicative_list", True),
]


@pytest.mark.parametrize(("name", "with_slug"), STAFF_PAGES)
def test_staff_pages_need_a_staff_role(
    client: Client, reader_client: Client, manager_client: Client, consultation: Any,
    name: str, with_slug: bool,
) -> None:  # fmt: skip
    url = reverse(name, args=[consultation.slug] if with_slug else [])
    assert client.get(url).status_code == 302  # to sign in
    assert reader_client.get(url).status_code == 200
    assert manager_client.get(url).status_code == 200


def test_readers_cannot_change_anything(
    reader_client: Client, manager_client: Client, consultation: Any
) -> None:
    assert reader_client.get(reverse("priorities_staff:create")).status_code == 403
    edit = reverse("priorities_staff:edit", args=[consultation.slug])
    assert reader_client.get(edit).status_code == 403
    invitees = reverse("priorities_staff:invitees", args=[consultation.slug])
    lines = {"lines": "Bea Bramley, bea@example.org, commissioner"}
    assert reader_client.post(invitees, lines).status_code == 403
    assert manager_client.post(invitees, lines).status_code == 302
    assert consultation.invitations.count() == 1
    send = reverse("priorities_staff:send", args=[consultation.slug])
    assert reader_client.post(send).status_code == 403
    merge = reverse("priorities_staff:merge", args=[consultation.slug])
    assert reader_client.post(merge, {}).status_code == 403


def test_invitee_lines_are_checked(manager_client: Client, consultation: Any) -> None:
    url = reverse("priorities_staff:invitees", args=[consultation.slug])
    page = manager_client.post(
        url, {"lines": "Bea, not-an-email, clinician\nCal, c@example.org, pilot"}
    )
    html = page.content.decode()
    assert "line 1" in html
    assert "line 2: unknown group" in html
    assert consultation.invitations.count() == 0


def test_invitations_are_queued_once_with_a_personal_link(
    manager_client: Client, consultation: Any, invitation: Any
) -> None:
    from coproduce.comms.models import OutboxMessage

    send = reverse("priorities_staff:send", args=[consultation.slug])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("coproduce.comms.outbox.enqueue_dispatch", lambda: None)
        manager_client.post(send)
        manager_client.post(send)
    message = OutboxMessage.objects.get()
    assert message.key == f"consultation-invite:{invitation.pk}:v1"
    assert message.to_email == "ada@example.org"
    # The link is stamped with the second it was signed, so check it opens this invitation
    # rather than comparing it with a link signed now.
    sent_path = re.search(r"/consultations/\S+", message.body_text)
    assert sent_path is not None
    expected_prefix = links.invitation_path(invitation).rsplit(":", 2)[0]
    assert sent_path.group(0).startswith(expected_prefix)
    invitation.refresh_from_db()
    assert invitation.invited_at is not None


def test_reminders_go_only_to_those_who_have_not_submitted(
    consultation: Any, invitation: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from coproduce.comms.models import OutboxMessage
    from coproduce.priorities import services
    from coproduce.priorities.models import Invitation

    done = Invitation.objects.create(
        consultation=consultation, full_name="Done Person", email="done@example.org",
        group="manager",
    )  # fmt: skip
    services.save_response(consultation, {}, invitation=done, submit=True)
    Invitation.objects.update(invited_at=timezone.now())
    consultation.reminder_days_before_close = 3
    consultation.closes = timezone.localdate() + dt.timedelta(days=2)
    consultation.save()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("coproduce.comms.outbox.enqueue_dispatch", lambda: None)
        assert invitations.queue_due_reminders() == 1
        assert invitations.queue_due_reminders() == 0
    assert list(OutboxMessage.objects.values_list("to_email", flat=True)) == ["ada@example.org"]
