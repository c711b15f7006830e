"""The public pages: themes, studies, a study, who is who. Anyone can read them."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduce.implementation.models import Output
from coproduce.registry import whoiswho
from coproduce.registry.models import Organisation, Study, Theme
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY - dt.timedelta(days=365)
LAST_MONTH = TODAY - dt.timedelta(days=30)
NEXT_MONTH = TODAY + dt.timedelta(days=30)


def _html(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def _text(html: str) -> str:
    """The page's words without markup, so that assertions read like what a person sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _one_h1(html: str) -> None:
    assert html.count("<h1") == 1


def _section(html: str, start: str, end: str | None = None) -> str:
    after = html.split(start, 1)[1]
    return after.split(end, 1)[0] if end else after


# Themes


def test_themes_page_lists_research_and_cross_cutting_themes_apart(client: Client) -> None:
    mental = factories.ThemeFactory(name="Mental Health", slug="mental-health", position=1)
    factories.StudyFactory.create_batch(2, theme=mental)
    factories.ThemeFactory(name="Stroke Rehabilitation", slug="stroke", position=2)
    factories.ThemeFactory(name="Implementation", kind=Theme.Kind.CROSS_CUTTING, position=5)

    html = _html(client, reverse("registry:themes"))

    _one_h1(html)
    research = _text(_section(html, "<h2>Research themes</h2>", "<h2>Cross-cutting themes</h2>"))
    cross = _text(_section(html, "<h2>Cross-cutting themes</h2>"))
    assert "Mental Health" in research
    assert "2 studies" in research
    assert "Stroke Rehabilitation" in research
    assert "No studies yet" in research
    assert "Implementation" not in research
    assert "Implementation" in cross
    assert 'href="/themes/mental-health/"' in html


def test_themes_are_in_the_collaboration_s_order_not_alphabetical(client: Client) -> None:
    factories.ThemeFactory(name="Zeta theme", position=1)
    factories.ThemeFactory(name="Alpha theme", position=2)
    factories.ThemeFactory(name="Engagement", kind=Theme.Kind.CROSS_CUTTING)

    html = _html(client, "/themes/")

    assert html.index("Zeta theme") < html.index("Alpha theme")
    assert "Works with every study" in _text(_section(html, "<h2>Cross-cutting themes</h2>"))


def test_theme_page_shows_the_theme_and_its_studies(client: Client) -> None:
    theme = factories.ThemeFactory(
        name="Stroke Rehabilitation", slug="stroke", summary="Life after stroke."
    )
    factories.StudyFactory(theme=theme, title="Home visits after stroke", slug="home-visits")
    factories.StudyFactory(title="A study in another theme")

    html = _html(client, reverse("registry:theme", args=["stroke"]))

    _one_h1(html)
    text = _text(html)
    assert "Stroke Rehabilitation" in text
    assert "Research theme" in text
    assert "Life after stroke." in text
    assert "Home visits after stroke" in text
    assert 'href="/studies/home-visits/"' in html
    assert "A study in another theme" not in text


def test_theme_with_no_studies_says_so(client: Client) -> None:
    factories.ThemeFactory(slug="empty")
    assert "There are no studies in this theme yet." in _html(client, "/themes/empty/")


def test_unknown_theme_is_not_found(client: Client) -> None:
    _html(client, "/themes/no-such-theme/", status=404)


# Studies


def test_studies_list_shows_title_acronym_theme_design_and_stage(client: Client) -> None:
    theme = factories.ThemeFactory(name="Children and Young People")
    factories.StudyFactory(
        theme=theme,
        title="Group parenting programme for children with ADHD",
        acronym="PATCHWORK",
        design=Study.Design.TRIAL,
        stage=Study.Stage.ANALYSIS,
    )

    html = _html(client, reverse("registry:studies"))

    _one_h1(html)
    text = _text(html)
    assert "Group parenting programme for children with ADHD" in text
    assert "PATCHWORK" in text
    assert "Children and Young People" in text
    assert "Randomised controlled trial" in text
    assert "Analysis" in text
    assert "<caption" in html
    assert '<label class="nhsuk-label" for="id_theme">' in html


