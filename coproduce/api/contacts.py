"""Contacts (coproduce/contacts): one record per person across their roles, as on the staff
contacts pages. Personal data, so a staff token whose owner holds the personal data export grant
(as for people and associates); with the grant the pages show every contact too
(`staff.contacts.scope_for`). A researcher without the grant, whom the pages show the contacts
of their own studies, is refused here like every other personal-data read of the API.

A PATCH changes the name, phone or organisation only (`api.forms.ContactForm`), audited as the
token's owner. The email address is never changed and contacts are never merged through the
API: the address joins the person's roles, and merging is a manager's decision on the pages.
"""

# No `from __future__ import annotations`: ninja reads the view signatures at runtime.
import datetime as dt
import json
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema

from coproduce.api.auth import personal_data_token
from coproduce.api.cursor import CURSOR_PARAMS, CursorParams, Moment, page_of, paginate
from coproduce.api.forms import ContactForm
from coproduce.api.schemas import ERRORS, WRITE_ERRORS, Error, one_or_404, reject_unknown_params
from coproduce.api.writes import (
    IF_MATCH_HELP,
    Unprocessable,
    form_data,
    form_problems,
    owner,
    require_match,
    with_etag,
)
from coproduce.audit.log import record_read, snapshot
from coproduce.contacts import records
from coproduce.contacts.models import Contact
from coproduce.contacts.roles import roles
from coproduce.staff import editing
from coproduce.staff.contacts import scope_for

router = Router(tags=["contacts"])
PERSONAL = personal_data_token("contacts")

EDITABLE = ("full_name", "phone", "organisation")
NOT_HERE = {
    "email": "A contact's email address is never changed through the API: it is what joins "
    "the person's roles.",
    "merge": "Contacts are not merged through the API: a manager merges them on the staff "
    "contacts pages, after checking they are one person.",
}


class ContactOut(Schema):
    public_id: uuid.UUID
    full_name: str
    email: str = Field(..., description="Normalised (lower case); empty if no role has one.")
    phone: str
    organisation: str
    has_account: bool = Field(..., description="Whether the person has a sign-in account.")
    created: dt.datetime
    updated: dt.datetime

    @staticmethod
    def resolve_has_account(obj: Any) -> bool:
        return obj.user_id is not None


class RoleOut(Schema):
    role: str = Field(..., description="What the role is, e.g. 'Associate', 'Event booking'.")
    public_id: uuid.UUID | None = Field(
        ..., description="The role's record (e.g. GET /api/associates/…), if it has a public id."
    )


class ContactDetailOut(ContactOut):
    roles: list[RoleOut] = Field(..., description="Every record that is this person's, by role.")


class ContactFilters(Schema):
    q: str | None = Field(
        None,
        max_length=200,
        description="As the staff contacts search: part of the name, organisation or phone, "
        "or the start of an email address (text with an @).",
    )
    updated_since: Moment | None = Field(
        None, description="Only contacts added or changed at or after this moment."
    )


def _visible(request: HttpRequest) -> QuerySet[Contact]:
    """The contacts the token's owner may see: with the grant, every one (as on the pages)."""
    return records.visible(Contact.objects.all(), scope_for(owner(request)))


def _roles(contact: Contact) -> list[dict[str, Any]]:
    """The contact's role records in the pages' order (by role, then as recorded)."""
    found = []
    for role in roles():
        model = role.model_class
        has_id = any(field.name == "public_id" for field in model._meta.concrete_fields)
        rows = model._default_manager.filter(contact_id=contact.pk).order_by("pk")
        for public_id in rows.values_list("public_id" if has_id else "pk", flat=True):
            found.append({"role": role.label, "public_id": public_id if has_id else None})
    return found


def _detail(contact: Contact) -> Contact:
    contact.roles = _roles(contact)  # type: ignore[attr-defined]
    return contact


@router.get(
    "/contacts",
    response={200: page_of(ContactOut), **ERRORS},
    auth=PERSONAL,
    summary="List contacts (personal data export role)",
    description="In the order they were last changed; `updated_since` picks up changes.",
)
def list_contacts(
    request: HttpRequest, filters: Query[ContactFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(ContactFilters.model_fields) | CURSOR_PARAMS)
    rows = records.search(_visible(request), filters.q or "")
    if filters.updated_since is not None:
        rows = rows.filter(updated__gte=filters.updated_since)
    return paginate(rows, page, stamp="updated")


@router.get(
    "/contacts/{public_id}",
    response={200: ContactDetailOut, **ERRORS},
    auth=PERSONAL,
    summary="One contact, with its roles and its ETag (personal data export role)",
)
def get_contact(request: HttpRequest, response: HttpResponse, public_id: uuid.UUID) -> Any:
    reject_unknown_params(request)
    contact = one_or_404(_visible(request), public_id, "contact")
    found = _detail(contact)
    record_read(
        owner(request),
        "staff.contact.viewed",
        contact,
        {"roles": len(found.roles)},  # type: ignore[attr-defined]
        via="api",
    )
    with_etag(response, contact)
    return found


class ContactPatch(Schema):
    full_name: str | None = Field(None, description="At most 200 characters.")
    phone: str | None = Field(
        None, description="6 to 15 digits, with spaces, brackets, dots, dashes or a leading +."
    )
    organisation: str | None = Field(None, description="At most 200 characters.")


def _unchangeable(request: HttpRequest) -> None:
    """A 422 for a field the API does not change (the email address above all), rather than
    ignoring it: the caller would think the address had changed."""
    try:
        sent = json.loads(request.body or b"{}")
    except ValueError:
        return  # not JSON: the schema has already said so
    if not isinstance(sent, dict):
        return
    unknown = sorted(set(sent) - set(ContactPatch.model_fields))
    if unknown:
        raise Unprocessable(
            [
                {
                    "type": "not_changeable",
                    "loc": ["body", name],
                    "msg": NOT_HERE.get(name, f"'{name}' is not a field of a contact to change."),
                }
                for name in unknown
            ]
        )


@router.patch(
    "/contacts/{public_id}",
    response={200: ContactDetailOut, **WRITE_ERRORS, 412: Error, 428: Error},
    auth=PERSONAL,
    summary="Change a contact's name, phone or organisation (read-write token, If-Match; "
    "personal data export role)",
    description="Never the email address, and never a merge: either is a 422.",
)
def update_contact(
    request: HttpRequest,
    response: HttpResponse,
    public_id: uuid.UUID,
    body: ContactPatch,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Any:
    reject_unknown_params(request)
    contact = one_or_404(_visible(request), public_id, "contact")
    _unchangeable(request)
    require_match(request, contact)
    before = snapshot(contact)
    data = {name: getattr(contact, name) for name in EDITABLE}
    data.update(body.model_dump(exclude_unset=True))
    form = ContactForm(form_data(data), instance=contact)
    if not form.is_valid():
        raise Unprocessable(form_problems(form))
    editing.save_with_audit(form, owner(request), before, via="api")
    saved = one_or_404(Contact.objects.all(), public_id, "contact")
    with_etag(response, saved)
    return _detail(saved)
