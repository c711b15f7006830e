"""What stored figures hold about a person (the personal-data register's rules,
`coproduce/lib/personaldata.py`), declared from FiguresConfig.ready.

Most figures are counts and rates; a few list names (the governance rules name a diffusion
fellow near the five-year cap). A figure that mentions the person is part of their record and
is deleted on erasure: it is derived, and the next read or tick computes it again from the
erased data."""

from __future__ import annotations

from django.db import models

from coproduce.lib.personaldata import Erasure, Rule, Subject, register


def _mentioning(subject: Subject) -> models.QuerySet:
    from coproduce.figures.models import StoredFigure

    terms = subject.terms
    if not terms:
        return StoredFigure.objects.none()
    # The database narrows by substring; the subject's own pattern (whole words) decides.
    near = models.Q(pk__in=[])
    for term in terms:
        near |= models.Q(text__icontains=term)
    mentioned = [
        row.pk
        for row in StoredFigure.objects.filter(near).only("pk", "text")
        if subject.mentioned_in(row.text)
    ]
    return StoredFigure.objects.filter(pk__in=mentioned)


def declare() -> None:
    register(
        Rule(
            "figures.StoredFigure",
            ("value",),
            _mentioning,
            Erasure.DELETE,
            "Deleted: a figure is derived from the data and is computed again without them.",
            purpose="Staff analytics kept ready (governance rules, evaluation dashboards)",
            who_sees="Staff who may see the analytics' pages",
            retention="Until the data changes (computed again), two days when no longer read",
            order=5,
        )
    )
