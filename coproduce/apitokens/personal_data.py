"""Staff API tokens in the personal-data register (`coproduce/lib/personaldata.py`)."""

from __future__ import annotations

from coproduce.lib.personaldata import Erasure, Rule, by_key, register


def declare() -> None:
    register(
        Rule(
            "apitokens.ApiToken",
            ("name",),
            by_key("user", "owner_id"),
            Erasure.DELETE,
            "Deleted (the token stops working).",
            purpose="Programs reading the API on a staff member's behalf",
            who_sees="The token's owner",
            retention="Until revoked or expired",
            order=20,
        )
    )
