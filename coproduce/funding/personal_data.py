"""What funding and capacity records hold about a person (the personal-data register's rules,
`coproduce/lib/personaldata.py`), declared from FundingConfig.ready.

Money stays (finance records are kept six years); the person rows these records point at are
blanked by the registry's and community's own rules, so a kept row names no one. Free-text
notes that may name the person are redacted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from coproduce.lib.personaldata import (
    Erasure,
    Rule,
    Subject,
    by_key,
    declare_not_personal,
    redact,
    register,
    text_mentions,
)

MANAGERS = "Staff (read), managers (change)"
FINANCE = "Six years after the financial year it belongs to (finance records)"


def _redactor(*fields: str) -> Any:
    def erase(subject: Subject, rows: models.QuerySet, at: dt.datetime, by: Any) -> int:
        done = 0
        for row in rows:
            values = {name: redact(getattr(row, name), subject.terms) for name in fields}
            type(row).objects.filter(pk=row.pk).update(**values)
            done += 1
        return done

    return erase


def _mentions(label: str, fields: tuple[str, ...], *keys: tuple[str, str]) -> Any:
    def find(subject: Subject) -> models.Q:
        from django.apps import apps

        q = text_mentions(apps.get_model(label), fields, subject)
        for key, field in keys:
            q |= by_key(key, field)(subject)
        return q

    return find


def declare() -> None:
    for label, reason in [
        ("funding.Award", "The collaboration's award: funder, reference, dates"),
        ("funding.AwardAmount", "The award's amount in a financial year"),
        ("funding.Contribution", "A partner organisation's matched funding in a year"),
    ]:
        declare_not_personal(label, reason)
    kept = [
        ("funding.StaffTime", ("description",), [("person", "person_id")], "Staff time in kind"),
        (
            "funding.FurtherFunding",
            ("title",),
            [("person", "people__id")],
            "Further funding won, and by whom",
        ),
        (
            "funding.Vacancy",
            ("notes",),
            [("person", "nominee_id")],
            "Recruiting a diffusion fellow: who was nominated",
        ),
        (
            "funding.FellowEvent",
            ("note",),
            [("person", "secondment__person_id")],
            "A diffusion fellow's agreement, renewal or replacement",
        ),
        (
            "funding.PlacementAgreement",
            ("notes",),
            [("person", "placement__person_id")],
            "A researcher in residence's agreed time",
        ),
        (
            "funding.Attendance",
            ("note",),
            [("person", "person_id"), ("associate", "associate_id")],
            "Who came to a training session (counted by partner and role)",
        ),
    ]
    for label, fields, keys, purpose in kept:
        register(
            Rule(
                label,
                fields,
                _mentions(label, fields, *keys),
                Erasure.CUSTOM,
                "Kept (finance and capacity figures); mentions of the person in its text "
                "become [erased], and the person it points at is blanked by their own rule.",
                purpose=purpose,
                who_sees=MANAGERS,
                retention=FINANCE,
                eraser=_redactor(*fields),
                order=30,
            )
        )
    register(
        Rule(
            "funding.TrainingSession",
            ("facilitator",),
            _mentions("funding.TrainingSession", ("facilitator", "title")),
            Erasure.CUSTOM,
            "A facilitator who is erased is named [erased]; the session stays.",
            purpose="Training and capacity building sessions",
            who_sees=MANAGERS,
            retention="As long as the collaboration reports on capacity building",
            eraser=_redactor("facilitator", "title"),
            order=30,
        )
    )
