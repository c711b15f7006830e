"""Staff pages: who may see and change what, the main flows, and list query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.implementation.models import (
    DataPoint,
    Determinant,
    ImplementationRecord,
    Item,
    Measure,
    Output,
    PDSACycle,
    Recommendation,
    Response,
)
from tests import factories
from tests.implementation.conftest import make_recommendation

D = dt.date
READ, WRITE, MANAGE = "read", "write", "manage"
# Staff read it; only managers POST to it (the network page's "Run the analysis", queued).
READ_MANAGER_POSTS = "read, managers post"
# POST-only, for any staff role (the annual report's "Prepare the PDF", queued).
STAFF_POSTS = "staff post"
# Staff read it, but it redirects to the report's page while nothing is stored (the PDF).
READ_REDIRECTS = "read, redirects"


@pytest.fixture
def everything(
    study: Any,
    impl_record: Any,
    determinant: Any,
    recommendation: Any,
    administration: Any,
    measure: Any,
    output: Any,
    nomad: Any,
) -> dict[str, Any]:
    item = Item.objects.filter(construct__instrument=nomad).first()
    assert item is not None
    s = study.slug
    return {
        "urls": [
            (READ, reverse("implementation:overview")),
            (READ, reverse("implementation:matrix")),
            (READ, reverse("implementation:determinants")),
            (READ, reverse("implementation:determinants") + f"?study={s}&level=organisation"),
            (READ, reverse("implementation:recommendations")),
            (READ, reverse("implementation:recommendations") + "?status=overdue"),
            (READ, reverse("implementation:outputs")),
            (READ, reverse("implementation:instruments")),
            (READ, reverse("implementation:instrument", args=["nomad"])),
            (READ, reverse("implementation:instrument", args=["cfir-2022"])),
            (MANAGE, reverse("implementation:item_edit", args=["nomad", item.public_id])),
            (READ, reverse("implementation:study", args=[s])),
            (READ, reverse("implementation:study_matrix", args=[s])),
            (WRITE, reverse("implementation:record_add", args=[s])),
            (WRITE, reverse("implementation:determinant_add", args=[s])),
            (WRITE, reverse("implementation:recommendation_add", args=[s])),
            (WRITE, reverse("implementation:administration_add", args=[s])),
            (READ, reverse("implementation:trend", args=[s, "nomad"])),
            (WRITE, reverse("implementation:measure_add", args=[s])),
            (WRITE, reverse("implementation:output_add", args=[s])),
            (READ, reverse("implementation:record", args=[impl_record.public_id])),
            (WRITE, reverse("implementation:record_edit", args=[impl_record.public_id])),
            (WRITE, reverse("implementation:record_status", args=[impl_record.public_id])),
            (WRITE, reverse("implementation:determinant_edit", args=[determinant.public_id])),
            (READ, reverse("implementation:recommendation", args=[recommendation.public_id])),
            (
                WRITE,
                reverse("implementation:recommendation_status", args=[recommendation.public_id]),
            ),
            (READ, reverse("implementation:administration", args=[administration.public_id])),
            (WRITE, reverse("implementation:response_add", args=[administration.public_id])),
            (
                WRITE,
                reverse("implementation:administration_import", args=[administration.public_id]),
            ),
            (READ, reverse("implementation:measure", args=[measure.public_id])),
            (WRITE, reverse("implementation:measure_edit", args=[measure.public_id])),
            (WRITE, reverse("implementation:point_add", args=[measure.public_id])),
            (WRITE, reverse("implementation:cycle_add", args=[measure.public_id])),
            (READ, reverse("implementation:output", args=[output.public_id])),
            (WRITE, reverse("implementation:output_edit", args=[output.public_id])),
            (READ, reverse("implementation:evaluation_fellows")),
            (READ, reverse("implementation:evaluation_cops")),
            (READ, reverse("implementation:evaluation_engagement") + "?year=2011"),
            (READ_MANAGER_POSTS, reverse("implementation:network")),
            (READ, reverse("implementation:annual_report")),
            (READ_REDIRECTS, reverse("implementation:annual_report_download", args=[2011, "pdf"])),
            (STAFF_POSTS, reverse("implementation:annual_report_prepare", args=[2011])),
            (READ, reverse("implementation:annual_report_download", args=[2011, "xlsx"])),
        ]
    }


EXPECTED = {
    # who: (read, write, manage)
    "reader": (200, 403, 403),
    "member": (200, 200, 403),
    "outsider": (200, 403, 403),
    "manager": (200, 200, 200),
}


def test_every_url_is_covered(everything: dict[str, Any]) -> None:
    from coproduce.implementation import urls

    assert len(everything["urls"]) >= len(urls.urlpatterns)


def test_anonymous_people_are_sent_to_sign_in(client: Client, everything: dict[str, Any]) -> None:
    for _, url in everything["urls"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "sign-in" in response["Location"] or "login" in response["Location"], url
        assert client.post(url).status_code == 302, url


@pytest.mark.parametrize("who", list(EXPECTED))
def test_access_by_role(
    who: str, request: pytest.FixtureRequest, everything: dict[str, Any]
) -> None:
    client: Client = request.getfixturevalue(f"{who}_client")
    read, write, manage = EXPECTED[who]
    for kind, url in everything["urls"]:
        if kind == READ_MANAGER_POSTS:
            assert client.get(url).status_code == read, (who, url)
            assert client.post(url).status_code == (302 if manage == 200 else 403), (who, url)
            continue
        if kind == STAFF_POSTS:
            assert client.get(url).status_code == 405, (who, url)
            assert client.post(url).status_code == 302, (who, url)
            continue
        if kind == READ_REDIRECTS:
            assert client.get(url).status_code == 302, (who, url)
            assert client.post(url).status_code == 405, (who, url)
            continue
        wanted = {READ: read, WRITE: write, MANAGE: manage}[kind]
        assert client.get(url).status_code == wanted, (who, url)
        if kind != READ and wanted == 403:
            assert client.post(url, {}).status_code == 403, (who, url)
        if kind == READ:
            assert client.post(url).status_code == 405, (who, url)


def test_a_researcher_on_the_study_records_things(
    member_client: Client, study: Any, researcher_person: Any, loaded: Any
) -> None:
    site = factories.OrganisationFactory(name="Greenwood Vale")
    response = member_client.post(
        reverse("implementation:record_add", args=[study.slug]),
        {"meaning": "organisation", "title": "Vocational service", "site": site.pk},
    )
    assert response.status_code == 302
    rec = ImplementationRecord.objects.get()
    assert rec.status == "planned"
    response = member_client.post(
        reverse("implementation:record_status", args=[rec.public_id]),
        {"status": "started", "date": "2011-02-01", "note": "Began"},
    )
    assert response.status_code == 302
    member_client.post(
        reverse("implementation:record_status", args=[rec.public_id]),
        {"status": "planned", "date": "2010-01-01"},
    )
    rec.refresh_from_db()
    assert (rec.status, rec.status_since) == ("started", D(2011, 2, 1))  # latest by date
    assert rec.status_entries.count() == 2

    response = member_client.post(
        reverse("implementation:determinant_add", args=[study.slug]),
        {
            "kind": "barrier",
            "level": "organisation",
            "category": "resources",
            "description": "No protected time.",
            "source": "Minutes",
            "date": "2010-05-01",
            "record": rec.pk,
        },
    )
    assert response.status_code == 302
    assert Determinant.objects.get().record == rec
    assert AuditEntry.objects.filter(action="implementation.determinant.created").exists()

    response = member_client.post(reverse("implementation:determinant_add", args=[study.slug]), {})
    assert response.status_code == 400
    assert "Choose the barrier or facilitator" in response.content.decode()


def test_recommendation_through_to_outcome_and_a_refused_move(
    member_client: Client, study: Any, researcher_person: Any
) -> None:
    response = member_client.post(
        reverse("implementation:recommendation_add", args=[study.slug]),
        {
            "text": "Protect time.",
            "made_by": researcher_person.pk,
            "addressee": "study_team",
            "made_on": "2030-01-01",
            "due": "2029-01-01",
        },
    )
    assert response.status_code == 400
    assert "The due date must be on or after" in response.content.decode()
    response = member_client.post(
        reverse("implementation:recommendation_add", args=[study.slug]),
        {
            "text": "Protect time.",
            "made_by": researcher_person.pk,
            "addressee": "partner",
            "made_on": "2030-01-01",
            "due": "2030-02-01",
        },
    )
    assert "Choose the partner organisation" in response.content.decode()
    response = member_client.post(
        reverse("implementation:recommendation_add", args=[study.slug]),
        {
            "text": "Protect time.",
            "made_by": researcher_person.pk,
            "addressee": "study_team",
            "made_on": "2030-01-01",
            "due": "2030-02-01",
        },
    )
    assert response.status_code == 302
    rec = Recommendation.objects.get()
    url = reverse("implementation:recommendation_status", args=[rec.public_id])

    refused = member_client.post(url, {"to": "actioned", "date": "2030-01-05"})
    assert refused.status_code == 400
    assert "A recommendation that is open cannot become actioned" in refused.content.decode()
    no_reason = member_client.post(url, {"to": "declined", "date": "2030-01-05"})
    assert "Give the reason the recommendation was declined" in no_reason.content.decode()

    for to, extra in (("accepted", {}), ("actioned", {}), ("outcome", {"outcome": "It worked"})):
        response = member_client.post(url, {"to": to, "date": "2030-01-05", **extra})
        assert response.status_code == 302, response.content.decode()
    rec.refresh_from_db()
    assert rec.status == "outcome"
    page = member_client.get(rec.get_absolute_url()).content.decode()
    assert "It worked" in page
    # Closed: the status page sends people back.
    assert member_client.get(url).status_code == 302


def test_import_through_the_page(member_client: Client, administration: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("implementation:administration_import", args=[administration.public_id])
    bad = SimpleUploadedFile("scores.csv", b"respondent,CO1\nR1,4\n", content_type="text/csv")
    response = member_client.post(url, {"file": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "these item columns are missing" in page
    codes = list(
        Item.objects.filter(construct__instrument=administration.instrument).values_list(
            "code", flat=True
        )
    )
    assert codes[:4] == ["G1", "G2", "G3", "CO1"]
    text = (
        ",".join(["respondent", *codes])
        + "\n"
        + ",".join(["R1", "6", "7", "8", "NR-STAGE", *["3"] * 19])
        + "\n"
    )
    good = SimpleUploadedFile("scores.csv", text.encode(), content_type="text/csv")
    response = member_client.post(url, {"file": good})
    assert response.status_code == 302
    assert Response.objects.count() == 1
    trend = member_client.get(
        reverse("implementation:trend", args=[administration.study.slug, "nomad"])
    )
    page = trend.content.decode()
    assert "Coherence" in page
    assert "3.00" in page
    assert "6.00 (1)" in page  # G1, on its own 0 to 10 scale, in the second chart's table
    assert "Not relevant at this stage" in page
    shown = member_client.get(administration.get_absolute_url()).content.decode()
    assert "Not relevant to this intervention" in shown
    assert "8.00" in shown


def test_one_respondent_through_the_form(member_client: Client, administration: Any) -> None:
    url = reverse("implementation:response_add", args=[administration.public_id])
    form = member_client.get(url).content.decode()
    assert "Not relevant to my role" in form
    assert "Not relevant at this stage" in form
    assert "Not relevant to this intervention" in form
    items = {
        i.code: i for i in Item.objects.filter(construct__instrument=administration.instrument)
    }
    data = {"respondent": "R9", **{f"item_{i.pk}": "4" for i in items.values()}}
    data[f"item_{items['G1'].pk}"] = "10"
    data[f"item_{items['G2'].pk}"] = "0"
    data[f"item_{items['G3'].pk}"] = ""
    data[f"item_{items['CO1'].pk}"] = "NR-ROLE"
    data[f"item_{items['CA7'].pk}"] = "NR-INTERVENTION"
    assert member_client.post(url, data).status_code == 302
    scores = Response.objects.get(respondent="R9").scores
    assert scores.count() == 23
    assert dict(scores.exclude(not_relevant="").values_list("item__code", "not_relevant")) == {
        "CO1": "role",
        "CA7": "intervention",
    }
    assert scores.get(item__code="G1").value == 10
    assert scores.get(item__code="G2").value == 0
    assert scores.get(item__code="G3").value is None
    # "Not relevant" is not offered for the general items: the form refuses it.
    data["respondent"] = "R10"
    data[f"item_{items['G1'].pk}"] = "NR-ROLE"
    response = member_client.post(url, data)
    assert response.status_code == 400
    assert not Response.objects.filter(respondent="R10").exists()


def test_run_chart_page_flags_points(member_client: Client, measure: Any) -> None:
    page = member_client.get(measure.get_absolute_url()).content.decode()
    assert "The Health Care Data Guide’s four run chart rules" in page
    assert "Median: 6.5" in page
    assert "Trend: 12 points in a row going up (points 1 to 12)." in page
    assert "Shift: 6 points in a row below the median (points 1 to 6)." in page
    assert "Shift, trend" in page  # in the data table
    response = member_client.post(
        reverse("implementation:point_add", args=[measure.public_id]),
        {"date": "2010-01-01", "value": "3"},
    )
    assert "There is already a value for this date" in response.content.decode()
    response = member_client.post(
        reverse("implementation:point_add", args=[measure.public_id]),
        {"date": "2011-01-01", "value": "3.5", "astronomical": "on"},
    )
    assert response.status_code == 302
    assert DataPoint.objects.filter(measure=measure).count() == 13
    page = member_client.get(measure.get_absolute_url()).content.decode()
    assert "Astronomical data point: point 13, judged by the team" in page


def test_run_chart_by_the_anhoj_rules(member_client: Client, measure: Any) -> None:
    page = member_client.get(measure.get_absolute_url() + "?rules=anhoj").content.decode()
    assert "The Anhøj rules (Anhøj and Olesen 2014)" in page
    # 12 useful observations, 6 below then 6 above: longest run 6 (limit 7), 1 crossing
    # (fewer than 3).
    assert "Longest run 6 (signal if more than 7); crossings 1 (signal if fewer than 3)" in page
    assert "Unusually few crossings: the line crosses the median 1 time, fewer than 3" in page
    assert "Trend" not in page.split('id="signals"')[1].split("</ul>")[0]
    # An unknown rule set falls back to the measure's own.
    page = member_client.get(measure.get_absolute_url() + "?rules=nope").content.decode()
    assert "The Health Care Data Guide’s four run chart rules" in page


def test_control_chart_and_pdsa_cycles_on_the_page(member_client: Client, measure: Any) -> None:
    PDSACycle.objects.create(measure=measure, title="Text reminders", start=D(2010, 6, 15))
    page = member_client.get(measure.get_absolute_url()).content.decode()
    # The XmR chart: mean 6.5, every moving range 1, limits 3.84 to 9.16.
    assert "3.84 to 9.16, from 12 points" in page
    assert "Special cause variation of an improving nature, where higher is better" in page
    assert "No target set, so no assurance." in page
    # The cycle is listed against the first point on or after its start, in both tables.
    assert page.count('<td class="nhsuk-table__cell">Text reminders</td>') == 2
    assert "PDSA 1: Text reminders" in page  # the label on the chart


def test_edit_measure_freezes_the_baseline(member_client: Client, measure: Any) -> None:
    url = reverse("implementation:measure_edit", args=[measure.public_id])
    form = member_client.get(url).content.decode()
    assert "Baseline ends" in form
    response = member_client.post(
        url,
        {
            "name": measure.name,
            "unit": "%",
            "direction": "down",
            "rules": "ihi",
            "baseline_end": "2010-12-01",
            "target": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()
    measure.refresh_from_db()
    assert measure.baseline_end == D(2010, 12, 1)
    assert measure.target == 2
    # Add points after the baseline: they are judged against the frozen median (6.5).
    for day, value in enumerate([9, 10, 9, 10, 9, 10], start=1):
        DataPoint.objects.create(measure=measure, date=D(2011, 1, day), value=value)
    page = member_client.get(measure.get_absolute_url()).content.decode()
    assert "Baseline median: 6.50, frozen over the first 12 points" in page
    assert "Shift: 6 points in a row above the median (points 13 to 18)." in page
    assert "consistently hit the target" not in page  # lower is better, target 2 < 3.84
    assert "consistently miss the target" in page


def test_matrix_page_links_cells(reader_client: Client, determinant: Any, study: Any) -> None:
    page = reader_client.get(reverse("implementation:study_matrix", args=[study.slug]))
    text = page.content.decode()
    assert (
        f"?study={study.slug}&amp;level=organisation&amp;category=resources&amp;kind=barrier"
        in text
    )
    assert "1 barrier" in text
    listed = reader_client.get(
        reverse("implementation:determinants")
        + f"?study={study.slug}&level=organisation&category=resources&kind=barrier"
    )
    assert "No protected time." in listed.content.decode()
    empty = reader_client.get(
        reverse("implementation:determinants") + f"?study={study.slug}&level=system"
    )
    assert "No protected time." not in empty.content.decode()


def test_item_wording_by_managers(manager_client: Client, nomad: Any) -> None:
    item = Item.objects.get(code="CO1")
    url = reverse("implementation:item_edit", args=["nomad", item.public_id])
    assert manager_client.post(url, {"text": "Licensed words"}).status_code == 302
    item.refresh_from_db()
    assert item.text == "Licensed words"


def test_outputs_only_for_studies_one_may_edit(
    member_client: Client, study: Any, impl_record: Any
) -> None:
    other = factories.StudyFactory()
    data = {
        "kind": "research_tools",
        "title": "Pro forma",
        "date": "2011-01-01",
        "studies": [other.pk],
    }
    response = member_client.post(reverse("implementation:output_add", args=[study.slug]), data)
    assert f"You cannot add outputs to {other.title}" in response.content.decode()
    data = {**data, "studies": [study.pk], "records": [impl_record.pk]}
    response = member_client.post(reverse("implementation:output_add", args=[study.slug]), data)
    assert response.status_code == 302
    assert list(Output.objects.get().records.all()) == [impl_record]


# --- query counts --------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _add_rows(study: Any, person: Any, count: int) -> None:
    for n in range(count):
        rec = ImplementationRecord.objects.create(study=study, title=f"R{n}", meaning="science")
        Determinant.objects.create(
            study=study,
            record=rec,
            kind="barrier",
            level="team",
            category="other",
            description=f"d{n}",
            source="s",
            date=D(2010, 1, 1),
        )
        make_recommendation(study, person, text=f"rec {n}", partner=None)
        output = Output.objects.create(kind="research_tools", title=f"o{n}", date=D(2011, 1, 1))
        output.studies.set([study, factories.StudyFactory()])
        output.records.set([rec])


@pytest.mark.parametrize(
    "url_name",
    ["overview", "determinants", "recommendations", "outputs", "matrix", "instruments"],
)
def test_list_query_counts_do_not_grow_with_rows(
    reader_client: Client, study: Any, researcher_person: Any, url_name: str, loaded: Any
) -> None:
    url = reverse(f"implementation:{url_name}")
    _add_rows(study, researcher_person, 2)
    few = _queries(reader_client, url)
    _add_rows(study, researcher_person, 10)
    assert _queries(reader_client, url) == few


def test_study_page_query_count_does_not_grow(
    reader_client: Client, study: Any, researcher_person: Any
) -> None:
    url = reverse("implementation:study", args=[study.slug])
    _add_rows(study, researcher_person, 2)
    few = _queries(reader_client, url)
    _add_rows(study, researcher_person, 8)
    assert _queries(reader_client, url) == few


def test_add_a_measure_with_its_rules(member_client: Client, study: Any) -> None:
    url = reverse("implementation:measure_add", args=[study.slug])
    form = member_client.get(url).content.decode()
    assert "The Anhøj rules (NHS England’s Making Data Count)" in form
    data = {"name": "Days to assessment", "direction": "down", "rules": "anhoj", "target": "x"}
    response = member_client.post(url, data)
    assert "Enter the target as a number" in response.content.decode()
    response = member_client.post(url, {**data, "target": ""})
    assert response.status_code == 302
    measure = Measure.objects.get(name="Days to assessment")
    assert (measure.rules, measure.direction, measure.target) == ("anhoj", "down", None)
    for day in range(1, 6):
        DataPoint.objects.create(measure=measure, date=D(2012, 1, day), value=day)
    page = member_client.get(measure.get_absolute_url()).content.decode()
    assert "The Anhøj rules (Anhøj and Olesen 2014)" in page
    assert "A control chart needs at least 12 points to set its limits from" in page
    assert "this measure has 5." in page


def test_mark_astronomical_points_on_the_measure(member_client: Client, measure: Any) -> None:
    url = reverse("implementation:measure_edit", args=[measure.public_id])
    points = list(measure.points.order_by("date"))
    form = member_client.get(url).content.decode()
    assert "Astronomical data points" in form
    assert "01 Dec 2010: 12" in form
    data = {"name": measure.name, "direction": "up", "rules": "ihi"}
    response = member_client.post(url, {**data, "astronomical_points": [points[11].pk]})
    assert response.status_code == 302
    assert [p.astronomical for p in measure.points.order_by("date")] == [False] * 11 + [True]
    entry = AuditEntry.objects.get(action="implementation.datapoint.updated")
    assert entry.object_id == str(points[11].pk)
    page = member_client.get(measure.get_absolute_url()).content.decode()
    assert "Astronomical data point: point 12" in page
    # Untick it again.
    assert member_client.post(url, data).status_code == 302
    assert not measure.points.filter(astronomical=True).exists()
