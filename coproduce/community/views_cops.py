"""Public pages of the communities of practice: the list, and a page per community.

Readable without signing in, so they show what a community is and does, never who its
associates are: no associate's name, email or organisation appears, and activities show
whether a member or staff led them, not who. Leads appear only as the leadership record's
`leads` text, which staff write for the public page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from coproduce.community.models import Activity, CommunityOfPractice

PAGE_SIZE = 50
ACTIVITIES_SHOWN = 10
# Where the associates' join form lives (built elsewhere); `?cop=<slug>` preselects a community.
JOIN_PATH = "/associates/join/"


def join_url(cop: CommunityOfPractice) -> str:
    try:
        base = reverse("associates:join")
    except NoReverseMatch:
        base = JOIN_PATH
    return f"{base}?{urlencode({'cop': cop.slug})}"


@dataclass
class Group:
    heading: str
    theme_url: str
    cops: list[CommunityOfPractice] = field(default_factory=list)


def _groups(cops: list[CommunityOfPractice]) -> list[Group]:
    """Study communities under their study's theme, then theme-wide communities together."""
    groups: list[Group] = []
    for cop in cops:
        if cop.study is not None:
            theme = cop.study.theme
            heading, url = theme.name, theme.get_absolute_url()
        else:
            heading, url = "Theme-wide communities", ""
        if not groups or groups[-1].heading != heading:
            groups.append(Group(heading, url))
        groups[-1].cops.append(cop)
    return groups


@require_safe
def cop_list(request: HttpRequest) -> HttpResponse:
    queryset = (
        CommunityOfPractice.objects.select_related("study__theme", "theme")
        .annotate(
            theme_wide=Case(
                When(study__isnull=True, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            group_position=Coalesce("study__theme__position", "theme__position"),
            group_name=Coalesce("study__theme__name", "theme__name"),
        )
        .order_by("theme_wide", "group_position", "group_name", "name")
    )
    paginator = Paginator(queryset, PAGE_SIZE)
    # Counted without the joins and sort keys the page's query needs (3,000 rows joined to
    # studies and themes at national scale): every community is listed once.
    paginator.count = CommunityOfPractice.objects.count()
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "community/cops/list.html",
        {"page": page, "groups": _groups(list(page.object_list))},
    )


@require_safe
def cop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    cop = get_object_or_404(
        CommunityOfPractice.objects.select_related("study__theme", "theme"), slug=slug
    )
    today = timezone.localdate()
    periods = list(cop.leadership_periods.order_by("start", "pk"))
    current = next((p for p in reversed(periods) if p.is_active(today)), None)
    # Only what the public page shows: no attendees, no lead person.
    fields = ("public_id", "date", "title", "characteristic", "description", "outputs", "led_by")
    activities = Activity.objects.filter(cop=cop).only(*fields)
    recent = list(activities.filter(date__lt=today).order_by("-date", "title")[:ACTIVITIES_SHOWN])
    upcoming = list(activities.filter(date__gte=today).order_by("date", "title")[:ACTIVITIES_SHOWN])
    return render(
        request,
        "community/cops/detail.html",
        {
            "cop": cop,
            "current": current,
            "periods": list(reversed(periods)),
            "recent": recent,
            "upcoming": upcoming,
            "join_url": join_url(cop),
        },
    )
