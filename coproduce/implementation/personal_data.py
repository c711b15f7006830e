"""What implementation records hold about a person (the personal-data register's rules,
`coproduce/lib/personaldata.py`), declared from ImplementationConfig.ready."""

from __future__ import annotations

from typing import Any

from coproduce.lib.personaldata import (
    Erasure,
    Rule,
    by_key,
    declare_not_personal,
    register,
    text_mentions,
)

TEAM = "The study's research team and managers"


def _erased(response: Any) -> str:
    return f"erased-{response.pk}"


def declare() -> None:
    from coproduce.implementation.models import Response

    register(
        Rule(
            "implementation.Response",
            ("respondent",),
            lambda subject: text_mentions(Response, ("respondent",), subject),
            Erasure.BLANK,
            "The respondent's label is replaced; their scores stay, anonymous.",
            purpose="Implementation instruments (e.g. NoMAD) answered by staff at sites",
            who_sees=TEAM,
            retention="As long as the study's evaluation",
            blank={"respondent": _erased},
        )
    )
    register(
        Rule(
            "implementation.Recommendation",
            (),
            lambda subject: (
                by_key("person", "made_by_id")(subject) | by_key("person", "contact_id")(subject)
            ),
            Erasure.KEEP,
            "Kept as the study's record; names people only by link to their blanked rows.",
            purpose="Recommendations to partners and who made them",
            who_sees=TEAM,
            retention="As long as the study's evaluation",
        )
    )
    for model in (
        "implementation.ImplementationRecord",
        "implementation.StatusEntry",
        "implementation.Instrument",
        "implementation.Construct",
        "implementation.Item",
        "implementation.Determinant",
        "implementation.RecommendationStep",
        "implementation.Administration",
        "implementation.Score",
        "implementation.Measure",
        "implementation.DataPoint",
        "implementation.PDSACycle",
        "implementation.Output",
        "implementation.NetworkSnapshot",
        "implementation.AnnualReportPdf",
    ):
        declare_not_personal(model, "About studies, sites and measures; staff accounts by id only")
