"""A contact's addresses (`ContactAddress`, issue 17 "one person, one record"): after two
contacts with different addresses are merged, access and erasure reach the rows held only under
the address merged away (outbox messages, registrations, mail files, audit text), whichever of
the person's addresses they start from."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMessage, get_connection
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coproduce.audit.log import record
from coproduce.audit.models import AuditEntry
from coproduce.comms.models import OutboxMessage
from coproduce.community import services
from coproduce.community.models import Associate, Registration
from coproduce.contacts import merging
from coproduce.contacts import records as contact_records
from coproduce.contacts.models import Contact, ContactAddress
from coproduce.contacts.roles import link_unlinked
from coproduce.events.models import Booking, Event
from coproduce.lib import personaldata
from coproduce.pages.models import Enquiry
from tests.lib.test_personal_data_register import _every_text_value

HOME = "jo@example.org"
WORK = "jo.work@example.org"
NEEDLES = (HOME, WORK, "Bloggs")


def _outbox(key: str, to: str, body: str) -> OutboxMessage:
    return OutboxMessage.objects.create(
        key=key, to_email=to, subject="Your enquiry", body_text=body, status="sent"
    )


def _mail(folder: Path, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = folder
    with get_connection() as mail:
        mail.send_messages(
            [
                EmailMessage("Thanks for your enquiry", "We will reply soon.\n", to=[WORK]),
                EmailMessage("Newsletter", "Dear Sam,\n", to=["sam@example.org"]),
            ]
        )


@pytest.fixture
def person(db: Any, tmp_path: Path, settings: Any) -> dict[str, Any]:
    """Jo with two contacts: an associate under HOME, and under WORK an enquiry with rows
    matched only by that address (an outbox message, a registration, an audit entry, mail)."""
    folder = tmp_path / "mail"
    _mail(folder, settings)
    associate = Associate.objects.create(
        full_name="Jo Bloggs", email=HOME, role="public", status="active"
    )
    home_message = _outbox("home", HOME, "Welcome")
    enquiry = Enquiry.objects.create(name="Jo", email=WORK, message="Can I join a panel?")
    work_message = _outbox("work", WORK, f"Reply to {WORK}: thanks")
    registration = Registration.objects.create(
        email=WORK, token_sha256="b" * 64, payload={"email": WORK}
    )
    entry = record(None, "pages.enquiry.forwarded", enquiry, {"to": ["", WORK]})
    assert associate.contact_id != enquiry.contact_id
    return {
        "folder": folder,
        "associate": associate,
        "keep": associate.contact,
        "other": enquiry.contact,
        "enquiry": enquiry,
        "home_message": home_message,
        "work_message": work_message,
        "registration": registration,
        "entry": entry,
    }


def _merge(person: dict[str, Any], manager: Any) -> dict[str, int]:
    return merging.merge(
        person["keep"], person["other"], by=manager, reason="Same", different_addresses=True
    )


def _ids(found: dict[str, Any], model: str) -> list[int]:
    return [row["id"] for row in found["tables"][model]["rows"]]


def _left(folder: Path) -> list[tuple[str, str, str]]:
    """Every database value and mail file that still names Jo."""
    hits = [
        (t, c, v[:120])
        for t, c, v in _every_text_value()
        if any(n.lower() in v.lower() for n in NEEDLES)
    ]
    for path in folder.iterdir() if folder.is_dir() else []:
        text = path.read_text("utf-8", "replace")
        if any(n.lower() in text.lower() for n in NEEDLES):
            hits.append(("mail folder", path.name, text[:120]))
    return hits


def test_a_subject_with_several_addresses_is_found_and_named_by_each() -> None:
    subject = personaldata.Subject(emails=(HOME, WORK), names=("Jo Bloggs",))
    assert subject.email == HOME
    assert subject.terms == (HOME, WORK, "Jo Bloggs")
    assert subject.mentioned_in(f"Sent to <{WORK.upper()}>")
    assert personaldata.Subject(WORK, emails=(HOME, WORK)).emails == (WORK, HOME)
    q = personaldata.by(email=["email"])(subject)
    assert str(q).count("email__iexact") == 2


def test_every_contact_holds_its_primary_address(person: dict[str, Any]) -> None:
    assert list(person["keep"].addresses.values_list("email", "how")) == [(HOME, "first address")]
    assert list(person["other"].addresses.values_list("email", flat=True)) == [WORK]


def test_a_merge_moves_the_addresses_in_its_audited_step(
    person: dict[str, Any], manager: Any
) -> None:
    keep, other = person["keep"], person["other"]
    moved = _merge(person, manager)
    assert moved["contacts.ContactAddress"] == 1
    assert dict(ContactAddress.objects.filter(contact=keep).values_list("email", "how")) == {
        HOME: "first address",
        WORK: f"merged from contact {other.public_id}",
    }
    entry = AuditEntry.objects.get(action="contacts.contact.merged")
    assert entry.changes["moved"][1]["contacts.ContactAddress"] == 1
    assert WORK not in json.dumps(entry.changes)
    keep.refresh_from_db()
    assert keep.email == HOME  # the primary address stays the kept contact's own


def test_a_new_row_under_the_merged_away_address_joins_the_kept_contact(
    person: dict[str, Any], manager: Any
) -> None:
    _merge(person, manager)
    starts = timezone.now() + dt.timedelta(days=3)
    event = Event.objects.create(
        slug="e", title="E", starts=starts, ends=starts + dt.timedelta(hours=1)
    )
    booking = Booking.objects.create(event=event, full_name="Jo", email=WORK, status="confirmed")
    assert booking.contact_id == person["keep"].pk
    Enquiry.objects.bulk_create([Enquiry(name="Jo", email=WORK.upper(), message="Again")])
    link_unlinked(["pages.Enquiry"])
    assert set(Enquiry.objects.values_list("contact_id", flat=True)) == {person["keep"].pk}
    assert Contact.objects.filter(email=WORK).count() == 0


def test_the_kept_contacts_record_holds_the_rows_of_the_address_merged_away(
    person: dict[str, Any], manager: Any, manager_client: Client
) -> None:
    keep = person["keep"]
    before = contact_records.record(keep)
    assert person["work_message"].pk not in _ids(before, "comms.OutboxMessage")
    _merge(person, manager)
    found = contact_records.record(keep)
    assert found["emails"] == [HOME, WORK]
    assert _ids(found, "comms.OutboxMessage") == [
        person["home_message"].pk,
        person["work_message"].pk,
    ]
    assert _ids(found, "community.Registration") == [person["registration"].pk]
    assert _ids(found, "pages.Enquiry") == [person["enquiry"].pk]
    assert person["entry"].pk in _ids(found, "audit.AuditEntry")
    assert [m["subject"] for m in found["files"]["mail folder"]] == ["Thanks for your enquiry"]
    # Staff look-up by either address, and the associate's own download, reach all of it.
    for address in (HOME, WORK):
        subject = personaldata.subject_for(address)
        assert subject.emails == ((HOME, WORK) if address == HOME else (WORK, HOME))
        by_address = personaldata.record(subject)
        assert _ids(by_address, "comms.OutboxMessage") == _ids(found, "comms.OutboxMessage")
    own = services.export_data(person["associate"])["everything_we_hold"]
    assert [r["id"] for r in own["tables"]["community.Registration"]["rows"]] == [
        person["registration"].pk
    ]
    page = manager_client.get(reverse("staff:contact", args=[keep.public_id]))
    html = page.content.decode()
    assert "All their addresses" in html
    assert WORK in html
    assert f"merged from contact {person['other'].public_id}" in html
    look = manager_client.post(reverse("staff:personal_data"), {"email": WORK})
    assert [c.pk for c in look.context["contacts"]] == [keep.pk]
    assert HOME in look.content.decode()


def test_erasing_the_kept_contact_leaves_neither_address_anywhere(
    person: dict[str, Any], manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    folder = person["folder"]
    assert {t for t, _c, _v in _left(folder)} >= {
        "comms_outboxmessage",
        "community_registration",
        "contacts_contactaddress",
        "audit_auditentry",
        "mail folder",
    }
    _merge(person, manager)
    with django_capture_on_commit_callbacks(execute=True):
        personaldata.erase(contact_records.subject_for(person["keep"]), by=manager)
    assert _left(folder) == []
    assert not ContactAddress.objects.filter(contact=person["keep"]).exists()
    texts = [p.read_text("utf-8", "replace") for p in folder.iterdir()]
    assert any("Dear Sam" in t for t in texts), "other people's mail stays"


def test_staff_erasure_by_the_merged_away_address_alone_reaches_the_kept_contact(
    person: dict[str, Any],
    manager: Any,
    manager_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _merge(person, manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("staff:personal_data_erase"), {"email": WORK, "confirm": "on"}
        )
    assert response.status_code == 302
    assert _left(person["folder"]) == []
    person["associate"].refresh_from_db()
    assert person["associate"].status == Associate.Status.ERASED
    person["home_message"].refresh_from_db()
    assert person["home_message"].to_email == ""
    contact = Contact.objects.get(pk=person["keep"].pk)
    assert (contact.email, contact.full_name) == ("", "Erased contact")


def test_an_erased_contact_no_longer_joins_its_old_addresses(
    person: dict[str, Any], manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _merge(person, manager)
    with django_capture_on_commit_callbacks(execute=True):
        personaldata.erase(personaldata.subject_for(HOME), by=manager)
    fresh = Enquiry.objects.create(name="Jo", email=WORK, message="Hello again")
    assert fresh.contact_id != person["keep"].pk
    assert list(fresh.contact.addresses.values_list("email", flat=True)) == [WORK]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_fills_the_addresses_and_reverses() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("contacts", "0002_link_users")])
    old = executor.loader.project_state([("contacts", "0002_link_users")]).apps
    Contact_ = old.get_model("contacts", "Contact")
    Contact_.objects.all().delete()
    with_address = Contact_.objects.create(full_name="Jo", email=HOME)
    Contact_.objects.create(full_name="No address")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert list(ContactAddress.objects.values_list("contact_id", "email", "how")) == [
        (with_address.pk, HOME, "first address")
    ]
    executor = MigrationExecutor(connection)
    executor.migrate([("contacts", "0002_link_users")])
    assert "contacts_contactaddress" not in connection.introspection.table_names()
    assert Contact_.objects.count() == 2
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert ContactAddress.objects.count() == 1
