"""Joining as an associate: register, then confirm by the emailed link (double opt-in).

Registering stores a Registration holding the answers and the ids of the consent wordings the
person saw. For an address we do not know, it also creates the associate, *pending*, and
records the consent they ticked (method "form"); pending associates are never sent anything
but the confirmation email. For an address we know, nothing about that associate changes until
the link is used: otherwise anyone could alter someone else's details by typing their address.

The link's token is unguessable without the secret key, and only its SHA-256 is stored. It is
derived from a random nonce (kept in the payload) with a keyed HMAC, so the email task can
rebuild it from the registration's id alone and the token never sits in the task queue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import urlsafe_base64_encode

from coproduce.audit.log import record
from coproduce.community import services
from coproduce.community.models import (
    Associate,
    CommunityOfPractice,
    ConsentRecord,
    ConsentWording,
    Registration,
    SuppressedAddress,
    address_hash,
)
from coproduce.lib.identifiers import mailbox_pattern, normalise_email
from coproduce.registry.models import Theme

MAX_AGE = dt.timedelta(days=7)
# Past this many links waiting for one mailbox (any spelling), the form quietly stops sending more: it must
# not become a way to flood someone's inbox.
MAX_WAITING_PER_ADDRESS = 5
_SALT = "coproduce.community.registration"
_MAX_TOKEN_LENGTH = 100


class RegistrationLinkError(Exception):
    """The confirmation link cannot be used."""


class UnknownLink(RegistrationLinkError):
    pass


class ExpiredLink(RegistrationLinkError):
    pass


class UsedLink(RegistrationLinkError):
    pass


@dataclass
class Answers:
    """The join form's cleaned answers, and the consent wordings that were on the page."""

    full_name: str
    email: str
    role: str
    organisation: str = ""
    interests: list[Theme] = field(default_factory=list)
    communities: list[CommunityOfPractice] = field(default_factory=list)
    consents: dict[str, bool] = field(default_factory=dict)
    wordings: dict[str, ConsentWording] = field(default_factory=dict)

    def payload(self, nonce: str) -> dict[str, Any]:
        return {
            "full_name": self.full_name,
            "organisation": self.organisation,
            "role": self.role,
            "interests": [theme.pk for theme in self.interests],
            "communities": [cop.pk for cop in self.communities],
            "consents": {channel: bool(granted) for channel, granted in self.consents.items()},
            "wordings": {channel: wording.pk for channel, wording in self.wordings.items()},
            "nonce": nonce,
        }


def _token(nonce: str) -> str:
    return urlsafe_base64_encode(salted_hmac(_SALT, nonce, algorithm="sha256").digest())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def confirm_token(registration: Registration) -> str:
    return _token(registration.payload["nonce"])


def confirm_url(registration: Registration) -> str:
    return settings.SITE_URL + reverse("associates:confirm", args=[confirm_token(registration)])


def _create_pending(answers: Answers, email: str) -> Associate | None:
    """A new pending associate, or None if the address was taken meanwhile (a race)."""
    try:
        with transaction.atomic():
            return Associate.objects.create(
                full_name=answers.full_name,
                email=email,
                organisation=answers.organisation,
                role=answers.role,
                status=Associate.Status.PENDING,
            )
    except IntegrityError:
        return None


@transaction.atomic
def register(answers: Answers) -> Registration | None:
    """Store a registration waiting for confirmation; the caller emails its link on commit.

    None when the address already has MAX_WAITING_PER_ADDRESS links waiting: the caller then
    answers exactly as if it had sent one.
    """
    email = normalise_email(answers.email)
    # Counted per mailbox: jo+1@, jo+2@ ... are one inbox (lib/identifiers.mailbox_key).
    waiting = Registration.objects.filter(
        email__regex=mailbox_pattern(email),
        confirmed__isnull=True,
        created__gte=timezone.now() - MAX_AGE,
    )
    if waiting.count() >= MAX_WAITING_PER_ADDRESS:
        return None
    nonce = secrets.token_urlsafe(16)
    associate = Associate.objects.filter(email=email).first()
    if associate is None:
        associate = _create_pending(answers, email)
        if associate is not None:
            for channel, granted in answers.consents.items():
                if granted and channel in answers.wordings:
                    services.record_consent(
                        associate,
                        channel,
                        True,
                        ConsentRecord.Method.FORM,
                        wording=answers.wordings[channel],
                    )
        else:
            associate = Associate.objects.filter(email=email).first()
    return Registration.objects.create(
        token_sha256=_digest(_token(nonce)),
        email=email,
        payload=answers.payload(nonce),
        associate=associate,
    )


