"""Staff area: the home page and enquiries. Plain records are served by `records.py`.

Access is decided in `coproduce.registry.access` (through each kind's policy); views only ask.
GET never changes anything: creating, editing, deleting and status changes happen on POST.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST, require_safe

from coproduce import figures
from coproduce.audit.describe import describe
from coproduce.audit.log import action_name, diff, record, snapshot
from coproduce.audit.models import AuditEntry
from coproduce.pages.models import Enquiry
from coproduce.registry.access import (
    is_manager,
    is_staff_member,
    require_manager,
    require_staff,
)
from coproduce.registry.models import RoleAssignment
from coproduce.staff.forms import EnquiryFilterForm, EnquiryStatusForm
from coproduce.staff.history import history_page
from coproduce.staff.navigation import (
    HomePanel,
    WorkRow,
    areas_for,
    home_without_staff_role,
    staff_nav,
    your_work,
)
from coproduce.staff.records import by_method, kind_named, registered, render_staff

PAGE_SIZE = 25
RECENT_ACTIVITY = 10

# Other apps' staff pages import these names; keep them (see navigation.py and records.py).
_nav = staff_nav
__all__ = ["by_method"]


# --- the benchmark's staff yardstick ------------------------------------------------------------


@require_safe
def bare(request: HttpRequest) -> HttpResponse:
    """The staff layout with no content (the studies area's menu shown), signed in as any
    staff page is: the benchmark's yardstick for staff pages, as /bench/bare/ is for public
    ones. Off (404, to everyone) unless the bench settings turn it on."""
    if not settings.BENCH_BARE_PAGE:
        raise Http404
    return _bare(request)


@login_required
def _bare(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    return render_staff(request, "staff/bare.html", {}, section="study")


# --- home --------------------------------------------------------------------------------------


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The person's own work first (their studies, reviews, secondment...: `your_work`
    panels), then their areas of work, the records and recent changes, as sentences."""
    if not is_staff_member(request.user):
        # A lay panel member (no staff role) signs in to their panels; the rest is not theirs.
        landing = home_without_staff_role(request.user)
        if landing is not None:
            return redirect(landing)
    require_staff(request.user)
    counts = figures.value("staff.record_counts")
    sections = [
        {
            "label": kind.plural.capitalize(),
            "url": kind.url("list"),
            "count": counts["kinds"].get(kind.key, 0),
        }
        for kind in registered("staff")
        if "list" in kind.actions
    ]
    new_enquiries = counts["new_enquiries"]
    recent = figures.value("staff.recent_changes")
    mine = areas_for(request.user)
    panels = [panel for panel in [_your_studies(request.user)] if panel] + your_work(request.user)
    return render_staff(
        request,
        "staff/home.html",
        {
            "panels": sorted(panels, key=lambda panel: panel.order),
            "areas": [item for item in staff_nav("home") if item["key"] in mine],
            "sections": sections,
            "new_enquiries": new_enquiries,
            "recent": recent,
            "is_manager": is_manager(request.user),
            "name": _full_name(request.user),
        },
        section="home",
    )


def record_counts() -> dict[str, Any]:
    """How many records of each kind the staff home lists, and new enquiries (a stored
    figure, `staff.record_counts`)."""
    return {
        "kinds": {
            kind.key: kind.model._default_manager.count()
            for kind in registered("staff")
            if "list" in kind.actions
        },
        "new_enquiries": Enquiry.objects.filter(status=Enquiry.Status.NEW).count(),
    }


def recent_changes() -> list[Any]:
    """The last changes to records, as sentences (a stored figure, `staff.recent_changes`:
    describing them reads each record they are about)."""
    described = describe(AuditEntry.objects.changes().select_related("actor")[:RECENT_ACTIVITY])
    for item in described:
        # The sentence already names the actor: the stored value keeps no copy of their
        # account (its password hash included).
        item.entry._state.fields_cache.pop("actor", None)
    return described


def _full_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _your_studies(user: Any) -> HomePanel | None:
    """The studies the person holds a current role on (two queries, however many)."""
    roles = list(
        RoleAssignment.objects.active_on()
        .filter(person__user=user)
        .select_related("study")
        .order_by("study__title", "role")
    )
    if not roles:
        return None
    by_study: dict[int, tuple[Any, list[str]]] = {}
    for assignment in roles:
        by_study.setdefault(assignment.study_id, (assignment.study, []))[1].append(
            assignment.get_role_display().lower()
        )
    study_kind = kind_named("study")
    return HomePanel(
        "Your studies",
        [
            WorkRow(
                study.title,
                study_kind.url("detail", study),
                f"{study.get_stage_display()}; you are {', '.join(held)}",
            )
            for study, held in by_study.values()
        ],
        order=10,
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
