"""The demo tells the sources' story, dated honestly, with a clearly marked today layer.

History (2008-2013): secondments of at most five years ending by 2013, studies complete, the May
2008 scoping survey with its recorded outcomes, Engage newsletters and monthly briefings in /news/
and in the engagement figures, every first-year associate linked to a research theme. Today
layer (dated from the load date, marked illustrative): a current review round, an open
consultation, a draft briefing, events to come.

The demo is loaded once for the module inside a transaction rolled back at the end; each test
runs in a savepoint inside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from coproduce.comms.models import Mailing, OutboxMessage
from coproduce.community.models import Associate
from coproduce.demo.loader import community as community_demo
from coproduce.demo.loader import news as news_demo
from coproduce.demo.loader import registry as registry_demo
from coproduce.events.models import Event
from coproduce.governance.models import ReviewRound
from coproduce.implementation import evaluation
from coproduce.priorities.models import Consultation, Priority
from coproduce.registry.models import Secondment, Study, Theme

END_OF_FUNDING = dt.date(2013, 12, 31)


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        try:
            out = StringIO()
            call_command("loaddemo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def out(loaded: str, db: Any) -> str:
    return loaded


# History


def test_secondments_last_at_most_five_years_and_end_by_2013(out: str) -> None:
    secondments = list(Secondment.objects.all())
    assert len(secondments) == 24
    for sec in secondments:
        assert sec.end is not None, sec
        assert dt.date(2008, 1, 1) <= sec.start <= sec.end <= END_OF_FUNDING, sec
        assert sec.end < sec.start.replace(year=sec.start.year + 5), sec


def test_studies_are_complete_by_the_end_of_2013(out: str) -> None:
    assert Study.objects.count() == 16
    assert set(Study.objects.values_list("stage", flat=True)) == {Study.Stage.COMPLETE}
    assert not Study.objects.exclude(end__lte=END_OF_FUNDING).exists()


def test_table_1_is_shown_as_at_the_papers_date(out: str, manager_client: Client) -> None:
    as_at = registry_demo.TABLE_AS_AT
    assert as_at.year == 2012
    assert "posts as at 1 June 2012 (Table 1 of the 2012 paper): 20 filled, 1 vacant" in out
    url = reverse("registry:report_studies_by_theme")
    today = manager_client.get(url).content.decode()
    assert "shows these figures as at 1 June 2012" in today
    assert f'href="{url}?on=2012-06-01"' in today
    then = manager_client.get(url, {"on": "2012-06-01"}).content.decode()
    assert "Diffusion fellow posts by theme and study as at 1 June 2012" in then


def test_the_may_2008_scoping_survey_and_its_recorded_outcomes(out: str) -> None:
    scoping = Consultation.objects.get(slug="scoping-consultation-2008")
    assert (scoping.opens.year, scoping.opens.month) == (2008, 5)
    outcomes = Priority.objects.filter(workshop__consultation=scoping)
    assert set(outcomes.values_list("outcome", flat=True)) == {
        Priority.Outcome.NEW_STUDY,
        Priority.Outcome.AMENDED_SCOPE,
        Priority.Outcome.NOT_TAKEN_FORWARD,
    }
    amended = outcomes.filter(outcome=Priority.Outcome.AMENDED_SCOPE)
    assert all(p.study is not None and p.reason for p in amended)


def test_engage_twice_a_year_and_a_monthly_briefing_2009_to_2013(out: str) -> None:
    sent = Mailing.objects.filter(status=Mailing.Status.SENT)
    engage = sent.filter(kind=Mailing.Kind.ENGAGE)
    briefings = sent.filter(kind=Mailing.Kind.BRIEFING)
    assert engage.count() == 10
    assert briefings.count() == 60
    for year in range(2009, 2014):
        assert engage.filter(finished_at__year=year).count() == 2, year
        assert briefings.filter(finished_at__year=year).count() == 12, year
    assert not sent.filter(finished_at__year__gt=2013).exists()
    assert "10 Engage newsletters and 60 monthly briefings sent" in out


def test_newsletters_and_briefings_are_in_the_news_archive(out: str, client: Client) -> None:
    page = client.get("/news/", {"kind": "engage"}).content.decode()
    assert "Engage, issue 10 (autumn 2013)" in page
    page = client.get("/news/", {"kind": "briefing"}).content.decode()
    assert "Monthly briefing: December 2013" in page
    detail = client.get("/news/monthly-briefing-2009-10/").content.decode()
    assert "400 people have joined" in detail
    assert client.get(f"/news/{news_demo.DRAFT_SLUG}/").status_code == 404  # a draft


def test_each_mailing_reached_those_consenting_then(out: str) -> None:
    first = Mailing.objects.get(slug="engage-issue-1")
    messages = OutboxMessage.objects.filter(mailing=first)
    assert messages.count() == first.recipient_count > 100
    assert not messages.exclude(status=OutboxMessage.Status.SENT).exists()
    # Nobody who confirmed after the send date received it.
    assert not messages.filter(associate__confirmed__gt=first.finished_at).exists()
    # More people want Engage than the briefing.
    october = Mailing.objects.get(slug="monthly-briefing-2009-10")
    issue_2 = Mailing.objects.get(slug="engage-issue-2")
    assert 0 < october.recipient_count < issue_2.recipient_count


def test_mailings_count_in_the_engagement_figures(out: str, manager_client: Client) -> None:
    mailings, messages, _ = evaluation.mailing_months(2011)
    assert sum(mailings) == 14  # 12 briefings and 2 Engage issues
    assert all(n > 0 for n in messages)
    page = manager_client.get(reverse("implementation:evaluation_engagement"), {"year": 2011})
    assert "Engage, issue 5 (spring 2011)" in page.content.decode()


def test_every_first_year_associate_is_linked_to_a_research_theme(out: str) -> None:
    research = set(Theme.objects.filter(kind=Theme.Kind.RESEARCH).values_list("pk", flat=True))
    first_year = Associate.objects.filter(
        joined__date__lt=community_demo.FIRST_YEAR_END, erased__isnull=True
    ).prefetch_related("interests")
    assert first_year.count() >= 350
    for associate in first_year:
        assert research & {theme.pk for theme in associate.interests.all()}, associate.pk


# The today layer


def test_a_current_review_round_marked_illustrative(out: str) -> None:
    in_hand = ReviewRound.objects.filter(released_at__isnull=True)
    assert in_hand.exists()
    assert all("today layer" in r.cover_note for r in ReviewRound.objects.all())


def test_an_open_consultation_marked_illustrative(out: str, manager_client: Client) -> None:
    today = timezone.localdate()
    current = Consultation.objects.get(status=Consultation.Status.OPEN)
    assert current.opens <= today < current.closes
    assert "illustrative, today layer" in current.title
    assert current.responses.exclude(submitted_at=None).count() == 7
    page = manager_client.get(reverse("priorities_staff:list")).content.decode()
    assert "illustrative, today layer" in page


def test_a_draft_briefing_for_next_month_and_events_to_come(out: str) -> None:
    draft = Mailing.objects.get(slug=news_demo.DRAFT_SLUG)
    assert draft.status == Mailing.Status.DRAFT
    assert "illustrative, today layer" in draft.subject
    to_come = Event.objects.filter(starts__gt=timezone.now())
    assert to_come.count() >= 2
    assert all("today layer" in event.description for event in Event.objects.all())


def test_a_second_run_adds_no_news(out: str) -> None:
    before = (Mailing.objects.count(), OutboxMessage.objects.count(), Consultation.objects.count())
    call_command("loaddemo", verbosity=0)
    after = (Mailing.objects.count(), OutboxMessage.objects.count(), Consultation.objects.count())
    assert after == before
