"""The event types a staff member can subscribe a URL to: one place, so that the subscription
form, the OpenAPI description and the emitters agree. Each emitter calls
`coproduce.webhooks.outbox.emit(<type>, data)` inside the transaction that made the change."""

from __future__ import annotations

EVENT_TYPES: dict[str, str] = {
    "study.stage_changed": "A study moved to another stage",
    "review.released": "A review round's recommendation was released to the study team",
    "mailing.sent": "A mailing finished sending",
    "booking.made": "Someone booked a place at an event",
    "recommendation.overdue": "An implementation recommendation passed its due date",
    "output.added": "An output was added to a study",
}


def choices() -> list[tuple[str, str]]:
    return list(EVENT_TYPES.items())
