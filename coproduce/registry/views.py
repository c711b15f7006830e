"""Public registry pages: themes, studies, who is who, and the studies-by-theme report.

Everything here is readable without signing in, so only names, organisations and roles of
people appear: never email addresses or anything else from a person's record.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from coproduce.registry import reports, study_sections, whoiswho
from coproduce.registry.models import Person, Placement, Study, Theme

PAGE_SIZE = 25

# Tag colours for a study's stage, so that a reader can scan a long list by stage.
_STAGE_COLOURS: dict[str, str] = {
    Study.Stage.PROPOSED: "grey",
    Study.Stage.SCOPING: "purple",
    Study.Stage.SET_UP: "yellow",
    Study.Stage.RECRUITING: "blue",
    Study.Stage.ANALYSIS: "aqua-green",
    Study.Stage.IMPLEMENTING: "orange",
    Study.Stage.COMPLETE: "green",
    Study.Stage.NOT_TAKEN_FORWARD: "red",
}


@dataclass(frozen=True)
class StudyItem:
    study: Study

    @property
    def stage_colour(self) -> str:
        return _STAGE_COLOURS.get(self.study.stage, "grey")


def _paginate(request: HttpRequest, queryset: QuerySet[Any]) -> Page[Any]:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _study_items(page: Page[Any]) -> list[StudyItem]:
    return [StudyItem(study) for study in page.object_list]


# Themes


@require_safe
def themes(request: HttpRequest) -> HttpResponse:
    # A grouped query drops Meta.ordering, so the order is spelled out.
    all_themes = list(
        Theme.objects.annotate(study_count=Count("studies")).order_by("position", "name")
    )
    return render(
        request,
        "registry/themes.html",
        {
            "research_themes": [t for t in all_themes if t.kind == Theme.Kind.RESEARCH],
            "cross_cutting_themes": [t for t in all_themes if t.kind == Theme.Kind.CROSS_CUTTING],
        },
    )


@require_safe
def theme(request: HttpRequest, slug: str) -> HttpResponse:
    the_theme = get_object_or_404(Theme, slug=slug)
    page = _paginate(
        request, Study.objects.with_df_counts().filter(theme=the_theme).order_by("title", "pk")
    )
    return render(
        request,
        "registry/theme.html",
        {"theme": the_theme, "page": page, "items": _study_items(page)},
    )


# Studies


class StudyFilterForm(forms.Form):
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All themes",
        label="Theme",
        error_messages={"invalid_choice": "Choose a theme from the list"},
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )


@require_safe
def studies(request: HttpRequest) -> HttpResponse:
    form = StudyFilterForm(request.GET)
    queryset = Study.objects.select_related("theme")
    chosen: Theme | None = None
    if form.is_valid():
        chosen = form.cleaned_data["theme"]
        if chosen is not None:
            queryset = queryset.filter(theme=chosen)
    else:
        form.fields["theme"].widget.attrs["class"] = "nhsuk-select nhsuk-select--error"
        form.fields["theme"].widget.attrs["aria-describedby"] = "id_theme-error"
    page = _paginate(request, queryset)
    return render(
        request,
        "registry/studies.html",
        {"form": form, "chosen": chosen, "page": page, "items": _study_items(page)},
    )


@require_safe
def study(request: HttpRequest, slug: str) -> HttpResponse:
    the_study = get_object_or_404(Study.objects.with_df_counts().select_related("theme"), slug=slug)
    today = timezone.localdate()
    # A study that has ended lists everyone who worked on it, with their dates; a running
    # study the people in post today.
    ended = the_study.end is not None and the_study.end < today
    placements = (
        Placement.objects.filter(study=the_study)
        if ended
        else Placement.objects.active_on(today).filter(study=the_study)
    )
    secondments = (
        the_study.secondments.select_related("person", "home_organisation")
        if ended
        else the_study.current_secondments(today)
    )
    return render(
        request,
        "registry/study.html",
        {
            "study": the_study,
            "ended": ended,
            "stage_colour": StudyItem(the_study).stage_colour,
            "partners": the_study.partners.select_related("area"),
            "secondments": secondments.order_by("start", "person__full_name")
            if ended
            else secondments.order_by("person__full_name"),
            "placements": placements.select_related(
                "person", "host_organisation", "academic_affiliation"
            ).order_by("person__full_name"),
            "study_sections": study_sections.for_study(the_study),
        },
    )


# Who is who (the lists and their queries: registry/whoiswho.py)


@require_safe
def who_is_who(request: HttpRequest) -> HttpResponse:
    """What each role is, and how many people each list holds, linked to the lists."""
    counts = whoiswho.counts(timezone.localdate())
    fellows, former_fellows, residents, former_residents = (
        {"group": g, "count": counts[g], "count_text": f"{counts[g]:,}"} for g in whoiswho.GROUPS
    )
    return render(
        request,
        "registry/who_is_who.html",
        {
            "fellows": fellows,
            "former_fellows": former_fellows,
            "residents": residents,
            "former_residents": former_residents,
        },
    )


@require_safe
def who_is_who_list(request: HttpRequest, index: int) -> HttpResponse:
    """One of the four lists, a page of people at a time, in name order."""
    the_group = whoiswho.GROUPS[index]
    page, entries = whoiswho.page_of(the_group, timezone.localdate(), request.GET.get("page"))
    return render(
        request,
        "registry/who_is_who_list.html",
        {
            "group": the_group,
            "groups": whoiswho.GROUPS,
            "page": page,
            "count_text": f"{page.paginator.count:,}",
            "entries": entries,
        },
    )


@require_safe
def who_is_who_person(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A link to one person's entry: sent to the list and page that has it. `?role=` prefers
    that role's lists (a study links its fellows as fellows); without it, the first list
    that has them, as the single who-is-who page used to anchor them. Someone on no list
    (not started yet) is sent to the who-is-who page."""
    person = get_object_or_404(
        Person.objects.only("pk", "full_name", "public_id"), public_id=public_id
    )
    place = whoiswho.place_of(
        person, timezone.localdate(), whoiswho.ROLES.get(request.GET.get("role", ""))
    )
    if place is None:
        return redirect("registry:who_is_who")
    the_group, number = place
    query = f"?page={number}" if number > 1 else ""
    return redirect(f"{reverse(the_group.url_name)}{query}#person-{person.public_id}")


