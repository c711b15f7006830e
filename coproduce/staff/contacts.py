"""Staff pages over contacts (coproduce/contacts): one person across every role.

- The contacts list, with search by name, organisation, phone or the start of an address.
- A contact's page: their roles, their timeline across the collaboration and every table that
  holds something about them (the personal-data register's rules), readable by role: staff
  with the personal data export grant see everything and can download the record (JSON, PDF)
  for a subject access request; a researcher sees only rows of the studies they work on; a
  staff reader without the grant sees only the contacts' names and roles of no study (none).
- Likely duplicates (contacts/matching.py): a review queue; managers merge a pair
  (contacts/merging.py) or record that they are two people.

Every look at a contact's record is an audited read, naming the contact by public id only.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coproduce.audit.log import record, record_read
from coproduce.contacts import matching, merging
from coproduce.contacts import records as contact_records
from coproduce.contacts.models import Contact
from coproduce.lib import personaldata
from coproduce.registry.access import (
    can_export_personal_data,
    editable_study_ids,
    is_manager,
    require_manager,
    require_personal_data_export,
    require_staff,
)
from coproduce.staff.records import render_staff

SECTION = "contacts"
PAGE_SIZE = 50
QUEUE_SIZE = 200  # pairs the duplicates queue shows


def scope_for(user: Any) -> set[int] | None:
    """None (everything) for staff with the export grant; else the studies they work on."""
    if can_export_personal_data(user):
        return None
    return set(editable_study_ids(user))


def _contact(user: Any, public_id: Any) -> tuple[Contact, set[int] | None]:
    scope = scope_for(user)
    contacts = contact_records.visible(Contact.objects.all(), scope)
    contact = contacts.filter(public_id=public_id).first()
    if contact is None:
        raise Http404("No such contact, or not one of your studies'.")
    return contact, scope


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Name, organisation, phone or email address",
        required=False,
        max_length=200,
    )


@login_required
@require_safe
def contact_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    contacts = contact_records.search(
        contact_records.visible(Contact.objects.all(), scope_for(request.user)), text
    ).order_by("full_name", "pk")
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    response = render_staff(
        request,
        "staff/contact_list.html",
        {"form": form, "page": page, "text": text, "everyone": scope_for(request.user) is None},
        section=SECTION,
    )
    response["Cache-Control"] = "no-store"
    return response


def _tables(found: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"model": label, **table, "columns": list(table["rows"][0]) if table["rows"] else []}
        for label, table in found["tables"].items()
        if table["rows"]
    ]


@login_required
@require_safe
def contact_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_staff(request.user)
    contact, scope = _contact(request.user, public_id)
    found = contact_records.record(contact, scope)
    count = personaldata.rows_found(found)
    record_read(
        request.user,
        "staff.contact.viewed",
        contact,
        {"rows": count, "scope": "all" if scope is None else "own studies"},
    )
    pairs = matching.pairs(contact=contact) if scope is None else []
    others = {
        c.pk: c
        for c in Contact.objects.filter(
            pk__in=[p.first if p.second == contact.pk else p.second for p in pairs]
        )
    }
    response = render_staff(
        request,
        "staff/contact_detail.html",
        {
            "contact": contact,
            "addresses": list(contact.addresses.order_by("added", "pk")) if scope is None else [],
            "held": contact_records.held(contact, scope),
            "timeline": personaldata.timeline(found),
            "tables": _tables(found),
            "files": {k: v for k, v in found["files"].items() if v},
            "count": count,
            "everyone": scope is None,
            "can_merge": is_manager(request.user),
            "pairs": [
                {
                    "pair": p,
                    "other": others[p.first if p.second == contact.pk else p.second],
                }
                for p in pairs
            ],
        },
        section=SECTION,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def contact_download(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The contact's whole record for a subject access request, as JSON or a readable PDF."""
    require_personal_data_export(request.user)
    contact = get_object_or_404(Contact, public_id=public_id)
    wanted = request.POST.get("format", "")
    if wanted not in ("json", "pdf"):
        messages.error(request, "Choose PDF or JSON")
        return redirect("staff:contact", public_id=contact.public_id)
    found = contact_records.record(contact)
    found["contact"] = str(contact.public_id)
    record_read(
        request.user,
        "staff.contact.downloaded",
        contact,
        {"format": wanted, "rows": personaldata.rows_found(found)},
    )
    if wanted == "json":
        body = json.dumps(found, indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(personaldata.record_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="personal-data.{wanted}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def contact_duplicates(request: HttpRequest) -> HttpResponse:
    """The review queue: the first pairs a matching rule finds, not yet decided, and how many
    there are (counted by group: a large group's every pair is never made)."""
    require_personal_data_export(request.user)
    shown, total = matching.queue(limit=QUEUE_SIZE)
    contacts = Contact.objects.in_bulk([pk for p in shown for pk in (p.first, p.second)])
    response = render_staff(
        request,
        "staff/contact_duplicates.html",
        {
            "rows": [
                {"pair": p, "first": contacts[p.first], "second": contacts[p.second]} for p in shown
            ],
            "total": total,
            "rules": [(name, matching.RULES[name]) for name in matching.enabled_rules()],
            "can_merge": is_manager(request.user),
        },
        section=SECTION,
    )
    response["Cache-Control"] = "no-store"
    return response


class MergeForm(forms.Form):
    keep = forms.ChoiceField(
        label="Which contact stays?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the contact that stays"},
    )
    reason = forms.CharField(
        label="Why are these one person?",
        help_text="Kept in the audit log. Say how you checked; do not repeat their details.",
        max_length=500,
        error_messages={"required": "Say why these are one person"},
    )
    different_addresses = forms.BooleanField(
        label="I have checked that both addresses belong to this one person",
        required=False,
    )

    def __init__(self, *args: Any, first: Contact, second: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first, self.second = first, second
        keep = self.fields["keep"]
        assert isinstance(keep, forms.ChoiceField)
        keep.choices = [
            (str(c.public_id), f"{c} ({c.email or 'no address'})") for c in (first, second)
        ]
        self.needs_check = bool(first.email and second.email and first.email != second.email)
        if not self.needs_check:
            del self.fields["different_addresses"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.needs_check and not cleaned.get("different_addresses"):
            self.add_error(
                "different_addresses",
                "Confirm both addresses belong to this one person: contacts with different "
                "addresses are never merged without it",
            )
        return cleaned


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def contact_merge(request: HttpRequest, first: Any, second: Any) -> HttpResponse:
    """Compare two contacts side by side and, as a manager, merge them."""
    require_personal_data_export(request.user)
    one = get_object_or_404(Contact, public_id=first)
    two = get_object_or_404(Contact, public_id=second)
    if one.pk == two.pk:
        raise Http404("A contact cannot be compared with itself.")
    form = MergeForm(request.POST or None, first=one, second=two)
    if request.method == "POST":
        require_manager(request.user)
        if form.is_valid():
            keep, other = (
                (one, two) if form.cleaned_data["keep"] == str(one.public_id) else (two, one)
            )
            try:
                moved = merging.merge(
                    keep,
                    other,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    different_addresses=bool(form.cleaned_data.get("different_addresses")),
                )
            except merging.CannotMerge as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request, f"Merged: {sum(moved.values())} records moved to this contact."
                )
                return redirect("staff:contact", public_id=keep.public_id)
    sides = []
    for contact in (one, two):
        sides.append({"contact": contact, "held": contact_records.held(contact)})
    record_read(request.user, "staff.contact.viewed", one, {"compared_with": two.audit_label})
    return render_staff(
        request,
        "staff/contact_merge.html",
        {"form": form, "sides": sides, "can_merge": is_manager(request.user)},
        section=SECTION,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def contact_not_duplicate(request: HttpRequest, first: Any, second: Any) -> HttpResponse:
    require_manager(request.user)
    one = get_object_or_404(Contact, public_id=first)
    two = get_object_or_404(Contact, public_id=second)
    if one.pk == two.pk:
        raise Http404("A contact cannot be compared with itself.")
    matching.mark_not_duplicate(one, two, by=request.user)
    record(request.user, "contacts.contact.not_duplicate", one, {"other": [None, two.audit_label]})
    messages.success(request, "Recorded: these are two people. They will not be paired again.")
    return redirect("staff:contact_duplicates")
