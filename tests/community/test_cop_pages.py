"""Public pages of the communities of practice: the list and a page per community."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.community.models import (
    Activity,
    Associate,
    CommunityOfPractice,
    LeadershipPeriod,
    Membership,
)
from coproduce.community.services import join
from tests import factories

LIST_URL = "/communities/"


def make_associate(n: int, **fields: Any) -> Associate:
    values = {
        "full_name": f"Associate Person{n}",
        "email": f"associate{n}@example.net",
        "organisation": f"Secret Organisation {n}",
        "role": Associate.Role.SERVICE_USER,
        "status": Associate.Status.ACTIVE,
        **fields,
    }
    return Associate.objects.create(**values)


def make_activity(cop: CommunityOfPractice, day: dt.date, title: str, **fields: Any) -> Activity:
    values = {
        "characteristic": Activity.Characteristic.KNOWLEDGE_SHARING,
        "led_by": Activity.LedBy.MEMBER,
        **fields,
    }
    return Activity.objects.create(cop=cop, date=day, title=title, **values)


@pytest.fixture
def cops(db: Any) -> dict[str, CommunityOfPractice]:
    stroke = factories.ThemeFactory(name="Stroke Rehabilitation", slug="stroke", position=3)
    mental = factories.ThemeFactory(name="Mental Health", slug="mental-health", position=1)
    work = factories.StudyFactory(slug="return-to-work", title="Return to work", theme=stroke)
    mood = factories.StudyFactory(slug="mood", title="Chronic mood disorder", theme=mental)
    whole = CommunityOfPractice.objects.create(
        slug="stroke-network", name="Stroke network", theme=stroke
    )
    return {
        "work": CommunityOfPractice.objects.get(study=work),
        "mood": CommunityOfPractice.objects.get(study=mood),
        "stroke": whole,
    }


@pytest.fixture
def work(cops: dict[str, CommunityOfPractice]) -> CommunityOfPractice:
    """The return-to-work community with members, leadership history and activities."""
    cop = cops["work"]
    cop.purpose = "Help people get back to work after a stroke."
    cop.ground_rules = "Listen to each other. Keep personal stories private."
    cop.save()
    LeadershipPeriod.objects.create(
        cop=cop,
        model=CommunityOfPractice.Leadership.STAFF_LED,
        leads="The study team",
        start=dt.date(2010, 1, 1),
        end=dt.date(2011, 12, 31),
    )
    LeadershipPeriod.objects.create(
        cop=cop,
        model=CommunityOfPractice.Leadership.CO_LED,
        leads="An occupational therapist and a carer, with the study team",
        start=dt.date(2012, 1, 1),
    )
    for n in range(3):
        join(make_associate(n), cop)
    return cop


def test_it_lists_study_communities_by_theme_then_theme_wide_ones(
    client: Client, cops: dict[str, CommunityOfPractice], work: CommunityOfPractice
) -> None:
    response = client.get(LIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    mental, stroke = html.index("Mental Health"), html.index("Stroke Rehabilitation")
    theme_wide = html.index("Theme-wide communities")
    assert mental < stroke < theme_wide
    assert html.index(cops["mood"].name) < html.index(work.name) < html.index("Stroke network")
    assert f'href="{work.get_absolute_url()}"' in html
    assert "Co-led by staff and members" in html
    groups = response.context["groups"]
    assert [g.heading for g in groups] == [
        "Mental Health",
        "Stroke Rehabilitation",
        "Theme-wide communities",
    ]
    assert groups[1].cops[0].member_count == 3


def test_the_list_runs_the_same_queries_for_2_or_20_communities(client: Client, db: Any) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST_URL).status_code == 200
        return len(queries)

    for _ in range(2):
        factories.StudyFactory()
    few = count()
    for _ in range(18):
        factories.StudyFactory()
    assert CommunityOfPractice.objects.count() == 20
    assert count() == few


def test_the_list_is_paged_over_every_community(
    client: Client, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coproduce.community import views_cops

    monkeypatch.setattr(views_cops, "PAGE_SIZE", 2)
    factories.StudyFactory.create_batch(3)
    CommunityOfPractice.objects.create(
        name="Theme network", slug="theme-network", theme=factories.ThemeFactory()
    )

    first = client.get(LIST_URL)
    last = client.get(LIST_URL + "?page=2")

    assert first.context["page"].paginator.count == 4
    assert first.context["page"].paginator.num_pages == 2
    assert "Page 2 of 2" in first.content.decode()
    assert [c.name for g in last.context["groups"] for c in g.cops][-1] == "Theme network"


def test_a_community_page_shows_what_it_is_and_who_leads_it(
    client: Client, work: CommunityOfPractice
) -> None:
    response = client.get(work.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert work.name in html
    assert "Help people get back to work after a stroke." in html
    assert "Keep personal stories private." in html
    assert "Co-led by staff and members: An occupational therapist and a carer" in html
    # Leadership history, both periods
    assert "The study team" in html
    assert "31 December 2011" in html
    assert f'href="{work.study.get_absolute_url()}"' in html
    assert 'href="/associates/join/?cop=return-to-work"' in html
    assert "Join this community" in html
    summary = response.context["cop"]
    assert summary.member_count == 3


def test_it_shows_ten_recent_activities_and_the_upcoming_meetings(
    client: Client, work: CommunityOfPractice
) -> None:
    today = timezone.localdate()
    for n in range(12):
        make_activity(work, today - dt.timedelta(days=n + 1), f"Past meeting {n:02}")
    make_activity(
        work, today + dt.timedelta(days=20), "Planning the follow-on group", outputs="A plan"
    )
    make_activity(work, today, "Meeting today")

    response = client.get(work.get_absolute_url())

    recent = [a.title for a in response.context["recent"]]
    assert recent == [f"Past meeting {n:02}" for n in range(10)]
    upcoming = [a.title for a in response.context["upcoming"]]
    assert upcoming == ["Meeting today", "Planning the follow-on group"]
    html = response.content.decode()
    assert "Past meeting 11" not in html
    assert "Planning the follow-on group" in html


def test_public_pages_never_show_associates_or_activity_leads(
    client: Client, work: CommunityOfPractice
) -> None:
    lead = factories.PersonFactory(full_name="Staffer Leadperson")
    activity = make_activity(
        work, timezone.localdate() - dt.timedelta(days=3), "Pro forma workshop", lead_person=lead
    )
    activity.attendees.set(Associate.objects.all())

    for url in (LIST_URL, work.get_absolute_url()):
        html = client.get(url).content.decode()
        for associate in Associate.objects.all():
            assert associate.full_name not in html
            assert associate.email not in html
            assert associate.organisation not in html
        assert "Staffer Leadperson" not in html
        assert "@example" not in html
    assert "Pro forma workshop" in client.get(work.get_absolute_url()).content.decode()


def test_a_community_page_runs_the_same_queries_for_2_or_20_activities_and_members(
    client: Client, work: CommunityOfPractice
) -> None:
    today = timezone.localdate()

    def add(n: int) -> None:
        for i in range(n):
            make_activity(work, today - dt.timedelta(days=i + 1), f"Past {i}")
            make_activity(work, today + dt.timedelta(days=i + 1), f"Future {i}")
            join(make_associate(1000 + Membership.objects.count()), work)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(work.get_absolute_url()).status_code == 200
        return len(queries)

    add(2)
    few = count()
    add(18)
    assert Activity.objects.filter(cop=work).count() == 40
    assert count() == few
    assert few <= 5


def test_a_theme_wide_community_links_its_theme(
    client: Client, cops: dict[str, CommunityOfPractice]
) -> None:
    response = client.get("/communities/stroke-network/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/themes/stroke/"' in html
    assert "No activities have been recorded yet." in html
    assert "No meetings are planned at the moment." in html


def test_an_unknown_community_is_not_found(client: Client, db: Any) -> None:
    assert client.get("/communities/no-such-community/").status_code == 404


def test_public_pages_only_answer_get(client: Client, work: CommunityOfPractice) -> None:
    assert client.post(LIST_URL).status_code == 405
    assert client.post(work.get_absolute_url()).status_code == 405
