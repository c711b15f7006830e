"""Fuzz the JSON API along its OpenAPI links (schemathesis's stateful testing).

/api/openapi.json carries links (coproduce/api/links.py): a list to its first item, a creation
to the created record's detail and change, a record to its change with its ETag as `If-Match`
and to the lists under it, a change back to the record. schemathesis builds a Hypothesis state
machine from them and walks chains of calls, feeding each answer's identifiers (and ETag) into
the next request. Every answer along a chain must be no server error, carry a documented status
and match the documented schema; the stateful checks add that a created record can be read back
(`ensure_resource_availability`) and the like. Same data, token and judgement of 4xx answers as
test_fuzz.py.

Deterministic (`derandomize`) and small (few scenarios of few steps), so it runs in seconds on
SQLite and PostgreSQL in `make test`.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.specs.openapi.definitions import OPENAPI_31

from tests.api.test_fuzz import (  # noqa: F401 (fixtures)
    _keep_the_test_transaction,
    accepts_valid_data_unless_it_names_nothing,
    api_data,
    refuses_invalid_data_as_sent,
)

pytestmark = pytest.mark.django_db

SCENARIOS = 60
STEPS = 8

# Its own copy of the document: building the state machine adds to the schema it reads. Valid
# requests only: a chain goes on from an answer that succeeded (test_fuzz.py sends invalid ones).
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())
schema.config.generation.update(modes=[GenerationMode.POSITIVE])
# Only the document's own links: no links inferred by schemathesis from names or answers.
schema.config.phases.stateful.inference.algorithms = []

# A body each creation accepts with api_data's rows (generated bodies name studies, themes and
# organisations that do not exist, so alone they would rarely start a chain), offered first
# among the generated ones. Studies and events make their slug from the title (a second one is a
# documented 409 or 422).
VALID_BODIES: dict[str, dict[str, Any]] = {
    "/api/studies": {
        "title": "Fuzzed study",
        "theme": "mental-health",
        "design": "scoping",
        "stage": "proposed",
    },
    "/api/events": {
        "title": "Fuzzed event",
        "kind": "conference",
        "status": "published",
        "date": "2031-01-06",
        "start_time": "10:00",
        "end_time": "12:00",
        "venue": "Room 1",
    },
    "/api/events/{slug}/bookings": {"full_name": "Sam Someone", "email": "sam@example.org"},
    "/api/implementation-records": {
        "study": "return-to-work",
        "meaning": "organisation",
        "title": "Ward 5",
    },
    "/api/barriers-and-facilitators": {
        "study": "return-to-work",
        "kind": "barrier",
        "level": "team",
        "category": "resources",
        "description": "No protected time",
        "source": "Ward meeting notes",
        "date": "2024-03-05",
    },
    "/api/involvement": {
        "study": "return-to-work",
        "contributor_name": "Pat Carer",
        "date": "2024-02-02",
        "what": "Read the leaflet",
        "role": "reviewer",
        "hours": "2",
        "payment_declined": True,
    },
    "/api/outputs": {
        "kind": "publications",
        "title": "Return to work: a trial",
        "date": "2012-05-01",
        "studies": ["return-to-work"],
    },
    "/api/funding/contributions": {
        "organisation": "rde",
        "year": 2011,
        "kind": "cash",
        "amount": "1000.00",
        "description": "Room hire",
    },
    "/api/funding/staff-time": {
        "organisation": "rde",
        "description": "Practice educator",
        "fte": "0.2",
        "start": "2011-04-01",
        "end": "2012-03-31",
    },
}


@schema.hook
def before_generate_body(context: Any, strategy: Any) -> Any:
    """A creation's valid body first; an empty change (which changes nothing but is valid)."""
    operation = context.operation
    if operation.method.upper() == "POST" and operation.path in VALID_BODIES:
        return st.one_of(st.just(VALID_BODIES[operation.path]), strategy)
    if operation.method.upper() == "PATCH":
        return st.one_of(st.just({}), strategy)
    return strategy