def test_studies_filter_by_theme(client: Client) -> None:
    stroke = factories.ThemeFactory(name="Stroke Rehabilitation", slug="stroke")
    factories.StudyFactory(theme=stroke, title="Return to work after stroke")
    factories.StudyFactory(title="Exploring preconception care")

    html = _html(client, reverse("registry:studies") + "?theme=stroke")

    text = _text(html)
    assert "Return to work after stroke" in text
    assert "Exploring preconception care" not in text
    assert "1 study in Stroke Rehabilitation" in text
    assert '<option value="stroke" selected>' in html


def test_studies_filter_with_an_unknown_theme_shows_an_error(client: Client) -> None:
    factories.StudyFactory(title="Exploring preconception care")

    html = _html(client, reverse("registry:studies") + "?theme=not-a-theme")

    assert "There is a problem" in html
    assert 'href="#id_theme"' in html
    assert 'class="nhsuk-error-message" id="id_theme-error"' in html
    assert "Choose a theme from the list" in html
    assert "<title>Error: " in html
    assert "Exploring preconception care" in _text(html)


def test_studies_are_paginated_25_to_a_page_keeping_the_filter(client: Client) -> None:
    theme = factories.ThemeFactory(slug="busy")
    for n in range(30):
        factories.StudyFactory(theme=theme, title=f"Study {n:02d}")

    first = _html(client, "/studies/?theme=busy")
    second = _html(client, "/studies/?theme=busy&page=2")

    assert "Study 24" in first
    assert "Study 25" not in first
    assert "Study 25" in second
    assert "Page 2 of 2" in _text(first)
    assert 'href="?theme=busy&amp;page=2"' in first


def test_a_page_number_past_the_end_shows_the_last_page(client: Client) -> None:
    factories.StudyFactory(title="The only study")
    assert "The only study" in _html(client, "/studies/?page=99")


def test_public_pages_refuse_post(client: Client) -> None:
    assert client.post(reverse("registry:studies")).status_code == 405


# A study


def test_study_page_shows_everything_about_the_study(client: Client) -> None:
    theme = factories.ThemeFactory(name="Stroke Rehabilitation", slug="stroke")
    study = factories.StudyFactory(
        slug="return-to-work",
        title="Return to work after stroke",
        acronym="RTW",
        theme=theme,
        design=Study.Design.FEASIBILITY_RCT,
        stage=Study.Stage.RECRUITING,
        summary="Helping people back to work after a stroke.",
        df_posts=3,
    )
    trust = factories.OrganisationFactory(name="Riverside NHS Trust")
    council = factories.OrganisationFactory(
        name="Shire County Council", kind=Organisation.Kind.LOCAL_AUTHORITY
    )
    study.partners.add(trust, council)
    current = factories.PersonFactory(full_name="Asha Current", email="asha@example.org")
    factories.SecondmentFactory(
        study=study, person=current, home_organisation=trust, start=LAST_YEAR
    )
    ended = factories.PersonFactory(full_name="Ben Ended")
    factories.SecondmentFactory(study=study, person=ended, start=LAST_YEAR, end=LAST_MONTH)
    future = factories.PersonFactory(full_name="Cai Future")
    factories.SecondmentFactory(study=study, person=future, start=NEXT_MONTH)
    resident = factories.PersonFactory(full_name="Dee Resident")
    factories.PlacementFactory(
        study=study,
        person=resident,
        host_organisation=trust,
        academic_affiliation=factories.OrganisationFactory(name="University of the Shires"),
    )

    html = _html(client, "/studies/return-to-work/")

    _one_h1(html)
    text = _text(html)
    for expected in (
        "Return to work after stroke",
        "RTW",
        "Stroke Rehabilitation",
        "Feasibility randomised controlled trial",
        "Recruiting",
        "Helping people back to work after a stroke.",
        "1 of 3",
        "2 vacant",
        "Riverside NHS Trust",
        "Shire County Council",
        "Local authority",
        "Dee Resident",
        "University of the Shires",
    ):
        assert expected in text, expected
    fellows = _section(html, "<h2>Diffusion fellows</h2>", "<h2>Researchers in residence</h2>")
    assert f'href="/who-is-who/people/{current.public_id}/?role=diffusion-fellows"' in fellows
    assert "Asha Current" in fellows
    assert "Ben Ended" not in text
    assert "Cai Future" not in text
    assert f'href="/who-is-who/people/{resident.public_id}/?role=researchers-in-residence"' in html
    assert "asha@example.org" not in html


