"""A synthetic national network, deterministically from a seed (`coproduce loadsynthetic`).

Every part is written with plain multi-row INSERTs (the importer's `BulkInserter`) or
`bulk_create`, in one transaction per part, so a national data set (200,000 associates,
3,000 studies, 1,000,000 activity and audit rows, 2,000,000 outbox rows) takes minutes.
Bulk inserts fire no signals, so the records signals would make (a study's community of
practice and steering committee) are inserted here explicitly.

Dates are spread over the five years before a fixed moment (`ANCHOR`), identifiers
(`public_id`) come from the seeded generator: the same seed on an empty database gives the same
rows. The associate generator is shared with `bench/associates.py`.

Never point this at real data: it inserts invented people (addresses at example.org).
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction

from coproduce.demo import data as demo_data

_DATA = demo_data.part("synthetic")
ROLES: tuple[str, ...] = tuple(_DATA["roles"])
FIRST: list[str] = _DATA["first"]
LAST: list[str] = _DATA["last"]
ORGANISATIONS: tuple[str, ...] = tuple(_DATA["organisations"])
BATCH = 20_000
# Synthetic dates lie in the years before this moment, so a seed always gives the same rows.
ANCHOR: dt.datetime = _DATA["anchor"]
SPAN_S = _DATA["years"] * 365 * 24 * 3600
PREFIX: str = _DATA[
    "prefix"
]  # slugs of synthetic records start with this; associates are synthetic...@
DEFAULT_SEED: int = _DATA["seed"]


@dataclass(frozen=True)
class Scale:
    areas: int
    organisations: int
    themes: int
    studies: int
    people: int
    associates: int
    activities: int
    audit_entries: int
    mailings: int
    outbox: int
    review_share: float = 1 / 3  # studies with a protocol reviewed by the three panels


SCALES = {name: Scale(**sizes) for name, sizes in _DATA["scales"].items()}


def rng_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def insert_associates(
    inserter: Any,
    rng: random.Random,
    wanted: int,
    *,
    cop_ids: Sequence[int],
    theme_ids: Sequence[int],
    now: dt.datetime,
    email: str = "bench{:06d}@example.org",
    first_number: int = 1,
) -> dict[str, int]:
    """Insert `wanted` active associates with memberships (0-3 of `cop_ids`), interests (0-2 of
    `theme_ids`) and consent flags, each granted flag backed by a ConsentRecord naming the
    current wording. Joined dates over the five years before `now`. Deterministic for a given
    generator state. Does not refresh member counts; runs in the caller's transaction."""
    from coproduce.community.models import (
        Associate,
        Channel,
        ConsentRecord,
        ConsentWording,
        Membership,
    )

    channels = list(Channel.values)
    wordings = {channel: ConsentWording.current(channel) for channel in channels}
    # Roughly as a real list looks: most people consent to something, fewer to everything.
    grant_rate = {"engage": 0.8, "briefing": 0.35, "events": 0.45}
    public_id = Associate._meta.get_field("public_id")
    interests_through = Associate.interests.through
    counts = {"associates": 0, "memberships": 0, "interests": 0, "consent_records": 0}
    last_id = Associate.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, wanted, BATCH):
        size = min(BATCH, wanted - start)
        people: list[tuple[Any, ...]] = []
        extras: list[tuple[dt.datetime, list[int], list[int], list[bool]]] = []
        for n in range(first_number + start, first_number + start + size):
            joined = now - dt.timedelta(seconds=rng.randrange(SPAN_S))
            flags = [rng.random() < grant_rate[channel] for channel in channels]
            stamp = inserter.moment(joined)
            people.append(
                (
                    public_id.get_db_prep_value(rng_uuid(rng), connection, prepared=False),
                    f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    email.format(n),
                    rng.choice(ORGANISATIONS),
                    rng.choice(ROLES),
                    Associate.Status.ACTIVE.value,
                    stamp,
                    stamp,
                    *flags,
                    1,
                )
            )
            # 0 to 3 communities each, 0 to 2 themes.
            cops = rng.sample(cop_ids, min(len(cop_ids), rng.choice((0, 1, 1, 1, 2, 2, 3))))
            themes = rng.sample(theme_ids, min(len(theme_ids), rng.choice((0, 1, 1, 2))))
            extras.append((joined, cops, themes, flags))
        columns = ["public_id", "full_name", "email", "organisation", "role", "status"]
        columns += ["joined", "confirmed", *(f"consent_{c}" for c in channels)]
        columns += ["link_version"]
        inserter.insert(Associate, columns, people)
        ids = list(
            Associate.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)
        )
        if len(ids) != size:
            raise RuntimeError(f"expected {size} new associates, found {len(ids)}")
        last_id = ids[-1]
        memberships: list[tuple[Any, ...]] = []
        interests: list[tuple[Any, ...]] = []
        records: list[tuple[Any, ...]] = []
        for pk, (joined, cops, themes, flags) in zip(ids, extras, strict=True):
            stamp = inserter.moment(joined)
            memberships.extend((pk, cop, stamp) for cop in cops)
            interests.extend((pk, theme) for theme in themes)
            for channel, granted in zip(channels, flags, strict=True):
                if granted:
                    w = wordings[channel]
                    records.append(
                        (pk, channel, True, stamp, "form", w.pk, w.version, w.sha256, None)
                    )
        inserter.insert(Membership, ["associate", "cop", "joined"], memberships)
        inserter.insert(interests_through, ["associate", "theme"], interests)
        names = ["associate", "channel", "granted", "at", "method", "wording"]
        names += ["wording_version", "wording_sha256", "recorded_by"]
        inserter.insert(ConsentRecord, names, records)
        counts["associates"] += size
        counts["memberships"] += len(memberships)
        counts["interests"] += len(interests)
        counts["consent_records"] += len(records)
    return counts


