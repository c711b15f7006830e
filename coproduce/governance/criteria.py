"""Each reviewing panel's own criteria. Assessments store a rating and a comment per key."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    hint: str = ""


RATINGS = [
    ("meets", "Meets the criterion"),
    ("partly", "Partly meets the criterion"),
    ("not_met", "Does not meet the criterion"),
]
RATING_LABELS = dict(RATINGS)

CRITERIA: dict[str, tuple[Criterion, ...]] = {
    "commissioners": (
        Criterion("nhs", "Relevance to NHS priorities"),
        Criterion("social_care", "Relevance to social care priorities"),
        Criterion("commissioning", "Relevance to commissioning priorities"),
    ),
    "service_users": (
        Criterion(
            "perspective",
            "The service user and carer perspective",
            "Does the study reflect what matters to people who use services and their carers?",
        ),
        Criterion("burden", "Burden on participants", "Is what the study asks of people fair?"),
        Criterion(
            "accessibility",
            "Accessibility",
            "Information, formats, venues and times that people can use.",
        ),
    ),
    "scientific": (
        Criterion("methodology", "Methodology", "Design, sample, analysis and feasibility."),
        Criterion(
            "implementation",
            "Implementation actively prioritised",
            "Is putting the findings into practice planned from the start?",
        ),
    ),
}


def criteria_for(kind: str) -> tuple[Criterion, ...]:
    return CRITERIA.get(kind, ())
