"""Staff area: the home page and enquiries. Plain records are served by `records.py`.

Access is decided in `coproduce.registry.access` (through each kind's policy); views only ask.
GET never changes anything: creating, editing, deleting and status changes happen on POST.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST, require_safe

from coproduce.audit.log import action_name, diff, record, snapshot
from coproduce.audit.models import AuditEntry
from coproduce.pages.models import Enquiry
from coproduce.registry.access import (
    is_manager,
    is_staff_member,
    require_manager,
    require_staff,
)
from coproduce.staff.forms import EnquiryFilterForm, EnquiryStatusForm
from coproduce.staff.history import history_page
from coproduce.staff.navigation import home_without_staff_role, staff_nav
from coproduce.staff.records import by_method, registered, render_staff

PAGE_SIZE = 25
RECENT_ACTIVITY = 10

# Other apps' staff pages import these names; keep them (see navigation.py and records.py).
_nav = staff_nav
__all__ = ["by_method"]


# --- home --------------------------------------------------------------------------------------


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        # A lay panel member (no staff role) signs in to their panels; the rest is not theirs.
        landing = home_without_staff_role(request.user)
        if landing is not None:
            return redirect(landing)
    require_staff(request.user)
    sections = [
        {
            "label": kind.plural.capitalize(),
            "url": kind.url("list"),
            "count": kind.model._default_manager.count(),
        }
        for kind in registered("staff")
        if "list" in kind.actions
    ]
    new_enquiries = Enquiry.objects.filter(status=Enquiry.Status.NEW).count()
    recent = list(AuditEntry.objects.changes()[:RECENT_ACTIVITY])  # reads are not changes
    return render_staff(
        request,
        "staff/home.html",
        {
            "sections": sections,
            "new_enquiries": new_enquiries,
            "recent": recent,
            "is_manager": is_manager(request.user),
        },
        section="home",
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
    return render_staff(
        request, "staff/enquiry_list.html", {"form": form, "page": page}, section="enquiries"
    )


def _enquiry(public_id: Any) -> Enquiry:
    return get_object_or_404(Enquiry.objects.select_related("handled_by"), public_id=public_id)


@login_required
@require_safe
def enquiry_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_staff(request.user)
    enquiry = _enquiry(public_id)
    history, history_items = history_page(enquiry, request.GET.get("page"))
    return render_staff(
        request,
        "staff/enquiry_detail.html",
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