class Refused(Exception):
    """The database is not one synthetic data may be loaded into."""


def check_database(*, force: bool) -> None:
    """Refuse a database holding anything but the demo, unless forced; always refuse a second
    load (its slugs and addresses would clash)."""
    from coproduce.community.models import Associate
    from coproduce.demo.loader import registry as clahrc_ndl
    from coproduce.registry.models import Study

    if Study.objects.filter(slug__startswith=f"{PREFIX}-").exists():
        raise Refused("this database already holds synthetic data: use a fresh database")
    if force:
        return
    demo_slugs = [study["slug"] for study in clahrc_ndl.STUDIES]
    foreign_studies = Study.objects.exclude(slug__in=demo_slugs).count()
    foreign_associates = (
        Associate.objects.filter(email__isnull=False)
        .exclude(email__endswith="@example.org")
        .count()
    )
    if foreign_studies or foreign_associates:
        raise Refused(
            f"this database holds data that is not the demo ({foreign_studies} studies, "
            f"{foreign_associates} associates): use a fresh database, or --force"
        )


def _ids(model: type[models.Model], after: int) -> list[int]:
    return list(
        model._default_manager.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)
    )


def _last(model: type[models.Model]) -> int:
    pk = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return int(pk or 0)


def _moment(rng: random.Random) -> dt.datetime:
    return ANCHOR - dt.timedelta(seconds=rng.randrange(SPAN_S))


def load(
    scale: Scale, seed: int, *, report: Callable[[str, dict[str, int], float], None]
) -> dict[str, int]:
    """Load every part; `report(part, counts, seconds)` is called after each. Returns all counts."""
    rng = random.Random(seed)  # noqa: S311 - invented data, reproducible by design
    totals: dict[str, int] = {}
    parts: list[tuple[str, Callable[[random.Random, Scale, dict[str, Any]], dict[str, int]]]] = [
        ("registry", _registry),
        ("communities", _communities),
        ("associates", _associates),
        ("governance", _governance),
        ("activity and audit", _activity_and_audit),
        ("mailings and outbox", _mailings),
        ("contacts", _contacts),
    ]
    shared: dict[str, Any] = {}
    for name, part in parts:
        started = time.monotonic()
        with transaction.atomic():
            counts = part(rng, scale, shared)
        report(name, counts, time.monotonic() - started)
        totals.update(counts)
    # Fresh statistics for the planner: without them PostgreSQL plans for the empty tables
    # (a scan of every person per membership in network.build, for one).
    if connection.vendor in ("sqlite", "postgresql"):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    # Bulk inserts send no signals: tell running servers their cached pages are stale.
    from coproduce import pagecache

    pagecache.bump()
    return totals


