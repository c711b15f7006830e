"""Staff pages for implementation and evaluation, at /staff/implementation/.

Anyone with a staff role may look; changing something of a study needs the right to edit that
study (`coproduce.registry.access`); item wording and loading instruments are managers' alone.
Plain records (adding and editing them) are declared in `records.py`; here are the pages and the
workflows. Each form has a GET view that only shows it and a `@require_POST` view that changes
things and writes the audit entry; `by_method` joins them on one URL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from coproduce import figures
from coproduce.audit.log import record
from coproduce.community.models import CommunityOfPractice
from coproduce.implementation import (
    annual,
    evaluation,
    instruments,
    network,
    reports,
    services,
    spc,
    transitions,
)
from coproduce.implementation import forms as f
from coproduce.implementation.models import (
    Administration,
    Determinant,
    ImplementationRecord,
    Instrument,
    Item,
    Measure,
    Output,
    Recommendation,
)
from coproduce.implementation.records import KIND, measure_for
from coproduce.registry.access import (
    can_edit_study,
    get_study_for,
    is_manager,
    require_manager,
    require_staff,
)
from coproduce.registry.models import Study
from coproduce.staff.records import by_method, form_page, renderer

PAGE_SIZE = 25
# Communities a page on the evaluation page (one bar and one table row each).
EVALUATION_PAGE_SIZE = evaluation.COMMUNITIES_PAGE_SIZE


# --- helpers -----------------------------------------------------------------------------------


_render = renderer("implementation", "implementation/")


def _form_page(request: HttpRequest, form: Any, **page: Any) -> HttpResponse:
    crumb = ("Implementation", reverse("implementation:overview"))
    return form_page(request, form, section="implementation", crumb=crumb, **page)


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- overview ----------------------------------------------------------------------------------


@login_required
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    today = timezone.localdate()
    pending = Q(recommendations__status__in=transitions.PENDING)
    studies = (
        Study.objects.select_related("theme")
        .annotate(
            records=Count("implementations", distinct=True),
            barriers=Count(
                "determinants",
                filter=Q(determinants__kind=Determinant.Kind.BARRIER),
                distinct=True,
            ),
            facilitators=Count(
                "determinants",
                filter=Q(determinants__kind=Determinant.Kind.FACILITATOR),
                distinct=True,
            ),
            open_recs=Count("recommendations", filter=pending, distinct=True),
            overdue_recs=Count(
                "recommendations", filter=pending & Q(recommendations__due__lt=today), distinct=True
            ),
            output_count=Count("outputs", distinct=True),
        )
        .order_by("theme__position", "title")
    )
    page = _page(request, studies)
    return _render(
        request,
        "overview.html",
        {"page": page, "overdue_total": services.overdue(today).count()},
    )


# --- a study -----------------------------------------------------------------------------------


@login_required
@require_safe
def study_page(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug)
    records = ImplementationRecord.objects.filter(study=study).select_related("site")
    recs = Recommendation.objects.filter(study=study).select_related("made_by", "partner")
    administrations = list(
        Administration.objects.filter(study=study)
        .select_related("instrument")
        .annotate(n=Count("responses"))
        .order_by("instrument__name", "date")
    )
    instruments_used = list({a.instrument.pk: a.instrument for a in administrations}.values())
    return _render(
        request,
        "study.html",
        {
            "study": study,
            "can_edit": can_edit_study(request.user, study),
            "records": records,
            "determinants": Determinant.objects.filter(study=study).select_related("record")[:10],
            "determinant_count": Determinant.objects.filter(study=study).count(),
            "recommendations": recs,
            "today": timezone.localdate(),
            "measures": Measure.objects.filter(study=study).annotate(n=Count("points")),
            "administrations": administrations,
            "instruments_used": instruments_used,
            "outputs": Output.objects.filter(studies=study),
        },
    )


# --- implementation records --------------------------------------------------------------------


@login_required
@require_safe
def record_show(request: HttpRequest, public_id: Any) -> HttpResponse:
    rec = KIND["record"].get_for(request.user, public_id)
    return _render(
        request,
        "record.html",
        {
            "record": rec,
            "study": rec.study,
            "can_edit": can_edit_study(request.user, rec.study),
            "entries": rec.status_entries.select_related("recorded_by"),
            "determinants": rec.determinants.all(),
            "recommendations": rec.recommendations.all(),
            "outputs": rec.outputs.all(),
        },
    )


def _status_form(request: HttpRequest, rec: ImplementationRecord, form: Any) -> HttpResponse:
    return _form_page(
        request,
        form,
        heading="Record a change of status",
        caption=f"{rec.study.title}: {rec}",
        action=reverse("implementation:record_status", args=[rec.public_id]),
        cancel_url=rec.get_absolute_url(),
        intro=f"Now: {rec.get_status_display()}. Earlier statuses are kept as history.",
    )


@login_required
@require_safe
def status_new(request: HttpRequest, public_id: Any) -> HttpResponse:
    rec = KIND["record"].get_for(request.user, public_id, write=True)
    return _status_form(request, rec, f.StatusForm(initial={"date": timezone.localdate()}))


@login_required
@require_POST
def status_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    rec = KIND["record"].get_for(request.user, public_id, write=True)
    form = f.StatusForm(request.POST)
    if not form.is_valid():
        return _status_form(request, rec, form)
    data = form.cleaned_data
    services.add_status(rec, data["status"], data["date"], note=data["note"], by=request.user)
    messages.success(request, "Status recorded.")
    return redirect(rec.get_absolute_url())


# --- barriers and facilitators -----------------------------------------------------------------


def _determinant_filters(request: HttpRequest) -> dict[str, str]:
    allowed = {
        "study": None,
        "level": Determinant.Level.values,
        "category": Determinant.Category.values,
        "kind": Determinant.Kind.values,
    }
    chosen = {}
    for name, values in allowed.items():
        value = request.GET.get(name, "")
        if value and (values is None or value in values):
            chosen[name] = value
    return chosen


@login_required
@require_safe
def determinant_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    chosen = _determinant_filters(request)
    queryset = Determinant.objects.select_related("study", "record").prefetch_related(
        "codes__instrument"
    )
    study = None
    if "study" in chosen:
        study = get_study_for(request.user, chosen["study"])
        queryset = queryset.filter(study=study)
    for name in ("level", "category", "kind"):
        if name in chosen:
            queryset = queryset.filter(**{name: chosen[name]})
    described = [
        str(dict(getattr(Determinant, cls).choices)[chosen[name]])
        for name, cls in (("kind", "Kind"), ("level", "Level"), ("category", "Category"))
        if name in chosen
    ]
    return _render(
        request,
        "determinants.html",
        {
            "page": _page(request, queryset),
            "study": study,
            "described": described,
            "levels": Determinant.Level.choices,
            "categories": Determinant.Category.choices,
            "kinds": Determinant.Kind.choices,
            "chosen": chosen,
        },
    )


def _matrix_page(request: HttpRequest, study: Study | None) -> HttpResponse:
    queryset = Determinant.objects.all()
    if study is not None:
        queryset = queryset.filter(study=study)
    result = reports.matrix(queryset, study.slug if study else "")
    scope = study.title if study else "all studies"
    return _render(
        request,
        "matrix.html",
        {
            "study": study,
            "matrix": result,
            "categories": reports.CATEGORIES,
            "charts": reports.matrix_charts(result, scope),
        },
    )


@login_required
@require_safe
def matrix_all(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    return _matrix_page(request, None)


@login_required
@require_safe
def matrix_study(request: HttpRequest, slug: str) -> HttpResponse:
    return _matrix_page(request, get_study_for(request.user, slug))


# --- recommendations ---------------------------------------------------------------------------


@login_required
@require_safe
def recommendation_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    today = timezone.localdate()
    queryset = Recommendation.objects.select_related("study", "made_by", "partner")
    status = request.GET.get("status", "")
    if status == "overdue":
        queryset = queryset.filter(status__in=transitions.PENDING, due__lt=today)
    elif status in Recommendation.Status.values:
        queryset = queryset.filter(status=status)
    else:
        status = ""
    return _render(
        request,
        "recommendations.html",
        {
            "page": _page(request, queryset),
            "status": status,
            "statuses": Recommendation.Status.choices,
            "today": today,
            "pending": transitions.PENDING,
        },
    )


@login_required
@require_safe
def recommendation_show(request: HttpRequest, public_id: Any) -> HttpResponse:
    obj = KIND["recommendation"].get_for(request.user, public_id)
    return _render(
        request,
        "recommendation.html",
        {
            "rec": obj,
            "study": obj.study,
            "steps": obj.steps.select_related("by"),
            "can_edit": can_edit_study(request.user, obj.study),
            "next_statuses": transitions.allowed_from(obj.status),
            "overdue": obj.status in transitions.PENDING and obj.due < timezone.localdate(),
        },
    )


def _transition_form(request: HttpRequest, obj: Recommendation, form: Any) -> HttpResponse:
    return _form_page(
        request,
        form,
        heading="Update the recommendation",
        caption=f"{obj.study.title}: {obj}",
        action=reverse("implementation:recommendation_status", args=[obj.public_id]),
        cancel_url=obj.get_absolute_url(),
        intro=f"Now: {obj.get_status_display()}.",
    )


@login_required
@require_safe
def transition_show(request: HttpRequest, public_id: Any) -> HttpResponse:
    obj = KIND["recommendation"].get_for(request.user, public_id, write=True)
    if not transitions.allowed_from(obj.status):
        messages.info(request, "This recommendation is closed: its status cannot change.")
        return redirect(obj.get_absolute_url())
    form = f.TransitionForm(recommendation=obj, initial={"date": timezone.localdate()})
    return _transition_form(request, obj, form)


@login_required
@require_POST
def transition_make(request: HttpRequest, public_id: Any) -> HttpResponse:
    obj = KIND["recommendation"].get_for(request.user, public_id, write=True)
    form = f.TransitionForm(request.POST, recommendation=obj)
    if form.is_valid():
        data = form.cleaned_data
        try:
            transitions.move(
                obj,
                data["to"],
                by=request.user,
                on=data["date"],
                reason=data["reason"],
                outcome=data["outcome"],
                note=data["note"],
            )
        except transitions.TransitionError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, f"Recommendation is now {obj.get_status_display().lower()}.")
            return redirect(obj.get_absolute_url())
    elif "to" in form.errors and request.POST.get("to"):
        # Not an allowed move from here: say so in the workflow's words.
        try:
            transitions.check(obj, request.POST["to"], reason="-", outcome="-")
        except transitions.TransitionError as error:
            form.errors["to"] = form.error_class([str(error)])
    return _transition_form(request, obj, form)


# --- instruments -------------------------------------------------------------------------------


@login_required
@require_safe
def instrument_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    rows = Instrument.objects.annotate(
        construct_count=Count("constructs", distinct=True),
        item_count=Count("constructs__items", distinct=True),
        administration_count=Count("administrations", distinct=True),
    )
    return _render(request, "instruments.html", {"instruments": rows})


@login_required
@require_safe
def instrument_show(request: HttpRequest, slug: str) -> HttpResponse:
    require_staff(request.user)
    instrument = get_object_or_404(Instrument, slug=slug)
    constructs = instrument.constructs.prefetch_related("items")
    return _render(
        request,
        "instrument.html",
        {
            "instrument": instrument,
            "constructs": constructs,
            "can_edit_wording": is_manager(request.user),
        },
    )


# --- administrations ---------------------------------------------------------------------------


@login_required
@require_safe
def administration_show(request: HttpRequest, public_id: Any) -> HttpResponse:
    obj = KIND["administration"].get_for(request.user, public_id)
    summary = instruments.administration_summary(obj)
    return _render(
        request,
        "administration.html",
        {
            "administration": obj,
            "study": obj.study,
            "can_edit": can_edit_study(request.user, obj.study),
            "summary": summary,
            "page": _page(request, obj.responses.all()),
            "codes": list(
                Item.objects.filter(construct__instrument=obj.instrument).values_list(
                    "code", flat=True
                )
            ),
        },
    )


def _response_form(request: HttpRequest, obj: Administration, form: Any) -> HttpResponse:
    return _form_page(
        request,
        form,
        heading="Enter one respondent's scores",
        caption=f"{obj.study.title}: {obj.instrument.name}, {obj}",
        action=reverse("implementation:response_add", args=[obj.public_id]),
        cancel_url=obj.get_absolute_url(),
    )


@login_required
@require_safe
def response_new(request: HttpRequest, public_id: Any) -> HttpResponse:
    obj = KIND["administration"].get_for(request.user, public_id, write=True)
    return _response_form(request, obj, f.ResponseForm(administration=obj))


@login_required
@require_POST
def response_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    obj = KIND["administration"].get_for(request.user, public_id, write=True)
    form = f.ResponseForm(request.POST, administration=obj)
    if not form.is_valid():
        return _response_form(request, obj, form)
    with transaction.atomic():
        response = instruments.save_response(obj, form.cleaned_data["respondent"], form.values())
        record(
            request.user,
            "implementation.response.created",
            obj,
            {"respondent": [None, response.respondent]},
        )
    messages.success(request, f"Scores of {response.respondent} saved.")
    return redirect(obj.get_absolute_url())


def _import_form(
    request: HttpRequest, obj: Administration, form: Any, errors: list[str] | None = None
) -> HttpResponse:
    codes = list(
        Item.objects.filter(construct__instrument=obj.instrument).values_list("code", flat=True)
    )
    return _render(
        request,
        "import.html",
        {
            "administration": obj,
            "study": obj.study,
            "form": form,
            "errors": errors or [],
            "header": ",".join(["respondent", *codes]),
            "hints": instruments.import_hints(obj.instrument),
        },
        status=400 if errors or form.errors else 200,
    )


@login_required
@require_safe
def import_show(request: HttpRequest, public_id: Any) -> HttpResponse:
    obj = KIND["administration"].get_for(request.user, public_id, write=True)
    return _import_form(request, obj, f.ImportForm())


@login_required
@require_POST
def import_run(request: HttpRequest, public_id: Any) -> HttpResponse:
    obj = KIND["administration"].get_for(request.user, public_id, write=True)
    form = f.ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_form(request, obj, form)
    with transaction.atomic():
        result = instruments.import_scores(obj, form.cleaned_data["file"])
        if result.created:
            record(
                request.user,
                "implementation.administration.imported",
                obj,
                {"responses": [None, result.created]},
            )
    if result.errors:
        return _import_form(request, obj, form, result.errors)
    messages.success(request, f"{result.created} respondents' scores imported.")
    return redirect(obj.get_absolute_url())


@login_required
@require_safe
def trend(request: HttpRequest, slug: str, instrument: str) -> HttpResponse:
    study = get_study_for(request.user, slug)
    chosen = get_object_or_404(Instrument, slug=instrument, kind=Instrument.Kind.SURVEY)
    administrations = list(
        Administration.objects.filter(study=study, instrument=chosen)
        .select_related("instrument")
        .order_by("date", "pk")
    )
    charts = [
        chart
        for chart in (
            reports.construct_trend(chosen, administrations, study.title),
            reports.separate_items_trend(chosen, administrations, study.title),
        )
        if chart
    ]
    return _render(
        request,
        "trend.html",
        {
            "study": study,
            "instrument": chosen,
            "charts": charts,
            "not_relevant": instruments.not_relevant_table(chosen, administrations),
        },
    )


# --- measures, data points and PDSA cycles ------------------------------------------------------


@login_required
@require_safe
def measure_show(request: HttpRequest, public_id: Any) -> HttpResponse:
    obj = measure_for(request.user, public_id)
    # The page may be read by the other rule set too ("?rules=anhoj"); the measure keeps its own.
    rules = request.GET.get("rules", "")
    if rules not in Measure.Rules.values:
        rules = obj.rules
    result = reports.measure_charts(obj, rules)
    other = [(value, label) for value, label in Measure.Rules.choices if value != rules]
    return _render(
        request,
        "measure.html",
        {
            "measure": obj,
            "study": obj.study,
            "can_edit": can_edit_study(request.user, obj.study),
            "result": result,
            "analysis": result.analysis,
            "findings": result.analysis.findings(),
            "rules": rules,
            "other_rules": other,
            "xmr": result.xmr,
            "cycles": obj.cycles.all(),
            "min_points": spc.MIN_POINTS,
        },
    )


# --- evaluation dashboards, the collaboration network, the annual report -----------------------


def _year(request: HttpRequest) -> tuple[int, list[int]]:
    """The calendar year asked for (this year by default) and the years to choose from: the last
    15, or back to the first year with anything to evaluate if that is earlier."""
    this_year = timezone.localdate().year
    first = min(this_year - 14, figures.value("evaluation.earliest_year") or this_year)
    years = list(range(this_year, first - 1, -1))
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    if year not in years:
        year = this_year
    return year, years


@login_required
@require_safe
def evaluation_fellows(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    year, years = _year(request)
    # A row per secondment and per fellow: a page of each (`page`, `reach_page`), drawn from
    # the year's stored figures (coproduce/figures), as the communities' page is.
    secondments, fellows = figures.value("evaluation.fellows_sizes", year)
    posts_page = Paginator(range(secondments), evaluation.FELLOWS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    reach_page = Paginator(range(fellows), evaluation.FELLOWS_PAGE_SIZE).get_page(
        request.GET.get("reach_page")
    )
    checked = figures.read("evaluation.fellows_page", year, posts_page.number, reach_page.number)
    shown: evaluation.FellowsPage = checked.value
    return _render(
        request,
        "evaluation_fellows.html",
        {
            "year": year,
            "years": years,
            "charts": shown.charts,
            "drawn": shown.drawn,
            "posts_page": posts_page,
            "reach_page": reach_page,
            "checked": checked,
        },
    )


@login_required
@require_safe
def evaluation_cops(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    year, years = _year(request)
    until = min(dt.date(year, 12, 31), timezone.localdate())
    # One bar and one row per community: a page of them (in name order; an out-of-range page
    # gives the last page); the summary, the footer and the series charts are over them all.
    # Seconds over every community at national scale: stored figures (coproduce/figures), the
    # report and each page drawn from it.
    page = Paginator(range(CommunityOfPractice.objects.count()), EVALUATION_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    checked = figures.read("evaluation.communities_page", until, page.number)
    shown: evaluation.CommunitiesPage = checked.value
    return _render(
        request,
        "evaluation_cops.html",
        {
            "year": year,
            "years": years,
            "last_quarter": shown.last_quarter,
            "charts": shown.charts,
            "drawn": shown.drawn,
            "page": page,
            "checked": checked,
        },
    )


@login_required
@require_safe
def evaluation_engagement(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    year, years = _year(request)
    checked = figures.read("evaluation.engagement", year)
    return _render(
        request,
        "evaluation_engagement.html",
        {
            "year": year,
            "years": years,
            "charts": checked.value.charts,
            "drawn": checked.value.html,
            "mailings": figures.value("evaluation.mailing_reach", year),
            "checked": checked,
        },
    )


@login_required
@require_safe
def _network_show(request: HttpRequest) -> HttpResponse:
    """The stored run's figures (`NetworkSnapshot.page`): never builds or analyses the graph.
    A fixed number of queries whatever the network's size: the run, the task's state and at
    most one per kind of node for the names shown."""
    from coproduce.implementation.models import NetworkSnapshot
    from coproduce.implementation.tasks import pending_network_run

    require_staff(request.user)
    order = request.GET.get("order", "betweenness")
    order = order if order in network.ORDERS else "betweenness"
    kind = request.GET.get("kind", "")
    kind = kind if kind in network.KIND_FILTERS else ""
    try:
        size = int(request.GET.get("size", 50))
    except ValueError:
        size = 50
    size = size if size in network.SIZES else 50
    run = NetworkSnapshot.objects.defer("payload", "version").order_by("-computed_at").first()
    if run is not None and not run.page:
        run = None  # stored before the page's figures were kept: the next run fills them in
    pending = pending_network_run()
    can_run = is_manager(request.user)
    context: dict[str, Any] = {
        "run": run,
        "pending": pending,
        "can_run": can_run,
        # Not while one waits; while one runs, yes (a worker that died leaves it "running").
        "offer_run": can_run and (pending is None or pending[0] == "running"),
        "order": order,
        "order_label": network.ORDERS[order],
        "kind": kind,
        "size": size,
        "orders": network.ORDERS,
        "kinds": network.KIND_FILTERS,
        "sizes": network.SIZES,
        "rows": [],
    }
    if run is not None:
        shown = network.stored_view(run.page, order=order, kind=kind, size=size)
        described = (
            f"Network of the {len(shown.rows)} nodes in the table below, ranked by "
            f"{network.ORDERS[order].lower()}, and the links among them. Each node is coloured "
            "by kind and sized by betweenness. The table lists the same nodes with their scores."
        )
        context.update(
            analysis=shown.summary,
            rows=shown.rows,
            spec=network.spec_of(shown.rows, shown.links, described),
            summary=described,
        )
    return _render(request, "network.html", context)


@login_required
@require_POST
def _network_run(request: HttpRequest) -> HttpResponse:
    """Managers: queue the analysis (`tasks.analyse_network`) unless one is waiting already."""
    from coproduce.implementation.tasks import queue_network_run

    require_manager(request.user)
    if queue_network_run():
        messages.success(
            request,
            "The network analysis is queued. The figures on this page change when it has run "
            "(at national scale that takes a few minutes).",
        )
    else:
        messages.info(request, "The network analysis is already queued.")
    return redirect(reverse("implementation:network"))


network_page = by_method(get=_network_show, post=_network_run)


@login_required
@require_safe
def annual_report(request: HttpRequest) -> HttpResponse:
    """The year's downloads: the spreadsheet (built in the request) and the PDF, built on the
    worker (`tasks.build_annual_report_pdf`) when someone asks for it and stored."""
    from coproduce.implementation.models import AnnualReportPdf
    from coproduce.implementation.tasks import pending_annual_report_pdf

    require_staff(request.user)
    year, years = _year(request)
    pdf = (
        AnnualReportPdf.objects.filter(year=year)
        .order_by("-created_at")
        .values("created_at")
        .first()
    )
    return _render(
        request,
        "annual.html",
        {
            "year": year,
            "years": years,
            "pdf": pdf,
            "pending": pending_annual_report_pdf(year),
        },
    )


def _annual_year(year: int) -> None:
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404("No such report")


@login_required
@require_POST
def annual_report_prepare(request: HttpRequest, year: int) -> HttpResponse:
    """Any staff member: queue the year's PDF unless it is already waiting to be built."""
    from coproduce.implementation.tasks import queue_annual_report_pdf

    require_staff(request.user)
    _annual_year(year)
    if queue_annual_report_pdf(year, request.user.pk):
        messages.success(
            request,
            f"The PDF of the annual report {year} is being prepared. It takes a minute or so: "
            "refresh this page to download it.",
        )
    else:
        messages.info(request, f"The PDF of the annual report {year} is already being prepared.")
    return redirect(reverse("implementation:annual_report") + f"?year={year}")


@login_required
@require_safe
def annual_report_download(request: HttpRequest, year: int, extension: str) -> HttpResponse:
    """The spreadsheet, built now; the PDF, as last stored by `tasks.build_annual_report_pdf`
    (none stored yet: back to the report's page, which offers to prepare it)."""
    from coproduce.implementation.models import AnnualReportPdf

    require_staff(request.user)
    if extension not in ("pdf", "xlsx"):
        raise Http404("No such report")
    _annual_year(year)
    if extension == "pdf":
        stored = (
            AnnualReportPdf.objects.filter(year=year)
            .order_by("-created_at")
            .values_list("content", flat=True)
            .first()
        )
        if stored is None:
            return redirect(reverse("implementation:annual_report") + f"?year={year}")
        response = HttpResponse(bytes(stored), content_type="application/pdf")
        response["Cache-Control"] = "private, no-store"
        filename = f"annual-report-{year}.pdf"
    else:
        report = annual.build(year)
        response = HttpResponse(
            annual.to_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = annual.filename(report, extension)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
