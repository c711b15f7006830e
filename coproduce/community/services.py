"""Transactional workflows over associates: consent, belonging, leaving, erasure.

Every change of consent goes through `record_consent`, which appends the record and updates the
associate's cached current state in the same transaction. Nothing else writes `consent_*`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, F
from django.dispatch import Signal
from django.utils import timezone

from coproduce.audit.log import record
from coproduce.community.models import (
    Associate,
    Channel,
    CommunityOfPractice,
    ConsentRecord,
    ConsentWording,
    Membership,
    Registration,
    SuppressedAddress,
    address_hash,
)
from coproduce.lib import personaldata

# Sent by `erase` before the associate's details are blanked: receivers get `associate` (still
# with its email) and `at`, and must remove what they hold about the person.
associate_erased = Signal()


def record_consent(
    associate: Associate,
    channel: str,
    granted: bool,
    method: str,
    *,
    wording: ConsentWording | None = None,
    by: Any = None,
    at: dt.datetime | None = None,
    force: bool = False,
) -> ConsentRecord | None:
    """Append a consent record if it changes the channel's state; return it (or None).

    A grant names the wording the person saw (the current one if not given); a withdrawal
    needs none. `force` appends even when the state is unchanged: the confirmation of a
    double opt-in is evidence worth keeping although the grant was already recorded.
    """
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    field = f"consent_{channel}"
    if getattr(associate, field) == granted and not force:
        return None
    if granted and wording is None:
        wording = ConsentWording.current(channel)
    entry = ConsentRecord.objects.create(
        associate=associate,
        channel=channel,
        granted=granted,
        method=method,
        wording=wording if granted else None,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
        at=at or timezone.now(),
    )
    Associate.objects.filter(pk=associate.pk).update(**{field: granted})
    setattr(associate, field, granted)
    return entry


def set_consents(
    associate: Associate,
    wanted: dict[str, bool],
    method: str,
    *,
    by: Any = None,
    at: dt.datetime | None = None,
    wordings: dict[str, ConsentWording] | None = None,
) -> list[ConsentRecord]:
    """Bring each named channel to the wanted state, appending only the changes.

    `wordings` names the version each channel's question was shown in (default: current).
    """
    records = []
    for channel, granted in wanted.items():
        wording = (wordings or {}).get(channel)
        entry = record_consent(associate, channel, granted, method, by=by, at=at, wording=wording)
        if entry is not None:
            records.append(entry)
    return records


def join(associate: Associate, cop: CommunityOfPractice, *, at: dt.datetime | None = None) -> bool:
    """Add a current membership; False if the associate already belongs."""
    if Membership.objects.filter(associate=associate, cop=cop, left__isnull=True).exists():
        return False
    Membership.objects.create(associate=associate, cop=cop, joined=at or timezone.now())
    cop.refresh_member_count()
    return True


def leave(associate: Associate, cop: CommunityOfPractice, *, at: dt.datetime | None = None) -> bool:
    """End the current membership, keeping it as history; False if there was none."""
    updated = Membership.objects.filter(associate=associate, cop=cop, left__isnull=True).update(
        left=at or timezone.now()
    )
    if updated:
        cop.refresh_member_count()
    return bool(updated)


def set_communities(
    associate: Associate, cops: list[CommunityOfPractice], *, at: dt.datetime | None = None
) -> tuple[int, int]:
    """Make the associate's current communities exactly `cops`; return (joined, left)."""
    wanted = {cop.pk: cop for cop in cops}
    current = {
        m.cop_id: m.cop
        for m in associate.memberships.filter(left__isnull=True).select_related("cop")
    }
    joined = sum(join(associate, cop, at=at) for pk, cop in wanted.items() if pk not in current)
    left = sum(leave(associate, cop, at=at) for pk, cop in current.items() if pk not in wanted)
    return joined, left


