"""What research governance holds about a person (the personal-data register's rules,
`coproduce/lib/personaldata.py`), declared from GovernanceConfig.ready."""

from __future__ import annotations

from coproduce.lib.personaldata import Erasure, Rule, by_key, declare_not_personal, register

RECORD = (
    "Kept as the committee's record of the review (research governance); it names the person "
    "only by link to their person row, which is blanked."
)


def declare() -> None:
    for model, field, fields in (
        ("governance.PanelMembership", "person_id", ()),
        ("governance.ReviewerAssignment", "person_id", ("conflict_details",)),
        ("governance.Assessment", "assignment__person_id", ()),
    ):
        register(
            Rule(
                model,
                fields,
                by_key("person", field),
                Erasure.KEEP,
                RECORD,
                purpose="Panels and committees, their members and their reviews",
                who_sees="Committee members, the study team and managers",
                retention="As long as the study's governance record",
            )
        )
    for model in (
        "governance.Panel",
        "governance.ProtocolVersion",
        "governance.ReviewRound",
        "governance.Recommendation",
        "governance.Condition",
        "governance.AnnualReview",
    ):
        declare_not_personal(model, "About studies and reviews; staff accounts by id only")
