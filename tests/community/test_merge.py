"""Merging a duplicate associate into another (community.services.merge, the directory's form)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.comms.models import OutboxMessage
from coproduce.community import services
from coproduce.community.models import Associate, CommunityOfPractice, ConsentRecord, Membership
from coproduce.events.models import Booking, Event
from tests import factories

pytestmark = pytest.mark.django_db


def _cop(slug: str) -> CommunityOfPractice:
    return CommunityOfPractice.objects.create(slug=slug, name=slug, theme=factories.ThemeFactory())


@pytest.fixture
def pair(db: Any) -> tuple[Associate, Associate]:
    keep = Associate.objects.create(
        full_name="Jo Bloggs",
        email="jo@example.org",
        role="public",
        status="active",
        confirmed=timezone.now(),
    )
    other = Associate.objects.create(
        full_name="Jo Bloggs",
        email="jo+news@example.org",
        role="public",
        status="active",
        confirmed=timezone.now(),
    )
    services.record_consent(other, "engage", True, ConsentRecord.Method.FORM)
    shared, theirs = _cop("shared"), _cop("theirs")
    for cop in (shared,):
        services.join(keep, cop)
    for cop in (shared, theirs):
        services.join(other, cop)
    starts = timezone.now() + dt.timedelta(days=5)
    event = Event.objects.create(
        slug="e", title="E", starts=starts, ends=starts + dt.timedelta(hours=1)
    )
    Booking.objects.create(event=event, associate=other, full_name="Jo Bloggs", email=other.email)
    OutboxMessage.objects.create(
        key="k1", associate=other, to_email=other.email, channel="", status="sent"
    )
    return keep, other


def test_a_merge_moves_roles_and_blanks_the_duplicate(pair: Any) -> None:
    keep, other = pair
    services.merge(keep, other)
    other.refresh_from_db()
    assert other.merged_into == keep
    assert (other.status, other.email, other.full_name) == ("erased", None, "")
    current = set(
        Membership.objects.filter(associate=keep, left__isnull=True).values_list(
            "cop__slug", flat=True
        )
    )
    assert current == {"shared", "theirs"}
    assert not Membership.objects.filter(associate=other, left__isnull=True).exists()
    assert Booking.objects.get().associate == keep
    assert OutboxMessage.objects.get().associate == keep
    # Consent stays as the duplicate's history, withdrawn; the kept record's is unchanged.
    assert list(other.consent_records.values_list("granted", flat=True).order_by("pk")) == [
        True,
        False,
    ]
    keep.refresh_from_db()
    assert keep.consent_engage is False
    assert AuditEntry.objects.filter(action="community.associate.merged").count() == 1


def test_a_merge_with_itself_or_an_erased_record_is_refused(pair: Any) -> None:
    keep, other = pair
    with pytest.raises(services.CannotMerge):
        services.merge(keep, keep)
    services.erase(other, via="staff")
    with pytest.raises(services.CannotMerge):
        services.merge(keep, other)


def test_the_directory_form_merges_and_explains_mistakes(manager_client: Client, pair: Any) -> None:
    keep, other = pair
    url = reverse("associates_staff:merge", args=[keep.public_id])
    response = manager_client.post(url, {"other": "nobody@example.org"}, follow=True)
    assert "Enter the email address of the associate to merge" in response.content.decode()
    response = manager_client.post(url, {"other": " JO+NEWS@example.org "}, follow=True)
    assert "The duplicate has been merged" in response.content.decode()
    other.refresh_from_db()
    assert other.merged_into_id == keep.pk
