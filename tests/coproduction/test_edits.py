"""Changing and deleting co-production records: broker activities, meeting records and documents,
reflexive dialogues and public involvement. Who may, what is checked, what is audited, and that
a delete link only ever shows a confirmation page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.coproduction import importer
from coproduce.coproduction import models as m
from tests import factories
from tests.coproduction.conftest import (
    make_compromise,
    make_dialogue,
    make_involvement,
    make_source,
)
from tests.governance.conftest import PDF

pytestmark = pytest.mark.django_db


def form_data(response: Any) -> dict[str, Any]:
    """What the browser would send back from the page's form, untouched."""
    form = response.context["form"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def audit(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


# --- knowledge-broker activity -----------------------------------------------------------------


@pytest.fixture
def activity(df: Any, study: Any) -> m.BrokerActivity:
    return m.BrokerActivity.objects.create(
        person=df.person,
        secondment=df.person.secondments.get(),
        study=study,
        date=dt.date(2024, 2, 1),
        hours=Decimal("1"),
        direction="inward",
        kind="other",
        mobilisation="horizontal",
        recorded_by=df,
    )


def test_a_fellow_changes_their_own_activity(df_client: Client, activity: Any, df: Any) -> None:
    url = reverse("coproduction:broker_edit", args=[activity.public_id])
    data = form_data(df_client.get(url))
    assert data["date"] == "2024-02-01"
    assert data["posting"] == f"s:{activity.secondment.public_id}"
    response = df_client.post(url, {**data, "hours": "2.5", "kind": "recruitment"})
    assert response["Location"] == reverse("coproduction:broker_log")
    activity.refresh_from_db()
    assert (activity.hours, activity.kind) == (Decimal("2.5"), "recruitment")
    entry = audit("coproduction.brokeractivity.updated")
    assert entry.actor == df
    assert entry.changes == {"hours": ["1.00", "2.5"], "kind": ["other", "recruitment"]}
    log = df_client.get(reverse("coproduction:broker_log")).content.decode()
    assert reverse("coproduction:broker_edit", args=[activity.public_id]) in log


def test_an_activity_date_is_checked_when_changed(df_client: Client, activity: Any) -> None:
    url = reverse("coproduction:broker_edit", args=[activity.public_id])
    data = form_data(df_client.get(url))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = df_client.post(url, {**data, "date": tomorrow.isoformat()})
    assert "Enter today&#x27;s date or a date in the past" in response.content.decode()
    response = df_client.post(url, {**data, "date": "2020-01-01", "hours": "0"})
    page = response.content.decode()
    assert "Enter a date within the post" in page
    assert "Enter at least 0.25 hours" in page
    activity.refresh_from_db()
    assert activity.date == dt.date(2024, 2, 1)
    assert not AuditEntry.objects.filter(action="coproduction.brokeractivity.updated").exists()


def test_a_manager_corrects_and_deletes_a_fellows_activity(
    manager_client: Client, manager: Any, activity: Any, df: Any, study: Any
) -> None:
    listing = manager_client.get(
        reverse("coproduction:broker_activities") + f"?study={study.slug}"
    ).content.decode()
    assert "Dee Fellow" in listing
    edit = reverse("coproduction:broker_edit", args=[activity.public_id])
    assert edit in listing
    data = form_data(manager_client.get(edit))
    response = manager_client.post(edit, {**data, "audience": "Ward 3 managers"})
    assert response["Location"] == reverse("coproduction:broker_activities")
    activity.refresh_from_db()
    assert activity.audience == "Ward 3 managers"
    assert activity.recorded_by == df  # who logged it does not change
    assert activity.person == df.person
    assert audit("coproduction.brokeractivity.updated").actor == manager

    delete = reverse("coproduction:broker_delete", args=[activity.public_id])
    assert "Delete this activity?" in manager_client.get(delete).content.decode()
    assert m.BrokerActivity.objects.filter(pk=activity.pk).exists()  # GET changes nothing
    response = manager_client.post(delete)
    assert response["Location"] == reverse("coproduction:broker_activities")
    assert not m.BrokerActivity.objects.filter(pk=activity.pk).exists()
    entry = audit("coproduction.brokeractivity.deleted")
    assert entry.actor == manager
    assert entry.changes["hours"] == ["1.00", None]


def test_another_fellow_cannot_touch_the_activity(activity: Any, study: Any) -> None:
    user = factories.UserFactory(username="otherfellow")
    person = factories.PersonFactory(user=user)
    factories.SecondmentFactory(person=person, study=study, start=dt.date(2024, 1, 1))
    client = Client()
    client.force_login(user)
    for name in ("broker_edit", "broker_delete"):
        url = reverse(f"coproduction:{name}", args=[activity.public_id])
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403
    assert m.BrokerActivity.objects.filter(pk=activity.pk).exists()


# --- sources -----------------------------------------------------------------------------------


def test_the_research_team_edits_a_meeting_record_and_its_attendees(
    member_client: Client, member: Any, study: Any
) -> None:
    member_client.post(
        reverse("coproduction:meeting_add", args=[study.slug]),
        {
            "title": "Steering committee",
            "date": "2011-01-01",
            "attendees": "Ann Author <ann@example.org>\nBob Nomail",
            "notes": "Notes",
        },
    )
    source = m.Source.objects.get()
    bob = m.Participant.objects.get(full_name="Bob Nomail")
    url = reverse("coproduction:source_edit", args=[study.slug, source.public_id])
    data = form_data(member_client.get(url))
    assert data["attendees"] == "Ann Author <ann@example.org>\nBob Nomail"
    response = member_client.post(
        url,
        {
            **data,
            "title": "Steering committee, January",
            "attendees": "Ann Author <ann@example.org>\nCara New <cara@example.org>",
            "observations": "Quiet meeting",
        },
    )
    assert response["Location"] == reverse(
        "coproduction:source", args=[study.slug, source.public_id]
    )
    source.refresh_from_db()
    assert source.title == "Steering committee, January"
    assert {p.full_name for p in source.participants.all()} == {"Ann Author", "Cara New"}
    assert m.Participant.objects.filter(pk=bob.pk).exists()  # unlinked, consent kept
    entry = audit("coproduction.source.updated")
    assert entry.actor == member
    assert entry.changes["title"] == ["Steering committee", "Steering committee, January"]
    assert entry.changes["observations"] == ["", "Quiet meeting"]
    assert set(entry.changes["participants"][1]) == {"Ann Author", "Cara New"}


def test_a_meeting_record_needs_a_name_and_attendees(member_client: Client, study: Any) -> None:
    source = make_source(study, ["granted"])
    url = reverse("coproduction:source_edit", args=[study.slug, source.public_id])
    data = form_data(member_client.get(url))
    response = member_client.post(url, {**data, "title": "", "attendees": "", "date": "31/02"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in page
    assert "Enter the meeting&#x27;s name" in page
    assert "Enter who attended" in page
    assert "as a real date" in page
    source.refresh_from_db()
    assert source.title == "Steering meeting"
    assert source.links.count() == 1


def test_editing_a_document_can_add_a_file(member_client: Client, study: Any) -> None:
    source = make_source(study, [], kind=m.Source.Kind.DOCUMENT, title="Protocol")
    url = reverse("coproduction:source_edit", args=[study.slug, source.public_id])
    page = member_client.get(url)
    assert b'enctype="multipart/form-data"' in page.content
    data = form_data(page)
    response = member_client.post(
        url,
        {
            **data,
            "authors": "Ann <ann@example.org>",
            "upload": SimpleUploadedFile("v2.pdf", PDF),  # a real PDF: uploads are parsed
        },
    )
    assert response.status_code == 302
    attachment = source.attachments.get()
    assert attachment.original_name == "v2.pdf"
    assert (importer.storage_dir() / attachment.stored_name).is_file()
    assert [p.full_name for p in source.participants.all()] == ["Ann"]
    assert audit("coproduction.source.updated").changes["attachments"] == [None, "v2.pdf"]


def test_imported_email_is_not_edited_but_can_be_deleted(member_client: Client, study: Any) -> None:
    source = make_source(study, [], kind=m.Source.Kind.EMAIL, message_id="<a@b>")
    edit = reverse("coproduction:source_edit", args=[study.slug, source.public_id])
    assert member_client.get(edit).status_code == 404
    detail = member_client.get(reverse("coproduction:source", args=[study.slug, source.public_id]))
    assert edit not in detail.content.decode()
    delete = reverse("coproduction:source_delete", args=[study.slug, source.public_id])
    assert member_client.post(delete).status_code == 302
    assert not m.Source.objects.filter(pk=source.pk).exists()


def test_deleting_a_source_asks_first_then_removes_it_and_its_files(
    member_client: Client, study: Any, django_capture_on_commit_callbacks: Any
) -> None:
    source = make_source(study, ["granted"])
    stored = importer.store_bytes(b"minutes")
    m.Attachment.objects.create(source=source, original_name="m.txt", stored_name=stored, size=7)
    compromise = make_compromise(study, summary="Shorter visits")
    compromise.sources.add(source)
    url = reverse("coproduction:source_delete", args=[study.slug, source.public_id])
    page = member_client.get(url).content.decode()
    assert "Delete this meeting record?" in page
    assert "1 attached file will be deleted" in page
    assert "Shorter visits" in page
    assert m.Source.objects.filter(pk=source.pk).exists()  # GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(url)
    assert response["Location"] == reverse("coproduction:sources", args=[study.slug])
    assert not m.Source.objects.filter(pk=source.pk).exists()
    assert not (importer.storage_dir() / stored).exists()
    assert m.Compromise.objects.filter(pk=compromise.pk).exists()
    assert not compromise.sources.exists()
    assert m.Participant.objects.filter(study=study).count() == 1
    entry = audit("coproduction.source.deleted")
    assert entry.changes["title"] == ["Steering meeting", None]
    assert entry.changes["attachments"] == [1, None]


# --- reflexive dialogues -----------------------------------------------------------------------


def test_the_research_team_edits_and_deletes_a_dialogue(
    member_client: Client, member: Any, study: Any
) -> None:
    dialogue = make_dialogue(study)
    listing = member_client.get(reverse("coproduction:dialogues", args=[study.slug]))
    edit = reverse("coproduction:dialogue_edit", args=[study.slug, dialogue.public_id])
    assert edit in listing.content.decode()
    data = form_data(member_client.get(edit))
    assert data["challenges"] == ["language"]
    response = member_client.post(
        edit,
        {**data, "challenges": ["language", "pace"], "enablers": [], "actions": "Meet monthly"},
    )
    assert response["Location"] == reverse("coproduction:dialogues", args=[study.slug])
    dialogue.refresh_from_db()
    assert (dialogue.challenges, dialogue.enablers) == (["language", "pace"], [])
    entry = audit("coproduction.reflexivedialogue.updated")
    assert entry.actor == member
    assert entry.changes["challenges"] == [["language"], ["language", "pace"]]
    assert entry.changes["actions"] == ["", "Meet monthly"]

    response = member_client.post(edit, {**data, "title": "", "summary": ""})
    page = response.content.decode()
    assert "Enter a title" in page
    assert "Enter what was said" in page

    delete = reverse("coproduction:dialogue_delete", args=[study.slug, dialogue.public_id])
    assert "Delete this dialogue?" in member_client.get(delete).content.decode()
    assert m.ReflexiveDialogue.objects.filter(pk=dialogue.pk).exists()
    member_client.post(delete)
    assert not m.ReflexiveDialogue.objects.filter(pk=dialogue.pk).exists()
    assert audit("coproduction.reflexivedialogue.deleted").changes["title"] == [
        "What counts as evidence",
        None,
    ]


def test_a_reader_sees_no_edit_links(reader_client: Client, study: Any) -> None:
    make_dialogue(study)
    make_involvement(study)
    for name in ("dialogues", "involvement"):
        page = reader_client.get(reverse(f"coproduction:{name}", args=[study.slug])).content
        assert b"/edit/" not in page
        assert b"/delete/" not in page


# --- public involvement ------------------------------------------------------------------------


def test_editing_involvement_keeps_the_fee_unless_rate_or_hours_change(
    manager_client: Client, manager: Any, study: Any
) -> None:
    activity = make_involvement(study)
    assert activity.fee == Decimal("50.00")
    rate = activity.rate
    # The rate goes up and is retired after the activity was recorded.
    m.PaymentRate.objects.filter(pk=rate.pk).update(amount=Decimal("30"), active=False)
    url = reverse("coproduction:involvement_edit", args=[study.slug, activity.public_id])
    data = form_data(manager_client.get(url))
    assert data["contributor_name"] == "Pat Public"
    assert data["rate"] == str(rate.pk)  # a retired rate stays selectable for its activities
    response = manager_client.post(url, {**data, "paid_on": "2011-03-01"})
    assert response["Location"] == reverse("coproduction:involvement", args=[study.slug])
    activity.refresh_from_db()
    assert activity.paid_on == dt.date(2011, 3, 1)
    assert activity.fee == Decimal("50.00")
    entry = audit("coproduction.involvementactivity.updated")
    assert entry.actor == manager
    assert entry.changes == {"paid_on": [None, "2011-03-01"]}

    response = manager_client.post(url, {**data, "hours": "3", "paid_on": "2011-03-01"})
    activity.refresh_from_db()
    assert activity.fee == Decimal("90.00")  # 3 hours at the rate's amount now


def test_the_research_team_edits_involvement_with_field_errors(
    member_client: Client, study: Any
) -> None:
    activity = make_involvement(study)
    url = reverse("coproduction:involvement_edit", args=[study.slug, activity.public_id])
    data = form_data(member_client.get(url))
    response = member_client.post(url, {**data, "what": "", "hours": "", "expenses": "-1"})
    page = response.content.decode()
    assert "Enter what they did" in page
    assert "Enter the hours" in page
    assert "nhsuk-error-summary" in page
    response = member_client.post(
        url, {**data, "contributor_name": "Sam Other", "role": "advisory"}
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.contributor.full_name == "Sam Other"
    assert activity.role == "advisory"


def test_unpaid_involvement_can_be_deleted_but_paid_cannot(
    member_client: Client, study: Any
) -> None:
    unpaid = make_involvement(study)
    paid = make_involvement(study, name="Paid Person", paid_on=dt.date(2011, 3, 1))
    listing = member_client.get(reverse("coproduction:involvement", args=[study.slug])).content
    assert (
        reverse("coproduction:involvement_delete", args=[study.slug, unpaid.public_id]).encode()
        in listing
    )
    assert (
        reverse("coproduction:involvement_delete", args=[study.slug, paid.public_id]).encode()
        not in listing
    )

    url = reverse("coproduction:involvement_delete", args=[study.slug, paid.public_id])
    page = member_client.get(url).content.decode()
    assert "cannot be deleted" in page
    assert 'type="submit"' not in page.split('id="maincontent"')[-1]
    response = member_client.post(url)
    assert response.status_code == 302
    assert m.InvolvementActivity.objects.filter(pk=paid.pk).exists()
    assert not AuditEntry.objects.filter(action="coproduction.involvementactivity.deleted").exists()

    url = reverse("coproduction:involvement_delete", args=[study.slug, unpaid.public_id])
    assert "Delete this involvement?" in member_client.get(url).content.decode()
    assert m.InvolvementActivity.objects.filter(pk=unpaid.pk).exists()
    member_client.post(url)
    assert not m.InvolvementActivity.objects.filter(pk=unpaid.pk).exists()
    entry = audit("coproduction.involvementactivity.deleted")
    assert entry.changes["contributor"] == ["Pat Public", None]
    assert entry.changes["fee"] == ["50.00", None]


def test_a_record_of_another_study_is_not_found_through_this_one(
    member_client: Client, study: Any
) -> None:
    other = factories.StudyFactory()
    dialogue = make_dialogue(other)
    url = reverse("coproduction:dialogue_edit", args=[study.slug, dialogue.public_id])
    assert member_client.get(url).status_code == 404