def _contacts(rng: random.Random, scale: Scale, shared: dict[str, Any]) -> dict[str, int]:
    """Bulk inserts send no signals: every role row gets its contact here, as the worker's
    clock would (coproduce/contacts/roles.py)."""
    from coproduce.contacts.roles import link_unlinked

    return {"rows given a contact": sum(link_unlinked().values())}


def _registry(rng: random.Random, scale: Scale, shared: dict[str, Any]) -> dict[str, int]:
    from coproduce.registry.models import (
        Area,
        Organisation,
        Person,
        RoleAssignment,
        Secondment,
        Study,
        Theme,
    )

    areas = Area.objects.bulk_create(
        Area(name=f"Synthetic area {n}", slug=f"{PREFIX}-area-{n}") for n in range(scale.areas)
    )
    area_ids = [a.pk for a in Area.objects.filter(slug__startswith=f"{PREFIX}-").order_by("pk")]
    kinds = list(Organisation.Kind.values)
    first_org = _last(Organisation)
    Organisation.objects.bulk_create(
        (
            Organisation(
                name=f"Synthetic organisation {n:05d}",
                slug=f"{PREFIX}-org-{n:05d}",
                kind=rng.choice(kinds),
                area_id=rng.choice(area_ids),
                partner_since=(ANCHOR - dt.timedelta(days=rng.randrange(3650))).date()
                if rng.random() < 0.7
                else None,
            )
            for n in range(scale.organisations)
        ),
        batch_size=2_000,
    )
    org_ids = _ids(Organisation, first_org)
    first_theme = _last(Theme)
    Theme.objects.bulk_create(
        Theme(
            name=f"Synthetic theme {n:03d}",
            slug=f"{PREFIX}-theme-{n:03d}",
            kind=Theme.Kind.CROSS_CUTTING if n % 5 == 4 else Theme.Kind.RESEARCH,
            position=100 + n,
        )
        for n in range(scale.themes)
    )
    theme_ids = _ids(Theme, first_theme)
    designs, stages = list(Study.Design.values), list(Study.Stage.values)
    first_study = _last(Study)
    studies = []
    for n in range(scale.studies):
        start = (ANCHOR - dt.timedelta(days=rng.randrange(3650))).date()
        studies.append(
            Study(
                slug=f"{PREFIX}-study-{n:05d}",
                title=f"Synthetic study {n:05d}: {rng.choice(LAST)} {rng.choice(FIRST)} pathway",
                acronym=f"SYN{n:05d}",
                theme_id=rng.choice(theme_ids),
                design=rng.choice(designs),
                stage=rng.choice(stages),
                df_posts=rng.randint(0, 3),
                start=start,
                end=start + dt.timedelta(days=rng.randrange(365, 1825))
                if rng.random() < 0.4
                else None,
            )
        )
    Study.objects.bulk_create(studies, batch_size=2_000)
    study_ids = _ids(Study, first_study)
    starts = dict(Study.objects.filter(pk__in=study_ids).values_list("pk", "start"))
    partners_through = Study.partners.through
    partners = [
        partners_through(study_id=s, organisation_id=o)
        for s in study_ids
        for o in rng.sample(org_ids, min(len(org_ids), rng.randint(1, 4)))
    ]
    partners_through.objects.bulk_create(partners, batch_size=5_000)
    first_person = _last(Person)
    Person.objects.bulk_create(
        (
            Person(
                public_id=rng_uuid(rng),
                full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                email=f"person{n:06d}@synthetic.example.org",
                organisation_id=rng.choice(org_ids),
                job_title=rng.choice(("Researcher", "Clinician", "Manager", "Fellow", "")),
            )
            for n in range(scale.people)
        ),
        batch_size=5_000,
    )
    person_ids = _ids(Person, first_person)
    roles = list(RoleAssignment.Role.values)
    assignments, secondments = [], []
    for study_id in study_ids:
        began = starts[study_id] or ANCHOR.date()
        # A chief investigator and two to five others.
        team = rng.sample(person_ids, min(len(person_ids), rng.randint(3, 6)))
        for i, person_id in enumerate(team):
            assignments.append(
                RoleAssignment(
                    public_id=rng_uuid(rng),
                    person_id=person_id,
                    study_id=study_id,
                    role=RoleAssignment.Role.CHIEF_INVESTIGATOR if i == 0 else rng.choice(roles),
                    start=began,
                )
            )
        if rng.random() < 0.6:
            secondments.append(
                Secondment(
                    public_id=rng_uuid(rng),
                    person_id=rng.choice(person_ids),
                    study_id=study_id,
                    home_organisation_id=rng.choice(org_ids),
                    start=began,
                    fte=Decimal(rng.choice(("0.20", "0.40", "0.60"))),
                )
            )
    RoleAssignment.objects.bulk_create(assignments, batch_size=5_000)
    Secondment.objects.bulk_create(secondments, batch_size=5_000)
    shared.update(study_ids=study_ids, starts=starts, theme_ids=theme_ids, person_ids=person_ids)
    return {
        "areas": len(areas),
        "organisations": len(org_ids),
        "themes": len(theme_ids),
        "studies": len(study_ids),
        "study_partners": len(partners),
        "people": len(person_ids),
        "role_assignments": len(assignments),
        "secondments": len(secondments),
    }


