"""Personal data (people) needs a valid staff token; tokens are stored hashed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.apitokens.models import ApiToken
from coproduce.registry.access import MANAGER, PERSONAL_DATA_EXPORT
from coproduce.registry.models import Person
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAL = ["/api/people", "/api/people/00000000-0000-4000-8000-000000000000"]


@pytest.fixture
def person() -> Any:
    return factories.PersonFactory(
        full_name="Ada Fellow",
        email="ada@nhs.example",
        organisation=factories.OrganisationFactory(slug="notts-healthcare"),
        orcid="0000-0002-1825-0097",
        job_title="Ward manager",
    )


def _assert_unauthorised(response: Any) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "staff API token" in response.json()["detail"]


@pytest.mark.parametrize("url", PERSONAL)
def test_personal_data_without_a_token_is_401(client: Client, person: Person, url: str) -> None:
    _assert_unauthorised(client.get(url))


@pytest.mark.parametrize("url", PERSONAL)
@pytest.mark.parametrize(
    "header",
    [
        "Bearer cp_wrongwrongwrongwrongwrongwrongwrongwrongwr",
        "Bearer nonsense",
        "Bearer ",
        "Basic bWFuYWdlcjpwYXNzd29yZA==",
    ],
)
def test_personal_data_with_a_wrong_token_is_401(
    client: Client, token: tuple[ApiToken, str], url: str, header: str
) -> None:
    _assert_unauthorised(client.get(url, headers={"Authorization": header}))


def test_a_token_with_the_right_prefix_but_wrong_secret_is_401(
    client: Client, token: tuple[ApiToken, str]
) -> None:
    secret = token[1]
    forged = secret[:-1] + ("A" if secret[-1] != "A" else "B")

    _assert_unauthorised(client.get("/api/people", headers={"Authorization": f"Bearer {forged}"}))


def test_a_signed_in_session_is_not_enough(manager_client: Client) -> None:
    _assert_unauthorised(manager_client.get("/api/people"))


@pytest.mark.parametrize("url", PERSONAL)
def test_a_revoked_token_is_401(
    client: Client, token: tuple[ApiToken, str], bearer: dict[str, str], url: str
) -> None:
    token[0].revoke()

    _assert_unauthorised(client.get(url, headers=bearer))


@pytest.mark.parametrize("url", PERSONAL)
def test_a_token_of_someone_who_lost_their_staff_role_is_401(
    client: Client, manager: Any, bearer: dict[str, str], url: str
) -> None:
    manager.groups.remove(Group.objects.get(name=MANAGER))

    _assert_unauthorised(client.get(url, headers=bearer))


def test_a_token_of_a_deactivated_account_is_401(
    client: Client, manager: Any, bearer: dict[str, str]
) -> None:
    manager.is_active = False
    manager.save()

    _assert_unauthorised(client.get("/api/people", headers=bearer))


def test_people_list_with_a_valid_token(
    client: Client, person: Person, bearer: dict[str, str]
) -> None:
    factories.PersonFactory(full_name="Bo Nobody", email="", organisation=None)

    response = client.get("/api/people", headers=bearer)

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "items": [
            {
                "public_id": str(person.public_id),
                "full_name": "Ada Fellow",
                "email": "ada@nhs.example",
                "organisation": "notts-healthcare",
                "orcid": "0000-0002-1825-0097",
            },
            {
                "public_id": str(Person.objects.get(full_name="Bo Nobody").public_id),
                "full_name": "Bo Nobody",
                "email": "",
                "organisation": None,
                "orcid": "",
            },
        ],
    }


def test_a_staff_reader_token_needs_the_personal_data_export_grant(
    client: Client, reader: Any, person: Person
) -> None:
    _, secret = ApiToken.objects.issue(reader, "Reader's script")
    headers = {"Authorization": f"Bearer {secret}"}
    urls = ["/api/people", f"/api/people/{person.public_id}"]

    for url in urls:
        refused = client.get(url, headers=headers)
        assert refused.status_code == 403, url
        assert "personal data export" in refused.json()["detail"]

    reader.groups.add(Group.objects.get(name=PERSONAL_DATA_EXPORT))
    for url in urls:
        assert client.get(url, headers=headers).status_code == 200, url


def test_person_detail_with_a_valid_token(
    client: Client, person: Person, bearer: dict[str, str]
) -> None:
    response = client.get(f"/api/people/{person.public_id}", headers=bearer)

    assert response.status_code == 200
    assert response.json() == {
        "public_id": str(person.public_id),
        "full_name": "Ada Fellow",
        "email": "ada@nhs.example",
        "organisation": "notts-healthcare",
        "orcid": "0000-0002-1825-0097",
        "job_title": "Ward manager",
    }


def test_unknown_person_is_a_404_with_a_reason(client: Client, bearer: dict[str, str]) -> None:
    response = client.get(PERSONAL[1], headers=bearer)

    assert response.status_code == 404
    assert response.json() == {"detail": f"There is no person with the id '{PERSONAL[1][12:]}'."}


def test_a_malformed_person_id_is_a_422(client: Client, bearer: dict[str, str]) -> None:
    response = client.get("/api/people/42", headers=bearer)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "public_id"]


def test_using_a_token_records_when_it_was_last_used(
    client: Client, token: tuple[ApiToken, str], bearer: dict[str, str]
) -> None:
    assert token[0].last_used is None
    before = timezone.now()

    client.get("/api/people", headers=bearer)

    token[0].refresh_from_db()
    assert token[0].last_used is not None
    assert token[0].last_used >= before


def test_last_used_is_written_at_most_once_a_minute(
    client: Client, token: tuple[ApiToken, str], bearer: dict[str, str]
) -> None:
    recently = timezone.now() - dt.timedelta(seconds=10)
    ApiToken.objects.filter(pk=token[0].pk).update(last_used=recently)

    client.get("/api/people", headers=bearer)

    token[0].refresh_from_db()
    assert token[0].last_used == recently


def test_the_secret_is_not_stored_only_its_hash(token: tuple[ApiToken, str]) -> None:
    row, secret = token
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        stored = " ".join(str(value) for row_values in cursor.fetchall() for value in row_values)

    assert secret not in stored
    assert secret[len(row.prefix) :] not in stored
    assert len(row.hashed) == 64
    assert row.prefix == secret[: len(row.prefix)]


def test_people_query_count_does_not_grow_with_rows(client: Client, bearer: dict[str, str]) -> None:
    def count() -> int:
        ApiToken.objects.update(last_used=None)  # so that every call writes last_used
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/people", headers=bearer).status_code == 200
        return len(queries)

    factories.PersonFactory.create_batch(2)
    few = count()
    factories.PersonFactory.create_batch(18)

    assert count() == few