def refresh_member_counts(cop_ids: list[int] | None = None) -> None:
    """`refresh_member_count` for many communities (all of them if `cop_ids` is None), in
    one grouped count instead of a count per community (a 100,000-row import touching 30
    communities spent 4 s of PostgreSQL's time in the separate counts), and one write per
    community whose count changed. A test checks it against `refresh_member_count`."""
    cops = CommunityOfPractice.objects.all()
    members = Membership.objects.filter(
        left__isnull=True, associate__status=Associate.Status.ACTIVE
    )
    if cop_ids is not None:
        cops = cops.filter(pk__in=cop_ids)
        members = members.filter(cop_id__in=cop_ids)
    counts = dict(
        members.order_by().values("cop_id").annotate(n=Count("pk")).values_list("cop_id", "n")
    )
    changed = []
    for cop in cops.only("pk", "member_count"):
        count = counts.get(cop.pk, 0)
        if cop.member_count != count:
            cop.member_count = count
            changed.append(cop)
    CommunityOfPractice.objects.bulk_update(changed, ["member_count"], batch_size=500)


def export_data(associate: Associate) -> dict[str, Any]:
    """Everything held about an associate, for them to download (right of access): a readable
    summary, then `everything_we_hold`, the personal-data register's record of every table
    and the mail folder (the same record staff see for them)."""
    subject = personaldata.subject_for(associate.email, associate=[associate.pk])
    found = personaldata.record(subject)
    return {
        "associate": {
            "id": str(associate.public_id),
            "full_name": associate.full_name,
            "email": associate.email,
            "organisation": associate.organisation,
            "role": associate.get_role_display(),
            "status": associate.get_status_display(),
            "joined": associate.joined.isoformat(),
            "confirmed": associate.confirmed.isoformat() if associate.confirmed else None,
            "interests": [theme.name for theme in associate.interests.all()],
        },
        "communities_of_practice": [
            {
                "name": m.cop.name,
                "joined": m.joined.isoformat(),
                "left": m.left.isoformat() if m.left else None,
            }
            for m in associate.memberships.select_related("cop").order_by("joined")
        ],
        "consent": {
            "current": associate.consents(),
            "history": [
                {
                    "channel": r.channel,
                    "granted": r.granted,
                    "at": r.at.isoformat(),
                    "how": r.get_method_display(),
                    "wording_version": r.wording_version,
                    "wording_sha256": r.wording_sha256 or None,
                }
                for r in associate.consent_records.order_by("at", "pk")
            ],
        },
        "activities_attended": [
            {"community": a.cop.name, "title": a.title, "date": a.date.isoformat()}
            for a in associate.activities.select_related("cop").order_by("date")
        ],
        "everything_we_hold": {
            "tables": {k: v for k, v in found["tables"].items() if v["rows"]},
            "files": {k: v for k, v in found["files"].items() if v},
        },
    }


def erase(associate: Associate, *, by: Any = None, via: str = "self-service") -> None:
    """Erase everything held about an associate, in every table the personal-data register
    lists (`coproduce/lib/personaldata.py`): their bookings, emails, enquiries, registrations,
    and the mail files in the data folder, as well as the associate row (`erase_associate`)."""
    if associate.status == Associate.Status.ERASED:
        return
    subject = personaldata.subject_for(associate.email, associate=[associate.pk])
    with transaction.atomic():
        personaldata.erase(subject, by=by)
        remaining = Associate.objects.filter(pk=associate.pk).first()
        if remaining is not None:  # a join never confirmed is deleted outright (and audited)
            associate.refresh_from_db()
            # The entry names no personal data: the associate's str() is now anonymous.
            record(by, "community.associate.erased", associate, via=via)


def erase_associate(associate: Associate, *, by: Any = None, at: dt.datetime | None = None) -> None:
    """The associate row's part of erasure (the register's eraser for associates).

    Kept: a keyed hash of the address (suppression), the consent history (proof of what was
    consented to and when it was withdrawn, which the law asks us to keep) and anonymous
    membership rows (so community sizes over time stay true). Every self-service link dies.
    """
    if associate.status == Associate.Status.ERASED:
        return
    now = at or timezone.now()
    if associate.status == Associate.Status.PENDING and associate.confirmed is None:
        _delete_unconfirmed(associate, now)
        return
    # Receivers outside the register forget what they hold, in this transaction.
    associate_erased.send(sender=Associate, associate=associate, at=now)
    for channel in Channel.values:
        if getattr(associate, f"consent_{channel}"):
            record_consent(associate, channel, False, ConsentRecord.Method.ERASURE, by=by, at=now)
    if associate.email:
        SuppressedAddress.objects.get_or_create(
            address_sha256=address_hash(associate.email), defaults={"reason": "erased", "at": now}
        )
        Registration.objects.filter(email=associate.email).delete()
    associate.registrations.all().delete()
    cop_ids = list(associate.memberships.filter(left__isnull=True).values_list("cop_id", flat=True))
    associate.memberships.filter(left__isnull=True).update(left=now)
    associate.interests.clear()
    associate.activities.clear()
    associate.full_name = ""
    associate.email = None
    associate.organisation = ""
    associate.status = Associate.Status.ERASED
    associate.erased = now
    associate.save()
    Associate.objects.filter(pk=associate.pk).update(link_version=F("link_version") + 1)
    associate.refresh_from_db(fields=["link_version"])
    refresh_member_counts(cop_ids)