def _communities(rng: random.Random, scale: Scale, shared: dict[str, Any]) -> dict[str, int]:
    """One community of practice per study and one steering committee per study: what the
    community and governance signals would have made for a study saved one at a time."""
    from coproduce.community.models import CommunityOfPractice
    from coproduce.governance.models import Panel
    from coproduce.registry.models import Study

    first = _last(CommunityOfPractice)
    studies = list(Study.objects.filter(pk__in=shared["study_ids"]).order_by("pk"))
    leaderships = list(CommunityOfPractice.Leadership.values)
    CommunityOfPractice.objects.bulk_create(
        (
            CommunityOfPractice(
                slug=study.slug,
                name=f"{study.acronym} community of practice",
                study=study,
                founded=study.start,
                leadership=rng.choice(leaderships),
            )
            for study in studies
        ),
        batch_size=2_000,
    )
    Panel.objects.bulk_create(
        (
            Panel(
                kind=Panel.Kind.STEERING,
                study=study,
                slug=f"steering-{study.slug}"[:140],
                name=f"Steering committee: {study.acronym}"[:200],
            )
            for study in studies
        ),
        batch_size=2_000,
    )
    shared["cop_ids"] = _ids(CommunityOfPractice, first)
    return {"communities": len(shared["cop_ids"]), "steering_committees": len(studies)}


def _associates(rng: random.Random, scale: Scale, shared: dict[str, Any]) -> dict[str, int]:
    from coproduce.community.importer import BulkInserter
    from coproduce.community.services import refresh_member_counts

    counts = insert_associates(
        BulkInserter(),
        rng,
        scale.associates,
        cop_ids=shared["cop_ids"],
        theme_ids=shared["theme_ids"],
        now=ANCHOR,
        email="synthetic{:06d}@example.org",
    )
    refresh_member_counts(shared["cop_ids"])
    return counts


