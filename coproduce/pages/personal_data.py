"""What the public site holds about a person: enquiries (the personal-data register's rule,
`coproduce/lib/personaldata.py`), declared from PagesConfig.ready."""

from __future__ import annotations

from coproduce.lib.personaldata import Erasure, Rule, by_email, register


def declare() -> None:
    register(
        Rule(
            "pages.Enquiry",
            ("name", "email", "organisation", "message"),
            by_email("email"),
            Erasure.DELETE,
            "Deleted.",
            purpose="Answering questions sent through the contact form",
            who_sees="Staff of the collaboration (enquiries)",
            retention="Answered or closed enquiries: COPRODUCE_RETENTION_ENQUIRY_DAYS after "
            "they were received",
            retention_setting="COPRODUCE_RETENTION_ENQUIRY_DAYS",
            name_fields=("name",),
        )
    )
