"""The staff associate directory: search, filters, pages, permissions, one associate's page,
editing, staff-recorded consent, erasure and bulk adding to a community."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.community import services
from coproduce.community.models import Associate, ConsentRecord, ConsentWording, Membership
from coproduce.community.views_directory import CappedPaginator
from tests import factories
from tests.community import helpers

DIRECTORY = reverse("associates_staff:directory")
BULK = reverse("associates_staff:bulk_add")


def names(response: Any) -> list[str]:
    """The associates listed, in order, read from the links in the table."""
    return re.findall(
        r'<td class="nhsuk-table__cell"><a href="/staff/associates/[^"]+/">([^<]+)</a>',
        response.content.decode(),
    )


@pytest.fixture
def plain_client(db: Any) -> Client:
    """Signed in, but with no staff role."""
    client = Client()
    client.force_login(factories.UserFactory(username="plain"))
    return client


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    stroke = helpers.theme("stroke-rehabilitation")
    mood = helpers.theme("mental-health")
    rtw = helpers.community("return-to-work")
    home = helpers.community("home-visits")
    return {
        "stroke": stroke,
        "rtw": rtw,
        "home": home,
        "ada": helpers.associate(
            full_name="Ada Lovelace",
            email="ada.lovelace@nuh.nhs.uk",
            organisation="Nottingham University Hospitals",
            role=Associate.Role.CLINICIAN,
            consents={"engage": True},
            cops=[rtw],
            interests=[stroke],
        ),
        "ben": helpers.associate(
            full_name="Ben Okafor",
            email="ben@derbyshire.gov.uk",
            organisation="Derbyshire County Council",
            role=Associate.Role.COMMISSIONER,
            consents={"briefing": True},
            cops=[home],
            interests=[mood],
        ),
        "cara": helpers.associate(
            full_name="Cara Singh",
            email="cara.singh@example.org",
            role=Associate.Role.CARER,
            status=Associate.Status.PENDING,
            consents={"events": True},
        ),
    }


# --- search and filters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lovelace", ["Ada Lovelace"]),
        ("derbyshire county", ["Ben Okafor"]),
        ("ADA.Lovelace@NUH", ["Ada Lovelace"]),
        ("ben@derbyshire.gov.uk", ["Ben Okafor"]),
        ("cara.si", ["Cara Singh"]),
        ("@nuh", []),
        ("nobody at all", []),
    ],
)
def test_it_searches_name_organisation_and_email(
    reader_client: Client, people: Any, query: str, expected: list[str]
) -> None:
    response = reader_client.get(DIRECTORY, {"q": query})
    assert response.status_code == 200
    assert names(response) == expected


def test_email_search_is_answered_by_the_email_index(people: Any) -> None:
    from coproduce.community.forms_directory import search_associates

    if connection.vendor != "sqlite":
        pytest.skip("The range rewrite is SQLite's")
    queryset = search_associates(Associate.objects.all(), "Ada.Lovelace@N")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "associate_email_unique_ci" in plan
    assert list(queryset) == [people["ada"]]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"cop": "return-to-work"}, ["Ada Lovelace"]),
        ({"theme": "stroke-rehabilitation"}, ["Ada Lovelace"]),
        ({"role": "commissioner"}, ["Ben Okafor"]),
        ({"consent": "briefing"}, ["Ben Okafor"]),
        ({"consent": "events"}, ["Cara Singh"]),
        ({"status": "pending"}, ["Cara Singh"]),
        ({"status": "active", "sort": "name"}, ["Ada Lovelace", "Ben Okafor"]),
        ({"cop": "home-visits", "consent": "engage"}, []),
    ],
)
def test_each_filter_narrows_the_list(
    reader_client: Client, people: Any, filters: dict[str, str], expected: list[str]
) -> None:
    response = reader_client.get(DIRECTORY, filters)
    assert names(response) == expected


def test_a_left_community_no_longer_counts(reader_client: Client, people: Any) -> None:
    services.leave(people["ada"], people["rtw"])
    assert names(reader_client.get(DIRECTORY, {"cop": "return-to-work"})) == []


def test_newest_first_by_default_and_by_name_on_request(reader_client: Client, people: Any) -> None:
    assert names(reader_client.get(DIRECTORY)) == ["Cara Singh", "Ben Okafor", "Ada Lovelace"]
    assert names(reader_client.get(DIRECTORY, {"sort": "name"})) == [
        "Ada Lovelace",
        "Ben Okafor",
        "Cara Singh",
    ]


def test_an_unknown_filter_value_is_shown_as_an_error_and_ignored(
    reader_client: Client, people: Any
) -> None:
    response = reader_client.get(DIRECTORY, {"cop": "no-such-community"})
    assert response.status_code == 200
    assert "nhsuk-error-message" in response.content.decode()
    assert len(names(response)) == 3


def test_the_community_is_typed_not_chosen_from_thousands(
    reader_client: Client, people: Any
) -> None:
    """A text box (staff/lookup.py), not a select of every community."""
    helpers.community("far-away")
    page = reader_client.get(DIRECTORY).content.decode()
    assert '<select name="cop"' not in page
    assert re.search(
        r'<input type="text" name="cop"[^>]*data-lookup="/staff/lookup/communities/"', page
    )
    assert "Far Away community of practice" not in page


def test_part_of_a_community_name_filters_and_the_box_shows_its_name(
    manager_client: Client, people: Any
) -> None:
    response = manager_client.get(DIRECTORY, {"cop": "return to"})
    assert names(response) == ["Ada Lovelace"]
    page = response.content.decode()
    assert 'value="Return To Work community of practice"' in page
    # Links made from the filters (export, bulk add) name the community by its slug.
    assert "export.csv?cop=return-to-work" in page


def test_a_community_name_matching_several_lists_them_and_filters_nothing(
    reader_client: Client, people: Any
) -> None:
    response = reader_client.get(DIRECTORY, {"cop": "community"})
    page = response.content.decode()
    assert "2 communities match ‘community’. Choose one of these." in page
    assert 'name="cop-pick" type="radio" value="home-visits"' in page
    assert len(names(response)) == 3
    chosen = reader_client.get(DIRECTORY, {"cop": "community", "cop-pick": "home-visits"})
    assert names(chosen) == ["Ben Okafor"]


def test_the_list_shows_communities_and_consent(reader_client: Client, people: Any) -> None:
    page = reader_client.get(DIRECTORY, {"q": "Lovelace"}).content.decode()
    assert "Return To Work" in page
    assert "Engage newsletter" in page
    assert "ada.lovelace@nuh.nhs.uk" in page


# --- pages and query counts ----------------------------------------------------------------------


def test_pages_keep_the_filters(reader_client: Client, db: Any) -> None:
    for number in range(30):
        helpers.associate(full_name=f"Carer {number:02}", role=Associate.Role.CARER)
    helpers.associate(full_name="Not a carer", role=Associate.Role.CLINICIAN)
    first = reader_client.get(DIRECTORY, {"role": "carer", "sort": "name"})
    assert len(names(first)) == 25
    assert "30 associates found" in first.content.decode()
    next_link = re.search(r'href="(\?[^"]*page=2[^"]*)"', first.content.decode())
    assert next_link is not None
    link = next_link.group(1).replace("&amp;", "&")
    assert "role=carer" in link
    assert "sort=name" in link
    second = reader_client.get(DIRECTORY + link)
    assert names(second) == [f"Carer {number:02}" for number in range(25, 30)]


def _queries(client: Client, **params: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_query_count_does_not_grow_with_rows(manager_client: Client, people: Any) -> None:
    two = helpers.community("two-rows")
    for person in (people["ada"], people["ben"]):
        services.join(person, two)
    few = _queries(manager_client, cop="two-rows")
    many = helpers.community("forty-rows")
    for _ in range(40):
        helpers.associate(
            cops=[many, people["rtw"]], interests=[people["stroke"]], consents={"engage": True}
        )
    assert _queries(manager_client, cop="forty-rows") == few
    # Without a community to find by its slug, one query fewer.
    assert _queries(manager_client) == few - 1


def test_counting_stops_at_the_cap(
    reader_client: Client, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CappedPaginator, "CAP", 2)
    response = reader_client.get(DIRECTORY)
    page = response.content.decode()
    assert "More than 2 associates" in page
    assert len(names(response)) == 2  # only the first CAP are listed
    with CaptureQueriesContext(connection) as context:
        reader_client.get(DIRECTORY)
    counts = [q["sql"] for q in context.captured_queries if "COUNT(*)" in q["sql"]]
    assert counts
    assert all("LIMIT 3" in sql for sql in counts)


# --- permissions ---------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client: Client, people: Any) -> None:
    for url in [
        DIRECTORY,
        reverse("associates_staff:detail", args=[people["ada"].public_id]),
        reverse("associates_staff:import"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("staff:login"))


def test_people_without_a_staff_role_are_refused(plain_client: Client, people: Any) -> None:
    ada = people["ada"].public_id
    for url in [
        DIRECTORY,
        reverse("associates_staff:detail", args=[ada]),
        reverse("associates_staff:export_csv"),
    ]:
        assert plain_client.get(url).status_code == 403


def test_readers_see_but_change_nothing(reader_client: Client, people: Any) -> None:
    ada = people["ada"]
    page = reader_client.get(DIRECTORY).content.decode()
    assert 'name="selected"' not in page
    assert reverse("associates_staff:import") not in page
    detail = reader_client.get(reverse("associates_staff:detail", args=[ada.public_id]))
    assert detail.status_code == 200
    assert "Erase on request" not in detail.content.decode()
    for name in ("edit", "consent", "erase"):
        url = reverse(f"associates_staff:{name}", args=[ada.public_id])
        assert reader_client.get(url).status_code == 403
        assert reader_client.post(url).status_code == 403
    assert reader_client.get(reverse("associates_staff:import")).status_code == 403
    response = reader_client.post(BULK, {"scope": "all", "target": "home-visits"})
    assert response.status_code == 403
    ada.refresh_from_db()
    assert ada.status == Associate.Status.ACTIVE
    assert not Membership.objects.filter(associate=ada, cop=people["home"]).exists()


def test_researchers_may_look(member_client: Client, study: Any) -> None:
    helpers.associate(full_name="Someone Listed")
    assert names(member_client.get(DIRECTORY)) == ["Someone Listed"]
    response = member_client.post(BULK, {"scope": "all", "target": study.slug})
    assert response.status_code == 403
    assert not Membership.objects.exists()


# --- one associate -------------------------------------------------------------------------------


def test_the_detail_page_shows_communities_with_history_and_consent_history(
    reader_client: Client, people: Any
) -> None:
    ada = people["ada"]
    services.leave(ada, people["rtw"], at=timezone.now() + dt.timedelta(seconds=1))
    services.join(ada, people["home"])
    services.record_consent(ada, "engage", False, ConsentRecord.Method.UNSUBSCRIBE)
    page = reader_client.get(reverse("associates_staff:detail", args=[ada.public_id]))
    text = page.content.decode()
    assert "Ada Lovelace" in text
    assert "Nottingham University Hospitals" in text
    assert "Stroke Rehabilitation" in text
    assert "Return To Work" in text
    assert "Home Visits" in text
    assert "Still a member" in text
    assert "Registration form" in text
    assert "Unsubscribe link" in text
    assert "Version 1" in text
    assert "Withdrew consent" in text


def test_an_unknown_associate_is_not_found(reader_client: Client, db: Any) -> None:
    url = reverse("associates_staff:detail", args=["00000000-0000-0000-0000-000000000000"])
    assert reader_client.get(url).status_code == 404


def test_managers_edit_details_and_the_log_keeps_no_personal_data(
    manager_client: Client, people: Any
) -> None:
    ada, stroke = people["ada"], people["stroke"]
    url = reverse("associates_staff:edit", args=[ada.public_id])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(
        url,
        {
            "full_name": "Ada King",
            "organisation": "Nottingham University Hospitals",
            "role": "researcher",
            "interests": [stroke.pk],
        },
    )
    assert response.status_code == 302
    ada.refresh_from_db()
    assert (ada.full_name, ada.role, ada.consent_engage) == ("Ada King", "researcher", True)
    entry = AuditEntry.objects.get(action="community.associate.updated")
    assert entry.changes == {
        "full_name": ["[personal data]", "[personal data]"],
        "role": ["[personal data]", "[personal data]"],
    }
    assert "Ada" not in entry.object_repr
    assert str(ada.public_id) in entry.object_repr


def test_an_edit_with_a_missing_name_shows_the_error(manager_client: Client, people: Any) -> None:
    ada = people["ada"]
    url = reverse("associates_staff:edit", args=[ada.public_id])
    response = manager_client.post(url, {"full_name": "", "role": "clinician"})
    assert response.status_code == 200
    assert "nhsuk-error-summary" in response.content.decode()
    assert not AuditEntry.objects.filter(action="community.associate.updated").exists()


def test_managers_record_consent_given_by_phone(
    manager_client: Client, manager: Any, people: Any
) -> None:
    ben = people["ben"]
    url = reverse("associates_staff:consent", args=[ben.public_id])
    page = manager_client.get(url).content.decode()
    assert "Send me the Engage newsletter" in page  # the words to read out
    response = manager_client.post(url, {"engage": "yes", "briefing": "no", "events": ""})
    assert response.status_code == 302
    ben.refresh_from_db()
    assert ben.consents() == {"engage": True, "briefing": False, "events": False}
    staff_records = ConsentRecord.objects.filter(associate=ben, method="staff")
    assert {(r.channel, r.granted) for r in staff_records} == {
        ("engage", True),
        ("briefing", False),
    }
    grant = staff_records.get(channel="engage")
    assert grant.recorded_by == manager
    assert grant.wording_version == 1
    entry = AuditEntry.objects.get(action="community.associate.consent_recorded")
    assert entry.changes == {"consent_engage": [False, True], "consent_briefing": [True, False]}
    # The same answers again change nothing.
    manager_client.post(url, {"engage": "yes", "briefing": "no", "events": ""})
    assert ConsentRecord.objects.filter(associate=ben, method="staff").count() == 2


def test_staff_consent_names_the_words_that_were_read_out(
    manager_client: Client, people: Any
) -> None:
    ben = people["ben"]
    url = reverse("associates_staff:consent", args=[ben.public_id])
    shown = ConsentWording.current("events")
    assert f'name="shown_events" value="{shown.pk}"' in manager_client.get(url).content.decode()
    ConsentWording.publish("events", "New words, published while the call went on.")
    manager_client.post(url, {"events": "yes", "shown_events": str(shown.pk)})
    grant = ConsentRecord.objects.get(associate=ben, method="staff")
    assert (grant.channel, grant.wording_version) == ("events", 1)


def test_erasure_asks_first_then_erases(manager_client: Client, people: Any) -> None:
    ada = people["ada"]
    url = reverse("associates_staff:erase", args=[ada.public_id])
    confirm = manager_client.get(url)
    assert confirm.status_code == 200
    assert "Are you sure" in confirm.content.decode()
    ada.refresh_from_db()
    assert ada.status == Associate.Status.ACTIVE
    response = manager_client.post(url)
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.status == Associate.Status.ERASED
    assert ada.email is None
    assert ada.full_name == ""
    assert AuditEntry.objects.filter(action="community.associate.erased", via="staff").exists()
    page = manager_client.get(reverse("associates_staff:detail", args=[ada.public_id]))
    assert "was erased" in page.content.decode()
    # Nothing can be changed afterwards.
    edit = manager_client.get(reverse("associates_staff:edit", args=[ada.public_id]))
    assert edit.status_code == 302


# --- bulk add ------------------------------------------------------------------------------------


def test_bulk_add_the_selected_associates(manager_client: Client, people: Any) -> None:
    ada, ben, home = people["ada"], people["ben"], people["home"]
    page = manager_client.get(DIRECTORY).content.decode()
    assert 'name="selected"' in page
    response = manager_client.post(
        BULK + "?role=clinician",
        {"scope": "selected", "selected": [ada.public_id, ben.public_id], "target": "home-visits"},
    )
    assert response.status_code == 302
    assert response["Location"] == DIRECTORY + "?role=clinician"
    assert Membership.objects.filter(associate=ada, cop=home, left__isnull=True).exists()
    home.refresh_from_db()
    assert home.member_count == 2
    message = manager_client.get(response["Location"]).content.decode()
    assert "1 associate added to Home Visits" in message
    assert "1 already belonged" in message
    entry = AuditEntry.objects.get(action="community.communityofpractice.associates_added")
    assert entry.changes["added"] == [None, 1]
    assert entry.changes["already_members"] == [None, 1]


def test_bulk_add_everyone_matching_the_filter(manager_client: Client, people: Any) -> None:
    extra = helpers.associate(full_name="Dee Carer", role=Associate.Role.CARER)
    gone = helpers.associate(full_name="Gone Carer", role=Associate.Role.CARER)
    services.erase(gone)
    response = manager_client.post(
        BULK + "?role=carer", {"scope": "all", "target": "return-to-work"}
    )
    assert response.status_code == 302
    members = set(
        Membership.objects.filter(cop=people["rtw"], left__isnull=True).values_list(
            "associate_id", flat=True
        )
    )
    assert members == {people["ada"].pk, people["cara"].pk, extra.pk}
    entry = AuditEntry.objects.get(action="community.communityofpractice.associates_added")
    assert entry.changes["chosen"] == [None, {"role": "carer"}]


def test_bulk_add_needs_a_selection_and_a_community(manager_client: Client, people: Any) -> None:
    response = manager_client.post(BULK, {"scope": "selected", "target": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert "Select at least one associate" in page
    assert Membership.objects.count() == 2


def test_bulk_add_to_a_community_typed_by_name(manager_client: Client, people: Any) -> None:
    ada = people["ada"]
    response = manager_client.post(
        BULK, {"scope": "selected", "selected": [ada.public_id], "target": "home vis"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(associate=ada, cop=people["home"], left__isnull=True).exists()


def test_bulk_add_to_an_ambiguous_name_asks_which(manager_client: Client, people: Any) -> None:
    ada = people["ada"]
    response = manager_client.post(
        BULK, {"scope": "selected", "selected": [ada.public_id], "target": "community"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 communities match ‘community’. Choose one of these." in page
    assert 'name="target-pick" type="radio" value="home-visits"' in page
    # The ticked associate stays ticked, the typed text stays in the box.
    assert f'value="{ada.public_id}" checked' in page
    assert 'name="target" value="community"' in page
    response = manager_client.post(
        BULK,
        {
            "scope": "selected",
            "selected": [ada.public_id],
            "target": "community",
            "target-pick": "home-visits",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.filter(associate=ada, cop=people["home"], left__isnull=True).exists()


def test_bulk_add_refuses_everyone_when_a_filter_is_wrong(
    manager_client: Client, people: Any
) -> None:
    response = manager_client.post(BULK + "?cop=typo", {"scope": "all", "target": "home-visits"})
    assert response.status_code == 400
    assert Membership.objects.filter(cop=people["home"]).count() == 1
