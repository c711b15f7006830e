"""Community endpoints: communities of practice (public) and associates (staff token only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coproduce.apitokens.models import ApiToken
from coproduce.community import services
from coproduce.community.models import (
    Associate,
    CommunityOfPractice,
    ConsentRecord,
    LeadershipPeriod,
)
from coproduce.registry.access import PERSONAL_DATA_EXPORT
from tests.community import helpers

pytestmark = pytest.mark.django_db

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
PERSONAL = ["/api/associates", f"/api/associates/{UNKNOWN_ID}"]
D = dt.date


def _get(client: Client, url: str, **extra: Any) -> Any:
    response = client.get(url, **extra)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response


@pytest.fixture
def stroke_cop() -> CommunityOfPractice:
    cop = helpers.community("return-to-work", "Return to work after stroke")
    cop.purpose = "Helping people back to work after a stroke."
    cop.ground_rules = "1. Listen."
    cop.founded = D(2009, 6, 8)
    cop.save()
    LeadershipPeriod(
        cop=cop, model="staff_led", start=D(2009, 6, 8), end=D(2010, 3, 31), leads="Study team"
    ).save()
    LeadershipPeriod(
        cop=cop, model="co_led", start=D(2010, 4, 1), leads="A fellow and a member"
    ).save()
    cop.refresh_from_db()
    return cop


@pytest.fixture
def theme_cop() -> CommunityOfPractice:
    theme = helpers.theme("implementation", "Implementation")
    return CommunityOfPractice.objects.create(
        slug="implementation-community", name="Implementation community", theme=theme
    )


# Communities of practice: public


def test_cops_list_is_public_with_members_and_leadership(
    client: Client, stroke_cop: CommunityOfPractice, theme_cop: CommunityOfPractice
) -> None:
    helpers.associate(cops=[stroke_cop])
    helpers.associate(cops=[stroke_cop, theme_cop])
    helpers.associate(cops=[stroke_cop], status=Associate.Status.PENDING)  # not counted
    leaver = helpers.associate(cops=[stroke_cop])
    services.leave(leaver, stroke_cop)

    response = _get(client, "/api/cops")

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "items": [
            {
                "slug": "implementation-community",
                "name": "Implementation community",
                "study": None,
                "theme": "implementation",
                "members": 1,
                "leadership": "staff_led",
            },
            {
                "slug": "return-to-work",
                "name": "Return to work after stroke community of practice",
                "study": "return-to-work",
                "theme": None,
                "members": 2,
                "leadership": "co_led",
            },
        ],
    }


def test_cops_list_paginates(client: Client, theme_cop: CommunityOfPractice) -> None:
    for n in range(3):
        helpers.community(f"study-{n}")

    response = _get(client, "/api/cops?limit=2&offset=1")

    assert response.json()["count"] == 4
    assert len(response.json()["items"]) == 2


def test_cop_detail_adds_purpose_and_leadership_history(
    client: Client, stroke_cop: CommunityOfPractice
) -> None:
    response = _get(client, "/api/cops/return-to-work")

    assert response.status_code == 200
    assert response.json() == {
        "slug": "return-to-work",
        "name": "Return to work after stroke community of practice",
        "study": "return-to-work",
        "theme": None,
        "members": 0,
        "leadership": "co_led",
        "purpose": "Helping people back to work after a stroke.",
        "ground_rules": "1. Listen.",
        "founded": "2009-06-08",
        "leadership_history": [
            {
                "model": "staff_led",
                "start": "2009-06-08",
                "end": "2010-03-31",
                "leads": "Study team",
            },
            {
                "model": "co_led",
                "start": "2010-04-01",
                "end": None,
                "leads": "A fellow and a member",
            },
        ],
    }


def test_unknown_cop_is_a_404_with_a_reason(client: Client) -> None:
    response = _get(client, "/api/cops/no-such-cop")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "There is no community of practice with the slug 'no-such-cop'."
    }


@pytest.mark.parametrize("url", ["/api/cops?theme=x", "/api/cops/return-to-work?limit=2"])
def test_cops_refuse_unknown_parameters(
    client: Client, stroke_cop: CommunityOfPractice, url: str
) -> None:
    response = _get(client, url)

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Unknown query parameter")


def test_cops_list_query_count_does_not_grow(client: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/cops").status_code == 200
        return len(queries)

    helpers.community("a")
    few = count()
    for n in range(10):
        helpers.community(f"more-{n}")
    assert count() == few


# Associates: staff token only


def _assert_unauthorised(response: Any) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "staff API token" in response.json()["detail"]


@pytest.mark.parametrize("url", PERSONAL)
def test_associates_without_a_token_are_401(client: Client, url: str) -> None:
    _assert_unauthorised(client.get(url))


@pytest.mark.parametrize("url", PERSONAL)
def test_associates_with_a_wrong_or_revoked_token_are_401(
    client: Client, token: tuple[ApiToken, str], bearer: dict[str, str], url: str
) -> None:
    _assert_unauthorised(client.get(url, headers={"Authorization": "Bearer nonsense"}))
    token[0].revoke()
    _assert_unauthorised(client.get(url, headers=bearer))


def test_a_signed_in_session_is_not_enough(manager_client: Client) -> None:
    _assert_unauthorised(manager_client.get("/api/associates"))


def test_a_staff_reader_token_needs_the_personal_data_export_grant(
    client: Client, reader: Any
) -> None:
    _, secret = ApiToken.objects.issue(reader, "Reader's script")
    headers = {"Authorization": f"Bearer {secret}"}
    person = helpers.associate(full_name="Ada Carer")
    urls = ["/api/associates", f"/api/associates/{person.public_id}"]

    for url in urls:
        refused = client.get(url, headers=headers)
        assert refused.status_code == 403, url
        assert "personal data export" in refused.json()["detail"]

    reader.groups.add(Group.objects.get(name=PERSONAL_DATA_EXPORT))
    for url in urls:
        assert client.get(url, headers=headers).status_code == 200, url


@pytest.fixture
def people(stroke_cop: CommunityOfPractice, theme_cop: CommunityOfPractice) -> dict[str, Any]:
    ada = helpers.associate(
        full_name="Ada Carer",
        email="ada@example.org",
        organisation="Fenbridge Stroke Group",
        role=Associate.Role.CARER,
        consents={"engage": True, "events": True},
        cops=[theme_cop, stroke_cop],
    )
    bo = helpers.associate(
        full_name="Bo Pending",
        email="bo@example.org",
        role=Associate.Role.SERVICE_USER,
        status=Associate.Status.PENDING,
        consents={"briefing": True},
    )
    cy = helpers.associate(
        full_name="Cy Researcher",
        email="cy@example.org",
        role=Associate.Role.RESEARCHER,
        consents={"engage": True},
        cops=[stroke_cop],
    )
    services.record_consent(cy, "engage", False, ConsentRecord.Method.UNSUBSCRIBE)
    services.leave(cy, stroke_cop)
    return {"ada": ada, "bo": bo, "cy": cy}


def _item(associate: Associate, **fields: Any) -> dict[str, Any]:
    return {"public_id": str(associate.public_id), **fields}


def test_associates_list_fields_and_values(
    client: Client, bearer: dict[str, str], people: dict[str, Any]
) -> None:
    response = _get(client, "/api/associates", headers=bearer)

    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "items": [
            _item(
                people["ada"],
                full_name="Ada Carer",
                email="ada@example.org",
                organisation="Fenbridge Stroke Group",
                role="carer",
                status="active",
                consent={"engage": True, "briefing": False, "events": True},
                cops=["implementation-community", "return-to-work"],
            ),
            _item(
                people["bo"],
                full_name="Bo Pending",
                email="bo@example.org",
                organisation="",
                role="service_user",
                status="pending",
                consent={"engage": False, "briefing": True, "events": False},
                cops=[],
            ),
            _item(
                people["cy"],
                full_name="Cy Researcher",
                email="cy@example.org",
                organisation="",
                role="researcher",
                status="active",
                consent={"engage": False, "briefing": False, "events": False},
                cops=[],
            ),
        ],
    }


def test_an_erased_associate_has_no_name_or_address(
    client: Client, bearer: dict[str, str], people: dict[str, Any]
) -> None:
    services.erase(people["ada"])

    response = _get(client, "/api/associates?status=erased", headers=bearer)

    [item] = response.json()["items"]
    assert item["full_name"] == ""
    assert item["email"] is None
    assert item["status"] == "erased"
    assert item["cops"] == []
    assert item["consent"] == {"engage": False, "briefing": False, "events": False}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cop=return-to-work", ["Ada Carer"]),  # Cy left: only current members
        ("cop=implementation-community", ["Ada Carer"]),
        ("role=researcher", ["Cy Researcher"]),
        ("status=pending", ["Bo Pending"]),
        ("status=active", ["Ada Carer", "Cy Researcher"]),
        ("status=active&role=carer&cop=return-to-work", ["Ada Carer"]),
        ("status=active&role=researcher&cop=return-to-work", []),
        ("limit=1&offset=1", ["Bo Pending"]),
    ],
)
def test_associates_filters(
    client: Client, bearer: dict[str, str], people: dict[str, Any], query: str, expected: list[str]
) -> None:
    response = _get(client, f"/api/associates?{query}", headers=bearer)

    assert response.status_code == 200
    assert [item["full_name"] for item in response.json()["items"]] == expected
    if "limit" not in query:
        assert response.json()["count"] == len(expected)


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("cop=no-such-cop", "There is no community of practice with the slug 'no-such-cop'."),
        (
            "role=surgeon",
            "There is no associate role 'surgeon'. Use one of: clinician, manager, commissioner, "
            "researcher, service_user, carer, public, other.",
        ),
        (
            "status=asleep",
            "There is no associate status 'asleep'. Use one of: pending, active, erased.",
        ),
        ("colour=blue", None),
    ],
)
def test_unknown_filter_values_are_a_400_with_a_reason(
    client: Client, bearer: dict[str, str], people: dict[str, Any], query: str, detail: str | None
) -> None:
    response = _get(client, f"/api/associates?{query}", headers=bearer)

    assert response.status_code == 400
    if detail is None:
        assert response.json()["detail"] == (
            "Unknown query parameter: colour. This endpoint accepts: cop, limit, offset, role, "
            "status."
        )
    else:
        assert response.json() == {"detail": detail}


def test_associate_detail_adds_dates_interests_and_membership_history(
    client: Client,
    bearer: dict[str, str],
    people: dict[str, Any],
    stroke_cop: CommunityOfPractice,
) -> None:
    cy = people["cy"]
    cy.interests.add(helpers.theme("stroke-rehabilitation"), helpers.theme("implementation-x"))
    services.join(cy, stroke_cop)
    memberships = list(cy.memberships.order_by("joined", "pk"))

    response = _get(client, f"/api/associates/{cy.public_id}", headers=bearer)

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "public_id": str(cy.public_id),
        "full_name": "Cy Researcher",
        "email": "cy@example.org",
        "organisation": "",
        "role": "researcher",
        "status": "active",
        "consent": {"engage": False, "briefing": False, "events": False},
        "cops": ["return-to-work"],
        "joined": body["joined"],
        "confirmed": body["confirmed"],
        "interests": ["implementation-x", "stroke-rehabilitation"],
        "memberships": [
            {
                "cop": "return-to-work",
                "joined": body["memberships"][0]["joined"],
                "left": body["memberships"][0]["left"],
            },
            {"cop": "return-to-work", "joined": body["memberships"][1]["joined"], "left": None},
        ],
    }
    # Times are given to the millisecond.
    for given, stored in [
        (body["joined"], cy.joined),
        (body["confirmed"], cy.confirmed),
        (body["memberships"][0]["joined"], memberships[0].joined),
        (body["memberships"][0]["left"], memberships[0].left),
    ]:
        assert abs(dt.datetime.fromisoformat(given) - stored) < dt.timedelta(milliseconds=1)


def test_unknown_associate_is_a_404_with_a_reason(client: Client, bearer: dict[str, str]) -> None:
    response = _get(client, PERSONAL[1], headers=bearer)

    assert response.status_code == 404
    assert response.json() == {"detail": f"There is no associate with the id '{UNKNOWN_ID}'."}


def test_a_malformed_associate_id_is_a_422(client: Client, bearer: dict[str, str]) -> None:
    response = client.get("/api/associates/42", headers=bearer)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "public_id"]


def test_associates_query_count_does_not_grow_with_rows(
    client: Client, bearer: dict[str, str], stroke_cop: CommunityOfPractice
) -> None:
    other = helpers.community("home-visits")

    def count(query: str = "") -> int:
        ApiToken.objects.update(last_used=None)  # so that every call writes last_used
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/associates{query}", headers=bearer)
            assert response.status_code == 200
        return len(queries)

    def add(n: int) -> None:
        for _ in range(n):
            helpers.associate(cops=[stroke_cop, other], consents={"engage": True})

    add(2)
    few, few_filtered = count(), count("?cop=return-to-work&role=clinician&status=active")
    add(18)

    assert count() == few
    assert count("?cop=return-to-work&role=clinician&status=active") == few_filtered
    assert len(client.get("/api/associates", headers=bearer).json()["items"]) == 20


def test_associate_detail_query_count_is_fixed(
    client: Client, bearer: dict[str, str], stroke_cop: CommunityOfPractice
) -> None:
    def count(associate: Associate) -> int:
        ApiToken.objects.update(last_used=None)
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(f"/api/associates/{associate.public_id}", headers=bearer).status_code
                == 200
            )
        return len(queries)

    few = helpers.associate(cops=[stroke_cop])
    many = helpers.associate(
        cops=[stroke_cop, *(helpers.community(f"c-{n}") for n in range(8))],
        interests=[helpers.theme(f"t-{n}") for n in range(5)],
    )

    assert count(many) == count(few)


def test_openapi_documents_the_community_endpoints(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()

    for path in ("/api/cops", "/api/cops/{slug}"):
        assert "security" not in schema["paths"][path]["get"]
    for path in ("/api/associates", "/api/associates/{public_id}"):
        assert schema["paths"][path]["get"]["security"] == [{"StaffToken": []}]
    components = schema["components"]["schemas"]
    assert components["CopOut"]["properties"]["leadership"]["enum"] == [
        "staff_led",
        "co_led",
        "member_led",
    ]
    assert "service_user" in components["AssociateOut"]["properties"]["role"]["enum"]
    parameters = {p["name"] for p in schema["paths"]["/api/associates"]["get"]["parameters"]}
    assert parameters == {"cop", "role", "status", "limit", "offset"}
