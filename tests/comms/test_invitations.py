"""comms learns about events only through the provider the events app registers
(coproduce/comms/invitations.py), so comms never imports events (tests/ops/test_layers.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coproduce.comms import invitations
from coproduce.events.models import Event

pytestmark = pytest.mark.django_db


def _event(slug: str, days: int, status: str = Event.Status.PUBLISHED) -> Event:
    starts = timezone.now() + dt.timedelta(days=days)
    return Event.objects.create(
        slug=slug,
        kind=Event.Kind.SEMINAR,
        title=slug.title(),
        starts=starts,
        ends=starts + dt.timedelta(hours=2),
        status=status,
    )


def test_the_events_app_offers_upcoming_published_events_and_keeps_the_current_one() -> None:
    soon, later = _event("soon", 3), _event("later", 9)
    past = _event("past", -9)
    draft = _event("draft", 5, status=Event.Status.DRAFT)
    assert list(invitations.choosable()) == [soon, later]
    assert set(invitations.choosable(past.pk)) == {soon, later, past}
    assert invitations.find(draft.pk) == draft  # the mailing already names it
    body = invitations.with_details("Come along.", soon)
    assert body.startswith("Come along.\n\n---\n\n**Soon**: ")
    assert "/events/soon/" in body


def test_without_a_provider_nothing_can_be_chosen_and_nothing_is_added(monkeypatch: Any) -> None:
    event = _event("soon", 3)
    monkeypatch.setattr(invitations, "_provider", None)
    assert list(invitations.choosable()) == []
    assert invitations.find(event.pk) is None
    assert invitations.with_details("Come along.", event) == "Come along."
