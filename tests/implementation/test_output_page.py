"""Issue 18: an output has a read page at its old address (/staff/implementation/outputs/<id>/)
that shows its reference, type and identifiers and links to every record at the other end of
its links; the form moved to .../edit/. Any staff member reads it (as they read the register);
"Edit this output" is offered to its studies' teams and managers only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce.coproduction import models as cm
from coproduce.implementation.models import ImplementationRecord, Output
from coproduce.registry.models import Organisation, Person
from coproduce.staff.records import kind_for_model
from tests import factories


def _compromise(study: Any, summary: str) -> cm.Compromise:
    return cm.Compromise.objects.create(
        study=study,
        date=dt.date(2011, 3, 1),
        topic=cm.Compromise.Topic.DELIVERY,
        summary=summary,
        agreed="Use the one-page pro forma",
        direction=cm.Compromise.Direction.MUTUAL,
    )


def _linked_output(study: Any, n: int = 1, tag: str = "A") -> Output:
    """A publication linked to `n` of each: records, compromises, people, partners (and a
    second study)."""
    output = Output.objects.create(
        kind="publications",
        subtype="Journal article or review",
        title="Return to work after stroke: a pragmatic trial",
        date=dt.date(2012, 5, 1),
        authors="Okafor, Amara\nŁukasiewicz, Zofia",
        container="BMJ Open",
        doi="10.1136/bmjopen-2018-012345",
        pmid="30826712",
        link="https://example.org/paper",
    )
    other = factories.StudyFactory(title=f"Falls in care homes {tag}")
    output.studies.set([study, other])
    for i in range(n):
        record = ImplementationRecord.objects.create(
            study=study, title=f"Vocational service {i}", meaning="organisation"
        )
        output.records.add(record)
        output.compromises.add(_compromise(study, f"Use the pro forma {tag}{i}"))
        output.people.add(factories.PersonFactory(full_name=f"Person Number{tag}{i}"))
        output.organisations.add(factories.OrganisationFactory(name=f"Partner Trust {tag}{i}"))
    return output


def test_the_page_links_every_other_end(study: Any, reader_client: Client) -> None:
    output = _linked_output(study)
    url = reverse("implementation:output", args=[output.public_id])
    assert output.get_absolute_url() == url == f"/staff/implementation/outputs/{output.public_id}/"
    response = reader_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    # The reference, formatted, and its type and sub-type.
    assert "BMJ Open" in page
    assert "Okafor" in page
    assert "Publications" in page
    assert "Journal article or review" in page
    # Identifiers as links.
    assert 'href="https://doi.org/10.1136/bmjopen-2018-012345"' in page
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/30826712/"' in page
    assert 'href="https://example.org/paper"' in page
    # Every link's other end, each a link.
    for other_study in output.studies.all():
        assert f'href="{reverse("implementation:study", args=[other_study.slug])}"' in page
        assert other_study.title in page
    record = output.records.get()
    assert f'href="{record.get_absolute_url()}"' in page
    compromise = output.compromises.get()
    compromise_url = reverse("coproduction:compromise", args=[study.slug, compromise.public_id])
    assert f'href="{compromise_url}"' in page
    assert "Use the pro forma A0" in page
    person, organisation = output.people.get(), output.organisations.get()
    person_kind, organisation_kind = kind_for_model(Person), kind_for_model(Organisation)
    assert person_kind is not None
    assert organisation_kind is not None
    assert f'href="{person_kind.url("detail", person)}"' in page
    assert f'href="{organisation_kind.url("detail", organisation)}"' in page
    # And the other ends link back here.
    for other_end in (
        reverse("implementation:record", args=[record.public_id]),
        compromise_url,
        reverse("implementation:study", args=[study.slug]),
        person_kind.url("detail", person),
        organisation_kind.url("detail", organisation),
    ):
        assert f'href="{url}"' in reader_client.get(other_end).content.decode(), other_end


def test_a_link_that_is_not_a_web_address_is_not_a_link(study: Any, reader_client: Client) -> None:
    output = Output.objects.create(
        kind="other", title="Odd", date=dt.date(2012, 1, 1), link="javascript:alert(1)"
    )
    output.studies.set([study])
    page = reader_client.get(output.get_absolute_url()).content.decode()
    assert "javascript:alert(1)" in page
    assert 'href="javascript:' not in page


def test_who_reads_and_who_is_offered_edit(
    study: Any,
    manager_client: Client,
    member_client: Client,
    outsider_client: Client,
    reader_client: Client,
    client: Client,
) -> None:
    output = _linked_output(study)
    url = output.get_absolute_url()
    edit = reverse("implementation:output_edit", args=[output.public_id])
    assert edit == url + "edit/"
    for who, may_edit in (
        (manager_client, True),
        (member_client, True),
        (outsider_client, False),  # a researcher on another study reads, as in the register
        (reader_client, False),
    ):
        response = who.get(url)
        assert response.status_code == 200
        assert (f'href="{edit}"' in response.content.decode()) is may_edit
        assert ("Edit this output" in response.content.decode()) is may_edit
        assert who.get(edit).status_code == (200 if may_edit else 403)
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    lay = factories.UserFactory(username="lay")
    client.force_login(lay)
    assert client.get(url).status_code == 403
    assert reader_client.get(url.replace(str(output.public_id), "0" * 32)).status_code == 404


def test_saving_the_form_returns_to_the_page(study: Any, member_client: Client) -> None:
    output = _linked_output(study)
    edit = reverse("implementation:output_edit", args=[output.public_id])
    form = member_client.get(edit)
    assert f'href="{output.get_absolute_url()}"' in form.content.decode()  # Cancel


def test_the_page_costs_the_same_queries_however_many_links(
    study: Any, member_client: Client
) -> None:
    counts = []
    for n in (1, 4):
        output = _linked_output(study, n, tag=f"N{n}-")
        url = output.get_absolute_url()
        member_client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            response = member_client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count(f"Partner Trust N{n}-") == n
        counts.append(len(queries))
    assert counts[0] == counts[1]
