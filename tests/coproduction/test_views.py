"""Pages: quick entry, compromises, sources, dialogues, involvement, GRIPP2, query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.coproduction import models as m
from tests import factories
from tests.coproduction.conftest import make_compromise, make_involvement, make_source

pytestmark = pytest.mark.django_db


def test_a_diffusion_fellow_logs_work_with_one_short_form(df: Any, df_client: Client) -> None:
    url = reverse("coproduction:broker_log")
    page = df_client.get(url)
    form = page.context["form"]
    # One post: chosen for them; today's date and an hour filled in.
    assert form["posting"].field.widget.input_type == "hidden"
    assert form["date"].value() == timezone.localdate()
    assert form["hours"].value() == Decimal("1")
    response = df_client.post(
        url,
        {
            "posting": form["posting"].value(),
            "date": timezone.localdate().isoformat(),
            "hours": "1.5",
            "direction": "outward",
            "kind": "recruitment",
            "mobilisation": "vertical",
            "audience": "Ward managers",
            "outcome": "",
        },
    )
    assert response.status_code == 302
    activity = m.BrokerActivity.objects.get()
    assert activity.person == df.person
    assert activity.secondment == df.person.secondments.get()
    assert activity.study == activity.secondment.study
    assert AuditEntry.objects.filter(action="coproduction.brokeractivity.created").exists()
    again = df_client.get(url)
    assert again.context["used"][0].hours == Decimal("1.5")


def test_quick_entry_refuses_dates_outside_the_secondment(df: Any, df_client: Client) -> None:
    url = reverse("coproduction:broker_log")
    posting = df_client.get(url).context["form"]["posting"].value()
    response = df_client.post(
        url,
        {
            "posting": posting,
            "date": "2020-01-01",
            "hours": "1",
            "direction": "inward",
            "kind": "other",
            "mobilisation": "feedback",
        },
    )
    assert response.status_code == 200
    assert "within the post" in response.content.decode()
    assert not m.BrokerActivity.objects.exists()


def test_a_compromise_is_recorded_with_parties_and_sources(
    study: Any, member_client: Client
) -> None:
    source = make_source(study, ["granted"])
    url = reverse("coproduction:compromise_add", args=[study.slug])
    data = {
        "summary": "Recruit at six weeks",
        "date": "2010-07-01",
        "topic": "recruitment",
        "options_considered": "At discharge; at six weeks",
        "agreed": "At six weeks",
        "direction": "practice",
        "rationale": "Too soon at discharge",
        "protocol_version": "1.3",
        "sources": [source.pk],
        "positions-TOTAL_FORMS": "3",
        "positions-INITIAL_FORMS": "0",
        "positions-MIN_NUM_FORMS": "0",
        "positions-MAX_NUM_FORMS": "8",
        "positions-0-party": "academic",
        "positions-0-position": "Everyone at discharge",
        "positions-1-party": "service_user",
        "positions-1-position": "Too soon",
        "positions-2-party": "",
        "positions-2-position": "",
    }
    response = member_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    item = m.Compromise.objects.get()
    assert item.protocol_version == "1.3"
    assert [p.party for p in item.positions.all()] == ["academic", "service_user"]
    assert list(item.sources.all()) == [source]
    detail = member_client.get(response["Location"]).content.decode()
    assert "Too soon" in detail
    assert "Steering meeting" in detail


def test_compromise_sources_are_hidden_from_staff_off_the_team(
    study: Any, reader_client: Client
) -> None:
    item = make_compromise(study)
    item.sources.add(make_source(study, ["granted"], title="Secret meeting"))
    page = reader_client.get(reverse("coproduction:compromise", args=[study.slug, item.public_id]))
    assert page.status_code == 200
    assert "Secret meeting" not in page.content.decode()


def test_analysis_charts_each_have_a_table(study: Any, reader_client: Client) -> None:
    make_compromise(study, direction="rigour", topic="randomisation")
    make_compromise(study, direction="practice", date=dt.date(2012, 1, 1))
    make_compromise(factories.StudyFactory(), direction="mutual")
    response = reader_client.get(reverse("coproduction:analysis"))
    charts = response.context["charts"]
    assert [c.key for c in charts] == ["direction-over-time", "by-topic", "by-study"]
    assert response.context["total"] == 3
    year_rows = {row[0]: row for row in charts[0].table.rows}
    assert year_rows["2011"][-1] == 2
    assert year_rows["2012"][-1] == 1
    for chart in charts:
        assert chart.spec["data"]["values"]
    only = reader_client.get(reverse("coproduction:analysis"), {"study": study.slug})
    assert only.context["total"] == 2


def test_a_meeting_record_makes_participants_to_record_consent_for(
    study: Any, member_client: Client
) -> None:
    response = member_client.post(
        reverse("coproduction:meeting_add", args=[study.slug]),
        {
            "title": "Steering committee",
            "date": "2011-01-01",
            "attendees": "Ann Author <ann@example.org>\nBob Nomail",
            "notes": "Notes",
            "observations": "Observed",
        },
    )
    assert response.status_code == 302
    source = m.Source.objects.get()
    assert {p.full_name for p in source.participants.all()} == {"Ann Author", "Bob Nomail"}
    assert all(p.consent == "not_recorded" for p in source.participants.all())


def test_a_document_upload_is_stored_under_a_generated_name(
    study: Any, member_client: Client
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = member_client.post(
        reverse("coproduction:document_add", args=[study.slug]),
        {
            "title": "Protocol v2",
            "date": "2011-01-01",
            "authors": "Ann <ann@example.org>",
            "notes": "",
            "upload": SimpleUploadedFile("protocol.html", b"<script>alert(1)</script>"),
        },
    )
    assert response.status_code == 302
    attachment = m.Attachment.objects.get()
    assert attachment.original_name == "protocol.html"
    assert attachment.stored_name != "protocol.html"
    assert "." not in attachment.stored_name


def test_dialogue_tagged_with_challenges_and_enablers(study: Any, member_client: Client) -> None:
    response = member_client.post(
        reverse("coproduction:dialogue_add", args=[study.slug]),
        {
            "title": "Whose pace?",
            "date": "2012-01-01",
            "partners": "Therapists and researchers",
            "summary": "We talked.",
            "challenges": ["pace", "language"],
            "enablers": ["shared_goal"],
        },
    )
    assert response.status_code == 302
    dialogue = m.ReflexiveDialogue.objects.get()
    assert dialogue.challenge_labels() == [
        "Clashing research paces",
        "Differing language and knowledge",
    ]
    page = member_client.get(reverse("coproduction:dialogues", args=[study.slug]))
    assert "A shared end goal" in page.content.decode()


def test_involvement_fee_comes_from_the_rate(study: Any, member_client: Client) -> None:
    rate = m.PaymentRate.objects.get(name="Involvement, hourly")
    response = member_client.post(
        reverse("coproduction:involvement_add", args=[study.slug]),
        {
            "contributor_name": "Pat Public",
            "date": "2011-01-01",
            "what": "Reviewed the leaflet",
            "role": "reviewer",
            "hours": "3",
            "rate": rate.pk,
            "expenses": "4.20",
            "benefits_advice_offered": "on",
        },
    )
    assert response.status_code == 302
    activity = m.InvolvementActivity.objects.get()
    assert activity.fee == Decimal("75.00")
    assert activity.total == Decimal("79.20")
    assert activity.benefits_advice_offered
    assert not activity.payment_declined


def test_managers_edit_default_rates(manager_client: Client) -> None:
    rate = m.PaymentRate.objects.get(name="Involvement, hourly")
    response = manager_client.post(
        reverse("coproduction:rate_edit", args=[rate.public_id]),
        {
            "name": rate.name,
            "unit": "hour",
            "amount": "27.50",
            "guidance": "NIHR 2025",
            "active": "on",
        },
    )
    assert response.status_code == 302
    rate.refresh_from_db()
    assert rate.amount == Decimal("27.50")
    assert rate.guidance == "NIHR 2025"
    assert AuditEntry.objects.filter(action="coproduction.paymentrate.updated").exists()


def test_gripp2_is_prefilled_editable_and_exported(study: Any, member_client: Client) -> None:
    make_involvement(study)
    make_compromise(study)
    url = reverse("coproduction:gripp2", args=[study.slug])
    form = member_client.get(url).context["form"]
    assert "1 public contributors took part" in form["item_2"].value()  # short form 2: Methods
    assert "1 negotiated compromises" in form["item_3"].value()  # 3: Study results
    data = {name: form[name].value() or "" for name in form.fields}
    data["item_4"] = "Service users changed the recruitment point – a real change."
    assert member_client.post(url, data).status_code == 302
    report = m.Gripp2Report.objects.get()
    assert report.outcomes.startswith("Service users")
    assert report.long_form["3"]  # the long form's prefilled aim (item 3) is kept
    markdown = member_client.get(reverse("coproduction:gripp2_md", args=[study.slug]))
    text = markdown.content.decode()
    assert text.startswith(f"# GRIPP2 report: {study.title}")
    assert "## 4: Discussion and conclusions\n\n*Outcomes—Comment on the extent" in text
    assert "overall. Describe positive and negative effects*\n\nService users changed" in text
    pdf = member_client.get(reverse("coproduction:gripp2_pdf", args=[study.slug]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_query_counts_do_not_grow_with_rows(study: Any, manager_client: Client) -> None:
    def add(n: int) -> None:
        for i in range(n):
            item = make_compromise(study, summary=f"c{i}")
            item.sources.add(make_source(study, ["granted", "refused"], title=f"s{i}"))
            make_involvement(study, name=f"n{i}")
            m.ReflexiveDialogue.objects.create(
                study=study, date=dt.date(2011, 1, 1), title="d", partners="p", summary="s"
            )
            factories.SecondmentFactory(study=study)

    urls = [
        reverse("coproduction:home"),
        reverse("coproduction:compromises", args=[study.slug]),
        reverse("coproduction:sources", args=[study.slug]),
        reverse("coproduction:participants", args=[study.slug]),
        reverse("coproduction:involvement", args=[study.slug]),
        reverse("coproduction:dialogues", args=[study.slug]),
        reverse("coproduction:time_used"),
        reverse("coproduction:analysis"),
    ]
    add(2)
    before = {url: _count(manager_client, url) for url in urls}
    add(8)
    after = {url: _count(manager_client, url) for url in urls}
    assert before == after


def test_demo_loads_twice_without_duplicates(db: Any) -> None:
    from django.core.management import call_command

    call_command("loaddemo", verbosity=0)
    counts = [model.objects.count() for model in (m.Compromise, m.Source, m.BrokerActivity)]
    assert all(counts)
    from coproduce.demo.loader import coproduction as demo

    assert demo.load().created == 0
    assert [model.objects.count() for model in (m.Compromise, m.Source, m.BrokerActivity)] == counts
    study = m.Compromise.objects.filter(summary__icontains="pro forma").get().study
    assert study.slug == "return-to-work-after-stroke"
    assert m.Compromise.objects.filter(summary__icontains="follow-on groups").exists()
