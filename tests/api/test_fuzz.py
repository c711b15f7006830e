"""Fuzz the JSON API from its own OpenAPI document (schemathesis), through the WSGI app.

Every operation in /api/openapi.json gets generated requests, valid and invalid, sent with a
staff token; each answer must be no server error, carry a status the document lists, and
match the documented response schema and content type. The database holds a little of
everything the API reads (themes, studies, organisations, people, communities, associates,
contacts) so that generated slugs and filters sometimes hit real rows.

Deterministic (`derandomize`) and small (`max_examples` per operation), so it runs in a few
seconds; `make test` runs it on SQLite and on PostgreSQL like every other test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from coproduce.apitokens.models import ApiToken
from coproduce.community.models import Associate, CommunityOfPractice, LeadershipPeriod
from coproduce.contacts.models import Contact
from coproduce.registry.access import MANAGER
from tests import factories
from tests.community import helpers

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 30


@pytest.fixture
def api_data(db: Any) -> dict[str, str]:
    """A small collaboration and a manager's token; returns the Authorization header."""
    area = factories.AreaFactory(slug="devon", name="Devon")
    trust = factories.OrganisationFactory(slug="rde", name="Royal Devon", area=area)
    factories.OrganisationFactory(slug="exeter-uni", name="University of Exeter", area=None)
    theme = factories.ThemeFactory(slug="mental-health", name="Mental health")
    study = factories.StudyFactory(slug="return-to-work", title="Return to work", theme=theme)
    study.partners.add(trust)
    factories.StudyFactory(slug="falls", title="Falls", theme=theme, df_posts=2)
    fellow = factories.PersonFactory(full_name="Dee Fellow", organisation=trust)
    factories.SecondmentFactory(person=fellow, study=study, home_organisation=trust)
    factories.PersonFactory(full_name="No Organisation", organisation=None)
    cop = CommunityOfPractice.objects.get(study=study)
    LeadershipPeriod(cop=cop, model="co_led", start=dt.date(2010, 4, 1), leads="Both").save()
    wide = CommunityOfPractice.objects.create(slug="mh-wide", name="Mental health", theme=theme)
    helpers.associate(consents={"engage": True}, cops=[cop, wide], interests=[theme])
    helpers.associate(status=Associate.Status.PENDING)
    erased = helpers.associate(cops=[wide])
    Associate.objects.filter(pk=erased.pk).update(full_name="", email=None, organisation="")
    _other_domains(study, trust)
    # Everyone above has a contact already (their roles attach one); one more with every field.
    Contact.objects.create(
        full_name="Sam Contact", email="sam@example.org", phone="01632 960 123", organisation="RDE"
    )
    manager = factories.UserFactory(username="fuzz-manager", groups=[MANAGER])
    # Read and write: every write operation's form and services meet generated bodies too.
    _, secret = ApiToken.objects.issue(manager, "Fuzzing", access="write")
    return {"Authorization": f"Bearer {secret}"}


def _other_domains(study: Any, trust: Any) -> None:
    """A little of events, implementation, co-production and priorities."""
    from django.utils import timezone

    from coproduce.coproduction.models import Compromise, Contributor, InvolvementActivity
    from coproduce.events.models import Event
    from coproduce.implementation.models import Determinant, ImplementationRecord, Measure
    from coproduce.priorities.models import Consultation, IndicativeQuestion

    starts = timezone.now() + dt.timedelta(days=10)
    Event.objects.create(
        slug="conference",
        kind="conference",
        title="Conference",
        starts=starts,
        ends=starts + dt.timedelta(hours=6),
        capacity=1,
    )
    record = ImplementationRecord.objects.create(
        study=study, site=trust, meaning="organisation", title="Ward 4"
    )
    Determinant.objects.create(
        study=study,
        record=record,
        kind="barrier",
        level="team",
        category="resources",
        description="No time",
        source="Notes",
        date=dt.date(2024, 3, 5),
    )
    measure = Measure.objects.create(study=study, name="Offered assessment", unit="%")
    measure.points.create(date=dt.date(2024, 1, 1), value=40)
    Compromise.objects.create(
        study=study,
        date=dt.date(2024, 2, 2),
        topic="delivery",
        summary="Shorter visits",
        agreed="Two visits",
        direction="practice",
    )
    contributor = Contributor.objects.create(full_name="Pat Carer")
    InvolvementActivity.objects.create(
        study=study,
        contributor=contributor,
        date=dt.date(2024, 2, 2),
        what="Read the leaflet",
        role="reviewer",
        hours=2,
        payment_declined=True,
    )
    consultation = Consultation.objects.create(
        slug="stroke-priorities",
        title="Stroke priorities",
        scope="Stroke",
        opens=dt.date(2024, 1, 1),
        closes=dt.date(2024, 3, 1),
    )
    IndicativeQuestion.objects.create(consultation=consultation, text="Does rehab at home work?")
    _outputs_funding_and_qualitative(study, trust, record)


def _outputs_funding_and_qualitative(study: Any, trust: Any, record: Any) -> None:
    """An output, a partner's contribution, a training session, and a qualitative project with
    a code, a text and a coding, so that generated ids and filters sometimes hit them."""
    from decimal import Decimal

    from coproduce.funding.models import Contribution, TrainingSession
    from coproduce.implementation.models import Output
    from coproduce.qualitative import codebooks
    from coproduce.qualitative.models import Coding, Project, ProjectSource

    output = Output.objects.create(kind="publications", title="A trial", date=dt.date(2024, 1, 1))
    output.studies.set([study])
    output.records.set([record])
    trust.partner_since = dt.date(2008, 10, 1)
    trust.save(update_fields=["partner_since"])
    Contribution.objects.create(
        organisation=trust, year=2024, kind="cash", amount=Decimal("100.00"), description="Room"
    )
    TrainingSession.objects.create(
        title="Brokering", kind="knowledge_brokering", date=dt.date(2024, 5, 1)
    )
    project = Project.objects.create(study=study, name="Interviews")
    code = codebooks.add_code(project, name="Delivery", by=None)
    source = ProjectSource.objects.create(
        project=project, kind="imported", format="text", title="Notes", text="Ward staff said."
    )
    Coding.objects.create(
        source=source, code=code, version=code.versions.get(), start=0, end=4, coder_name="Coder"
    )