# Report: studies by theme (Table 1)


class _DateInput(forms.DateInput):
    input_type = "date"


class ReportDateForm(forms.Form):
    on = forms.DateField(
        label="Show the figures on this date",
        required=False,
        help_text="Leave it empty to see today's figures.",
        error_messages={"invalid": "Enter a real date, for example 2012-03-31"},
        widget=_DateInput(
            format="%Y-%m-%d",
            attrs={"class": "nhsuk-input nhsuk-input--width-10", "aria-describedby": "id_on-hint"},
        ),
    )


def _report_date(request: HttpRequest) -> tuple[ReportDateForm, dt.date | None]:
    form = ReportDateForm(request.GET)
    if not form.is_valid():
        attrs = form.fields["on"].widget.attrs
        attrs["class"] += " nhsuk-input--error"
        attrs["aria-describedby"] = "id_on-hint id_on-error"
        return form, None
    return form, form.cleaned_data["on"] or timezone.localdate()


def _published_table() -> tuple[str, dt.date] | None:
    """The published table the report offers to compare with, and the date it is as at."""
    name = settings.COPRODUCE_PUBLISHED_TABLE.strip()
    try:
        as_at = dt.date.fromisoformat(settings.COPRODUCE_PUBLISHED_TABLE_AS_AT.strip())
    except ValueError:
        return None
    return (name, as_at) if name else None


@require_safe
def report_studies_by_theme(request: HttpRequest) -> HttpResponse:
    form, on = _report_date(request)
    report = reports.studies_by_theme(on)
    published = _published_table()
    return render(
        request,
        "registry/report_studies_by_theme.html",
        {
            "form": form,
            "report": report,
            "totals": report.totals,
            "is_today": report.on == timezone.localdate(),
            "query": f"?on={report.on.isoformat()}" if form.cleaned_data.get("on") else "",
            "published": published,
            "is_published_date": published is not None and report.on == published[1],
        },
    )


@require_safe
def report_studies_by_theme_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("The report downloads as csv or xlsx.")
    _form, on = _report_date(request)
    if on is None:
        return HttpResponseBadRequest(
            "Enter a real date, for example 2012-03-31.", content_type="text/plain"
        )
    report = reports.studies_by_theme(on)
    if fmt == "csv":
        body, content_type = reports.to_csv(report), reports.CSV_CONTENT_TYPE
    else:
        body, content_type = reports.to_xlsx(report), reports.XLSX_CONTENT_TYPE
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename(fmt)}"'
    return response
