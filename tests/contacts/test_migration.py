"""The contacts migrations carry existing data forward with no loss: on the demo and on the
synthetic network (small), every row of every table is still there afterwards, every role row
and sign-in account has a contact, one normalised address is one contact, and every contact's
address is among its addresses."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from coproduce.contacts import matching
from coproduce.contacts.keys import address_key, keys_of
from coproduce.contacts.models import Contact, ContactAddress
from coproduce.contacts.roles import roles, usable_address


def _counts() -> dict[str, int]:
    found = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            found[table] = cursor.fetchone()[0]
    return found


def _migrate_through_contacts(load: Callable[[], None]) -> None:
    load()
    executor = MigrationExecutor(connection)
    # Back to before contacts existed: every migration depending on it (each app's contact
    # column and its link migration) is unapplied too.
    executor.migrate([("contacts", None)])
    before = _counts()
    assert "contacts_contact" not in before
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    after = _counts()
    # Every table but the migrations' own record keeps its rows.
    lost = {
        t: (n, after.get(t))
        for t, n in before.items()
        if after.get(t) != n and t != "django_migrations"
    }
    assert lost == {}, lost
    addresses: set[str] = set()
    unaddressed = 0
    linked_rows = 0
    for role in roles():
        model = role.model_class
        assert model.objects.filter(contact__isnull=True).count() == 0, role.model
        for pk, email, contact_email in model.objects.values_list(
            "pk", role.email, "contact__email"
        ):
            linked_rows += 1
            address = usable_address(email)
            assert contact_email == address, (role.model, pk)
            if address:
                addresses.add(address)
            else:
                unaddressed += 1
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.all()
    assert Contact.objects.filter(user__isnull=False).count() == users.count()
    user_only = sum(
        1
        for user in users
        if not usable_address(user.email) or usable_address(user.email) not in addresses
    )
    assert linked_rows > 0
    # One contact per address, one per row with no address, one per account with neither.
    assert Contact.objects.count() == len(addresses) + unaddressed + user_only
    assert after["contacts_contact"] == Contact.objects.count()
    # Every contact with an address holds it among its addresses (contacts/0003, link_rows).
    held = dict(ContactAddress.objects.values_list("email", "contact_id"))
    primary = dict(Contact.objects.exclude(email="").values_list("email", "pk"))
    assert held == primary
    _keys_are_right()


def _keys_are_right() -> None:
    """Every match key is what keys.py computes (contacts/0004, or link_rows after it)."""
    for contact in Contact.objects.all():
        assert {"name_key": contact.name_key, "phone_key": contact.phone_key} == keys_of(contact)
    for address in ContactAddress.objects.all():
        assert address.mailbox_key == address_key(address.email), address.email


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_match_keys_migration_fills_and_drops_the_keys() -> None:
    a = Contact.objects.create(
        email="jo@example.org", full_name="Zoë Bloggs", organisation="NHS", phone="07700 900123"
    )
    b = Contact.objects.create(email="jo+x@example.org", full_name="zoe bloggs", organisation="nhs")
    Contact.objects.create(full_name="Dee", phone="+44 7700 900123")
    found = matching.pairs()
    executor = MigrationExecutor(connection)
    executor.migrate([("contacts", "0003_addresses")])
    with connection.cursor() as cursor:
        columns = [
            c.name
            for c in connection.introspection.get_table_description(cursor, "contacts_contact")
        ]
    assert "name_key" not in columns
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    _keys_are_right()
    assert Contact.objects.get(pk=a.pk).name_key == "zoe bloggs|nhs"
    assert ContactAddress.objects.get(email=b.email).mailbox_key == "jo@example.org"
    assert matching.pairs() == found
    assert [p.rule for p in found] == ["mailbox", "phone"]  # a and b once, by mailbox


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_the_demo_loses_nothing_and_links_every_role() -> None:
    _migrate_through_contacts(lambda: call_command("loaddemo", verbosity=0))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_the_synthetic_network_loses_nothing_and_links_every_role() -> None:
    _migrate_through_contacts(lambda: call_command("loadsynthetic", scale="small", verbosity=0))
