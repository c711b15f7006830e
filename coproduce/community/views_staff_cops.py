"""Staff pages for communities of practice: activities, leadership, purpose, and health.

Anyone with a staff role may look. Managers may change every community; researchers may
change the community of a study they can edit (`coproduce.registry.access.can_edit_study`);
theme-wide communities are managers' alone. Each page that changes something has two views on
one URL: a GET view that only shows the form, and a `@require_POST` view that makes the change
and writes its audit entry; `by_method` joins them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from coproduce.audit.log import action_name, diff, record, snapshot
from coproduce.community import health
from coproduce.community.forms_cops import (
    ActivityForm,
    CommunityAboutForm,
    HealthForm,
    LeadershipForm,
)
from coproduce.community.models import Activity, CommunityOfPractice
from coproduce.community.views_cops import join_url
from coproduce.registry.access import can_edit_study, is_manager, require_staff
from coproduce.staff.records import renderer

PAGE_SIZE = 25
View = Callable[..., HttpResponse]
_EMPTY: tuple[Any, ...] = (None, "", [])


# --- access ------------------------------------------------------------------------------------


def can_change(user: Any, cop: CommunityOfPractice) -> bool:
    if cop.study_id is None:
        return is_manager(user)
    return can_edit_study(user, cop.study)


def get_cop_for(user: Any, slug: str, *, write: bool = False) -> CommunityOfPractice:
    """The community, or 404 if there is none, or 403 if the user may not see (or change) it."""
    require_staff(user)
    cop = CommunityOfPractice.objects.select_related("study__theme", "theme").filter(slug=slug)
    found = cop.first()
    if found is None:
        raise Http404("No such community of practice.")
    if write and not can_change(user, found):
        raise PermissionDenied("You can only change the communities of studies you work on.")
    return found


def _activity(cop: CommunityOfPractice, public_id: Any) -> Activity:
    return get_object_or_404(Activity, cop=cop, public_id=public_id)


# --- rendering ---------------------------------------------------------------------------------


def _nav(current: str) -> list[dict[str, Any]]:
    from coproduce.staff.navigation import staff_nav

    return staff_nav(current)


_render = renderer("cops", "community/staff_cops/")


def _cop_url(cop: CommunityOfPractice) -> str:
    return reverse("community_staff:cop", args=[cop.slug])


# --- lists and pages ---------------------------------------------------------------------------


@login_required
@require_safe
def cop_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    today = timezone.localdate()
    queryset = (
        CommunityOfPractice.objects.select_related("study__theme", "theme")
        .annotate(
            activity_count=Count("activities", filter=Q(activities__date__lte=today)),
            upcoming_count=Count("activities", filter=Q(activities__date__gt=today)),
            last_activity=Max("activities__date", filter=Q(activities__date__lte=today)),
        )
        .order_by("name")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"cop": cop, "can_change": can_change(request.user, cop)} for cop in page]
    return _render(request, "list.html", {"page": page, "rows": rows})


@login_required
@require_safe
def cop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    cop = get_cop_for(request.user, slug)
    activities = Activity.objects.filter(cop=cop).order_by("-date", "title")
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return _render(
        request,
        "detail.html",
        {
            "cop": cop,
            "periods": list(cop.leadership_periods.order_by("-start", "-pk")),
            "page": page,
            "today": today,
            "can_change": can_change(request.user, cop),
            "join_url": join_url(cop),
        },
    )


# --- purpose and ground rules ------------------------------------------------------------------


def _about_form(
    request: HttpRequest, cop: CommunityOfPractice, form: CommunityAboutForm
) -> HttpResponse:
    return _render(
        request, "about_form.html", {"cop": cop, "form": form, "cancel_url": _cop_url(cop)}
    )


@login_required
@require_safe
def about_show(request: HttpRequest, slug: str) -> HttpResponse:
    cop = get_cop_for(request.user, slug, write=True)
    return _about_form(request, cop, CommunityAboutForm(instance=cop))


@login_required
@require_POST
def about_update(request: HttpRequest, slug: str) -> HttpResponse:
    cop = get_cop_for(request.user, slug, write=True)
    before = snapshot(cop)
    form = CommunityAboutForm(request.POST, instance=cop)
    if not form.is_valid():
        return _about_form(request, cop, form)
    with transaction.atomic():
        cop = form.save()
        changes = diff(before, snapshot(cop))
        if changes:
            record(request.user, action_name(cop, "updated"), cop, changes)
    if changes:
        messages.success(request, "Purpose and ground rules saved.")
    else:
        messages.info(request, "Nothing was changed.")
    return redirect(_cop_url(cop))


# --- leadership --------------------------------------------------------------------------------


def _leadership_form(
    request: HttpRequest, cop: CommunityOfPractice, form: LeadershipForm
) -> HttpResponse:
    current = cop.leadership_periods.order_by("-start", "-pk").first()
    return _render(
        request,
        "leadership_form.html",
        {"cop": cop, "form": form, "current": current, "cancel_url": _cop_url(cop)},
    )


@login_required
@require_safe
def leadership_show(request: HttpRequest, slug: str) -> HttpResponse:
    cop = get_cop_for(request.user, slug, write=True)
    return _leadership_form(
        request, cop, LeadershipForm(cop=cop, initial={"model": cop.leadership})
    )


@login_required
@require_POST
def leadership_change(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a new leadership period; every period still running ends the day before."""
    cop = get_cop_for(request.user, slug, write=True)
    form = LeadershipForm(request.POST, cop=cop)
    if not form.is_valid():
        return _leadership_form(request, cop, form)
    start = form.cleaned_data["start"]
    with transaction.atomic():
        running = (
            cop.leadership_periods.select_for_update()
            .filter(start__lt=start)
            .filter(Q(end__isnull=True) | Q(end__gte=start))
        )
        for period in running:
            before = snapshot(period)
            period.end = start - dt.timedelta(days=1)
            period.save(update_fields=["end"])
            record(
                request.user, action_name(period, "updated"), period, diff(before, snapshot(period))
            )
        # Saving the period also brings the community's cached leadership up to date.
        period = form.save()
        after = snapshot(period)
        record(
            request.user,
            action_name(period, "created"),
            period,
            {name: [None, value] for name, value in after.items() if value not in _EMPTY},
        )
    cop.refresh_from_db(fields=["leadership"])
    messages.success(
        request,
        f"Leadership recorded: {cop.get_leadership_display().lower()} from {start:%d %B %Y}.",
    )
    return redirect(_cop_url(cop))


