"""The public registry endpoints: themes, studies, organisations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.registry.models import Organisation, Study, Theme
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def _get(client: Client, url: str, **extra: Any) -> Any:
    response = client.get(url, **extra)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response


# Themes


def test_themes_list_slug_name_kind_and_study_count(client: Client) -> None:
    mental = factories.ThemeFactory(slug="mental-health", name="Mental Health", position=1)
    factories.ThemeFactory(
        slug="implementation", name="Implementation", kind=Theme.Kind.CROSS_CUTTING, position=2
    )
    factories.StudyFactory.create_batch(2, theme=mental)
    factories.StudyFactory(theme=mental, stage=Study.Stage.COMPLETE)

    response = _get(client, "/api/themes")

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "items": [
            {
                "slug": "mental-health",
                "name": "Mental Health",
                "kind": "research",
                "study_count": 3,
            },
            {
                "slug": "implementation",
                "name": "Implementation",
                "kind": "cross_cutting",
                "study_count": 0,
            },
        ],
    }


# Studies


@pytest.fixture
def stroke_study() -> Any:
    theme = factories.ThemeFactory(slug="stroke", name="Stroke Rehabilitation")
    return factories.StudyFactory(
        slug="return-to-work",
        title="Return to work after stroke",
        acronym="RTW",
        theme=theme,
        design=Study.Design.FEASIBILITY_RCT,
        stage=Study.Stage.RECRUITING,
        summary="Helping people back to work.",
        df_posts=2,
    )


def test_df_counts_count_only_the_secondment_running_today(
    client: Client, stroke_study: Study
) -> None:
    factories.SecondmentFactory(study=stroke_study, start=TODAY - 400 * DAY)  # current
    factories.SecondmentFactory(
        study=stroke_study, start=TODAY - 900 * DAY, end=TODAY - DAY
    )  # ended yesterday
    factories.SecondmentFactory(study=stroke_study, start=TODAY + DAY)  # begins tomorrow

    item = _get(client, "/api/studies").json()["items"][0]

    assert item["df_posts_filled"] == 1
    assert item["df_posts_vacant"] == 1


def test_dfs_all_time_counts_ended_secondments_and_each_person_once(
    client: Client, stroke_study: Study
) -> None:
    returning = factories.PersonFactory()
    factories.SecondmentFactory(
        study=stroke_study, person=returning, start=TODAY - 900 * DAY, end=TODAY - 500 * DAY
    )
    factories.SecondmentFactory(study=stroke_study, person=returning, start=TODAY - 400 * DAY)
    factories.SecondmentFactory(study=stroke_study, start=TODAY - 900 * DAY, end=TODAY - DAY)

    item = _get(client, "/api/studies").json()["items"][0]

    assert (item["df_posts_filled"], item["df_posts_vacant"], item["dfs_all_time"]) == (1, 1, 2)


def test_studies_list_fields(client: Client, stroke_study: Study) -> None:
    factories.SecondmentFactory(study=stroke_study, start=TODAY - 10 * DAY)

    response = _get(client, "/api/studies")

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "slug": "return-to-work",
                "title": "Return to work after stroke",
                "acronym": "RTW",
                "theme": "stroke",
                "design": "feasibility_rct",
                "stage": "recruiting",
                "df_posts_filled": 1,
                "df_posts_vacant": 1,
                "dfs_all_time": 1,
            }
        ],
    }


def test_study_detail_adds_summary_partners_and_current_fellows(
    client: Client, stroke_study: Study
) -> None:
    partners: list[Any] = [
        factories.OrganisationFactory(slug="notts-healthcare"),
        factories.OrganisationFactory(slug="derby-university"),
    ]
    stroke_study.partners.add(*partners)
    factories.SecondmentFactory(
        study=stroke_study,
        person=factories.PersonFactory(full_name="Zoe Current"),
        start=TODAY - 10 * DAY,
    )
    factories.SecondmentFactory(
        study=stroke_study,
        person=factories.PersonFactory(full_name="Adam Current"),
        start=TODAY - 10 * DAY,
        end=TODAY,
    )
    factories.SecondmentFactory(
        study=stroke_study,
        person=factories.PersonFactory(full_name="Ended Fellow"),
        start=TODAY - 900 * DAY,
        end=TODAY - DAY,
    )
    factories.SecondmentFactory(
        study=stroke_study,
        person=factories.PersonFactory(full_name="Future Fellow"),
        start=TODAY + DAY,
    )

    response = _get(client, "/api/studies/return-to-work")

    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "return-to-work"
    assert body["theme"] == "stroke"
    assert body["summary"] == "Helping people back to work."
    assert body["partners"] == ["derby-university", "notts-healthcare"]
    assert body["diffusion_fellows"] == ["Adam Current", "Zoe Current"]
    assert (body["df_posts_filled"], body["df_posts_vacant"]) == (2, 0)


def test_study_detail_never_shows_personal_contact_details(
    client: Client, stroke_study: Study
) -> None:
    fellow = factories.PersonFactory(full_name="Dee Fellow", email="dee@nhs.example")
    factories.SecondmentFactory(study=stroke_study, person=fellow, start=TODAY - DAY)

    response = _get(client, "/api/studies/return-to-work")

    assert "dee@nhs.example" not in response.content.decode()


def test_unknown_study_is_a_404_with_a_reason(client: Client) -> None:
    response = _get(client, "/api/studies/no-such-study")

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no study with the slug 'no-such-study'."}


def test_studies_filter_by_theme(client: Client) -> None:
    stroke = factories.ThemeFactory(slug="stroke")
    factories.StudyFactory(slug="home-visits", theme=stroke)
    factories.StudyFactory(slug="elsewhere")

    body = _get(client, "/api/studies?theme=stroke").json()

    assert body["count"] == 1
    assert [item["slug"] for item in body["items"]] == ["home-visits"]


def test_an_unknown_theme_in_the_filter_is_a_400_with_a_reason(client: Client) -> None:
    factories.StudyFactory()

    response = _get(client, "/api/studies?theme=strok")

    assert response.status_code == 400
    assert response.json() == {"detail": "There is no theme with the slug 'strok'."}


def test_a_badly_formed_theme_is_a_422_with_reasons(client: Client) -> None:
    response = _get(client, "/api/studies?theme=not%20a%20slug")

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "theme"]
    assert "pattern" in error["msg"]


@pytest.mark.parametrize("url", ["/api/studies", "/api/themes", "/api/organisations"])
def test_an_unknown_filter_is_a_400_naming_it(client: Client, url: str) -> None:
    response = _get(client, f"{url}?them=stroke")

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "Unknown query parameter: them." in detail
    assert "limit" in detail


def test_a_query_string_on_a_detail_endpoint_is_a_400(client: Client, stroke_study: Study) -> None:
    response = _get(client, "/api/studies/return-to-work?expand=all")

    assert response.status_code == 400


def test_studies_are_paginated_with_limit_and_offset(client: Client) -> None:
    theme = factories.ThemeFactory()
    for n in range(5):
        factories.StudyFactory(theme=theme, slug=f"study-{n}", title=f"Study {n}")

    first = _get(client, "/api/studies?limit=2").json()
    last = _get(client, "/api/studies?limit=2&offset=4").json()

    assert first["count"] == 5
    assert [item["slug"] for item in first["items"]] == ["study-0", "study-1"]
    assert [item["slug"] for item in last["items"]] == ["study-4"]


def test_the_default_page_is_50(client: Client) -> None:
    theme: Any = factories.ThemeFactory()
    Study.objects.bulk_create(
        Study(slug=f"s-{n:02}", title=f"S {n:02}", theme=theme, design="trial") for n in range(51)
    )

    body = _get(client, "/api/studies").json()

    assert body["count"] == 51
    assert len(body["items"]) == 50


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "offset=-1", "limit=many"])
def test_bad_pagination_is_a_422_with_reasons(client: Client, query: str) -> None:
    response = _get(client, f"/api/studies?{query}")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


# Organisations


def test_organisations_list_fields(client: Client) -> None:
    factories.OrganisationFactory(
        slug="notts-healthcare",
        name="Nottinghamshire Healthcare",
        kind=Organisation.Kind.NHS_TRUST,
        area=factories.AreaFactory(name="Nottinghamshire", slug="notts"),
        partner_since=dt.date(2008, 10, 1),
    )
    factories.OrganisationFactory(
        slug="acme",
        name="Acme Devices",
        kind=Organisation.Kind.INDUSTRY,
        area=None,
        partner_since=None,
    )

    response = _get(client, "/api/organisations")

    assert response.status_code == 200
    assert response.json()["items"] == [
        {
            "slug": "acme",
            "name": "Acme Devices",
            "kind": "industry",
            "area": None,
            "partner_since": None,
        },
        {
            "slug": "notts-healthcare",
            "name": "Nottinghamshire Healthcare",
            "kind": "nhs_trust",
            "area": "Nottinghamshire",
            "partner_since": "2008-10-01",
        },
    ]


# Bounded queries: a list costs the same number of queries for 2 rows as for 20.


def _query_count(client: Client, url: str, **extra: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(queries)


def _studies(count: int) -> None:
    theme = factories.ThemeFactory()
    for _ in range(count):
        study: Any = factories.StudyFactory(theme=theme)
        factories.SecondmentFactory(study=study, start=TODAY - DAY)
        study.partners.add(factories.OrganisationFactory())


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/studies", _studies),
        ("/api/themes", lambda n: [factories.StudyFactory() for _ in range(n)]),
        ("/api/organisations", lambda n: factories.OrganisationFactory.create_batch(n)),
    ],
)
def test_list_query_count_does_not_grow_with_rows(client: Client, url: str, make: Any) -> None:
    make(2)
    few = _query_count(client, url)
    make(18)
    many = _query_count(client, url)

    assert few == many
    assert many <= 2
