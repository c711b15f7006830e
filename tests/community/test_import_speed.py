"""The importer's quick paths say exactly what the slow ones they replace say."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import connection

from coproduce.community import importer
from coproduce.community.models import address_hash


def _row(email: str) -> Any:
    return importer._Row(2, "A Person", email, "", "", (), (), {}, None)


def test_address_hashes_are_address_hash() -> None:
    emails = ["ada@example.org", "bea.smith@nhs.net", "x+tag@sub.example.ac.uk", "ünï@example.org"]
    assert importer._address_hashes([_row(e) for e in emails]) == [address_hash(e) for e in emails]


@pytest.mark.parametrize(
    "address",
    [
        "ada@example.org",
        "ada@localhost",
        "ada@[127.0.0.1]",
        "ada@bücher.example",
        "ada@-bad-.example",
        "ada@example",
        "ada.@example.org",
        "a da@example.org",
        "@example.org",
        "ada@",
        "ada@example.org.",
        "ada@exa_mple.org",
    ],
)
def test_the_email_check_agrees_with_djangos(address: str) -> None:
    def verdict(validator: Any) -> bool:
        try:
            validator(address)
        except ValidationError:
            return False
        return True

    # Twice: the second answer comes from the remembered domain.
    quick = importer._EmailValidator()
    assert verdict(quick) == verdict(EmailValidator()) == verdict(quick)


def test_the_large_cache_is_put_back(db: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        with importer._large_cache():
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == -importer.IMPORT_CACHE_KIB
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == before


def test_public_ids_are_random_version_4_uuids(db: Any) -> None:
    import uuid

    inserter = importer.BulkInserter()
    if connection.vendor not in ("sqlite", "postgresql"):
        pytest.skip("SQLite keeps hex, PostgreSQL's COPY reads it; elsewhere the field's own")
    made = [inserter.uuid() for _ in range(5000)]
    assert len(set(made)) == len(made)
    for value in made[::97]:
        parsed = uuid.UUID(hex=value)
        assert (parsed.version, parsed.variant, parsed.hex) == (4, uuid.RFC_4122, value)


def test_member_counts_in_one_query_are_each_communitys_own_count(db: Any) -> None:
    from django.db.models import F

    from coproduce.community import services
    from coproduce.community.models import Associate, CommunityOfPractice, Membership
    from tests.community import helpers

    big, small, emptied, other = (
        helpers.community(s) for s in ("big", "small", "emptied", "other")
    )
    for _ in range(3):
        helpers.associate(cops=[big, small])
    helpers.associate(cops=[big], status=Associate.Status.PENDING)  # not counted
    left = helpers.associate(cops=[big, emptied, other])
    Membership.objects.filter(associate=left, cop__in=[emptied, other]).update(left=F("joined"))
    # Counts out of date in both directions, and one community left out of the refresh.
    CommunityOfPractice.objects.update(member_count=99)

    services.refresh_member_counts([big.pk, small.pk, emptied.pk])

    stored = dict(CommunityOfPractice.objects.values_list("pk", "member_count"))
    assert (stored[big.pk], stored[small.pk], stored[emptied.pk], stored[other.pk]) == (4, 3, 0, 99)
    services.refresh_member_counts()
    for cop in CommunityOfPractice.objects.all():
        expected = cop.member_count
        cop.refresh_member_count()
        assert cop.member_count == expected, cop.slug
    assert CommunityOfPractice.objects.get(pk=other.pk).member_count == 0