def test_the_documents_links_are_valid_openapi_3_1(client: Client) -> None:
    document = client.get("/api/openapi.json").json()
    jsonschema_rs.validator_for(OPENAPI_31).validate(document)
    links = {
        (method, path, name): link
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for response in operation["responses"].values()
        for name, link in response.get("links", {}).items()
    }
    operation_ids = {
        operation["operationId"]
        for operations in document["paths"].values()
        for operation in operations.values()
    }
    assert {link["operationId"] for link in links.values()} <= operation_ids
    # The main flows: list -> detail, create -> detail and change, detail -> change with ETag.
    outputs = document["paths"]["/api/outputs"]
    assert outputs["get"]["responses"]["200"]["links"]["get_output"]["parameters"] == {
        "path.public_id": "$response.body#/items/0/public_id"
    }
    assert set(outputs["post"]["responses"]["201"]["links"]) == {"get_output", "update_output"}
    detail = document["paths"]["/api/outputs/{public_id}"]["get"]["responses"]["200"]
    assert detail["links"]["update_output"]["parameters"] == {
        "path.public_id": "$request.path.public_id",
        "header.If-Match": "$response.header.ETag",
    }
    booking = document["paths"]["/api/events/{slug}/bookings"]["post"]["responses"]["201"]
    assert booking["links"]["get_booking"]["parameters"] == {
        "path.slug": "$request.path.slug",
        "path.public_id": "$response.body#/public_id",
    }


def test_the_state_machine_follows_every_link(client: Client) -> None:
    """Every declared link is a transition schemathesis accepts (an invalid one raises)."""
    document = client.get("/api/openapi.json").json()
    declared = sum(
        len(response.get("links", {}))
        for operations in document["paths"].values()
        for operation in operations.values()
        for response in operation["responses"].values()
    )
    schema.as_state_machine()

    assert schema.statistic.transitions.total == declared >= 70


def test_link_chains_answer_as_documented(api_data: dict[str, str]) -> None:  # noqa: F811
    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": api_data}

        def validate_response(
            self,
            response: Any,
            case: Any,
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            case.validate_response(
                response,
                excluded_checks=[positive_data_acceptance, negative_data_rejection],
                additional_checks=[
                    accepts_valid_data_unless_it_names_nothing,
                    refuses_invalid_data_as_sent,
                ],
                headers=api_data,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )


# Regressions found by the stateful fuzzer.


def test_an_event_created_without_a_slug_gets_one_from_its_title(
    client: Client,
    api_data: dict[str, str],  # noqa: F811
) -> None:
    """POST /api/events documents `slug` as "leave empty to make one from the title"; the event
    form requires one, so every creation without it was a 422 and no chain could start there."""
    body = {key: value for key, value in VALID_BODIES["/api/events"].items() if key != "slug"}

    made = client.post(
        "/api/events",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=api_data["Authorization"],
    )

    assert made.status_code == 201, made.content
    assert made.json()["slug"] == "fuzzed-event"


def test_a_nul_character_in_a_body_is_a_422_not_a_database_error(
    client: Client,
    api_data: dict[str, str],  # noqa: F811
) -> None:
    """A slug holding NUL was looked up before any form saw it: PostgreSQL refuses NUL in text,
    so that was a 500 there (found along a chain on PostgreSQL)."""
    body = {**VALID_BODIES["/api/funding/contributions"], "organisation": "rde\x00"}

    refused = client.post(
        "/api/funding/contributions",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=api_data["Authorization"],
    )
    nested = client.post(
        "/api/outputs",
        {**VALID_BODIES["/api/outputs"], "studies": ["return-to-work", "x\x00"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=api_data["Authorization"],
    )

    assert refused.status_code == 422, refused.content
    assert refused.json()["detail"] == [
        {
            "type": "null_characters_not_allowed",
            "loc": ["body", "organisation"],
            "msg": "Null characters are not allowed.",
        }
    ]
    assert nested.status_code == 422
    assert nested.json()["detail"][0]["loc"] == ["body", "studies", 1]
