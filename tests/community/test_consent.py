"""Consent is exact: each record names the words the person read, and is never changed."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from coproduce.community.models import (
    Associate,
    CommunityOfPractice,
    ConsentRecord,
    ConsentWording,
)
from coproduce.lib.appendonly import AppendOnlyError
from tests.community.test_join import (
    JOIN_URL,
    confirm,
    confirm_path,
    join,
    join_data,
    make_cops,
    register_and_confirm,
    run_tasks,
)


@pytest.fixture
def cops(db: Any) -> dict[str, CommunityOfPractice]:
    return make_cops()


NEW_ENGAGE = (
    "Send me the Engage newsletter by email, twice a year. It has news of our studies and "
    "what they found. I can stop it at any time with the link in every email."
)


def test_publishing_new_words_makes_version_two_and_new_joins_record_it(
    client: Client, cops: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = register_and_confirm(client, django_capture_on_commit_callbacks, smtp_server)

    v2 = ConsentWording.publish("engage", NEW_ENGAGE)
    assert v2.version == 2
    assert ConsentWording.publish("engage", NEW_ENGAGE) == v2  # same words, same version
    assert ConsentWording.current("engage") == v2
    assert NEW_ENGAGE in client.get(JOIN_URL).content.decode()

    second = register_and_confirm(
        client, django_capture_on_commit_callbacks, smtp_server, email="jo@example.org"
    )

    new = second.consent_records.filter(channel="engage")
    assert {(r.method, r.wording_version) for r in new} == {("form", 2), ("confirmation", 2)}
    assert {r.wording_sha256 for r in new} == {hashlib.sha256(NEW_ENGAGE.encode()).hexdigest()}
    old = first.consent_records.filter(channel="engage")
    assert {(r.method, r.wording_version) for r in old} == {("form", 1), ("confirmation", 1)}
    assert {r.wording_id for r in old} == {
        ConsentWording.objects.get(channel="engage", version=1).pk
    }


def test_words_changed_between_opening_and_sending_the_form_record_the_words_shown(
    client: Client, cops: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data = join_data(client)  # the page is opened: version 1 is on it
    ConsentWording.publish("engage", NEW_ENGAGE)  # staff publish version 2 meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(JOIN_URL, data).status_code == 302
    run_tasks()
    confirm(client, django_capture_on_commit_callbacks, confirm_path(smtp_server))

    records = Associate.objects.get().consent_records.filter(channel="engage")
    assert [(r.method, r.wording_version) for r in records.order_by("pk")] == [
        ("form", 1),
        ("confirmation", 1),
    ]


def test_if_the_words_shown_no_longer_exist_the_person_is_asked_again(
    client: Client, cops: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data = join_data(client)
    v2 = ConsentWording.publish("engage", NEW_ENGAGE)
    # A wording nobody has consented to can be removed; what was on the page is then gone.
    ConsentWording.objects.filter(channel="engage", version=1).delete()

    response = client.post(JOIN_URL, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "The wording of our questions about emails has changed" in html
    assert NEW_ENGAGE in html  # the words they will now be agreeing to
    assert response.context["form"].data["wordings"] != data["wordings"]
    assert Associate.objects.count() == 0
    # Sending the page as shown now records version 2.
    resent = {**data, "wordings": response.context["form"].data["wordings"]}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(JOIN_URL, resent).status_code == 302
    assert Associate.objects.get().consent_records.get(channel="engage").wording == v2


def test_a_forged_list_of_words_is_not_taken_as_consent(client: Client, cops: Any) -> None:
    response = client.post(JOIN_URL, join_data(client, wordings='{"engage": 1}'))
    assert "The wording of our questions about emails has changed" in response.content.decode()
    assert ConsentRecord.objects.count() == 0


def test_unticked_channels_record_nothing(
    client: Client, cops: Any, django_capture_on_commit_callbacks: Any
) -> None:
    join(client, django_capture_on_commit_callbacks, consent_engage=None, consent_events=None)
    associate = Associate.objects.get()
    assert associate.consent_records.count() == 0
    assert associate.consents() == {"engage": False, "briefing": False, "events": False}


def test_consent_records_cannot_be_changed_or_deleted(
    client: Client, cops: Any, django_capture_on_commit_callbacks: Any
) -> None:
    join(client, django_capture_on_commit_callbacks)
    entry = ConsentRecord.objects.first()
    assert entry is not None
    entry.granted = False
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        entry.save()
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        entry.delete()
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        ConsentRecord.objects.filter(pk=entry.pk).update(granted=False)
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        ConsentRecord.objects.all().delete()
    assert ConsentRecord.objects.filter(granted=True).count() == 2


def test_consent_wording_is_never_edited(db: Any) -> None:
    wording = ConsentWording.current("events")
    wording.text = "Something else"
    with pytest.raises(ValidationError, match="never edited"):
        wording.save()
    assert ConsentWording.current("events").version == 1
