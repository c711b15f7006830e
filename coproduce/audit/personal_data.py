"""The audit log in the personal-data register (`coproduce/lib/personaldata.py`).

Entries are append-only, and they outlive erasure: so erasure may not delete them, but the law
gives the person the right to have their details removed (UK GDPR Art 17). The one exception to
the append-only guard is here: an entry that mentions the person (their address or a name, in
the actor's label, the object's label or the recorded changes) has those words replaced by
"[erased]", and `redacted` says when. What was done, when and by which account stays. The
database triggers allow exactly that change (migration 0003).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import models
from django.utils import timezone

from coproduce.lib import textindex
from coproduce.lib.personaldata import Erasure, Rule, Subject, redact, register


def _where(subject: Subject) -> list[tuple[str, str]]:
    """(field, text) for each of the person's terms in each text field of an entry."""
    where: list[tuple[str, str]] = []
    for term in subject.terms:
        where += [("actor_label", term), ("object_repr", term), ("changes", term)]
        # JSON may hold a non-ASCII name \u-escaped.
        escaped = json.dumps(term)[1:-1]
        if escaped != term:
            where.append(("changes", escaped))
    return where


def _mentioning(subject: Subject) -> models.QuerySet:
    """Entries whose text holds one of the person's terms as a whole word. The database finds
    those holding a term anywhere (through the trigram index: coproduce/lib/textindex.py),
    Python keeps the whole-word ones."""
    from coproduce.audit.models import AuditEntry

    if not subject.terms:
        return AuditEntry.objects.none()
    q = textindex.contains(AuditEntry, _where(subject))
    pks = [
        entry.pk
        for entry in AuditEntry.objects.filter(q).order_by()
        if subject.mentioned_in(
            " ".join(
                [
                    entry.actor_label,
                    entry.object_repr,
                    json.dumps(entry.changes, ensure_ascii=False),
                ]
            )
        )
    ]
    return AuditEntry.objects.filter(pk__in=pks)


def _redact(subject: Subject, rows: models.QuerySet, at: dt.datetime, by: Any) -> int:
    terms = subject.terms
    done = 0
    for entry in rows:
        # Bypasses the append-only queryset on purpose, for erasure alone.
        models.QuerySet.update(
            type(entry).objects.filter(pk=entry.pk),
            actor_label=redact(entry.actor_label, terms),
            object_repr=redact(entry.object_repr, terms),
            changes=redact(entry.changes, terms),
            redacted=max(timezone.now(), at),
        )
        done += 1
    return done


def declare() -> None:
    register(
        Rule(
            "audit.AuditEntry",
            ("actor_label", "object_repr", "changes"),
            _mentioning,
            Erasure.CUSTOM,
            "Kept as the record of what was done (accountability, UK GDPR Art 5(2)); the "
            "person's address and names are replaced by [erased] wherever an entry holds them.",
            purpose="Accountability: who changed what, and when",
            who_sees="Managers (history of a record)",
            retention="As long as the records it describes",
            eraser=_redact,
            order=1000,
        )
    )
