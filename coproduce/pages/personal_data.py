"""What the public site holds about a person: enquiries (the personal-data register's rule,
`coproduce/lib/personaldata.py`), declared from PagesConfig.ready."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from coproduce.lib.personaldata import Erasure, Rule, by, register


def declare() -> None:
    register(
        Rule(
            "pages.Enquiry",
            ("name", "email", "organisation", "message"),
            by(email=["email"], keys=[("contact", "contact_id")]),
            Erasure.DELETE,
            "Deleted.",
            purpose="Answering questions sent through the contact form",
            who_sees="Staff of the collaboration (enquiries)",
            retention="Answered or closed enquiries: COPRODUCE_RETENTION_ENQUIRY_DAYS after "
            "they were received",
            retention_setting="COPRODUCE_RETENTION_ENQUIRY_DAYS",
            name_fields=("name",),
            identity=("email", "name", "organisation"),
        )
    )


def purge_closed_enquiries(now: dt.datetime | None = None) -> int:
    """Storage limitation: delete enquiries answered or closed, received more than
    COPRODUCE_RETENTION_ENQUIRY_DAYS ago. New (unanswered) enquiries stay until handled."""
    from coproduce.pages.models import Enquiry

    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.COPRODUCE_RETENTION_ENQUIRY_DAYS)
    deleted, _ = (
        Enquiry.objects.exclude(status=Enquiry.Status.NEW).filter(received__lt=cutoff).delete()
    )
    return deleted
