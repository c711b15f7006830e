"""The community part of `coproduce loaddemo`: communities, associates, consent, activities.

The demo is loaded once for the module (it takes a second or two) inside a transaction that is
rolled back at the end; each test runs in a savepoint inside it, so tests may change things.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Min, Q
from django.test import override_settings
from django.utils import timezone

from coproduce.community import services
from coproduce.community.models import (
    Activity,
    Associate,
    Channel,
    CommunityOfPractice,
    ConsentRecord,
    ConsentWording,
    LeadershipPeriod,
    Membership,
)
from coproduce.demo.loader import community as demo
from coproduce.registry.models import Study

COMMUNITY_MODELS = (CommunityOfPractice, LeadershipPeriod, Associate, Membership, ConsentRecord)


def _load() -> str:
    out = StringIO()
    call_command("loaddemo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        try:
            yield _load()
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def out(loaded: str, db: Any) -> str:
    return loaded


def counts() -> dict[str, int]:
    found = {model.__name__: model.objects.count() for model in COMMUNITY_MODELS}
    found["Activity"] = Activity.objects.count()
    found["attendees"] = Activity.attendees.through.objects.count()
    found["interests"] = Associate.interests.through.objects.count()
    return found


# Associates


def test_about_six_hundred_associates_four_hundred_in_the_first_year(out: str) -> None:
    associates = Associate.objects.all()
    assert 595 <= associates.count() <= 605
    assert associates.filter(joined__date__lt=dt.date(2009, 10, 1)).count() >= 380
    assert associates.filter(joined__date__lt=dt.date(2008, 10, 1)).count() == 0
    assert associates.filter(joined__date__gt=dt.date(2013, 12, 31)).count() == 0
    # Growth: most joined early, and the total reached about 600 during 2011-2013.
    assert associates.filter(joined__date__lt=dt.date(2011, 1, 1)).count() >= 500
    statuses = Counter(associates.values_list("status", flat=True))
    assert 5 <= statuses[Associate.Status.PENDING] <= 15
    assert statuses[Associate.Status.ACTIVE] == associates.count() - statuses["pending"]
    assert set(associates.values_list("role", flat=True)) == set(Associate.Role.values)


def test_associates_have_fixed_example_addresses_and_invented_names(out: str) -> None:
    emails = set(Associate.objects.values_list("email", flat=True))
    assert "associate0001@example.org" in emails
    assert all(email and email.endswith("@example.org") for email in emails)
    names = list(Associate.objects.values_list("full_name", flat=True))
    assert len(set(names)) == len(names)
    organisations = Counter(Associate.objects.values_list("organisation", flat=True))
    assert organisations[""] > 50
    assert "Trentside University" in organisations


def test_active_associates_are_confirmed_and_pending_ones_belong_nowhere(out: str) -> None:
    active = Associate.objects.filter(status=Associate.Status.ACTIVE)
    assert not active.filter(confirmed__isnull=True).exists()
    pending = Associate.objects.filter(status=Associate.Status.PENDING)
    assert not pending.filter(confirmed__isnull=False).exists()
    assert not Membership.objects.filter(associate__in=pending).exists()
    per_associate = Counter(Membership.objects.values_list("associate_id", flat=True))
    assert all(1 <= per_associate[pk] <= 3 for pk in active.values_list("pk", flat=True))
    left = Membership.objects.filter(left__isnull=False)
    assert left.exists()
    assert all(m.left > m.joined for m in left)  # type: ignore[operator]
    assert Associate.interests.through.objects.exists()


# Communities


def test_sixteen_study_communities_and_a_few_theme_wide_ones(out: str) -> None:
    study_cops = CommunityOfPractice.objects.filter(study__isnull=False)
    assert study_cops.count() == Study.objects.count() == 16
    theme_wide = CommunityOfPractice.objects.filter(theme__isnull=False)
    assert 2 <= theme_wide.count() <= 3
    assert {"stroke-rehabilitation", "implementation"} <= set(
        theme_wide.values_list("theme__slug", flat=True)
    )
    for cop in CommunityOfPractice.objects.all():
        assert cop.purpose, cop.slug
        assert cop.ground_rules, cop.slug
        assert cop.founded is not None
        assert cop.founded.year == 2009, cop.slug
        cop.full_clean()
    for cop in study_cops:
        assert cop.slug == cop.study.slug  # type: ignore[union-attr]


def test_every_study_community_has_members_and_activities(out: str) -> None:
    today = timezone.localdate()
    for annotated in CommunityOfPractice.objects.annotate(
        past=Count("activities", filter=Q(activities__date__lt=today))
    ):
        assert annotated.member_count > 0, annotated.slug
        assert 10 <= annotated.past <= 30, annotated.slug
    # The cached member counts are what a refresh would give.
    cached = dict(CommunityOfPractice.objects.values_list("pk", "member_count"))
    for cop in CommunityOfPractice.objects.all():
        cop.refresh_member_count()
        assert cop.member_count == cached[cop.pk]


def test_activities_use_all_four_characteristics_with_attendees_and_outputs(out: str) -> None:
    today = timezone.localdate()
    past = Activity.objects.filter(date__lt=today)
    assert set(past.values_list("characteristic", flat=True)) == set(Activity.Characteristic.values)
    assert past.aggregate(first=Min("date"))["first"] >= dt.date(2009, 1, 1)
    assert not past.filter(date__gt=dt.date(2013, 12, 31)).exists()
    assert not past.filter(attendee_count=0).exists()
    assert past.exclude(outputs="").count() >= 19
    assert Activity.attendees.through.objects.exists()
    assert {led for led in past.values_list("led_by", flat=True)} == set(Activity.LedBy.values)
    # Meetings are on weekdays.
    assert all(day.weekday() < 5 for day in past.values_list("date", flat=True) if day.year > 2009)


def test_the_two_outcomes_the_sources_report(out: str) -> None:
    mood = Activity.objects.filter(cop__slug="cbt-chronic-mood-disorder")
    assert mood.filter(outputs__icontains="follow-on groups run by service users").exists()
    stroke = Activity.objects.filter(cop__slug="return-to-work-after-stroke")
    assert stroke.filter(outputs__icontains="pro forma").exists()


def test_there_are_always_upcoming_meetings(out: str) -> None:
    today = timezone.localdate()
    upcoming = Activity.objects.filter(date__gte=today)
    assert upcoming.count() >= 3
    assert all(activity.is_upcoming for activity in upcoming)
    assert not upcoming.exclude(attendee_count=0).exists()
    assert upcoming.filter(date__lte=today + dt.timedelta(days=60)).exists()


def test_leadership_moves_from_staff_to_members(out: str) -> None:
    for cop in CommunityOfPractice.objects.all():
        periods = list(cop.leadership_periods.order_by("start"))
        assert periods, cop.slug
        assert periods[0].model == CommunityOfPractice.Leadership.STAFF_LED
        assert periods[0].start == cop.founded
        assert cop.leadership == periods[-1].model
        assert periods[-1].end is None
        for before, after in itertools.pairwise(periods):
            assert before.end == after.start - dt.timedelta(days=1)
        for period in periods:
            period.full_clean()
    leadership = Counter(CommunityOfPractice.objects.values_list("leadership", flat=True))
    assert 3 <= leadership[CommunityOfPractice.Leadership.MEMBER_LED] <= 4
    assert leadership[CommunityOfPractice.Leadership.CO_LED] >= 3
    assert LeadershipPeriod.objects.count() > CommunityOfPractice.objects.count()


def test_member_led_communities_have_more_activities_led_by_members_later(out: str) -> None:
    for cop in CommunityOfPractice.objects.filter(
        leadership=CommunityOfPractice.Leadership.MEMBER_LED
    ):
        staff_led = cop.leadership_periods.get(model=CommunityOfPractice.Leadership.STAFF_LED)
        assert staff_led.end is not None
        early = cop.activities.filter(date__lte=staff_led.end)
        late = cop.activities.filter(date__gt=staff_led.end, date__lt=dt.date(2014, 1, 1))

        def share(activities: Any) -> float:
            return activities.filter(led_by=Activity.LedBy.MEMBER).count() / activities.count()

        assert share(late) > share(early), cop.slug


# Consent


def test_consent_records_name_the_first_wording(out: str) -> None:
    records = ConsentRecord.objects.all()
    assert records.count() > 1000
    wordings = {w.channel: w for w in ConsentWording.objects.filter(version=1)}
    for record in records.filter(granted=True):
        assert record.wording_version == 1
        assert record.wording_sha256 == wordings[record.channel].sha256
    methods = Counter(records.values_list("method", flat=True))
    assert methods[ConsentRecord.Method.CONFIRMATION] > methods[ConsentRecord.Method.IMPORT] > 0
    assert methods[ConsentRecord.Method.FORM] > 0
    assert methods[ConsentRecord.Method.UNSUBSCRIBE] + methods[ConsentRecord.Method.PREFERENCES]
    assert records.filter(granted=False).count() >= 5
    # Grants are dated when people joined (or confirmed), never in the future.
    assert not records.filter(at__gt=timezone.now()).exists()


def test_most_want_engage_fewer_the_briefing(out: str) -> None:
    active = Associate.objects.filter(status=Associate.Status.ACTIVE)
    engage = active.filter(consent_engage=True).count()
    briefing = active.filter(consent_briefing=True).count()
    events = active.filter(consent_events=True).count()
    assert engage > active.count() / 2
    assert engage > events > briefing > 0


def test_cached_consent_equals_the_latest_record_for_every_associate(out: str) -> None:
    latest: dict[tuple[int, str], bool] = {}
    for associate_id, channel, granted in ConsentRecord.objects.order_by("at", "pk").values_list(
        "associate_id", "channel", "granted"
    ):
        latest[(associate_id, channel)] = granted
    for associate in Associate.objects.all():
        for channel in Channel.values:
            assert associate.consents()[channel] == latest.get((associate.pk, channel), False)


def test_pending_associates_have_only_the_form_record(out: str) -> None:
    pending = ConsentRecord.objects.filter(associate__status=Associate.Status.PENDING)
    assert set(pending.values_list("method", flat=True)) <= {ConsentRecord.Method.FORM}


# Loading


def test_summary_line(out: str) -> None:
    assert "  community: 19 communities of practice (16 for studies, 3 theme-wide;" in out
    assert "600 associates (590 active" in out


def test_running_again_changes_nothing(out: str) -> None:
    before = counts()
    snapshot = {
        model.__name__: sorted(map(str, model.objects.values_list())) for model in COMMUNITY_MODELS
    }

    again = _load()

    assert counts() == before
    assert {
        model.__name__: sorted(map(str, model.objects.values_list())) for model in COMMUNITY_MODELS
    } == snapshot
    assert "; 0 created, 0 updated" in again


def test_a_rerun_restores_the_demo_purpose_and_moves_passed_meetings_ahead(out: str) -> None:
    today = timezone.localdate()
    cop = CommunityOfPractice.objects.get(slug="stak")
    cop.purpose = "Edited"
    cop.save()
    meeting = Activity.objects.filter(date__gte=today).order_by("date").first()
    assert meeting is not None
    Activity.objects.filter(pk=meeting.pk).update(date=dt.date(2020, 1, 6))
    before = counts()

    again = _load()

    cop.refresh_from_db()
    assert cop.purpose.startswith("Teachers, school nurses")
    meeting.refresh_from_db()
    assert meeting.date >= today
    assert counts() == before
    assert "; 0 created, 2 updated" in again


def test_the_plan_is_the_same_every_time() -> None:
    first = demo._plan_associates()
    second = demo._plan_associates()
    assert [(p.full_name, p.joined, p.cops, p.consents) for p in first] == [
        (p.full_name, p.joined, p.cops, p.consents) for p in second
    ]
    assert demo._plan_activities(demo.STUDY_COPS[0]) == demo._plan_activities(demo.STUDY_COPS[0])


def test_erasing_a_demo_associate_does_not_bring_the_demo_back(out: str) -> None:
    services.erase(Associate.objects.get(email="associate0001@example.org"))
    before = counts()

    again = _load()

    assert counts() == before
    assert "; 0 created, 0 updated" in again
