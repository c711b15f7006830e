"""Staff area: the home page, generic registry views driven by `kinds.KINDS`, and enquiries.

Access is decided in `coproduce.registry.access` (through each kind's policy); views only ask.
GET never changes anything: creating, editing, deleting and status changes happen on POST.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coproduce.audit.log import action_name, diff, record, snapshot
from coproduce.audit.models import AuditEntry
from coproduce.pages.models import Enquiry
from coproduce.registry.access import (
    is_manager,
    is_staff_member,
    require_manager,
    require_staff,
)
from coproduce.staff import editing
from coproduce.staff.forms import (
    EnquiryFilterForm,
    EnquiryStatusForm,
    ListFilterForm,
    field_labels,
)
from coproduce.staff.history import field_label, history_page, shown
from coproduce.staff.kinds import KIND_BY_MODEL, KINDS, Kind
from coproduce.staff.navigation import staff_nav

PAGE_SIZE = 25
RELATED_SHOWN = 20
RECENT_ACTIVITY = 10


# Other apps' staff pages import this name; keep it (see navigation.py).
_nav = staff_nav


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    section: str,
    status: int = 200,
) -> HttpResponse:
    context = {**context, "staff_nav": staff_nav(section)}
    return render(request, f"staff/{template}", context, status=status)


# --- home --------------------------------------------------------------------------------------


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    from coproduce.governance.access import memberships

    if not is_staff_member(request.user) and memberships(request.user):
        # A lay panel member (no staff role) signs in to their panels; the rest is not theirs.
        return redirect("governance:panels")
    require_staff(request.user)
    sections = [
        {
            "label": kind.plural.capitalize(),
            "url": kind.url("list"),
            "count": kind.model._default_manager.count(),
        }
        for kind in KINDS.values()
    ]
    new_enquiries = Enquiry.objects.filter(status=Enquiry.Status.NEW).count()
    recent = list(AuditEntry.objects.changes()[:RECENT_ACTIVITY])  # reads are not changes
    return _render(
        request,
        "home.html",
        {
            "sections": sections,
            "new_enquiries": new_enquiries,
            "recent": recent,
            "is_manager": is_manager(request.user),
        },
        section="home",
    )


# --- generic registry views --------------------------------------------------------------------


def _kind_context(kind: Kind) -> dict[str, Any]:
    return {"kind": kind, "list_url": kind.url("list")}


@login_required
@require_safe
def object_list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = KINDS[kind]
    user = request.user
    require_staff(user)
    form = ListFilterForm(request.GET, spec.filters, spec.search_help)
    form.fields["q"].label = f"Search {spec.plural}"
    queryset = spec.queryset()
    form.is_valid()  # a filter with a bad value is left out, and shows its error
    cleaned = form.cleaned_data
    text = (cleaned.get("q") or "").strip()
    if text:
        queryset = spec.search(queryset, text)
    for list_filter in spec.filters:
        value = cleaned.get(list_filter.name)
        if value not in (None, ""):
            queryset = list_filter.apply(queryset, value)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "url": spec.url("detail", obj),
            "label": str(obj),
            "cells": [column.value(obj) for column in spec.columns],
            "edit_url": spec.url("edit", obj) if spec.policy.can_edit(user, obj) else "",
        }
        for obj in page.object_list
    ]
    return _render(
        request,
        "object_list.html",
        {
            **_kind_context(spec),
            "form": form,
            "page": page,
            "rows": rows,
            "create_url": spec.url("create") if spec.policy.can_create(user) else "",
        },
        section=spec.key,
    )


def _detail_rows(spec: Kind, obj: Any) -> list[dict[str, Any]]:
    """The object's form fields as label, value text and (for registry records) a link."""
    labels = field_labels(spec.form_class)
    rows = []
    for name in spec.form_class._meta.fields or ():
        model_field = spec.model._meta.get_field(name)
        url = ""
        if model_field.many_to_many:
            value: Any = list(getattr(obj, name).all())
        elif getattr(model_field, "choices", None):
            value = getattr(obj, f"get_{name}_display")()
        else:
            value = getattr(obj, name)
        if isinstance(value, list):
            text = shown([str(item) for item in value])
        elif isinstance(value, dt.date):
            text = shown(value.isoformat())
        elif hasattr(value, "get_username"):
            text = value.get_username()
        else:
            text = shown(value)
        related_kind = KIND_BY_MODEL.get(type(value)) if value is not None else None
        if related_kind is not None:
            url = related_kind.url("detail", value)
        label = labels.get(name) or field_label(spec.model, name)
        rows.append({"label": label, "text": text, "url": url})
    return rows


