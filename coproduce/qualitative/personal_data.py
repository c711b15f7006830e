"""What qualitative projects hold about a person (the personal-data register's rules,
`coproduce/lib/personaldata.py`), declared from QualitativeConfig.ready.

A transcript's text is research data that codings point into by character offsets, so erasure
masks the person's address and names with the same number of characters ("█"): every coding
still covers the passage it covered, and the person is gone from it.
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
    words_pattern,
)

TEAM = "The study's research team and managers"
STUDY = "As long as the study's research records (its archive period)"
MASK = "█"


def mask(text: str, terms: tuple[str, ...]) -> str:
    """`text` with every term (whole words, any case) masked character for character."""
    pattern = words_pattern(terms)
    if pattern is None or not text:
        return text
    return pattern.sub(lambda found: MASK * len(found.group(0)), text)


def _sources(subject: Subject) -> models.QuerySet:
    from coproduce.qualitative.models import ProjectSource

    q = text_mentions(ProjectSource, ("title", "text"), subject) | by_key(
        "participant", "participants__id"
    )(subject)
    return ProjectSource.objects.filter(q).distinct()


def _mask_sources(subject: Subject, rows: models.QuerySet, at: dt.datetime, by: Any) -> int:
    done = 0
    for source in rows:
        type(source).objects.filter(pk=source.pk).update(
            title=redact(source.title, subject.terms), text=mask(source.text, subject.terms)
        )
        done += 1
    return done


def _turns(subject: Subject) -> models.Q:
    from coproduce.qualitative.models import Turn

    return text_mentions(Turn, ("speaker",), subject)


def _codings(subject: Subject) -> models.Q:
    from coproduce.qualitative.models import Coding

    return text_mentions(Coding, ("memo", "coder_name"), subject) | by_key("user", "coder_id")(
        subject
    )


def _redact_codings(subject: Subject, rows: models.QuerySet, at: dt.datetime, by: Any) -> int:
    done = 0
    user_ids = subject.ids("user")
    for coding in rows:
        values = {"memo": redact(coding.memo, subject.terms)}
        if coding.coder_id in user_ids or subject.mentioned_in(coding.coder_name):
            values["coder_name"] = "[erased]"
        type(coding).objects.filter(pk=coding.pk).update(**values)
        done += 1
    return done


def declare() -> None:
    register(
        Rule(
            "qualitative.ProjectSource",
            ("title", "text"),
            _sources,
            Erasure.CUSTOM,
            "The person's address and names are masked character for character in the text "
            "(so codings keep their places) and replaced by [erased] in the title; the source "
            "stays as research data. A source with a participant who has not consented never "
            "leaves in an export.",
            purpose="Transcripts and texts the study team codes",
            who_sees=TEAM,
            retention=STUDY,
            eraser=_mask_sources,
            study="project__study_id",
            order=20,
        )
    )
    register(
        Rule(
            "qualitative.Turn",
            ("speaker",),
            _turns,
            Erasure.BLANK,
            "The speaker's name is blanked; the turn's place in the transcript stays.",
            purpose="Who spoke when in a transcript",
            who_sees=TEAM,
            retention=STUDY,
            blank={"speaker": ""},
            study="source__project__study_id",
            order=20,
        )
    )
    register(
        Rule(
            "qualitative.Coding",
            ("memo", "coder_name"),
            _codings,
            Erasure.CUSTOM,
            "Mentions in memos become [erased]; a coder who is erased is named [erased].",
            purpose="Codes applied to passages, with memos",
            who_sees=TEAM,
            retention=STUDY,
            eraser=_redact_codings,
            study="source__project__study_id",
            order=20,
        )
    )
    declare_not_personal("qualitative.Project", "A study's qualitative project: name, description")
    declare_not_personal("qualitative.Code", "A code's name and place in the codebook")
    declare_not_personal(
        "qualitative.CodeVersion", "A code's definition, criteria and examples, and who changed it"
    )
