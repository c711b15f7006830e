"""What priority setting holds about a person (the personal-data register's rules,
`coproduce/lib/personaldata.py`), declared from PrioritiesConfig.ready."""

from __future__ import annotations

from typing import Any

from coproduce.lib.personaldata import (
    Erasure,
    Rule,
    by,
    by_key,
    declare_not_personal,
    register,
    register_key,
    text_mentions,
)

STAFF = "Staff running the consultation"
RESULTS = "As long as the consultation's published results"


def _erased_address(invitation: Any) -> str:
    return f"erased-{invitation.public_id.hex}@erased.invalid"


def declare() -> None:
    from coproduce.priorities.models import IndicativeQuestion, Invitation

    register_key(
        "invitation",
        lambda email: Invitation.objects.filter(email__iexact=email).values_list("pk", flat=True),
    )
    register(
        Rule(
            "priorities.Invitation",
            ("full_name", "email"),
            by(email=["email"], keys=[("invitation", "pk"), ("contact", "contact_id")]),
            Erasure.BLANK,
            "Name and address blanked (the personal link stops working for mail); the row "
            "stays so that response rates stay true.",
            purpose="Inviting people to a priority-setting consultation",
            who_sees=STAFF,
            retention=RESULTS,
            blank={"full_name": "", "email": _erased_address},
            name_fields=("full_name",),
            identity=("email", "full_name", None),
        )
    )
    for model, field in (
        ("priorities.Response", "invitation_id"),
        ("priorities.Answer", "response__invitation_id"),
        ("priorities.Submission", "response__invitation_id"),
    ):
        register(
            Rule(
                model,
                (),
                by_key("invitation", field),
                Erasure.KEEP,
                "Kept: the consultation's answers, anonymous once the invitation is blanked.",
                purpose="Priority setting (James Lind Alliance method)",
                who_sees=STAFF,
                retention=RESULTS,
            )
        )
    register(
        Rule(
            "priorities.IndicativeQuestion",
            ("evidence_checked_by",),
            lambda subject: text_mentions(IndicativeQuestion, ("evidence_checked_by",), subject),
            Erasure.BLANK,
            "Who checked the evidence is blanked.",
            purpose="Recording who checked the evidence for a question",
            who_sees=STAFF,
            retention=RESULTS,
            blank={"evidence_checked_by": ""},
        )
    )
    for model in (
        "priorities.Consultation",
        "priorities.Question",
        "priorities.Merge",
        "priorities.InterimSurvey",
        "priorities.Ballot",
        "priorities.BallotRank",
        "priorities.Workshop",
        "priorities.WorkshopGroup",
        "priorities.WorkshopRank",
        "priorities.Priority",
    ):
        declare_not_personal(model, "Questions, anonymous ballots and workshop rankings")