@pytest.fixture(autouse=True)
def _keep_the_test_transaction() -> Iterator[None]:
    """The real WSGI handler closes the database connection around each request; inside a test
    that would close the test's own transaction, so (as Django's test client does) not here."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Loaded once, at collection: the OpenAPI view reads no database. Each operation becomes its own
# test, named by method and path.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: Any, api_data: dict[str, str]) -> None:
    case.call_and_validate(
        headers=api_data,
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
        additional_checks=[
            accepts_valid_data_unless_it_names_nothing,
            refuses_invalid_data_as_sent,
        ],
    )


def accepts_valid_data_unless_it_names_nothing(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's positive_data_acceptance, except for the API's deliberate refusals.

    A filter naming a theme or community that does not exist (`?theme=strok`) is well formed
    but answers 400 "There is no theme with the slug 'strok'." rather than an empty list, so a
    misspelling is never mistaken for "no results". A cursor is any string to the schema but
    opaque: one the API did not give out is a 400 saying so. Any other 4xx for well-formed
    data fails.
    """
    if response.status_code == 400 and response.json()["detail"].startswith(
        ("There is no ", "The cursor is not one this API gave out")
    ):
        return None
    # A write's body is checked by the staff page's own form after the schema (a real date,
    # a theme that exists, an event still open): 422 or 409 with the reason. A change needs
    # the record's ETag (428 without it, 412 when it is not the current one).
    if case.method.upper() != "GET" and response.status_code in {409, 412, 422, 428}:
        return None
    return positive_data_acceptance(ctx, response, case)


def refuses_invalid_data_as_sent(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's negative_data_rejection, judged on the request as it was sent.

    A negative case may make its query invalid with a parameter that is never serialised (an
    empty value dropped from the URL) and "drop" the Authorization header that this test sends
    on every request: what reaches the API is then a valid request, rightly answered 200. Such a
    case is skipped only when every query parameter really sent is one the operation documents
    and the token was sent; any other accepted invalid request still fails.
    """
    from urllib.parse import parse_qsl, urlsplit

    try:
        return negative_data_rejection(ctx, response, case)
    except Exception:
        sent = urlsplit(response.request.url).query
        documented = {
            parameter.name for parameter in case.operation.query
        }  # the operation's own query parameters
        names = {name for name, _ in parse_qsl(sent, keep_blank_values=True)}
        has_token = "authorization" in {k.lower() for k in response.request.headers}
        if 200 <= response.status_code < 300 and has_token and names <= documented:
            return None
        raise


# Personal data without a (valid) token: 401 with the documented body, never 500.


def _personal_paths(client: Client) -> list[str]:
    document = client.get("/api/openapi.json").json()
    paths = []
    for path, operations in document["paths"].items():
        if operations.get("get", {}).get("security"):
            paths.append(
                path.replace("{public_id}", "00000000-0000-4000-8000-000000000000").replace(
                    "{slug}", "x"
                )
            )
    return paths


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer cp_",
        "Bearer cp_short",
        "Bearer cp_AAAAAAAAnot-a-real-token-at-all",
        "Bearer not-ours",
        "Basic dXNlcjpwYXNz",
        "Bearer \u00e9\u00e9\u00e9",
        "Bearer " + "x" * 5000,
    ],
)
def test_personal_data_without_a_valid_token_is_401(
    client: Client, api_data: dict[str, str], authorization: str | None
) -> None:
    paths = _personal_paths(client)
    assert {"/api/people", "/api/associates"} <= set(paths)
    extra = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    for path in paths:
        response = client.get(path, **extra)
        assert response.status_code == 401, (path, authorization, response.content[:200])
        assert response.json()["detail"].startswith("A valid staff API token is required")
        assert response["WWW-Authenticate"] == 'Bearer realm="coproduce"'


def test_a_revoked_token_or_a_former_staff_member_gets_401(
    client: Client, api_data: dict[str, str]
) -> None:
    token = ApiToken.objects.get(name="Fuzzing")
    headers = {"HTTP_AUTHORIZATION": api_data["Authorization"]}
    assert client.get("/api/people", **headers).status_code == 200
    token.owner.groups.clear()
    assert client.get("/api/people", **headers).status_code == 401


# Regressions found by the fuzzer.


def test_every_operation_documents_its_422(client: Client) -> None:
    """Malformed parameters answer 422 with a list of problems: that answer is documented."""
    document = client.get("/api/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "422" in operation["responses"], (method, path)
            content = operation["responses"]["422"]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ValidationErrors"}
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "loc", "msg"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/themes?offset=null&offset=null",
        "/api/studies?limit=many",
        "/api/studies?theme=not%20a%20slug",
        "/api/associates/42",
    ],
)
def test_a_malformed_parameter_is_a_422_shaped_as_documented(
    client: Client, api_data: dict[str, str], url: str
) -> None:
    response = client.get(url, HTTP_AUTHORIZATION=api_data["Authorization"])

    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert set(problem) <= {"type", "loc", "msg", "ctx"}
    assert isinstance(problem["msg"], str)
    assert problem["loc"][0] in {"query", "path"}