def _governance(rng: random.Random, scale: Scale, shared: dict[str, Any]) -> dict[str, int]:
    """A share of the studies submit protocol version 1.0 to the three reviewing panels."""
    from coproduce.governance.models import Panel, ProtocolVersion, ReviewRound

    panels = []
    for kind in Panel.REVIEWING:
        panel, _ = Panel.objects.get_or_create(
            kind=kind,
            study=None,
            defaults={"slug": f"{PREFIX}-{kind}", "name": Panel.Kind(kind).label},
        )
        panels.append(panel)
    chosen = sorted(
        rng.sample(shared["study_ids"], round(len(shared["study_ids"]) * scale.review_share))
    )
    first = _last(ProtocolVersion)
    ProtocolVersion.objects.bulk_create(
        (
            ProtocolVersion(
                public_id=rng_uuid(rng),
                study_id=study_id,
                label="1.0",
                stored_name=f"{PREFIX}-{study_id}-1.0.pdf",
                original_name="protocol.pdf",
                file_format=ProtocolVersion.Format.PDF,
                size=rng.randrange(50_000, 2_000_000),
                sha256=f"{rng.getrandbits(256):064x}",
            )
            for study_id in chosen
        ),
        batch_size=2_000,
    )
    versions = list(
        ProtocolVersion.objects.filter(pk__gt=first).order_by("pk").values_list("pk", "study_id")
    )
    statuses = list(ReviewRound.Status.values)
    rounds = []
    for version_id, study_id in versions:
        submitted = _moment(rng)
        for panel in panels:
            status = rng.choice(statuses)
            released = status in ("released", "responded")
            rounds.append(
                ReviewRound(
                    public_id=rng_uuid(rng),
                    study_id=study_id,
                    protocol_version_id=version_id,
                    panel=panel,
                    status=status,
                    submitted_at=submitted,
                    released_at=submitted + dt.timedelta(days=28) if released else None,
                    response="Thank you; we have revised the protocol."
                    if status == "responded"
                    else "",
                    responded_at=submitted + dt.timedelta(days=42)
                    if status == "responded"
                    else None,
                )
            )
    ReviewRound.objects.bulk_create(rounds, batch_size=2_000)
    return {"protocol_versions": len(versions), "review_rounds": len(rounds)}


def _activity_and_audit(rng: random.Random, scale: Scale, shared: dict[str, Any]) -> dict[str, int]:
    from coproduce.audit.models import AuditEntry
    from coproduce.community.importer import BulkInserter
    from coproduce.community.models import Activity, Associate

    inserter = BulkInserter()
    uuid_field = Activity._meta.get_field("public_id")
    characteristics = list(Activity.Characteristic.values)
    led_by = list(Activity.LedBy.values)
    cop_ids, person_ids = shared["cop_ids"], shared["person_ids"]
    names = ["public_id", "cop", "date", "title", "characteristic", "description"]
    names += ["attendee_count", "outputs", "led_by", "lead_person"]
    for start in range(0, scale.activities, BATCH):
        rows: list[tuple[Any, ...]] = []
        for n in range(start, min(scale.activities, start + BATCH)):
            characteristic = rng.choice(characteristics)
            rows.append(
                (
                    uuid_field.get_db_prep_value(rng_uuid(rng), connection, prepared=False),
                    rng.choice(cop_ids),
                    connection.ops.adapt_datefield_value(_moment(rng).date()),
                    f"Synthetic {characteristic.replace('_', ' ')} {n}",
                    characteristic,
                    "",
                    rng.randrange(3, 60),
                    "",
                    rng.choice(led_by),
                    rng.choice(person_ids) if rng.random() < 0.5 else None,
                )
            )
        inserter.insert(Activity, names, rows)

    # The audit trail of the staff's work: associates updated and studies edited. New rows only,
    # which AppendOnly allows (it refuses changing or deleting rows).
    changes = AuditEntry._meta.get_field("changes")
    associates = list(
        Associate.objects.filter(email__startswith="synthetic")
        .order_by("pk")
        .values_list("pk", "public_id")
    )
    study_ids = shared["study_ids"]
    names = ["at", "actor", "actor_label", "action", "object_type", "object_id"]
    names += ["object_repr", "changes", "via"]
    for start in range(0, scale.audit_entries, BATCH):
        rows = []
        for _ in range(start, min(scale.audit_entries, start + BATCH)):
            if rng.random() < 0.7:
                pk, public_id = rng.choice(associates)
                what = ("community.associate.updated", "community.associate", str(pk))
                diff = {"organisation": ["", rng.choice(ORGANISATIONS[1:])]}
                label = f"Associate {public_id}"
            else:
                pk = rng.choice(study_ids)
                what = ("registry.study.updated", "registry.study", str(pk))
                diff = {"stage": ["scoping", "recruiting"]}
                label = f"Synthetic study {pk}"
            rows.append(
                (
                    inserter.moment(_moment(rng)),
                    None,
                    "synthetic",
                    *what,
                    label,
                    changes.get_db_prep_value(diff, connection),
                    "command",
                )
            )
        inserter.insert(AuditEntry, names, rows)
    return {"activities": scale.activities, "audit_entries": scale.audit_entries}