class CannotMerge(Exception):
    """Two associates that cannot be merged (the same one, or one already erased)."""


@transaction.atomic
def merge(keep: Associate, other: Associate, *, by: Any = None) -> dict[str, int]:
    """Merge a duplicate associate (`other`) into `keep`, in one transaction.

    Moved to `keep`: current memberships of communities `keep` is not in (the others end),
    activity attendance, interests, and every register table that declares `repoint` on the
    associate (registrations, bookings, outbox rows). Not moved: consent. Consent was given by
    an address under a wording, so `other`'s records stay with it as history and are withdrawn
    (method "staff"); `keep`'s consent is unchanged (record consent on `keep` if the person
    wants it). `other` is then blanked like an erased associate, with `merged_into` pointing at
    `keep`, and its links die; its address is not suppressed (they did not ask to be forgotten).
    """
    if keep.pk == other.pk:
        raise CannotMerge("An associate cannot be merged with itself.")
    locked = {
        a.pk: a for a in Associate.objects.select_for_update().filter(pk__in=[keep.pk, other.pk])
    }
    keep, other = locked[keep.pk], locked[other.pk]
    if Associate.Status.ERASED in (keep.status, other.status):
        raise CannotMerge("An erased associate cannot be merged.")
    now = timezone.now()
    current = set(keep.memberships.filter(left__isnull=True).values_list("cop_id", flat=True))
    theirs = other.memberships.filter(left__isnull=True)
    moved_cops = list(theirs.exclude(cop_id__in=current).values_list("cop_id", flat=True))
    theirs.exclude(cop_id__in=current).update(associate=keep)
    theirs.update(left=now)
    keep.activities.add(*other.activities.all())
    keep.interests.add(*other.interests.all())
    # Withdrawn first: the receiver cancels their waiting mailing rows before the rest move.
    for channel in Channel.values:
        if getattr(other, f"consent_{channel}"):
            record_consent(other, channel, False, ConsentRecord.Method.STAFF, by=by, at=now)
    moved = personaldata.repoint("associate", keep.pk, other.pk)
    other.activities.clear()
    other.interests.clear()
    if keep.status == Associate.Status.PENDING and other.status == Associate.Status.ACTIVE:
        keep.status, keep.confirmed = Associate.Status.ACTIVE, other.confirmed
        keep.save(update_fields=["status", "confirmed"])
    other.full_name = ""
    other.email = None
    other.organisation = ""
    other.status = Associate.Status.ERASED
    other.erased = now
    other.merged_into = keep
    other.save()
    Associate.objects.filter(pk=other.pk).update(link_version=F("link_version") + 1)
    refresh_member_counts(list(current | set(moved_cops)))
    record(by, "community.associate.merged", keep, {"merged": [None, other.audit_label]})
    record(by, "community.associate.merged_away", other, {"into": [None, keep.audit_label]})
    return {"memberships": len(moved_cops), **moved}


def _delete_unconfirmed(associate: Associate, now: dt.datetime) -> None:
    """Erasure of a join never confirmed: the pending associate goes entirely, with its
    registrations and its "granted via form" consent records (a consent never confirmed proves
    nothing we must keep); its address is suppressed as with every erasure."""
    associate_erased.send(sender=Associate, associate=associate, at=now)
    if associate.email:
        SuppressedAddress.objects.get_or_create(
            address_sha256=address_hash(associate.email), defaults={"reason": "erased", "at": now}
        )
        Registration.objects.filter(email=associate.email).delete()
    records = ConsentRecord.objects.filter(associate=associate)
    records._raw_delete(records.db)  # the append-only queryset refuses delete()
    # Named by public id only (audit_label): the entry holds no personal data.
    record(None, "community.associate.purged", associate, via="erasure")
    associate.delete()
