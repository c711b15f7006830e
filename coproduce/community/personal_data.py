"""What communities of practice hold about a person: the community's rules in the personal-data
register (`coproduce/lib/personaldata.py`), declared from CommunityConfig.ready."""

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
    register,
    register_key,
)

STAFF = "Staff of the collaboration (the associate directory); managers edit and erase"


def _erase_associates(subject: Subject, rows: models.QuerySet, at: dt.datetime, by: Any) -> int:
    from coproduce.community.services import erase_associate

    done = 0
    for associate in rows:
        erase_associate(associate, by=by, at=at)
        done += 1
    return done


def _suppressed(subject: Subject) -> models.Q:
    from coproduce.community.models import address_hash

    return models.Q(address_sha256__in=[address_hash(address) for address in subject.emails])


def _activities(subject: Subject) -> models.QuerySet:
    from coproduce.community.models import Activity

    q = by(keys=[("person", "lead_person_id"), ("associate", "attendees")])(subject)
    return Activity.objects.filter(q).distinct()


def declare() -> None:
    from coproduce.community.models import Associate

    register_key(
        "associate",
        lambda email: Associate.objects.filter(email__iexact=email).values_list("pk", flat=True),
    )
    register(
        Rule(
            "community.Associate",
            ("full_name", "email", "organisation", "role"),
            by(email=["email"], keys=[("associate", "pk"), ("contact", "contact_id")]),
            Erasure.CUSTOM,
            "Name, address and organisation blanked; interests and attendance cleared; the "
            "row stays (status erased) so that community sizes over time stay true; every "
            "self-service link dies; a keyed hash of the address stops any further mail.",
            purpose="Associates of the collaboration: newsletters, briefings, events, communities",
            who_sees=STAFF,
            retention="While they remain an associate; never-confirmed joins are deleted after "
            "COPRODUCE_RETENTION_UNCONFIRMED_DAYS",
            retention_setting="COPRODUCE_RETENTION_UNCONFIRMED_DAYS",
            eraser=_erase_associates,
            name_fields=("full_name",),
            identity=("email", "full_name", "organisation"),
            order=50,
        )
    )
    register(
        Rule(
            "community.Membership",
            (),
            by_key("associate", "associate_id"),
            Erasure.KEEP,
            "Kept without personal data (the associate row is blanked): community sizes over "
            "time stay true; current memberships are ended.",
            purpose="Who belongs to which community of practice",
            who_sees=STAFF,
            retention="As long as the community's history",
        )
    )
    register(
        Rule(
            "community.ConsentRecord",
            (),
            by_key("associate", "associate_id"),
            Erasure.KEEP,
            "Kept: proof of what was consented to and when it was withdrawn (UK GDPR Art 7(1)); "
            "holds no personal field once the associate is blanked. Records of joins never "
            "confirmed are deleted with the pending associate.",
            purpose="Proof of consent to each channel",
            who_sees="Managers (consent history)",
            retention="As long as the associate row; never-confirmed joins after "
            "COPRODUCE_RETENTION_UNCONFIRMED_DAYS",
            retention_setting="COPRODUCE_RETENTION_UNCONFIRMED_DAYS",
        )
    )
    register(
        Rule(
            "community.SuppressedAddress",
            ("address_sha256",),
            _suppressed,
            Erasure.KEEP,
            "Kept: a keyed hash of the address (not the address) so that it is never mailed "
            "again, which erasure itself requires.",
            purpose="Never mailing an address that asked to be forgotten or bounced",
            who_sees="No one (a keyed hash)",
            retention="Indefinitely (the hash cannot be read back)",
        )
    )
    register(
        Rule(
            "community.Registration",
            ("email", "payload"),
            by(email=["email"], keys=[("associate", "associate_id")]),
            Erasure.DELETE,
            "Deleted.",
            purpose="Double opt-in: the join form's answers until the address is confirmed",
            who_sees="No one (read only when the confirmation link is used)",
            retention="Until confirmed, or COPRODUCE_RETENTION_UNCONFIRMED_DAYS",
            retention_setting="COPRODUCE_RETENTION_UNCONFIRMED_DAYS",
            repoint=("associate", "associate_id"),
        )
    )
    register(
        Rule(
            "community.Activity",
            (),
            _activities,
            Erasure.KEEP,
            "Kept: the community's activity; it names its lead only by link to a person, whose "
            "row is blanked.",
            purpose="Community activities and who led them",
            who_sees=STAFF,
            retention="As long as the community's history",
        )
    )
    declare_not_personal("community.ConsentWording", "The words shown, not who saw them")
    declare_not_personal("community.CommunityOfPractice", "A community, not a person")
    declare_not_personal(
        "community.LeadershipPeriod", "Who led a community as a kind (staff-led, co-led, ...)"
    )
