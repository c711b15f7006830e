"""Annual scientific review reminders through the outbox, the overdue list, the dashboard's
rule breaches, and list query counts that do not grow with rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduce.comms.models import OutboxMessage
from coproduce.comms.outbox import dispatch_due
from coproduce.governance import services
from coproduce.governance.annual import queue_annual_review_reminders
from coproduce.governance.models import AnnualReview, Condition, Panel, PanelMembership
from tests import factories
from tests.governance.conftest import Scene, panel_user, upload


def test_every_active_study_has_a_next_review_date(study: Any) -> None:
    schedule = AnnualReview.objects.get(study=study)
    assert schedule.next_due == timezone.localdate() + dt.timedelta(days=365)
    proposed = factories.StudyFactory(stage="proposed")
    assert not AnnualReview.objects.filter(study=proposed).exists()


def test_reminders_go_to_the_team_and_the_committee_once(
    study: Any, member: Any, smtp_server: Any
) -> None:
    committee = Panel.objects.get(kind=Panel.Kind.SCIENTIFIC)
    chair = panel_user("sci-chair", committee, "chair")
    today = timezone.localdate()
    AnnualReview.objects.filter(study=study).update(next_due=today + dt.timedelta(days=10))
    queued = queue_annual_review_reminders(today)
    assert queued == 2
    keys = set(OutboxMessage.objects.values_list("key", flat=True))
    due = (today + dt.timedelta(days=10)).isoformat()
    assert keys == {
        f"annual-review:{study.pk}:{due}:{member.person.pk}",
        f"annual-review:{study.pk}:{due}:{chair.person.pk}",
    }
    assert queue_annual_review_reminders(today) == 0  # idempotent
    link = f"{settings.SITE_URL}/staff/governance/studies/{study.slug}/"
    assert all(link in body for body in OutboxMessage.objects.values_list("body_text", flat=True))
    result = dispatch_due(max_seconds=10)
    assert result.sent == 2
    recipients = {m["rcpt_tos"][0] for m in smtp_server.messages}
    assert recipients == {member.person.email, chair.person.email}
    subject = smtp_server.messages[0]["message"]["Subject"]
    assert "Annual scientific review due" in subject


def test_no_reminder_far_from_the_due_date(study: Any, member: Any) -> None:
    assert queue_annual_review_reminders(timezone.localdate()) == 0
    assert not OutboxMessage.objects.exists()


def test_overdue_list(manager_client: Any, study: Any) -> None:
    AnnualReview.objects.filter(study=study).update(
        next_due=timezone.localdate() - dt.timedelta(days=3)
    )
    html = manager_client.get(
        reverse("governance:annual_reviews") + "?show=overdue"
    ).content.decode()
    assert str(study) in html
    assert "Overdue" in html


def _rule(html: str, key: str) -> str:
    start = html.index(f'id="rule-{key}"')
    end = html.find('<h3 id="rule-', start + 10)
    return html[start : end if end > 0 else len(html)]


def test_dashboard_lists_each_breach_with_a_link_to_the_fix(
    manager_client: Any, scene: Scene, settings: Any
) -> None:
    study = scene.study
    today = timezone.localdate()
    AnnualReview.objects.filter(study=study).update(next_due=today - dt.timedelta(days=1))
    settings.COPRODUCE_CONDITION_DAYS = 10
    type(scene.released).objects.filter(pk=scene.released.pk).update(
        released_at=timezone.now() - dt.timedelta(days=11)
    )
    html = manager_client.get(reverse("governance:dashboard")).content.decode()
    steering = Panel.objects.get(kind=Panel.Kind.STEERING, study=study)
    assert reverse("governance:member_add", args=[steering.slug]) in _rule(html, "steering")
    assert reverse("staff:secondment_create") in _rule(html, "df")
    panels = _rule(html, "panels")
    assert "Commissioners" in panels
    assert "Service user and carer panel" in panels
    assert reverse("governance:study", args=[study.slug]) in panels
    assert scene.released.get_absolute_url() + "#conditions" in _rule(html, "conditions")
    assert "more than 10 days" in html
    assert reverse("governance:study", args=[study.slug]) in _rule(html, "annual")

    # Put each right, and the breach goes.
    PanelMembership.objects.create(
        panel=steering,
        person=factories.PersonFactory(),
        role="member",
        represents="service_user",
        start=dt.date(2010, 1, 1),
    )
    factories.SecondmentFactory(study=study)
    Condition.objects.update(met_at=timezone.now())
    AnnualReview.objects.filter(study=study).update(next_due=today + dt.timedelta(days=100))
    html = manager_client.get(reverse("governance:dashboard")).content.decode()
    for key in ("steering", "df", "conditions", "annual"):
        assert str(study) not in _rule(html, key), key


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_counts_do_not_grow_with_rows(manager_client: Any, scene: Scene) -> None:
    urls = [
        reverse("governance:dashboard"),
        reverse("governance:panels"),
        reverse("governance:panel", args=[scene.panel.slug]),
        reverse("governance:annual_reviews"),
    ]
    before = [_count(manager_client, url) for url in urls]
    for _n in range(6):
        study = factories.StudyFactory()
        version = upload(study, "1.0")
        services.submit(version, scene.panel, by=None)
        PanelMembership.objects.create(
            panel=scene.panel, person=factories.PersonFactory(), start=dt.date(2010, 1, 1)
        )
    after = [_count(manager_client, url) for url in urls]
    assert after == before, list(zip(urls, before, after, strict=True))


def test_a_released_scientific_approval_moves_the_next_review_a_year_on(scene: Scene) -> None:
    schedule = AnnualReview.objects.get(study=scene.study)
    today = timezone.localdate()
    assert schedule.last_reviewed == today
    assert schedule.next_due == today + dt.timedelta(days=365)
