"""Who a mailing goes to: its CoPs, themes and roles, intersected with the channel's consent,
minus suppressed addresses.

Filters combine as staff expect from the form: an associate is in the audience when they are
active, have consented on the mailing's channel, and match *any* chosen CoP (current member)
or *any* chosen theme (interest) and, if roles are chosen, hold one of them. No CoP and no theme
chosen means everyone consenting on the channel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from coproduce.community.models import Associate, Membership, SuppressedAddress, address_hash


@dataclass(frozen=True)
class Audience:
    channel: str
    cop_ids: tuple[int, ...] = ()
    theme_ids: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()

    @classmethod
    def of(cls, mailing: object) -> Audience:
        from coproduce.comms.models import Mailing

        assert isinstance(mailing, Mailing)
        if mailing.pk is None:
            return cls(mailing.channel, (), (), tuple(mailing.roles or ()))
        return cls(
            channel=mailing.channel,
            cop_ids=tuple(mailing.cops.values_list("pk", flat=True)),
            theme_ids=tuple(mailing.themes.values_list("pk", flat=True)),
            roles=tuple(mailing.roles or ()),
        )

    def queryset(self) -> QuerySet[Associate]:
        """Consenting, active associates matching the filters (suppression not yet applied)."""
        qs = (
            Associate.objects.consenting(self.channel).exclude(email__isnull=True).exclude(email="")
        )
        reach = Q()
        if self.cop_ids:
            reach |= Q(
                Exists(
                    Membership.objects.filter(
                        associate=OuterRef("pk"), cop_id__in=self.cop_ids, left__isnull=True
                    )
                )
            )
        if self.theme_ids:
            reach |= Q(
                Exists(
                    Associate.interests.through.objects.filter(
                        associate_id=OuterRef("pk"), theme_id__in=self.theme_ids
                    )
                )
            )
        if reach:
            qs = qs.filter(reach)
        if self.roles:
            qs = qs.filter(role__in=self.roles)
        return qs

    def count(self) -> int:
        """How many messages sending would write: the queryset minus suppressed addresses."""
        total = self.queryset().count()
        if total and bounce_suppressions_exist():
            total -= len(suppressed_among(self.queryset().values_list("email", flat=True)))
        return total


def bounce_suppressions_exist() -> bool:
    """Suppressions that can match a live associate. Erasure ("erased") blanks the address it suppresses,
    so only other reasons (bounces, complaints) need checking against an audience."""
    return SuppressedAddress.objects.exclude(reason="erased").exists()


def suppressed_among(emails: Iterable[str | None]) -> set[str]:
    """The addresses in `emails` whose keyed hash is on the suppression list."""
    hashes = set(
        SuppressedAddress.objects.exclude(reason="erased").values_list("address_sha256", flat=True)
    )
    if not hashes:
        return set()
    return {email for email in emails if email and address_hash(email) in hashes}
