"""The API's own table in the personal-data register (`coproduce/lib/personaldata.py`)."""

from __future__ import annotations

import json

from django.db import models

from coproduce.lib.personaldata import Erasure, Rule, Subject, register


def _keys(subject: Subject) -> models.QuerySet:
    from coproduce.api.models import IdempotencyKey

    # Kept for a day at most, so the table is small: read it whole for mentions of the person
    # in a remembered answer (a booking made for them, say).
    mentioned = [
        row.pk
        for row in IdempotencyKey.objects.only("pk", "response")
        if subject.mentioned_in(json.dumps(row.response, ensure_ascii=False))
    ]
    return IdempotencyKey.objects.filter(
        models.Q(owner_id__in=sorted(subject.ids("user"))) | models.Q(pk__in=mentioned)
    )


def declare() -> None:
    register(
        Rule(
            "api.IdempotencyKey",
            ("response",),
            _keys,
            Erasure.DELETE,
            "Deleted (a client retrying the request would make the record again).",
            purpose="Answering a repeated API request with its first result",
            who_sees="No one (the API answers the same client with it)",
            retention="24 hours (purged as new keys arrive)",
            order=10,
        )
    )
