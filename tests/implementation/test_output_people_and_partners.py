"""Issue 18: an output's links to people and partner organisations are shown on both ends: the
output's page (its form) names them, and the person's and the organisation's staff pages list
the output; the outputs register can be chosen by either."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce.implementation import outputs
from coproduce.implementation.models import Output
from tests import factories


def _output(study: Any, title: str, *, year: int = 2012, **links: Any) -> Output:
    output = Output.objects.create(kind="publications", title=title, date=dt.date(year, 1, 1))
    output.studies.set([study])
    for field, objects in links.items():
        getattr(output, field).set(objects)
    return output


def test_person_and_organisation_pages_list_their_outputs(
    study: Any, reader_client: Client
) -> None:
    person = factories.PersonFactory(full_name="Zofia Łukasiewicz")
    other = factories.PersonFactory(full_name="Someone Else")
    partner = factories.OrganisationFactory(name="Sheffield Teaching Hospitals")
    _output(study, "Falls pathway evaluation", people=[person], organisations=[partner])
    _output(study, "Not hers", people=[other])

    page = reader_client.get(reverse("staff:person_detail", args=[person.public_id]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "<h2>Outputs</h2>" in text
    assert "Falls pathway evaluation (Publications, 2012)" in text
    assert "Not hers" not in text

    page = reader_client.get(reverse("staff:organisation_detail", args=[partner.slug]))
    text = page.content.decode()
    assert "Falls pathway evaluation (Publications, 2012)" in text
    assert "Not hers" not in text

    # A person with no outputs: the section says so.
    text = reader_client.get(reverse("staff:person_detail", args=[other.public_id])).content
    assert b"Not hers" in text
    nobody = factories.PersonFactory()
    text = reader_client.get(reverse("staff:person_detail", args=[nobody.public_id])).content
    assert b"<h2>Outputs</h2>" in text


def test_the_register_chosen_by_person_or_organisation(study: Any, reader_client: Client) -> None:
    person = factories.PersonFactory(full_name="Amara Okafor")
    partner = factories.OrganisationFactory(name="Barnsley Council")
    _output(study, "Hers", people=[person])
    _output(study, "Theirs", organisations=[partner])
    url = reverse("implementation:outputs")

    text = reader_client.get(url, {"person": str(person.public_id)}).content.decode()
    assert "linked to Amara Okafor" in text
    assert "Hers" in text
    assert "Theirs" not in text

    text = reader_client.get(url, {"organisation": partner.slug}).content.decode()
    assert "with Barnsley Council" in text
    assert "Theirs" in text
    assert "Hers" not in text

    # Unknown or malformed values are ignored, never an error.
    for query in ({"person": "not-a-uuid"}, {"person": "0" * 32}, {"organisation": "nope"}):
        response = reader_client.get(url, query)
        assert response.status_code == 200
        assert "Hers" in response.content.decode()
        assert "Theirs" in response.content.decode()

    # The export follows the same choice.
    response = reader_client.get(
        reverse("implementation:output_export", args=["csv"]), {"person": str(person.public_id)}
    )
    csv = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert "Hers" in csv
    assert "Theirs" not in csv


def test_more_than_are_shown_links_to_the_chosen_register(study: Any) -> None:
    person = factories.PersonFactory()
    for n in range(outputs.SHOWN_ON_PAGES + 1):
        _output(study, f"Output {n:02d}", year=2000 + n, people=[person])
    section = outputs.person_outputs(person)
    assert len(section["items"]) == outputs.SHOWN_ON_PAGES
    assert section["more"]
    assert section["items"][0]["label"].startswith("Output 20 ")  # newest first
    assert section["list_url"].endswith(f"?person={person.public_id}")


def test_the_section_costs_one_query_whatever_the_number_of_outputs(study: Any) -> None:
    partner = factories.OrganisationFactory()
    counts = []
    for n in (1, 5):
        for i in range(n):
            _output(study, f"Output {n}-{i}", organisations=[partner])
        with CaptureQueriesContext(connection) as queries:
            outputs.organisation_outputs(partner)
        counts.append(len(queries))
    assert counts == [1, 1]