# --- activities --------------------------------------------------------------------------------


def _activity_form(
    request: HttpRequest,
    cop: CommunityOfPractice,
    form: ActivityForm,
    activity: Activity | None = None,
    title: str = "",
) -> HttpResponse:
    return _render(
        request,
        "activity_form.html",
        {
            "cop": cop,
            "form": form,
            "activity": activity,
            "title": title,
            "cancel_url": _cop_url(cop),
        },
    )


@login_required
@require_safe
def activity_new(request: HttpRequest, slug: str) -> HttpResponse:
    cop = get_cop_for(request.user, slug, write=True)
    return _activity_form(request, cop, ActivityForm())


@login_required
@require_POST
def activity_create(request: HttpRequest, slug: str) -> HttpResponse:
    cop = get_cop_for(request.user, slug, write=True)
    form = ActivityForm(request.POST, instance=Activity(cop=cop))
    if not form.is_valid():
        return _activity_form(request, cop, form)
    with transaction.atomic():
        activity = form.save()
        after = snapshot(activity)
        changes = {name: [None, value] for name, value in after.items() if value not in _EMPTY}
        record(request.user, action_name(activity, "created"), activity, changes)
    messages.success(request, f"Activity “{activity.title}” added.")
    return redirect(_cop_url(cop))


@login_required
@require_safe
def activity_show(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    cop = get_cop_for(request.user, slug, write=True)
    activity = _activity(cop, public_id)
    return _activity_form(request, cop, ActivityForm(instance=activity), activity, activity.title)


@login_required
@require_POST
def activity_update(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    cop = get_cop_for(request.user, slug, write=True)
    activity = _activity(cop, public_id)
    # Taken before binding: validating a form writes its values onto the instance.
    before = snapshot(activity)
    title = activity.title
    form = ActivityForm(request.POST, instance=activity)
    if not form.is_valid():
        return _activity_form(request, cop, form, activity, title)
    with transaction.atomic():
        activity = form.save()
        changes = diff(before, snapshot(activity))
        if changes:
            record(request.user, action_name(activity, "updated"), activity, changes)
    if changes:
        messages.success(request, f"Changes to “{activity.title}” saved.")
    else:
        messages.info(request, "Nothing was changed.")
    return redirect(_cop_url(cop))


@login_required
@require_safe
def activity_confirm_delete(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    cop = get_cop_for(request.user, slug, write=True)
    activity = _activity(cop, public_id)
    return _render(
        request,
        "activity_confirm_delete.html",
        {"cop": cop, "activity": activity, "cancel_url": _cop_url(cop)},
    )


@login_required
@require_POST
def activity_delete(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    cop = get_cop_for(request.user, slug, write=True)
    activity = _activity(cop, public_id)
    title = activity.title
    with transaction.atomic():
        before = snapshot(activity)
        changes = {name: [value, None] for name, value in before.items() if value not in _EMPTY}
        # Recorded while the activity still has its primary key.
        record(request.user, action_name(activity, "deleted"), activity, changes)
        activity.delete()
    messages.success(request, f"Activity “{title}” deleted.")
    return redirect(_cop_url(cop))


# --- health ------------------------------------------------------------------------------------


@login_required
@require_safe
def cop_health(request: HttpRequest, slug: str) -> HttpResponse:
    cop = get_cop_for(request.user, slug)
    form = HealthForm(request.GET)
    until, quarters = form.settings()
    report = health.assess([cop], until=until, quarters=quarters)
    result = report.communities[0]
    return _render(
        request,
        "health.html",
        {
            "cop": cop,
            "form": form,
            "report": report,
            "result": result,
            "charts": health.series_charts(result.series),
            "criteria": health.CRITERIA,
        },
    )


@login_required
@require_safe
def all_health(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    form = HealthForm(request.GET)
    until, quarters = form.settings()
    cops = list(CommunityOfPractice.objects.only("pk", "slug", "name").order_by("name"))
    report = health.assess(cops, until=until, quarters=quarters)
    query = request.GET.urlencode()
    urls = {
        cop.pk: reverse("community_staff:health", args=[cop.slug]) + (f"?{query}" if query else "")
        for cop in cops
    }
    return _render(
        request,
        "health_all.html",
        {
            "form": form,
            "report": report,
            "scores": health.scores_chart(report, urls),
            "charts": health.series_charts(report.total),
            "criteria": health.CRITERIA,
        },
    )