def test_study_with_nobody_in_post_says_so(client: Client) -> None:
    factories.StudyFactory(slug="quiet")
    text = _text(_html(client, "/studies/quiet/"))
    assert "No diffusion fellow is in post at the moment." in text
    assert "No researcher in residence is working on this study at the moment." in text


def test_an_ended_study_lists_who_worked_on_it_with_their_dates(client: Client) -> None:
    study = factories.StudyFactory(
        slug="ended", df_posts=2, start=dt.date(2009, 4, 1), end=dt.date(2013, 12, 31)
    )
    factories.SecondmentFactory(
        study=study,
        person=factories.PersonFactory(full_name="Ada Fellow"),
        start=dt.date(2009, 4, 1),
        end=dt.date(2013, 12, 31),
    )
    factories.PlacementFactory(
        study=study,
        person=factories.PersonFactory(full_name="Bea Resident"),
        start=dt.date(2010, 1, 4),
        end=dt.date(2012, 3, 30),
    )
    text = _text(_html(client, "/studies/ended/"))
    assert "Ada Fellow" in text
    assert "from April 2009 to December 2013" in text
    assert "Bea Resident" in text
    assert "from January 2010 to March 2012" in text
    assert "Diffusion fellow posts 2, ended with the study" in text
    assert "vacant" not in text
    factories.StudyFactory(slug="ended-alone", start=dt.date(2009, 4, 1), end=dt.date(2010, 1, 1))
    text = _text(_html(client, "/studies/ended-alone/"))
    assert "No diffusion fellow was seconded to this study." in text
    assert "No researcher in residence worked on this study." in text


def test_unknown_study_is_not_found(client: Client) -> None:
    _html(client, "/studies/no-such-study/", status=404)


# Who is who: a page that counts four lists, and the lists, paged by person

FELLOWS = "/who-is-who/diffusion-fellows/"
FORMER_FELLOWS = "/who-is-who/diffusion-fellows/former/"
RESIDENTS = "/who-is-who/researchers-in-residence/"
FORMER_RESIDENTS = "/who-is-who/researchers-in-residence/former/"


def test_who_is_who_counts_each_list_and_links_it(client: Client) -> None:
    study = factories.StudyFactory()
    for name in ("Asha Current", "Ali Current"):
        factories.SecondmentFactory(person=factories.PersonFactory(full_name=name), study=study)
    former = factories.PersonFactory(full_name="Ben Former")
    factories.SecondmentFactory(person=former, study=study, start=LAST_YEAR, end=LAST_MONTH)
    # In post again: counted once, in post, not as a former fellow as well.
    again = factories.PersonFactory(full_name="Bo Again")
    factories.SecondmentFactory(person=again, start=LAST_YEAR, end=LAST_MONTH)
    factories.SecondmentFactory(person=again)
    factories.SecondmentFactory(start=NEXT_MONTH)  # not announced before they begin
    factories.PlacementFactory(start=LAST_YEAR, end=LAST_MONTH)

    html = _html(client, reverse("registry:who_is_who"))

    _one_h1(html)
    fellows = _text(_section(html, 'id="diffusion-fellows"', 'id="researchers-in-residence"'))
    residents = _text(_section(html, 'id="researchers-in-residence"'))
    assert "Diffusion fellows in post (3 people)" in fellows
    assert "Former diffusion fellows (1 person)" in fellows
    assert "No researcher in residence is in post at the moment." in residents
    assert "Former researchers in residence (1 person)" in residents
    for url in (FELLOWS, FORMER_FELLOWS, FORMER_RESIDENTS):
        assert f'href="{url}"' in html
    assert f'href="{RESIDENTS}"' not in html
    assert "Asha Current" not in html  # the lists have the names, this page the numbers