def find(token: str, *, for_update: bool = False) -> Registration:
    """The registration a confirmation token belongs to, if it can still be used."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        raise UnknownLink(token)
    registrations = Registration.objects.all()
    if for_update:
        registrations = registrations.select_for_update()
    registration = registrations.filter(token_sha256=_digest(token)).first()
    if registration is None:
        raise UnknownLink(token)
    if registration.confirmed is not None:
        raise UsedLink(token)
    if registration.created < timezone.now() - MAX_AGE:
        raise ExpiredLink(token)
    return registration


@transaction.atomic
def confirm(token: str, *, at: dt.datetime | None = None) -> Associate:
    """Apply a registration: the associate becomes active with the answers given."""
    registration = find(token, for_update=True)
    now = at or timezone.now()
    payload = registration.payload
    associate = registration.associate
    if associate is None or associate.status == Associate.Status.ERASED:
        # Erased since registering, yet the person has now asked again: start afresh.
        associate = Associate.objects.filter(email=registration.email).first()
    if associate is None:
        associate = Associate.objects.create(
            full_name=payload["full_name"],
            email=registration.email,
            role=payload["role"],
            status=Associate.Status.PENDING,
            joined=now,
        )
    status_before = associate.status
    associate.full_name = payload["full_name"]
    associate.organisation = payload.get("organisation", "")
    associate.role = payload["role"]
    associate.status = Associate.Status.ACTIVE
    if associate.confirmed is None:
        associate.confirmed = now
    associate.save(update_fields=["full_name", "organisation", "role", "status", "confirmed"])

    associate.interests.add(*Theme.objects.filter(pk__in=payload.get("interests", [])))
    if status_before != Associate.Status.ACTIVE:
        # Memberships chosen while pending were not counted; now they are.
        services.refresh_member_counts(
            list(associate.memberships.filter(left__isnull=True).values_list("cop_id", flat=True))
        )
    for cop in CommunityOfPractice.objects.filter(pk__in=payload.get("communities", [])):
        services.join(associate, cop, at=now)

    shown = payload.get("wordings", {})
    wordings = ConsentWording.objects.in_bulk(list(shown.values()))
    for channel, granted in payload.get("consents", {}).items():
        wording = wordings.get(shown.get(channel))
        # Never record a grant without the words it was given to.
        if granted and wording is not None and wording.channel == channel:
            services.record_consent(
                associate,
                channel,
                True,
                ConsentRecord.Method.CONFIRMATION,
                wording=wording,
                at=now,
                force=True,
            )
    # They asked again, explicitly, from this address: lift any earlier suppression.
    SuppressedAddress.objects.filter(address_sha256=address_hash(registration.email)).delete()

    registration.confirmed = now
    registration.associate = associate
    registration.save(update_fields=["confirmed", "associate"])
    record(
        None,
        "community.associate.confirmed",
        associate,
        {"status": [status_before, associate.status]},
        via="self-service",
    )
    return associate


def forget(associate: Associate, email: str | None) -> int:
    """Delete the registrations of an associate (or address) being erased: they hold both."""
    registrations = Registration.objects.filter(associate=associate)
    if email:
        registrations = Registration.objects.filter(
            Q(associate=associate) | Q(email=normalise_email(email))
        )
    deleted, _ = registrations.delete()
    return deleted


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete unconfirmed registrations whose link has expired: their answers are personal."""
    cutoff = (now or timezone.now()) - MAX_AGE
    deleted, _ = Registration.objects.filter(confirmed__isnull=True, created__lt=cutoff).delete()
    return deleted


def purge_unconfirmed(now: dt.datetime | None = None) -> list[str]:
    """Storage limitation for the join form: after COPRODUCE_RETENTION_UNCONFIRMED_DAYS, delete
    the registrations never confirmed and the pending associates they made, with those
    associates' "granted via form" consent records. Returns the addresses removed, so that the
    outbox and the mail folder can forget them too.

    An associate is removed only if it never went further than the form: still pending (only
    the join form makes pending associates; imports and staff make active ones), never
    confirmed, joined before the cutoff, no registration since, no membership, and no consent
    record but the form's. Consent records are append-only; this is the one
    place that deletes them, because a consent never confirmed proves nothing we must keep.
    """
    cutoff = (now or timezone.now()) - dt.timedelta(
        days=settings.COPRODUCE_RETENTION_UNCONFIRMED_DAYS
    )
    Registration.objects.filter(confirmed__isnull=True, created__lt=cutoff).delete()
    pending = (
        Associate.objects.filter(
            status=Associate.Status.PENDING, confirmed__isnull=True, joined__lt=cutoff
        )
        .exclude(registrations__created__gte=cutoff)
        .exclude(memberships__isnull=False)
        .exclude(
            consent_records__in=ConsentRecord.objects.exclude(method=ConsentRecord.Method.FORM)
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    removed: list[str] = []
    with transaction.atomic():
        for associate in Associate.objects.filter(pk__in=list(pending)):
            records = ConsentRecord.objects.filter(associate=associate)
            records._raw_delete(records.db)  # the append-only queryset refuses delete()
            if associate.email:
                removed.append(associate.email)
            # Named by public id only (audit_label): the entry holds no personal data.
            record(None, "community.associate.purged", associate, via="retention")
            associate.delete()
    return removed
