"""What the registry holds about a person: people and their dated roles (the personal-data
register's rules, `coproduce/lib/personaldata.py`), declared from RegistryConfig.ready."""

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
)

HISTORY = (
    "Kept as the collaboration's history (who held which post when); it names the person only "
    "by link to their row, which is blanked."
)
STAFF = "Staff of the collaboration; the public study pages name current team members"


def _erased_address(person: Any) -> str:
    return f"erased-{person.public_id.hex}@erased.invalid"


def declare() -> None:
    from coproduce.registry.models import Person

    register_key(
        "person",
        lambda email: Person.objects.filter(email__iexact=email).values_list("pk", flat=True),
    )
    register_key(
        "user",
        lambda email: Person.objects.filter(email__iexact=email, user__isnull=False).values_list(
            "user_id", flat=True
        ),
    )
    register(
        Rule(
            "registry.Person",
            ("full_name", "email", "job_title", "orcid", "bio"),
            by(email=["email"], keys=[("person", "pk"), ("contact", "contact_id")]),
            Erasure.BLANK,
            "Name, address, job title, ORCID iD and biography blanked; the row stays so that "
            "the history of roles and secondments stays whole.",
            purpose="The people of the collaboration: roles, studies, secondments, panels",
            who_sees=STAFF,
            retention="As long as the collaboration's records (its funder's archive period)",
            blank={
                "full_name": "Erased person",
                "email": _erased_address,
                "job_title": "",
                "orcid": "",
                "bio": "",
                "user": None,
            },
            name_fields=("full_name",),
            identity=("email", "full_name", "organisation__name"),
            order=80,
        )
    )
    for model in ("registry.RoleAssignment", "registry.Secondment", "registry.Placement"):
        register(
            Rule(
                model,
                (),
                by_key("person", "person_id"),
                Erasure.KEEP,
                HISTORY,
                purpose="Who held which role, secondment or placement, and when",
                who_sees=STAFF,
                retention="As long as the collaboration's records",
            )
        )
    for model in ("registry.Area", "registry.Organisation", "registry.Theme", "registry.Study"):
        declare_not_personal(model, "Places, organisations, themes and studies: not people")
