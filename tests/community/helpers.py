"""Small builders for associate-directory tests: associates with consent, communities, themes."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from django.utils import timezone

from coproduce.community import services
from coproduce.community.models import Associate, CommunityOfPractice, ConsentRecord
from coproduce.registry.models import Theme
from tests import factories

FILES = Path(__file__).parent / "files"
_numbers = itertools.count(1)


def community(slug: str, title: str = "") -> CommunityOfPractice:
    """The community a new study gets automatically (its slug is the study's)."""
    study = factories.StudyFactory(slug=slug, title=title or slug.replace("-", " ").title())
    return CommunityOfPractice.objects.get(study=study)


def theme(slug: str, name: str = "") -> Theme:
    return factories.ThemeFactory(slug=slug, name=name or slug.replace("-", " ").title())


def associate(
    *,
    consents: dict[str, bool] | None = None,
    cops: list[CommunityOfPractice] | None = None,
    interests: list[Theme] | None = None,
    **fields: Any,
) -> Associate:
    number = next(_numbers)
    fields.setdefault("full_name", f"Associate Number{number}")
    fields.setdefault("email", f"associate{number}@example.org")
    fields.setdefault("role", Associate.Role.CLINICIAN)
    fields.setdefault("status", Associate.Status.ACTIVE)
    if fields["status"] == Associate.Status.ACTIVE:
        fields.setdefault("confirmed", timezone.now())
    person = Associate.objects.create(**fields)
    for channel, granted in (consents or {}).items():
        services.record_consent(person, channel, granted, ConsentRecord.Method.FORM)
    for cop in cops or []:
        services.join(person, cop)
    if interests:
        person.interests.add(*interests)
    return person


def counts() -> dict[str, int]:
    """What an import may write: used to show that a refused import wrote nothing."""
    from coproduce.community.models import Membership

    return {
        "associates": Associate.objects.count(),
        "memberships": Membership.objects.count(),
        "consent": ConsentRecord.objects.count(),
        "interests": Associate.interests.through.objects.count(),
    }
