"""The OpenAPI document and the /api/docs page, which must work with no internet access."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/themes",
    "/api/studies",
    "/api/studies/{slug}",
    "/api/organisations",
    "/api/people",
    "/api/people/{public_id}",
    "/api/outputs",
    "/api/outputs/{public_id}",
    "/api/funding/contributions",
    "/api/funding/contributions/{public_id}",
    "/api/qualitative-projects",
    "/api/qualitative-projects/{public_id}/sources",
    "/api/qualitative-projects/{public_id}/codings",
    "/api/events/{slug}/bookings/{public_id}",
}


def test_openapi_lists_every_endpoint_with_typed_responses(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()

    assert set(schema["paths"]) >= ENDPOINTS
    components = schema["components"]["schemas"]
    assert {"StudyOut", "StudyDetailOut", "PersonOut", "Error"} <= set(components)
    study_get = schema["paths"]["/api/studies/{slug}"]["get"]
    assert study_get["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert components["OrganisationOut"]["properties"]["kind"]["enum"][0] == "nhs_trust"
    assert components["ThemeOut"]["properties"]["kind"]["enum"] == ["research", "cross_cutting"]


def test_openapi_marks_personal_data_as_needing_a_bearer_token(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()

    assert schema["components"]["securitySchemes"] == {
        "StaffToken": {"type": "http", "scheme": "bearer"}
    }
    for path in ("/api/people", "/api/people/{public_id}"):
        assert schema["paths"][path]["get"]["security"] == [{"StaffToken": []}]
    for path in ("/api/themes", "/api/studies", "/api/organisations"):
        assert "security" not in schema["paths"][path]["get"]


def test_docs_page_uses_only_local_assets(client: Client) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "//" not in re.sub(r"<!DOCTYPE[^>]*>", "", html).replace("/api/openapi.json", "")
    assert not re.search(r"https?:", html)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        path = asset.removeprefix("/static/")
        assert finders.find(path), f"{path} is not among the static files"
        assert client.get(asset).status_code == 200, asset


def test_docs_page_turns_off_the_online_validator(client: Client) -> None:
    html = client.get("/api/docs").content.decode()

    assert '"validatorUrl": null' in html
    assert '"url": "/api/openapi.json"' in html


def test_no_qualitative_schema_carries_a_texts_words(client: Client) -> None:
    """Sources come as metadata and codings as offsets: no schema has a text or excerpt."""
    components = client.get("/api/openapi.json").json()["components"]["schemas"]
    for name in ("SourceOut", "CodingOut", "SourcePage", "CodingPage"):
        assert name in components, name
    for name in ("SourceOut", "CodingOut"):
        assert not {"text", "excerpt"} & set(components[name]["properties"]), name