def _mailings(rng: random.Random, scale: Scale, shared: dict[str, Any]) -> dict[str, int]:
    """Sent mailings, each with one sent outbox row per recipient (consenting associates)."""
    from coproduce.comms.models import Mailing, OutboxMessage
    from coproduce.community.importer import BulkInserter
    from coproduce.community.models import Associate

    per_mailing = scale.outbox // scale.mailings
    kinds = [Mailing.Kind.ENGAGE, Mailing.Kind.BRIEFING, Mailing.Kind.EVENT_INVITATION]
    pools: dict[str, list[tuple[int, str | None]]] = {}
    for kind in kinds:
        channel = str(Mailing.KIND_CHANNEL[kind])
        pools[channel] = list(
            Associate.objects.filter(email__startswith="synthetic", **{f"consent_{channel}": True})
            .order_by("pk")
            .values_list("pk", "email")
        )
    first = _last(Mailing)
    mailings = []
    for n in range(scale.mailings):
        kind = kinds[n % len(kinds)]
        sent = _moment(rng)
        mailings.append(
            Mailing(
                public_id=rng_uuid(rng),
                slug=f"{PREFIX}-mailing-{n:04d}",
                kind=kind,
                channel=Mailing.KIND_CHANNEL[kind],
                subject=f"{kind.label} {n:04d}",
                summary="A synthetic mailing.",
                body="Synthetic news.",
                status=Mailing.Status.SENT,
                queued_at=sent,
                finished_at=sent + dt.timedelta(minutes=20),
            )
        )
    Mailing.objects.bulk_create(mailings, batch_size=1_000)
    inserter = BulkInserter()
    names = ["key", "mailing", "associate", "to_email", "channel", "subject", "body_text"]
    names += ["body_html", "status", "attempts", "next_attempt_at", "claimed_by", "lease_until"]
    names += ["sent_at", "last_error", "created"]
    rows: list[tuple[Any, ...]] = []
    total = 0
    for mailing_id, mailing in zip(_ids(Mailing, first), mailings, strict=True):
        pool = pools[str(mailing.channel)]
        recipients = rng.sample(pool, min(per_mailing, len(pool)))
        assert mailing.queued_at is not None
        queued = inserter.moment(mailing.queued_at)
        for associate_id, email in recipients:
            sent = inserter.moment(mailing.queued_at + dt.timedelta(seconds=rng.randrange(1200)))
            rows.append(
                (
                    f"m{mailing_id}:a{associate_id}",
                    mailing_id,
                    associate_id,
                    email,
                    str(mailing.channel),
                    "",
                    "",
                    "",
                    OutboxMessage.Status.SENT.value,
                    1,
                    queued,
                    "",
                    None,
                    sent,
                    "",
                    queued,
                )
            )
        Mailing.objects.filter(pk=mailing_id).update(recipient_count=len(recipients))
        if len(rows) >= 50_000:
            inserter.insert(OutboxMessage, names, rows)
            total += len(rows)
            rows = []
    inserter.insert(OutboxMessage, names, rows)
    total += len(rows)
    return {"mailings": len(mailings), "outbox": total}
