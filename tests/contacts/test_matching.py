"""The duplicate rules' stored match keys (coproduce/contacts/keys.py) and the review queue
grouped in the database (matching.py, issues 17 and 22): keys stay right through every write
(save, bulk linking, merging, erasure), the queue counts a large group without making its every
pair, and its query count does not grow with the contacts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduce.community.models import Associate
from coproduce.contacts import keys, matching, merging
from coproduce.contacts.models import Contact, ContactAddress, NotDuplicate
from coproduce.contacts.roles import contact_for, link_unlinked
from coproduce.lib import personaldata
from tests import factories

pytestmark = pytest.mark.django_db


def _stored(contact: Contact) -> tuple[str, str]:
    return tuple(Contact.objects.filter(pk=contact.pk).values_list("name_key", "phone_key")[0])


def _right(contact: Contact) -> tuple[str, str]:
    contact = Contact.objects.get(pk=contact.pk)
    found = keys.keys_of(contact)
    return found["name_key"], found["phone_key"]


def _contact(name: str, organisation: str = "NHS Trust", **extra: Any) -> Contact:
    return Contact.objects.create(full_name=name, organisation=organisation, **extra)


def test_keys_are_computed_on_save_and_with_update_fields() -> None:
    contact = Contact.objects.create(
        full_name="Zoë  O'Brien", organisation="Acme, Ltd.", phone="+44 (0)7700 900123"
    )
    assert _stored(contact) == ("zoe o brien|acme ltd", "7700900123")
    contact.organisation = ""
    contact.save(update_fields=["organisation"])
    assert _stored(contact) == ("", "7700900123")
    contact.phone = "0123"  # kept, however short: the rule's minimum is a query condition
    contact.save()
    assert _stored(contact) == ("", "123")
    address = ContactAddress.objects.create(contact=contact, email="jo.b+news@googlemail.com")
    assert ContactAddress.objects.get(pk=address.pk).mailbox_key == "job@gmail.com"


def test_keys_are_set_by_bulk_linking_and_by_the_name_filled_in_later() -> None:
    Associate.objects.bulk_create(
        [
            Associate(
                full_name="Pat Lee", email="pat@example.org", organisation="Uni", role="public"
            ),
            Associate(full_name="Sam Roe", email="", organisation="Trust", role="public"),
        ]
    )
    link_unlinked(["community.Associate"])
    made = list(Contact.objects.order_by("pk"))
    assert [_stored(c) for c in made] == [("pat lee|uni", ""), ("sam roe|trust", "")]
    assert all(_stored(c) == _right(c) for c in made)
    assert ContactAddress.objects.get(email="pat@example.org").mailbox_key == "pat@example.org"
    # A contact found by address with no name yet gets the name, its key and a new `updated`.
    bare = Contact.objects.create(email="kim@example.org", organisation="Uni")
    Contact.objects.filter(pk=bare.pk).update(updated=timezone.now() - dt.timedelta(days=1))
    contact_for("kim@example.org", "Kim Ash")
    bare.refresh_from_db()
    assert (bare.full_name, bare.name_key) == ("Kim Ash", "kim ash|uni")
    assert bare.updated > timezone.now() - dt.timedelta(minutes=1)


def test_linking_an_account_bumps_updated() -> None:
    contact = Contact.objects.create(email="acc@example.org", full_name="Acc")
    Contact.objects.filter(pk=contact.pk).update(updated=timezone.now() - dt.timedelta(days=1))
    user = factories.UserFactory(username="acc", email="acc@example.org")
    contact.refresh_from_db()
    assert contact.user_id == user.pk
    assert contact.updated > timezone.now() - dt.timedelta(minutes=1)


def test_a_merge_keeps_the_keys_right_and_moves_the_mailboxes(manager: Any) -> None:
    keep = Contact.objects.create(email="jo@example.org", full_name="Jo Bloggs")
    other = Contact.objects.create(
        email="jo.b@gmail.com", full_name="Jo", organisation="Trust", phone="07700 900123"
    )
    third = Contact.objects.create(email="job@googlemail.com", full_name="Someone")
    # The mailbox rule reads every address: `third` pairs with the address merged into `keep`.
    assert {(p.rule, p.first, p.second) for p in matching.pairs()} == {
        ("mailbox", other.pk, third.pk)
    }
    merging.merge(keep, other, by=manager, reason="x", different_addresses=True)
    assert _stored(keep) == ("jo bloggs|trust", "7700900123") == _right(keep)
    mine = ContactAddress.objects.filter(contact__in=[keep, third])
    assert set(mine.values_list("contact_id", "mailbox_key")) == {
        (keep.pk, "jo@example.org"),
        (keep.pk, "job@gmail.com"),
        (third.pk, "job@gmail.com"),
    }
    assert matching.pairs() == [matching.Pair("mailbox", keep.pk, third.pk)]
    assert matching.pairs(contact=third) == matching.pairs()
    assert matching.queue() == (matching.pairs(), 1)


def test_erasure_blanks_the_keys_and_the_contact_leaves_the_queue(manager: Any) -> None:
    one = _contact("Jo Bloggs", email="jo@example.org", phone="07700 900123")
    two = _contact("Jo Bloggs", phone="07700 900123")
    assert matching.queue()[1] == 1
    personaldata.erase(personaldata.subject_for("jo@example.org"), by=manager)
    assert _stored(one) == ("", "")
    assert Contact.objects.get(pk=one.pk).full_name == "Erased contact"
    assert matching.pairs() == []
    assert matching.pairs(contact=two) == []
    assert matching.queue() == ([], 0)


def test_a_group_of_thirty_is_counted_not_listed(manager_client: Client) -> None:
    group = [_contact("Jo Bloggs") for _ in range(30)]
    _contact("Someone Else")
    response = manager_client.get(reverse("staff:contact_duplicates"))
    assert response.status_code == 200
    assert response.context["total"] == 435
    assert len(response.context["rows"]) == 200
    assert "435 pairs to review, the first 200 shown" in response.content.decode()
    ordered = [(r["pair"].first, r["pair"].second) for r in response.context["rows"]]
    assert ordered == sorted(ordered)
    assert ordered[0] == (group[0].pk, group[1].pk)
    NotDuplicate.objects.create(first=group[0], second=group[1])
    shown, total = matching.queue()
    assert total == 434
    assert len(shown) == 200
    assert (shown[0].first, shown[0].second) == (group[0].pk, group[2].pk)
    assert len(matching.pairs(contact=group[5])) == 29
    assert len(matching.pairs(contact=group[0])) == 28


def test_the_count_matches_the_pairs_when_rules_overlap(settings: Any) -> None:
    phone = {"phone": "07700 900123"}
    a = _contact("Jo Bloggs", email="jo@example.org", **phone)
    b = _contact("Jo Bloggs", email="jo+x@example.org", **phone)  # all three rules
    c = _contact("Jo Bloggs", **phone)  # name and phone with a and b
    d = _contact("Dee", **phone)  # phone only
    e = _contact("Jo Bloggs", organisation="Other")
    f = _contact("Jo Bloggs", organisation="Other", phone="123")  # too short to compare
    NotDuplicate.objects.create(first=a, second=d)
    found = matching.pairs()
    assert [(p.rule, p.first, p.second) for p in found] == [
        ("mailbox", a.pk, b.pk),
        ("name_and_organisation", a.pk, c.pk),
        ("name_and_organisation", b.pk, c.pk),
        ("name_and_organisation", e.pk, f.pk),
        ("phone", b.pk, d.pk),
        ("phone", c.pk, d.pk),
    ]
    assert matching.queue() == (found, len(found))
    for contact in (a, b, c, d, e, f):
        assert matching.pairs(contact=contact) == [
            p for p in found if contact.pk in (p.first, p.second)
        ]
    settings.COPRODUCE_CONTACT_MATCH_RULES = ("phone", "name_and_organisation")
    found = matching.pairs()
    assert [p.rule for p in found] == ["phone"] * 5 + ["name_and_organisation"]
    assert matching.queue() == (found, 6)
    settings.COPRODUCE_CONTACT_MATCH_PHONE_DIGITS = 3
    assert ("phone", e.pk, f.pk) not in {(p.rule, p.first, p.second) for p in matching.pairs()}
    assert matching.queue()[1] == len(matching.pairs())


def test_the_queue_query_count_does_not_grow_with_the_contacts(manager_client: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = manager_client.get(reverse("staff:contact_duplicates"))
        assert response.status_code == 200
        return len(captured)

    for n in range(3):
        _contact("Jo Bloggs", email=f"jo{n}@example.org", phone="07700 900123")
        _contact("Jo Bloggs", email=f"jo{n}+x@example.org")
    small = count()
    for n in range(60):
        _contact(f"Person {n}", email=f"p{n}@example.org", phone="07700 900123")
        _contact(f"Person {n}", email=f"p{n}+x@example.org")
        _contact("Jo Bloggs", email=f"more{n}@example.org")
    assert count() <= small  # fewer when the first rule fills the page