def _period(item: Any) -> str:
    start, end = getattr(item, "start", None), getattr(item, "end", None)
    if start and end:
        return f" ({date_format(start, 'j M Y')} to {date_format(end, 'j M Y')})"
    if start:
        return f" (from {date_format(start, 'j M Y')})"
    return ""


def _related_label(other: Kind, item: Any, back_field: str) -> str:
    """Two telling columns of a related row, leaving out the object it is listed under."""
    parts = []
    for column in other.columns:
        if column.path in (back_field, "start", "end"):
            continue
        value = column.value(item)
        if value not in (None, ""):
            parts.append(str(value))
        if len(parts) == 2:
            break
    return (" – ".join(parts) or str(item)) + _period(item)


def _related_sections(spec: Kind, obj: Any) -> list[dict[str, Any]]:
    sections = []
    for related in spec.related:
        other = KINDS[related.kind]
        items = list(other.queryset().filter(**{related.field: obj})[: RELATED_SHOWN + 1])
        list_url = ""
        if any(f.name == related.field for f in other.filters) and hasattr(obj, "slug"):
            list_url = other.url("list") + "?" + urlencode({related.field: obj.slug})
        sections.append(
            {
                "heading": related.heading,
                "items": [
                    {
                        "label": _related_label(other, item, related.field),
                        "url": other.url("detail", item),
                    }
                    for item in items[:RELATED_SHOWN]
                ],
                "more": len(items) > RELATED_SHOWN,
                "list_url": list_url,
            }
        )
    return sections


@login_required
@require_safe
def object_detail(request: HttpRequest, kind: str, key: Any) -> HttpResponse:
    spec = KINDS[kind]
    user = request.user
    obj = spec.policy.get(spec, user, key, write=False)
    history, history_items = history_page(
        obj, request.GET.get("page"), field_labels(spec.form_class)
    )
    can_edit = spec.policy.can_edit(user, obj)
    return _render(
        request,
        "object_detail.html",
        {
            **_kind_context(spec),
            "object": obj,
            "object_label": str(obj),
            "fields": _detail_rows(spec, obj),
            "related": _related_sections(spec, obj),
            "history": history,
            "history_rows": history_items,
            "edit_url": spec.url("edit", obj) if can_edit else "",
            "delete_url": spec.url("delete", obj) if spec.policy.can_delete(user, obj) else "",
        },
        section=spec.key,
    )


@login_required
@require_http_methods(["GET", "POST"])
def object_create(request: HttpRequest, kind: str) -> HttpResponse:
    spec = KINDS[kind]
    spec.policy.require_create(request.user)
    form = spec.form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        obj, _ = editing.save_with_audit(form, request.user)
        messages.success(request, f"{spec.singular.capitalize()} “{obj}” added.")
        return redirect(spec.url("detail", obj))
    return _render(
        request,
        "object_form.html",
        {
            **_kind_context(spec),
            "form": form,
            "heading": spec.add_label,
            "cancel_url": spec.url("list"),
        },
        section=spec.key,
    )


