"""One slug helper: letters are transliterated, never dropped, and markup is stripped."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from coproduce.lib.slugs import make_slug
from coproduce.registry.models import Organisation
from tests import factories


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Łódź Stroke Network", "lodz-stroke-network"),
        ("Ærøskøbing øre", "aeroskobing-ore"),
        ("Straße zur Genesung", "strasse-zur-genesung"),
        ("Café Crème", "cafe-creme"),
        ("<b>Title</b>", "title"),
        ('<a href="https://example.org">Return to <em>work</em></a>', "return-to-work"),
        ("Fish &amp; chips", "fish-chips"),
        ("  -- Leading and trailing --  ", "leading-and-trailing"),
        ("!!!", ""),
    ],
)
def test_make_slug(text: str, slug: str) -> None:
    assert make_slug(text) == slug


def test_a_cut_slug_never_ends_in_a_hyphen() -> None:
    assert make_slug("Łódź stroke", max_length=5) == "lodz"


def test_the_staff_form_makes_the_slug_with_the_helper(manager_client: Client, db: Any) -> None:
    area = factories.AreaFactory(name="Lincolnshire", slug="lincolnshire")
    response = manager_client.post(
        "/staff/organisations/new/",
        {
            "name": "<b>Łódź</b> Straße Carers",
            "slug": "",
            "kind": Organisation.Kind.CHARITY,
            "area": area.pk,
            "partner_since": "2009-04-01",
            "website": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.objects.get().slug == "lodz-strasse-carers"
