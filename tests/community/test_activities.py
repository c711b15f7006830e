"""Staff pages of communities of practice: access, activities, leadership changes, purpose."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.community.models import Activity, CommunityOfPractice, LeadershipPeriod
from tests import factories

LIST_URL = "/staff/communities/"
Leadership = CommunityOfPractice.Leadership


def cop_url(cop: CommunityOfPractice, rest: str = "") -> str:
    return f"/staff/communities/{cop.slug}/{rest}"


def activity_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Designing the pro forma",
        "date": "2012-03-14",
        "characteristic": Activity.Characteristic.KNOWLEDGE_CREATION,
        "led_by": Activity.LedBy.MEMBER,
        "description": "Service users, carers and therapists drafted the pro forma.",
        "attendee_count": "14",
        "outputs": "A pro forma for capturing the intervention's content",
    }
    data.update(overrides)
    return data


def make_activity(cop: CommunityOfPractice, **fields: Any) -> Activity:
    values = {
        "date": dt.date(2012, 1, 10),
        "title": "Welcome meeting",
        "characteristic": Activity.Characteristic.SOCIAL_INTERACTION,
        "led_by": Activity.LedBy.STAFF,
        "attendee_count": 9,
        **fields,
    }
    return Activity.objects.create(cop=cop, **values)


@pytest.fixture
def cop(study: Any) -> CommunityOfPractice:
    """The community of the study that the `member` researcher works on."""
    return CommunityOfPractice.objects.get(study=study)


@pytest.fixture
def other_cop(db: Any) -> CommunityOfPractice:
    return CommunityOfPractice.objects.get(study=factories.StudyFactory(slug="mood"))


@pytest.fixture
def theme_cop(db: Any) -> CommunityOfPractice:
    return CommunityOfPractice.objects.create(
        slug="stroke-network", name="Stroke network", theme=factories.ThemeFactory()
    )


# --- access ------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, cop: CommunityOfPractice) -> None:
    activity = make_activity(cop)
    urls = [
        LIST_URL,
        cop_url(cop),
        cop_url(cop, "edit/"),
        cop_url(cop, "activities/new/"),
        cop_url(cop, f"activities/{activity.public_id}/"),
        cop_url(cop, "health/"),
        "/staff/communities/health/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/staff/sign-in/")
    response = client.post(cop_url(cop, "activities/new/"), activity_data())
    assert response.status_code == 302
    assert Activity.objects.count() == 1


def test_a_reader_sees_everything_and_changes_nothing(
    reader_client: Client, cop: CommunityOfPractice
) -> None:
    activity = make_activity(cop)

    assert reader_client.get(LIST_URL).status_code == 200
    page = reader_client.get(cop_url(cop))
    assert page.status_code == 200
    assert "Welcome meeting" in page.content.decode()
    assert "Add an activity" not in page.content.decode()
    assert reader_client.get(cop_url(cop, "activities/new/")).status_code == 403
    posts = {
        cop_url(cop, "activities/new/"): activity_data(),
        cop_url(cop, f"activities/{activity.public_id}/"): activity_data(),
        cop_url(cop, f"activities/{activity.public_id}/delete/"): {},
        cop_url(cop, "leadership/"): {"model": Leadership.MEMBER_LED, "start": "2012-01-01"},
        cop_url(cop, "edit/"): {"purpose": "Taken over", "ground_rules": ""},
    }
    for url, data in posts.items():
        assert reader_client.post(url, data).status_code == 403, url
    assert list(Activity.objects.values_list("title", flat=True)) == ["Welcome meeting"]
    assert not LeadershipPeriod.objects.exists()
    assert not AuditEntry.objects.exists()


def test_people_without_a_staff_role_are_refused(client: Client, cop: CommunityOfPractice) -> None:
    client.force_login(factories.UserFactory(username="nobody"))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(cop_url(cop)).status_code == 403


def test_a_researcher_changes_their_studys_community_only(
    member_client: Client,
    cop: CommunityOfPractice,
    other_cop: CommunityOfPractice,
    theme_cop: CommunityOfPractice,
) -> None:
    assert member_client.get(cop_url(cop, "activities/new/")).status_code == 200
    response = member_client.post(cop_url(cop, "activities/new/"), activity_data())
    assert response.status_code == 302
    assert response["Location"] == cop_url(cop)

    for elsewhere in (other_cop, theme_cop):
        assert member_client.get(cop_url(elsewhere)).status_code == 200
        assert member_client.get(cop_url(elsewhere, "activities/new/")).status_code == 403
        response = member_client.post(cop_url(elsewhere, "activities/new/"), activity_data())
        assert response.status_code == 403
    assert [a.cop for a in Activity.objects.all()] == [cop]


def test_an_outsider_cannot_change_the_community(
    outsider_client: Client, cop: CommunityOfPractice
) -> None:
    assert outsider_client.get(cop_url(cop)).status_code == 200
    assert outsider_client.post(cop_url(cop, "activities/new/"), activity_data()).status_code == 403
    response = outsider_client.post(
        cop_url(cop, "leadership/"), {"model": Leadership.CO_LED, "start": "2012-01-01"}
    )
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_a_manager_changes_every_community(
    manager_client: Client, cop: CommunityOfPractice, theme_cop: CommunityOfPractice
) -> None:
    for each in (cop, theme_cop):
        response = manager_client.post(cop_url(each, "activities/new/"), activity_data())
        assert response.status_code == 302
    assert Activity.objects.count() == 2
    page = manager_client.get(LIST_URL).content.decode()
    assert page.count("You can edit") == 2


# --- activities --------------------------------------------------------------------------------


def test_adding_an_activity_saves_it_and_audits_it(
    member_client: Client, cop: CommunityOfPractice
) -> None:
    response = member_client.post(cop_url(cop, "activities/new/"), activity_data(), follow=True)

    activity = Activity.objects.get()
    assert activity.cop == cop
    assert activity.date == dt.date(2012, 3, 14)
    assert activity.characteristic == Activity.Characteristic.KNOWLEDGE_CREATION
    assert activity.led_by == Activity.LedBy.MEMBER
    assert activity.attendee_count == 14
    assert activity.outputs.startswith("A pro forma")
    assert "Activity “Designing the pro forma” added." in response.content.decode()
    entry = AuditEntry.objects.get()
    assert entry.action == "community.activity.created"
    assert entry.actor_label == "member"
    assert entry.changes["title"] == [None, "Designing the pro forma"]
    assert entry.changes["cop"] == [None, cop.name]


def test_an_empty_activity_form_shows_each_problem(
    manager_client: Client, cop: CommunityOfPractice
) -> None:
    response = manager_client.post(
        cop_url(cop, "activities/new/"),
        {"title": "", "date": "", "attendee_count": "-3"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    for message in (
        "Enter a title",
        "Enter the date",
        "Choose the characteristic of the activity",
        "Choose who led the activity",
        "The number of people must be 0 or more",
    ):
        assert message in html
    assert 'href="#id_characteristic_0"' in html
    assert response.context["form"].errors.keys() == {
        "title",
        "date",
        "characteristic",
        "led_by",
        "attendee_count",
    }
    assert "<title>Error: " in html
    assert not Activity.objects.exists()
    assert not AuditEntry.objects.exists()


def test_an_impossible_date_and_an_upcoming_meeting_with_attendees_are_refused(
    manager_client: Client, cop: CommunityOfPractice
) -> None:
    response = manager_client.post(
        cop_url(cop, "activities/new/"), activity_data(date="2012-02-30")
    )
    assert "Enter the date as a real date" in response.content.decode()

    future = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = manager_client.post(cop_url(cop, "activities/new/"), activity_data(date=future))
    assert "An upcoming meeting has had no one take part yet" in response.content.decode()

    response = manager_client.post(
        cop_url(cop, "activities/new/"), activity_data(date=future, attendee_count="")
    )
    assert response.status_code == 302
    assert Activity.objects.get().attendee_count == 0


def test_editing_an_activity_audits_what_changed(
    member_client: Client, cop: CommunityOfPractice
) -> None:
    activity = make_activity(cop)
    url = cop_url(cop, f"activities/{activity.public_id}/")

    form = member_client.get(url)
    assert form.status_code == 200
    assert "Edit activity: Welcome meeting" in form.content.decode()

    response = member_client.post(
        url,
        activity_data(
            title="Welcome meeting",
            date="2012-01-10",
            characteristic=Activity.Characteristic.SOCIAL_INTERACTION,
            led_by=Activity.LedBy.MEMBER,
            attendee_count="11",
            description="",
            outputs="",
        ),
    )

    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.led_by == Activity.LedBy.MEMBER
    assert activity.attendee_count == 11
    entry = AuditEntry.objects.get()
    assert entry.action == "community.activity.updated"
    assert entry.changes == {"attendee_count": [9, 11], "led_by": ["staff", "member"]}


def test_saving_an_unchanged_activity_writes_no_audit_entry(
    manager_client: Client, cop: CommunityOfPractice
) -> None:
    activity = make_activity(cop)
    data = {
        "title": activity.title,
        "date": activity.date.isoformat(),
        "characteristic": activity.characteristic,
        "led_by": activity.led_by,
        "attendee_count": str(activity.attendee_count),
    }
    response = manager_client.post(cop_url(cop, f"activities/{activity.public_id}/"), data)
    assert response.status_code == 302
    assert not AuditEntry.objects.exists()


def test_an_invalid_edit_keeps_the_activity_and_its_heading(
    manager_client: Client, cop: CommunityOfPractice
) -> None:
    activity = make_activity(cop)
    response = manager_client.post(
        cop_url(cop, f"activities/{activity.public_id}/"), activity_data(title="")
    )
    assert response.status_code == 200
    assert "Edit activity: Welcome meeting" in response.content.decode()
    activity.refresh_from_db()
    assert activity.title == "Welcome meeting"


def test_deleting_asks_first_then_deletes_and_audits(
    member_client: Client, cop: CommunityOfPractice
) -> None:
    activity = make_activity(cop)
    url = cop_url(cop, f"activities/{activity.public_id}/delete/")

    confirm = member_client.get(url)
    assert confirm.status_code == 200
    assert "Are you sure you want to delete “Welcome meeting”" in confirm.content.decode()
    assert Activity.objects.exists()

    response = member_client.post(url)
    assert response.status_code == 302
    assert not Activity.objects.exists()
    entry = AuditEntry.objects.get()
    assert entry.action == "community.activity.deleted"
    assert entry.changes["title"] == ["Welcome meeting", None]


def test_an_activity_is_only_reached_through_its_own_community(
    manager_client: Client, cop: CommunityOfPractice, other_cop: CommunityOfPractice
) -> None:
    activity = make_activity(other_cop)
    assert manager_client.get(cop_url(cop, f"activities/{activity.public_id}/")).status_code == 404
    response = manager_client.post(cop_url(cop, f"activities/{activity.public_id}/delete/"))
    assert response.status_code == 404
    assert Activity.objects.exists()


def test_mutation_urls_refuse_other_methods(
    manager_client: Client, cop: CommunityOfPractice
) -> None:
    assert manager_client.put(cop_url(cop, "activities/new/")).status_code == 405
    assert manager_client.post(cop_url(cop)).status_code == 405
    assert manager_client.post(LIST_URL).status_code == 405


# --- leadership --------------------------------------------------------------------------------


def test_a_leadership_change_closes_the_previous_period_and_updates_the_community(
    member_client: Client, cop: CommunityOfPractice
) -> None:
    first = LeadershipPeriod.objects.create(
        cop=cop, model=Leadership.STAFF_LED, leads="The study team", start=dt.date(2010, 1, 1)
    )

    response = member_client.post(
        cop_url(cop, "leadership/"),
        {
            "model": Leadership.CO_LED,
            "leads": "Two members with the study team",
            "start": "2012-04-01",
        },
    )

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.end == dt.date(2012, 3, 31)
    new = LeadershipPeriod.objects.get(start=dt.date(2012, 4, 1))
    assert new.cop == cop
    assert new.model == Leadership.CO_LED
    assert new.end is None
    cop.refresh_from_db()
    assert cop.leadership == Leadership.CO_LED
    actions = sorted(AuditEntry.objects.values_list("action", "object_id"))
    assert actions == sorted(
        [
            ("community.leadershipperiod.created", str(new.pk)),
            ("community.leadershipperiod.updated", str(first.pk)),
        ]
    )
    closed = AuditEntry.objects.get(action="community.leadershipperiod.updated")
    assert closed.changes == {"end": [None, "2012-03-31"]}
    # Both pages now show the change.
    assert (
        "Two members with the study team"
        in member_client.get(cop.get_absolute_url()).content.decode()
    )
    assert "Co-led by staff and members" in member_client.get(cop_url(cop)).content.decode()


def test_the_first_leadership_period_needs_nothing_closed(
    manager_client: Client, cop: CommunityOfPractice
) -> None:
    response = manager_client.post(
        cop_url(cop, "leadership/"), {"model": Leadership.MEMBER_LED, "start": "2011-06-01"}
    )
    assert response.status_code == 302
    cop.refresh_from_db()
    assert cop.leadership == Leadership.MEMBER_LED
    assert AuditEntry.objects.get().action == "community.leadershipperiod.created"


def test_a_leadership_change_must_start_after_the_current_one_and_not_in_the_future(
    manager_client: Client, cop: CommunityOfPractice
) -> None:
    LeadershipPeriod.objects.create(cop=cop, model=Leadership.STAFF_LED, start=dt.date(2012, 1, 1))
    url = cop_url(cop, "leadership/")

    early = manager_client.post(url, {"model": Leadership.CO_LED, "start": "2012-01-01"})
    assert early.status_code == 200
    assert "The start date must be after 1 January 2012" in early.content.decode()

    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    late = manager_client.post(url, {"model": Leadership.CO_LED, "start": tomorrow})
    assert "The start date must be today or in the past" in late.content.decode()

    empty = manager_client.post(url, {})
    html = empty.content.decode()
    assert "Choose how the community is led" in html
    assert "Enter the start date" in html
    assert LeadershipPeriod.objects.count() == 1
    cop.refresh_from_db()
    assert cop.leadership == Leadership.STAFF_LED
    assert not AuditEntry.objects.exists()


# --- purpose and ground rules ------------------------------------------------------------------


def test_editing_purpose_and_ground_rules_is_audited(
    member_client: Client, cop: CommunityOfPractice
) -> None:
    url = cop_url(cop, "edit/")
    assert member_client.get(url).status_code == 200
    assert not AuditEntry.objects.exists()

    response = member_client.post(
        url, {"purpose": "Return to work, together.", "ground_rules": "Be kind."}
    )

    assert response.status_code == 302
    cop.refresh_from_db()
    assert cop.purpose == "Return to work, together."
    entry = AuditEntry.objects.get()
    assert entry.action == "community.communityofpractice.updated"
    assert entry.changes == {
        "purpose": ["", "Return to work, together."],
        "ground_rules": ["", "Be kind."],
    }


def test_looking_at_forms_changes_nothing(manager_client: Client, cop: CommunityOfPractice) -> None:
    activity = make_activity(cop)
    for rest in (
        "",
        "edit/",
        "leadership/",
        "activities/new/",
        f"activities/{activity.public_id}/",
        f"activities/{activity.public_id}/delete/",
        "health/",
    ):
        assert manager_client.get(cop_url(cop, rest)).status_code == 200, rest
    assert Activity.objects.count() == 1
    assert not LeadershipPeriod.objects.exists()
    assert not AuditEntry.objects.exists()


# --- query counts ------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_staff_page_of_a_community_runs_the_same_queries_for_2_or_20_activities(
    member_client: Client, cop: CommunityOfPractice
) -> None:
    for n in range(2):
        make_activity(cop, title=f"Meeting {n}")
    few = _queries(member_client, cop_url(cop))
    for n in range(18):
        make_activity(cop, title=f"More {n}")
    assert _queries(member_client, cop_url(cop)) == few


def test_the_staff_list_runs_the_same_queries_for_2_or_20_communities(
    member_client: Client, cop: CommunityOfPractice
) -> None:
    factories.StudyFactory()
    few = _queries(member_client, LIST_URL)
    for _ in range(18):
        study = factories.StudyFactory()
        make_activity(CommunityOfPractice.objects.get(study=study))
    assert CommunityOfPractice.objects.count() == 20
    assert _queries(member_client, LIST_URL) == few