def test_who_is_who_when_nobody_is_in_post(client: Client) -> None:
    text = _text(_html(client, "/who-is-who/"))
    assert "No diffusion fellow is in post at the moment." in text
    assert "No researcher in residence is in post at the moment." in text
    assert "Former" not in text
    for group in whoiswho.GROUPS:
        assert group.empty in _text(_html(client, reverse(group.url_name)))


def test_the_lists_of_diffusion_fellows_in_post_and_former(client: Client) -> None:
    study = factories.StudyFactory(title="Home visits after stroke", slug="home-visits")
    home = factories.OrganisationFactory(name="Lakeside Community Health")
    current = factories.PersonFactory(full_name="Asha Current", email="asha@example.org")
    factories.SecondmentFactory(
        person=current, study=study, home_organisation=home, start=dt.date(2024, 3, 1)
    )
    former = factories.PersonFactory(full_name="Ben Former", email="ben@example.org")
    factories.SecondmentFactory(
        person=former, study=study, start=dt.date(2022, 1, 1), end=dt.date(2023, 6, 30)
    )
    future = factories.PersonFactory(full_name="Cai Future")
    factories.SecondmentFactory(person=future, study=study, start=NEXT_MONTH)

    in_post = _html(client, reverse("registry:who_is_who_fellows"))
    gone = _html(client, reverse("registry:who_is_who_former_fellows"))

    _one_h1(in_post)
    assert "<h1>Diffusion fellows in post</h1>" in in_post
    assert "Asha Current" in in_post
    assert "Lakeside Community Health" in in_post
    assert 'href="/studies/home-visits/"' in in_post
    assert "March 2024" in _text(in_post)
    assert f'id="person-{current.public_id}"' in in_post
    assert "Ben Former" not in in_post
    assert "<h1>Former diffusion fellows</h1>" in gone
    assert "Ben Former" in gone
    assert "January 2022 to June 2023" in _text(gone)
    assert f'id="person-{former.public_id}"' in gone
    assert "Asha Current" not in gone
    for html in (in_post, gone):
        assert "Cai Future" not in html
        assert "@example.org" not in html
        assert 'href="/who-is-who/"' in html  # the breadcrumb


def test_a_fellow_who_moved_study_is_listed_with_the_current_one(client: Client) -> None:
    person = factories.PersonFactory(full_name="Asha Mover")
    factories.SecondmentFactory(
        person=person,
        study=factories.StudyFactory(title="Old study"),
        start=LAST_YEAR,
        end=LAST_MONTH,
    )
    factories.SecondmentFactory(person=person, study=factories.StudyFactory(title="New study"))

    html = _html(client, FELLOWS)

    assert "New study" in html
    assert "Old study" not in html
    assert html.count(f'id="person-{person.public_id}"') == 1
    assert "Asha Mover" not in _html(client, FORMER_FELLOWS)


def test_the_lists_of_researchers_in_residence(client: Client) -> None:
    person = factories.PersonFactory(full_name="Dee Resident", email="dee@example.org")
    factories.PlacementFactory(
        person=person,
        host_organisation=factories.OrganisationFactory(name="Riverside NHS Trust"),
        academic_affiliation=factories.OrganisationFactory(name="University of the Shires"),
        study=factories.StudyFactory(title="Return to work after stroke"),
    )
    earlier = factories.PersonFactory(full_name="Eve Earlier")
    factories.PlacementFactory(person=earlier, start=LAST_YEAR, end=LAST_MONTH, study=None)

    in_post = _html(client, RESIDENTS)
    gone = _text(_html(client, FORMER_RESIDENTS))

    for expected in (
        "Dee Resident",
        "Riverside NHS Trust",
        "University of the Shires",
        "Return to work after stroke",
    ):
        assert expected in in_post
    assert f'id="person-{person.public_id}"' in in_post
    assert "Eve Earlier" not in in_post
    assert "dee@example.org" not in in_post
    assert "Eve Earlier" in gone
    assert "Not linked to a study" in gone