@login_required
@require_http_methods(["GET", "POST"])
def object_edit(request: HttpRequest, kind: str, key: Any) -> HttpResponse:
    spec = KINDS[kind]
    obj = spec.policy.get(spec, request.user, key, write=True)
    # Taken before the form is bound: validating a form writes its values onto the instance.
    before = snapshot(obj)
    label, detail_url = str(obj), spec.url("detail", obj)
    form = spec.form_class(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        obj, changes = editing.save_with_audit(form, request.user, before)
        if changes:
            messages.success(request, f"Changes to “{obj}” saved.")
        else:
            messages.info(request, "Nothing was changed.")
        return redirect(spec.url("detail", obj))
    return _render(
        request,
        "object_form.html",
        {
            **_kind_context(spec),
            "form": form,
            "heading": f"Edit {spec.singular}",
            "object_label": label,
            "detail_url": detail_url,
            "cancel_url": detail_url,
        },
        section=spec.key,
    )


@login_required
@require_http_methods(["GET", "POST"])
def object_delete(request: HttpRequest, kind: str, key: Any) -> HttpResponse:
    spec = KINDS[kind]
    obj = spec.policy.get(spec, request.user, key, write=True)
    spec.policy.require_delete(request.user, obj)
    label, detail_url = str(obj), spec.url("detail", obj)
    blockers = editing.blockers_for(obj)
    if request.method == "POST" and not blockers:
        try:
            editing.delete_with_audit(obj, request.user)
        except (ProtectedError, RestrictedError) as error:
            # Someone added a reference between showing the page and pressing the button.
            blockers = editing.blockers_from(error)
        else:
            messages.success(request, f"{spec.singular.capitalize()} “{label}” deleted.")
            return redirect(spec.url("list"))
    refused = request.method == "POST" and bool(blockers)
    return _render(
        request,
        "object_confirm_delete.html",
        {
            **_kind_context(spec),
            "object_label": label,
            "detail_url": detail_url,
            "delete_url": spec.url("delete", obj),
            "blockers": blockers,
            "refused": refused,
        },
        section=spec.key,
        status=409 if refused else 200,
    )


# --- enquiries ---------------------------------------------------------------------------------


@login_required
@require_safe
def enquiries(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    form = EnquiryFilterForm(request.GET)
    queryset = Enquiry.objects.select_related("handled_by")
    if form.is_valid() and form.cleaned_data["status"]:
        queryset = queryset.filter(status=form.cleaned_data["status"])
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "enquiry_list.html", {"form": form, "page": page}, section="enquiries")


def _enquiry(public_id: Any) -> Enquiry:
    return get_object_or_404(Enquiry.objects.select_related("handled_by"), public_id=public_id)


@login_required
@require_safe
def enquiry_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_staff(request.user)
    enquiry = _enquiry(public_id)
    history, history_items = history_page(enquiry, request.GET.get("page"))
    return _render(
        request,
        "enquiry_detail.html",
        {
            "enquiry": enquiry,
            "history": history,
            "history_rows": history_items,
            "can_change": is_manager(request.user),
            "statuses": [
                (value, label) for value, label in Enquiry.Status.choices if value != enquiry.status
            ],
        },
        section="enquiries",
    )


@login_required
@require_POST
def enquiry_status(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    enquiry = _enquiry(public_id)
    form = EnquiryStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status for the enquiry.")
        return redirect("staff:enquiry", public_id=enquiry.public_id)
    status = form.cleaned_data["status"]
    if status == enquiry.status:
        return redirect("staff:enquiry", public_id=enquiry.public_id)
    with transaction.atomic():
        before = snapshot(enquiry)
        enquiry.status = status
        enquiry.handled_by = request.user  # type: ignore[assignment]
        enquiry.save(update_fields=["status", "handled_by"])
        record(
            request.user, action_name(enquiry, "updated"), enquiry, diff(before, snapshot(enquiry))
        )
    messages.success(request, f"Enquiry marked as “{enquiry.get_status_display()}”.")
    return redirect("staff:enquiry", public_id=enquiry.public_id)
