"""The contacts API: one record per person across their roles, for staff tokens whose owner
holds the personal data export grant; PATCH changes the name, phone or organisation only."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from coproduce.apitokens.models import ApiToken
from coproduce.audit.models import AuditEntry
from coproduce.contacts.models import Contact
from coproduce.pages.models import Enquiry
from coproduce.registry.access import PERSONAL_DATA_EXPORT
from coproduce.registry.models import Person
from tests import factories
from tests.community import helpers

pytestmark = pytest.mark.django_db

MISSING = "00000000-0000-4000-8000-000000000000"


def _auth(user: Any, access: str = "read", areas: list[str] | None = None) -> dict[str, str]:
    _, secret = ApiToken.objects.issue(user, "Contacts script", access=access, areas=areas)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def ada(db: Any) -> Contact:
    """One person in three roles: the registry, the associates, an enquiry from the website."""
    person = factories.PersonFactory(full_name="Ada Fellow", email="ada@nhs.example")
    associate = helpers.associate(full_name="Ada Fellow", email="ADA@nhs.example")
    Enquiry.objects.create(name="Ada F", email="ada@nhs.example", message="Hello")
    contact = Contact.objects.get(email="ada@nhs.example")
    assert person.contact_id == associate.contact_id == contact.pk
    Contact.objects.filter(pk=contact.pk).update(phone="01632 960 123", organisation="RD&E")
    contact.refresh_from_db()
    return contact


@pytest.fixture
def others(db: Any) -> None:
    factories.PersonFactory(full_name="Bea Other", email="bea@uni.example")
    helpers.associate(full_name="Cy Third", email="cy@charity.example", organisation="Carers UK")


def test_the_list_is_cursor_paginated(
    client: Client, manager: Any, ada: Contact, others: None
) -> None:
    auth = _auth(manager)
    first = client.get("/api/contacts?limit=2", **auth)

    assert first.status_code == 200
    body = first.json()
    assert len(body["items"]) == 2
    assert body["next_cursor"]
    rest = client.get(f"/api/contacts?limit=2&cursor={body['next_cursor']}", **auth).json()
    seen = body["items"] + rest["items"]
    assert rest["next_cursor"] is None
    assert len(seen) == Contact.objects.count() == 4  # and the manager's own (an account)
    names = sorted(c["full_name"] for c in seen if not c["has_account"])
    assert names == ["Ada Fellow", "Bea Other", "Cy Third"]
    [found] = [c for c in body["items"] + rest["items"] if c["full_name"] == "Ada Fellow"]
    assert found == {
        "public_id": str(ada.public_id),
        "full_name": "Ada Fellow",
        "email": "ada@nhs.example",
        "phone": "01632 960 123",
        "organisation": "RD&E",
        "has_account": False,
        "created": found["created"],
        "updated": found["updated"],
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ada", ["Ada Fellow"]),
        ("Ada@NHS", ["Ada Fellow"]),  # the start of an address
        ("carers", ["Cy Third"]),  # an organisation
        ("960", ["Ada Fellow"]),  # part of a phone number
        ("nobody", []),
    ],
)
def test_q_searches_as_the_staff_page_does(
    client: Client, manager: Any, ada: Contact, others: None, q: str, expected: list[str]
) -> None:
    response = client.get("/api/contacts", {"q": q}, **_auth(manager))

    assert response.status_code == 200
    assert [c["full_name"] for c in response.json()["items"]] == expected


def test_updated_since(client: Client, manager: Any, ada: Contact, others: None) -> None:
    Contact.objects.update(updated="2020-01-01T00:00:00Z")
    Contact.objects.filter(pk=ada.pk).update(updated="2024-06-01T12:00:00Z")

    response = client.get("/api/contacts?updated_since=2024-06-01T00:00:00Z", **_auth(manager))

    assert [c["public_id"] for c in response.json()["items"]] == [str(ada.public_id)]


def test_an_unknown_filter_is_a_400(client: Client, manager: Any) -> None:
    response = client.get("/api/contacts?email=ada@nhs.example", **_auth(manager))

    assert response.status_code == 400
    assert "Unknown query parameter: email" in response.json()["detail"]


def test_one_contact_with_its_roles_is_an_audited_read(
    client: Client, manager: Any, ada: Contact
) -> None:
    response = client.get(f"/api/contacts/{ada.public_id}", **_auth(manager))

    assert response.status_code == 200
    assert response["ETag"]
    body = response.json()
    assert body["email"] == "ada@nhs.example"
    roles = {(r["role"], r["public_id"]) for r in body["roles"]}
    person = Person.objects.get(email="ada@nhs.example")
    assert {r for r, _ in roles} == {"Associate", "Person in the registry", "Enquirer"}
    assert all(public_id for _, public_id in roles)
    assert ("Person in the registry", str(person.public_id)) in roles
    entry = AuditEntry.objects.get(action="staff.contact.viewed")
    assert entry.via == "api"
    assert entry.object_repr == f"contact {ada.public_id}"
    assert "ada@" not in str(entry.changes)


def test_an_unknown_contact_is_a_404_with_a_reason(client: Client, manager: Any) -> None:
    response = client.get(f"/api/contacts/{MISSING}", **_auth(manager))

    assert response.status_code == 404
    assert response.json() == {"detail": f"There is no contact with the id '{MISSING}'."}


def test_a_malformed_id_is_a_422(client: Client, manager: Any) -> None:
    assert client.get("/api/contacts/42", **_auth(manager)).status_code == 422


def test_without_a_token_401(client: Client, ada: Contact) -> None:
    for url in ("/api/contacts", f"/api/contacts/{ada.public_id}"):
        assert client.get(url).status_code == 401


@pytest.mark.parametrize("who", ["reader", "member"])
def test_staff_without_the_personal_data_export_grant_get_403(
    client: Client, request: pytest.FixtureRequest, ada: Contact, who: str
) -> None:
    """Even a researcher whose study the contact is in: personal data through the API needs the
    grant (the pages show a researcher their studies' contacts; the API does not)."""
    user = request.getfixturevalue(who)
    auth = _auth(user, "write")
    urls = ["/api/contacts", f"/api/contacts/{ada.public_id}"]
    for url in urls:
        refused = client.get(url, **auth)
        assert refused.status_code == 403, url
        assert "personal data export" in refused.json()["detail"]
    patched = client.patch(
        urls[1], {"phone": "01632 960 999"}, content_type="application/json", **auth
    )
    assert patched.status_code == 403

    user.groups.add(Group.objects.get(name=PERSONAL_DATA_EXPORT))
    for url in urls:
        assert client.get(url, **auth).status_code == 200, url


def test_a_token_limited_to_another_area_is_refused(
    client: Client, manager: Any, ada: Contact
) -> None:
    response = client.get("/api/contacts", **_auth(manager, areas=["registry"]))

    assert response.status_code == 403
    assert "limited to" in response.json()["detail"]
    assert client.get("/api/contacts", **_auth(manager, areas=["contacts"])).status_code == 200


# --- PATCH ------------------------------------------------------------------------------------


def _read(
    client: Client, user: Any, contact: Contact, access: str = "write"
) -> tuple[str, dict[str, str], str]:
    """The contact's URL, a new token of `user` and the contact's ETag, read with it."""
    auth = _auth(user, access)
    url = f"/api/contacts/{contact.public_id}"
    return url, auth, client.get(url, **auth)["ETag"]


def _patch(
    client: Client, url: str, body: dict[str, Any], auth: dict[str, str], **headers: str
) -> Any:
    return client.patch(url, body, content_type="application/json", **auth, **headers)


def test_patch_changes_name_phone_and_organisation_audited(
    client: Client, manager: Any, ada: Contact
) -> None:
    url, auth, tag = _read(client, manager, ada)

    response = _patch(
        client,
        url,
        {"full_name": "Ada Fellowes", "phone": "+44 1632 960124", "organisation": ""},
        auth,
        HTTP_IF_MATCH=tag,
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["full_name"], body["phone"], body["organisation"]) == (
        "Ada Fellowes",
        "+44 1632 960124",
        "",
    )
    assert body["email"] == "ada@nhs.example"
    assert len(body["roles"]) == 3
    assert response["ETag"] != tag
    ada.refresh_from_db()
    assert ada.full_name == "Ada Fellowes"
    entry = AuditEntry.objects.get(action="contacts.contact.updated")
    assert entry.via == "api"
    assert entry.actor == manager
    assert entry.changes == {
        "full_name": ["Ada Fellow", "Ada Fellowes"],
        "phone": ["01632 960 123", "+44 1632 960124"],
        "organisation": ["RD&E", ""],
    }


def test_patch_of_one_field_keeps_the_others(client: Client, manager: Any, ada: Contact) -> None:
    url, auth, tag = _read(client, manager, ada)

    response = _patch(client, url, {"phone": "01632 960 555"}, auth, HTTP_IF_MATCH=tag)

    assert response.status_code == 200
    ada.refresh_from_db()
    assert (ada.full_name, ada.phone, ada.organisation) == ("Ada Fellow", "01632 960 555", "RD&E")


def test_patch_needs_if_match_428_and_a_current_one_412(
    client: Client, manager: Any, ada: Contact
) -> None:
    url, auth, tag = _read(client, manager, ada)

    missing = _patch(client, url, {"phone": "01632 960 555"}, auth)
    assert missing.status_code == 428
    Contact.objects.filter(pk=ada.pk).update(organisation="Someone else's change")
    stale = _patch(client, url, {"phone": "01632 960 555"}, auth, HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    ada.refresh_from_db()
    assert ada.phone == "01632 960 123"
    assert not AuditEntry.objects.filter(action="contacts.contact.updated").exists()


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"phone": "call me maybe"}, "phone", "Enter a phone number"),
        ({"phone": "12345"}, "phone", "6 to 15 digits"),
        ({"phone": "+44 (0)1632 960 123 456 789"}, "phone", "6 to 15 digits"),
        ({"full_name": "A" * 201}, "full_name", "200 characters or fewer"),
        ({"organisation": "O" * 201}, "organisation", "200 characters or fewer"),
        ({"email": "new@nhs.example"}, "email", "never changed through the API"),
        ({"merge": MISSING}, "merge", "not merged through the API"),
    ],
)
def test_patch_refuses_bad_values_and_unchangeable_fields_with_422(
    client: Client, manager: Any, ada: Contact, body: dict[str, Any], field: str, words: str
) -> None:
    url, auth, tag = _read(client, manager, ada)

    response = _patch(client, url, body, auth, HTTP_IF_MATCH=tag)

    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", field]
    assert words in problem["msg"]
    ada.refresh_from_db()
    assert (ada.email, ada.phone) == ("ada@nhs.example", "01632 960 123")


def test_patch_with_a_read_only_token_is_403(client: Client, manager: Any, ada: Contact) -> None:
    url, auth, tag = _read(client, manager, ada, access="read")

    response = _patch(client, url, {"phone": "01632 960 555"}, auth, HTTP_IF_MATCH=tag)

    assert response.status_code == 403


def test_patch_of_an_unknown_contact_is_a_404(client: Client, manager: Any) -> None:
    response = _patch(
        client, f"/api/contacts/{MISSING}", {"phone": "01632 960 555"}, _auth(manager, "write")
    )

    assert response.status_code == 404
    assert response.json() == {"detail": f"There is no contact with the id '{MISSING}'."}


def test_the_operations_are_in_the_openapi_document(client: Client) -> None:
    document = client.get("/api/openapi.json").json()
    assert set(document["paths"]["/api/contacts/{public_id}"]) == {"get", "patch"}
    assert "get" in document["paths"]["/api/contacts"]
    patch = document["paths"]["/api/contacts/{public_id}"]["patch"]
    assert {"412", "422", "428"} <= set(patch["responses"])
