"""What co-production records hold about a person (the personal-data register's rules,
`coproduce/lib/personaldata.py`), declared from CoproductionConfig.ready."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from coproduce.lib.personaldata import (
    Erasure,
    Rule,
    Subject,
    by,
    by_key,
    declare_not_personal,
    redact,
    register,
    register_key,
    text_mentions,
)

TEAM = "The study's research team and managers"
STUDY = "As long as the study's research records (its archive period)"
SOURCE_TEXT = ("title", "sender", "recipients", "notes", "observations")


def _sources(subject: Subject) -> models.QuerySet:
    from coproduce.coproduction.models import Source

    q = text_mentions(Source, SOURCE_TEXT, subject) | by_key(
        "participant", "links__participant_id"
    )(subject)
    return Source.objects.filter(q).distinct()


def _redact_sources(subject: Subject, rows: models.QuerySet, at: dt.datetime, by: Any) -> int:
    done = 0
    for source in rows:
        values = {name: redact(getattr(source, name), subject.terms) for name in SOURCE_TEXT}
        type(source).objects.filter(pk=source.pk).update(**values)
        done += 1
    return done


def declare() -> None:
    from coproduce.coproduction.models import Contributor, Participant

    register_key(
        "participant",
        lambda email: Participant.objects.filter(email__iexact=email).values_list("pk", flat=True),
    )
    register_key(
        "contributor",
        lambda email: Contributor.objects.filter(email__iexact=email).values_list("pk", flat=True),
    )
    register(
        Rule(
            "coproduction.Participant",
            ("full_name", "email", "consent_note"),
            by(
                email=["email"],
                keys=[("participant", "pk"), ("person", "person_id"), ("contact", "contact_id")],
            ),
            Erasure.BLANK,
            "Name, address and consent note blanked; the row stays so that the study's "
            "sources keep their shape (who took part, anonymously).",
            purpose="People taking part in co-production meetings and documents, and their "
            "consent to research use",
            who_sees=TEAM,
            retention=STUDY,
            blank={"full_name": "Erased participant", "email": "", "consent_note": ""},
            name_fields=("full_name",),
            identity=("email", "full_name", None),
        )
    )
    register(
        Rule(
            "coproduction.Source",
            SOURCE_TEXT,
            _sources,
            Erasure.CUSTOM,
            "The person's address and names are replaced by [erased] in the source's title, "
            "sender, recipients, notes and observations; the source stays as research data.",
            purpose="Meetings, documents and imported email studied by the team",
            who_sees=TEAM,
            retention=STUDY,
            eraser=_redact_sources,
            order=20,
        )
    )
    register(
        Rule(
            "coproduction.SourceParticipant",
            (),
            by_key("participant", "participant_id"),
            Erasure.KEEP,
            "Kept: links a source to a participant row, which is blanked.",
            purpose="Who took part in which source",
            who_sees=TEAM,
            retention=STUDY,
            study="source__study_id",
        )
    )
    register(
        Rule(
            "coproduction.Contributor",
            ("full_name", "email", "payee_reference"),
            by(email=["email"], keys=[("contributor", "pk"), ("contact", "contact_id")]),
            Erasure.BLANK,
            "Name and address blanked; the payee reference stays with the payments for the "
            "finance retention period (HMRC: six years after the end of the tax year).",
            purpose="Paying members of the public for their involvement",
            who_sees=TEAM + " (finance)",
            retention="Six years after the last payment (finance records)",
            blank={"full_name": "Erased contributor", "email": ""},
            name_fields=("full_name",),
            identity=("email", "full_name", None),
        )
    )
    register(
        Rule(
            "coproduction.InvolvementActivity",
            (),
            by_key("contributor", "contributor_id"),
            Erasure.KEEP,
            "Kept for the finance retention period: what was paid, for what, and when.",
            purpose="Public involvement activities and their payments",
            who_sees=TEAM + " (finance)",
            retention="Six years after the payment (finance records)",
        )
    )
    for model, what in (
        ("coproduction.BrokerActivity", "person_id"),
        ("coproduction.JournalSupervisor", "supervisor_id"),
        ("coproduction.JournalEntry", "placement__person_id"),
    ):
        register(
            Rule(
                model,
                (),
                by_key("person", what),
                Erasure.KEEP,
                "Kept as the study's research record; it names the person only by link to "
                "their person row, which is blanked.",
                purpose="Knowledge brokering and researchers' reflective journals",
                who_sees=TEAM,
                retention=STUDY,
            )
        )
    for model in (
        "coproduction.Attachment",
        "coproduction.Compromise",
        "coproduction.CompromisePosition",
        "coproduction.ReflexiveDialogue",
        "coproduction.PaymentRate",
        "coproduction.Gripp2Report",
    ):
        declare_not_personal(
            model, "About the study's work and decisions; parties are named by role"
        )
