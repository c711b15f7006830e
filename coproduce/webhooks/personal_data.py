"""Webhooks in the personal-data register (`coproduce/lib/personaldata.py`)."""

from __future__ import annotations

from coproduce.lib.personaldata import declare_not_personal


def declare() -> None:
    declare_not_personal(
        "webhooks.Endpoint",
        "An address another system receives events at, and which staff account set it up",
    )
    declare_not_personal(
        "webhooks.Delivery",
        "An event as sent: public ids, slugs and statuses, never a name or address "
        "(each emitter sends only those)",
    )
    declare_not_personal("webhooks.Attempt", "When a delivery was tried and what came back")