def test_a_person_in_two_roles_is_on_both_lists(client: Client) -> None:
    person = factories.PersonFactory(full_name="Two Hats")
    factories.SecondmentFactory(person=person)
    factories.PlacementFactory(person=person)

    for url in (FELLOWS, RESIDENTS):
        html = _html(client, url)
        assert html.count("Two Hats") == 1
        assert html.count(f'id="person-{person.public_id}"') == 1


def _people(n: int, **dates: Any) -> list[Any]:
    """n diffusion fellows named in order ("Person 01", "Person 02", ...)."""
    people = [factories.PersonFactory(full_name=f"Person {i:02d}") for i in range(1, n + 1)]
    for person in people:
        factories.SecondmentFactory(person=person, **dates)
    return people


def test_a_list_is_paged_by_person_in_name_order(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whoiswho, "PAGE_SIZE", 2)
    people = _people(5)
    # A second running secondment gives one person two rows: still one person on a page.
    factories.SecondmentFactory(person=people[1], study=factories.StudyFactory(title="Second"))

    first = _html(client, FELLOWS)
    second = _html(client, FELLOWS + "?page=2")
    last = _html(client, FELLOWS + "?page=3")

    assert "5 people, in order of name: 1 to 2 on this page." in _text(first)
    assert re.findall(r"Person \d\d", first) == ["Person 01", "Person 02", "Person 02"]
    assert "Second" in first
    assert re.findall(r"Person \d\d", second) == ["Person 03", "Person 04"]
    assert re.findall(r"Person \d\d", last) == ["Person 05"]
    # The NHS.UK pagination: next and previous, with the page numbers.
    assert 'href="?page=2"' in first
    assert "Page 2 of 3" in _text(first)
    assert 'rel="prev"' not in first
    assert 'href="?page=1"' in second
    assert 'href="?page=3"' in second
    assert 'rel="next"' not in last
    assert "(page 2)" in second.split("</title>")[0]
    # A page past the end shows the last; a word shows the first.
    assert re.findall(r"Person \d\d", _html(client, FELLOWS + "?page=9")) == ["Person 05"]
    assert "Person 01" in _html(client, FELLOWS + "?page=last")


def test_a_link_to_a_person_goes_to_their_page_of_the_list(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whoiswho, "PAGE_SIZE", 2)
    people = _people(5)
    # Two people of one name are ordered by when they were added.
    twin = factories.PersonFactory(full_name="Person 03")
    factories.SecondmentFactory(person=twin)

    def target(person: Any, query: str = "") -> str:
        response = client.get(f"/who-is-who/people/{person.public_id}/{query}")
        assert response.status_code == 302
        return str(response["Location"])

    assert target(people[0]) == f"{FELLOWS}#person-{people[0].public_id}"
    assert target(people[2]) == f"{FELLOWS}?page=2#person-{people[2].public_id}"
    assert target(twin) == f"{FELLOWS}?page=2#person-{twin.public_id}"
    assert target(people[4]) == f"{FELLOWS}?page=3#person-{people[4].public_id}"
    page = _html(client, FELLOWS + "?page=2")
    assert f'id="person-{people[2].public_id}"' in page
    assert f'id="person-{twin.public_id}"' in page


def test_a_link_to_a_person_prefers_the_role_it_names(client: Client) -> None:
    both = factories.PersonFactory(full_name="Two Hats")
    factories.SecondmentFactory(person=both, start=LAST_YEAR, end=LAST_MONTH)
    factories.PlacementFactory(person=both)
    anchor = f"#person-{both.public_id}"
    url = f"/who-is-who/people/{both.public_id}/"

    # As the single page anchored them: in post before former, fellows before residents.
    assert client.get(url)["Location"] == RESIDENTS + anchor
    assert client.get(url + "?role=diffusion-fellows")["Location"] == FORMER_FELLOWS + anchor
    assert client.get(url + "?role=researchers-in-residence")["Location"] == RESIDENTS + anchor
    assert client.get(url + "?role=nonsense")["Location"] == RESIDENTS + anchor


