from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from coproduce.community.models import Registration


def test_it_deletes_only_unconfirmed_registrations_past_their_link_expiry(db: Any) -> None:
    old = timezone.now() - dt.timedelta(days=30)
    Registration.objects.create(
        token_sha256="a" * 64, email="old@example.org", payload={}, created=old
    )
    Registration.objects.create(
        token_sha256="b" * 64, email="used@example.org", payload={}, created=old, confirmed=old
    )
    Registration.objects.create(token_sha256="c" * 64, email="new@example.org", payload={})
    out = StringIO()
    call_command("purgeregistrations", stdout=out)
    assert "Deleted 1 expired registration(s)." in out.getvalue()
    assert sorted(Registration.objects.values_list("email", flat=True)) == [
        "new@example.org",
        "used@example.org",
    ]
