"""One contact per person (coproduce/contacts): attaching, the contact page and who reads
what, duplicates and merging."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.community.models import Associate
from coproduce.contacts import matching, merging
from coproduce.contacts.models import Contact, ContactAddress, NotDuplicate
from coproduce.contacts.roles import link_unlinked, roles
from coproduce.coproduction import models as cm
from coproduce.events.models import Booking, Event
from coproduce.lib import personaldata
from coproduce.pages.models import Enquiry
from coproduce.registry.access import PERSONAL_DATA_EXPORT
from tests import factories

pytestmark = pytest.mark.django_db


def _associate(email: str | None, name: str = "Jo Bloggs", **extra: Any) -> Associate:
    return Associate.objects.create(
        full_name=name, email=email, role="public", status="active", **extra
    )


def _event() -> Event:
    starts = timezone.now() + dt.timedelta(days=5)
    return Event.objects.create(
        slug="e", title="E", starts=starts, ends=starts + dt.timedelta(hours=1)
    )


def test_roles_with_one_address_share_one_contact_whatever_its_spelling() -> None:
    associate = _associate("Jo@Example.org")
    booking = Booking.objects.create(
        event=_event(), full_name="Jo B", email=" JO@example.org ", status="confirmed"
    )
    enquiry = Enquiry.objects.create(name="Jo", email="jo@example.org", message="Hello")
    person = factories.PersonFactory(full_name="Jo Bloggs", email="jo@example.org")
    assert associate.contact_id is not None
    assert {booking.contact_id, enquiry.contact_id, person.contact_id} == {associate.contact_id}
    contact = Contact.objects.get()
    assert (contact.email, contact.full_name) == ("jo@example.org", "Jo Bloggs")


def test_a_role_with_no_address_gets_a_contact_of_its_own() -> None:
    study = factories.StudyFactory()
    first = cm.Participant.objects.create(study=study, full_name="Pat", email="")
    second = cm.Participant.objects.create(study=study, full_name="Pat", email="")
    assert first.contact_id is not None
    assert second.contact_id is not None
    assert first.contact_id != second.contact_id


def test_a_sign_in_account_joins_the_contact_of_its_address() -> None:
    person = factories.PersonFactory(full_name="Sam Staff", email="sam@example.org")
    user = factories.UserFactory(username="sam", email="sam@example.org")
    assert Contact.objects.get(user=user).pk == person.contact_id


def test_rows_written_in_bulk_are_linked_by_the_sweep() -> None:
    Associate.objects.bulk_create(
        [
            Associate(full_name="A", email="a@example.org", role="public"),
            Associate(full_name="B", email=None, role="public"),
        ]
    )
    assert Associate.objects.filter(contact__isnull=True).count() == 2
    done = link_unlinked()
    assert done["community.Associate"] == 2
    assert Associate.objects.filter(contact__isnull=True).count() == 0
    assert Contact.objects.filter(email="a@example.org").count() == 1
    assert link_unlinked()["community.Associate"] == 0


def test_every_model_with_a_contact_column_is_a_registered_role() -> None:
    from django.apps import apps

    with_contact = {
        m._meta.label
        for m in apps.get_models()
        if m not in (NotDuplicate, ContactAddress)
        and any(f.related_model is Contact for f in m._meta.concrete_fields)
    }
    assert with_contact == {role.model for role in roles()}


# --- the contact page ---------------------------------------------------------------------------


@pytest.fixture
def person_in_two_studies(study: Any) -> dict[str, Any]:
    elsewhere = factories.StudyFactory(slug="elsewhere", title="Elsewhere")
    mine = cm.Participant.objects.create(
        study=study, full_name="Pat Public", email="pat@example.org"
    )
    theirs = cm.Participant.objects.create(
        study=elsewhere, full_name="Pat Public", email="pat@example.org"
    )
    associate = _associate("pat@example.org", "Pat Public")
    return {"contact": mine.contact, "mine": mine, "theirs": theirs, "associate": associate}


def test_a_manager_sees_every_role_and_table(
    manager_client: Client, person_in_two_studies: dict[str, Any]
) -> None:
    contact = person_in_two_studies["contact"]
    page = manager_client.get(reverse("staff:contact", args=[contact.public_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("Participant in co-production sources:") == 2
    assert "Associate: " in html
    assert "Download as PDF" in html
    assert AuditEntry.objects.filter(action="staff.contact.viewed").count() == 1


def test_a_researcher_sees_only_what_their_studies_hold(
    member_client: Client, person_in_two_studies: dict[str, Any]
) -> None:
    contact = person_in_two_studies["contact"]
    page = member_client.get(reverse("staff:contact", args=[contact.public_id]))
    assert page.status_code == 200
    tables = {t["model"]: t["rows"] for t in page.context["tables"]}
    assert [r["id"] for r in tables["coproduction.Participant"]] == [
        person_in_two_studies["mine"].pk
    ]
    assert "community.Associate" not in tables
    assert "contacts.Contact" not in tables
    held = [h.role.model for h in page.context["held"]]
    assert held == ["coproduction.Participant"]
    assert "Download as PDF" not in page.content.decode()


def test_a_contact_of_no_study_of_theirs_is_not_found_for_a_researcher(
    member_client: Client, outsider_client: Client, person_in_two_studies: dict[str, Any]
) -> None:
    stranger = _associate("someone@example.org", "Some One").contact
    assert member_client.get(reverse("staff:contact", args=[stranger.public_id])).status_code == 404
    contact = person_in_two_studies["contact"]
    assert (
        outsider_client.get(reverse("staff:contact", args=[contact.public_id])).status_code == 404
    )
    listed = [c.pk for c in member_client.get(reverse("staff:contacts")).context["page"]]
    # The participant of their study and their study's team (themselves), nobody else.
    assert contact.pk in listed
    assert stranger.pk not in listed
    assert person_in_two_studies["associate"].contact_id == contact.pk


def test_the_list_searches_by_name_and_address(
    manager_client: Client, person_in_two_studies: dict[str, Any]
) -> None:
    _associate("other@example.org", "Other Person")
    found = manager_client.get(reverse("staff:contacts"), {"q": "pat@"})
    assert [c.full_name for c in found.context["page"].object_list] == ["Pat Public"]
    found = manager_client.get(reverse("staff:contacts"), {"q": "other per"})
    assert [c.full_name for c in found.context["page"].object_list] == ["Other Person"]
    assert manager_client.get(reverse("staff:contacts"), {"q": "x" * 5000}).status_code == 200


def test_the_download_holds_every_role_including_other_addresses_merged_in(
    manager: Any, manager_client: Client
) -> None:
    keep = _associate("jo@example.org").contact
    booking = Booking.objects.create(
        event=_event(), full_name="Jo B", email="jo.work@example.org", status="confirmed"
    )
    merging.merge(keep, booking.contact, by=manager, reason="Same person", different_addresses=True)
    response = manager_client.post(
        reverse("staff:contact_download", args=[keep.public_id]), {"format": "json"}
    )
    assert response.status_code == 200
    found = json.loads(response.content)
    assert [r["id"] for r in found["tables"]["events.Booking"]["rows"]] == [booking.pk]
    assert found["tables"]["community.Associate"]["rows"]
    pdf = manager_client.post(
        reverse("staff:contact_download", args=[keep.public_id]), {"format": "pdf"}
    )
    assert pdf["Content-Type"] == "application/pdf"
    wrong = manager_client.post(
        reverse("staff:contact_download", args=[keep.public_id]), {"format": "exe"}
    )
    assert wrong.status_code == 302


# --- duplicates and merging ---------------------------------------------------------------------


def test_the_rules_pair_mailboxes_names_with_organisations_and_phones(settings: Any) -> None:
    a = _associate("jo@example.org", "Jo Bloggs", organisation="NHS Trust").contact
    b = _associate("jo+news@example.org", "Jo Bloggs").contact
    c = Enquiry.objects.create(
        name="Jo  Bloggs", email="jb@home.example", organisation="nhs trust", message="x"
    ).contact
    d = _associate("d@example.org", "Dee").contact
    e = _associate("e@example.org", "Eee").contact
    d.phone, e.phone = "07700 900123", "+44 7700 900123"
    d.save()
    e.save()
    found = {(p.rule, p.first, p.second) for p in matching.pairs()}
    assert found == {
        ("mailbox", a.pk, b.pk),
        ("name_and_organisation", a.pk, c.pk),
        ("phone", d.pk, e.pk),
    }
    settings.COPRODUCE_CONTACT_MATCH_RULES = ("phone",)
    assert {p.rule for p in matching.pairs()} == {"phone"}
    settings.COPRODUCE_CONTACT_MATCH_RULES = ("nonsense",)
    with pytest.raises(Exception, match="unknown rule"):
        matching.pairs()


def test_a_pair_marked_as_two_people_leaves_the_queue(manager_client: Client, manager: Any) -> None:
    a = _associate("jo@example.org").contact
    b = _associate("jo+news@example.org").contact
    queue = manager_client.get(reverse("staff:contact_duplicates"))
    assert queue.context["total"] == 1
    response = manager_client.post(
        reverse("staff:contact_not_duplicate", args=[b.public_id, a.public_id])
    )
    assert response.status_code == 302
    assert NotDuplicate.objects.filter(first=a, second=b).exists()
    assert manager_client.get(reverse("staff:contact_duplicates")).context["total"] == 0


def test_a_merge_moves_every_role_in_one_audited_step(manager_client: Client, manager: Any) -> None:
    keep = _associate("jo@example.org").contact
    other_associate = _associate("jo+news@example.org")
    other = other_associate.contact
    booking = Booking.objects.create(
        event=_event(), full_name="Jo", email="jo+news@example.org", status="confirmed"
    )
    enquiry = Enquiry.objects.create(name="Jo", email="jo+news@example.org", message="Hi")
    user = factories.UserFactory(username="jo", email="jo+news@example.org")
    url = reverse("staff:contact_merge", args=[keep.public_id, other.public_id])
    assert manager_client.get(url).status_code == 200
    # Different addresses: never without the check.
    refused = manager_client.post(url, {"keep": str(keep.public_id), "reason": "Same"})
    assert refused.status_code == 400
    assert Contact.objects.filter(pk=other.pk).exists()
    before = AuditEntry.objects.count()
    done = manager_client.post(
        url,
        {"keep": str(keep.public_id), "reason": "Plus tag", "different_addresses": "on"},
    )
    assert done.status_code == 302
    assert not Contact.objects.filter(pk=other.pk).exists()
    for row in (other_associate, booking, enquiry):
        row.refresh_from_db()
        assert row.contact_id == keep.pk
    assert Contact.objects.get(user=user).pk == keep.pk
    entries = AuditEntry.objects.order_by("pk")[before:]
    assert [e.action for e in entries] == ["contacts.contact.merged"]
    assert entries[0].changes["merged"] == [None, f"contact {other.public_id}"]
    assert entries[0].changes["reason"] == [None, "Plus tag"]
    assert "jo" not in json.dumps(entries[0].changes).replace("Plus tag", "").lower()


def test_merging_is_refused_for_two_sign_in_accounts_and_for_non_managers(
    manager: Any, member_client: Client
) -> None:
    a = factories.UserFactory(username="one", email="one@example.org").contact
    b = factories.UserFactory(username="two", email="two@example.org").contact
    with pytest.raises(merging.CannotMerge):
        merging.merge(a, b, by=manager, reason="x", different_addresses=True)
    with pytest.raises(merging.CannotMerge):
        merging.merge(a, a, by=manager, reason="x")
    url = reverse("staff:contact_merge", args=[a.public_id, b.public_id])
    assert member_client.post(url, {"keep": str(a.public_id), "reason": "x"}).status_code == 403


def test_the_personal_data_export_grant_lets_a_researcher_see_everything(
    member: Any, member_client: Client, person_in_two_studies: dict[str, Any]
) -> None:
    from django.contrib.auth.models import Group

    member.groups.add(Group.objects.get(name=PERSONAL_DATA_EXPORT))
    contact = person_in_two_studies["contact"]
    page = member_client.get(reverse("staff:contact", args=[contact.public_id]))
    assert len(page.context["held"]) == 3


def test_erasing_by_address_blanks_the_contact_and_every_role_under_it(manager: Any) -> None:
    associate = _associate("jo@example.org")
    booking = Booking.objects.create(
        event=_event(), full_name="Jo Bloggs", email="jo.other@example.org", status="confirmed"
    )
    merging.merge(
        associate.contact, booking.contact, by=manager, reason="x", different_addresses=True
    )
    personaldata.erase(personaldata.subject_for("jo@example.org"), by=manager)
    contact = Contact.objects.get(pk=associate.contact_id)
    assert (contact.email, contact.full_name) == ("", "Erased contact")
    booking.refresh_from_db()
    assert "jo.other@example.org" not in booking.email