def test_a_link_to_someone_on_no_list(client: Client) -> None:
    future = factories.PersonFactory()
    factories.SecondmentFactory(person=future, start=NEXT_MONTH)
    response = client.get(f"/who-is-who/people/{future.public_id}/")
    assert response.status_code == 302
    assert response["Location"] == "/who-is-who/"
    assert client.get(f"/who-is-who/people/{uuid.uuid4()}/").status_code == 404


def test_links_made_before_the_lists_were_paged_are_sent_on(client: Client) -> None:
    """`/who-is-who/#person-<id>` (the fragment never reaches the server): the page loads a
    script that sends the browser to the person's link; the browser test follows one."""
    html = _html(client, "/who-is-who/")
    assert '<script type="module" src="/static/js/whoiswho.mjs"></script>' in html
    assert "people/" in (settings.BASE_DIR / "static" / "js" / "whoiswho.mjs").read_text()


# Query counts: a page costs the same number of queries for 2 rows as for 20.


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _assert_flat(
    client: Client,
    url: str,
    add_rows: Callable[[int], Any],
    django_assert_num_queries: Any,
    ceiling: int,
) -> None:
    add_rows(2)
    client.get(url)  # anything cached per process is cached from here on
    with_two = _queries(client, url)
    assert with_two <= ceiling
    add_rows(18)
    with django_assert_num_queries(with_two):
        response = client.get(url)
    assert response.status_code == 200


def test_themes_query_count_is_flat(client: Client, django_assert_num_queries: Any) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            theme = factories.ThemeFactory()
            factories.StudyFactory(theme=theme)

    _assert_flat(client, "/themes/", add, django_assert_num_queries, ceiling=2)


def test_theme_query_count_is_flat(client: Client, django_assert_num_queries: Any) -> None:
    theme = factories.ThemeFactory(slug="flat")

    def add(n: int) -> None:
        for study in factories.StudyFactory.create_batch(n, theme=theme):
            factories.SecondmentFactory(study=study)

    _assert_flat(client, "/themes/flat/", add, django_assert_num_queries, ceiling=4)


def test_studies_query_count_is_flat(client: Client, django_assert_num_queries: Any) -> None:
    def add(n: int) -> None:
        factories.StudyFactory.create_batch(n)

    _assert_flat(client, "/studies/", add, django_assert_num_queries, ceiling=4)
    theme = Theme.objects.first()
    assert theme is not None
    _assert_flat(client, f"/studies/?theme={theme.slug}", add, django_assert_num_queries, ceiling=5)


def test_study_query_count_is_flat(client: Client, django_assert_num_queries: Any) -> None:
    study = factories.StudyFactory(slug="flat", df_posts=10)

    def add(n: int) -> None:
        for _ in range(n):
            study.partners.add(factories.OrganisationFactory())
            factories.SecondmentFactory(study=study)
            factories.PlacementFactory(study=study)
            output = Output.objects.create(
                kind="publications", title="Paper", date=dt.date(2020, 1, 1), public=True
            )
            output.studies.add(study)

    # One query more than the registry's own four: the published outputs section that the
    # implementation app adds (registry/study_sections.py).
    _assert_flat(client, "/studies/flat/", add, django_assert_num_queries, ceiling=5)


@pytest.mark.parametrize(
    "url", ["/who-is-who/", FELLOWS, FORMER_FELLOWS, RESIDENTS, FORMER_RESIDENTS]
)
def test_who_is_who_query_count_is_flat(
    client: Client, django_assert_num_queries: Any, url: str
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            factories.SecondmentFactory()
            factories.SecondmentFactory(start=LAST_YEAR, end=LAST_MONTH)
            factories.PlacementFactory(study=factories.StudyFactory())
            factories.PlacementFactory(start=LAST_YEAR, end=LAST_MONTH)

    # Two queries for a list: its count, and its page's rows (the page picked in the same
    # statement); two for the page that counts all four lists.
    _assert_flat(client, url, add, django_assert_num_queries, ceiling=2)


@pytest.mark.parametrize("rows", [2, 20])
def test_studies_page_stays_under_its_query_budget(
    client: Client, django_assert_max_num_queries: Any, rows: int
) -> None:
    factories.StudyFactory.create_batch(rows)
    with django_assert_max_num_queries(4):
        assert client.get("/studies/").status_code == 200
