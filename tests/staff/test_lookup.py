"""Type-ahead fields (coproduce/staff/lookup.py): what typed text resolves to without
JavaScript, how the field draws its candidates, and the JSON endpoint that offers
suggestions."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce.community.models import CommunityOfPractice
from coproduce.staff.lookup import SHOWN, LookupField
from tests.community import helpers

pytestmark = pytest.mark.django_db
SUGGEST = reverse("staff:lookup_communities")


class PickForm(forms.Form):
    cop = LookupField("communities", label="Community", required=False)


class RequiredForm(forms.Form):
    cop = LookupField("communities", label="Community")


@pytest.fixture
def cops(db: Any) -> dict[str, CommunityOfPractice]:
    return {
        slug: helpers.community(slug, title)
        for slug, title in [
            ("return-to-work", "Return to work"),
            ("home-visits", "Home visits"),
            ("home-oxygen", "Home oxygen"),
            ("stroke-care", "Stroke care at home"),
        ]
    }


def test_a_key_as_links_carry_it_is_used(cops: Any) -> None:
    form = PickForm({"cop": "home-visits"})
    assert form.is_valid()
    assert form.cleaned_data["cop"] == cops["home-visits"]
    # The box shows the community's name, not the slug.
    assert 'value="Home visits community of practice"' in str(form["cop"])
    assert form.fields["cop"].prepare_value(form.cleaned_data["cop"]) == "home-visits"


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("return", "return-to-work"),
        ("  RETURN   to ", "return-to-work"),
        ("oxygen", "home-oxygen"),
        ("home visits community of practice", "home-visits"),
    ],
)
def test_one_match_is_used(cops: Any, typed: str, slug: str) -> None:
    form = PickForm({"cop": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["cop"] == cops[slug]


def test_several_matches_are_listed_to_choose_from(cops: Any) -> None:
    form = PickForm({"cop": "home"})
    assert not form.is_valid()
    assert form.errors["cop"] == ["3 communities match ‘home’. Choose one of these."]
    html = str(form["cop"])
    # The text stays; the candidates are radios named cop-pick, names starting "home" first.
    assert 'value="home"' in html
    picks = [line for line in html.splitlines() if 'name="cop-pick"' in line]
    assert [p.split('value="')[1].split('"')[0] for p in picks] == [
        "home-oxygen",
        "home-visits",
        "stroke-care",
    ]
    assert "<legend" in html
    assert "Communities that match ‘home’" in html


def test_a_chosen_candidate_wins_over_the_ambiguous_text(cops: Any) -> None:
    form = PickForm({"cop": "home", "cop-pick": "stroke-care"})
    assert form.is_valid()
    assert form.cleaned_data["cop"] == cops["stroke-care"]


def test_no_match_is_an_error_and_the_text_is_kept(cops: Any) -> None:
    form = PickForm({"cop": "zebra"})
    assert not form.is_valid()
    assert form.errors["cop"] == [
        "No community has a name containing ‘zebra’. Check the spelling, or type a shorter "
        "part of the name."
    ]
    assert 'value="zebra"' in str(form["cop"])


def test_empty_is_none_or_required(cops: Any) -> None:
    optional = PickForm({"cop": "  "})
    assert optional.is_valid()
    assert optional.cleaned_data["cop"] is None
    required = RequiredForm({"cop": ""})
    assert not required.is_valid()
    assert required.errors["cop"] == ["This field is required."]


def test_many_matches_list_the_first_few_and_say_there_are_more(db: Any) -> None:
    for number in range(SHOWN + 3):
        helpers.community(f"clinic-{number:02}", f"Clinic {number:02}")
    form = PickForm({"cop": "clinic"})
    assert not form.is_valid()
    assert form.errors["cop"] == [
        f"More than {SHOWN} communities match ‘clinic’. Choose one of these, or type more of "
        "the name."
    ]
    assert str(form["cop"]).count('name="cop-pick"') == SHOWN


def test_two_of_one_name_are_told_apart_by_their_key(db: Any) -> None:
    first = helpers.community("twin-a", "Twin")
    second = helpers.community("twin-b", "Twin")
    CommunityOfPractice.objects.filter(pk__in=[first.pk, second.pk]).update(name="Twin")
    form = PickForm({"cop": "twin"})
    assert not form.is_valid()
    html = str(form["cop"])
    assert "Twin (twin-a)" in html
    assert "Twin (twin-b)" in html


def test_resolving_takes_a_fixed_number_of_queries(cops: Any) -> None:
    for number in range(30):
        helpers.community(f"home-{number:02}", f"Home {number:02}")
    # A key or a whole name: one query; part of a name: a second.
    for typed, expected in [
        ("home-visits", 1),
        ("Home visits community of practice", 1),
        ("home", 2),
        ("oxygen", 2),
    ]:
        with CaptureQueriesContext(connection) as queries:
            PickForm({"cop": typed}).is_valid()
        assert len(queries) == expected, typed


# --- the JSON endpoint ------------------------------------------------------------------------


def test_suggestions_start_with_names_that_start_with_the_text(
    reader_client: Client, cops: Any
) -> None:
    response = reader_client.get(SUGGEST, {"q": "home"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "results": [
            {"key": "home-oxygen", "label": "Home oxygen community of practice"},
            {"key": "home-visits", "label": "Home visits community of practice"},
            {"key": "stroke-care", "label": "Stroke care at home community of practice"},
        ]
    }


def test_suggestions_need_two_letters_and_stop_at_ten(reader_client: Client, db: Any) -> None:
    for number in range(SHOWN + 5):
        helpers.community(f"clinic-{number:02}", f"Clinic {number:02}")
    assert reader_client.get(SUGGEST, {"q": "c"}).json() == {"results": []}
    assert len(reader_client.get(SUGGEST, {"q": "clinic"}).json()["results"]) == SHOWN


def test_suggestions_are_for_staff(client: Client, plain_client: Client, cops: Any) -> None:
    assert client.get(SUGGEST, {"q": "home"}).status_code == 302
    assert plain_client.get(SUGGEST, {"q": "home"}).status_code == 403
