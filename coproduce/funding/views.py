"""Staff pages for funding and capacity, mounted at /staff/funding/: the ledger, the
matched-funding statement (page, PDF, XLSX), fellows and recruitment, capacity building."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coproduce.audit.log import record_read
from coproduce.funding import capacity, fy, ledger, lifecycle
from coproduce.funding.forms import AgreeForm, NominateForm
from coproduce.funding.models import FellowEvent, Vacancy
from coproduce.funding.records import KIND
from coproduce.lib import exports
from coproduce.lib.pdf import clean, document
from coproduce.registry.access import is_manager, require_manager, require_staff
from coproduce.registry.models import Organisation, Secondment
from coproduce.staff.records import form_page, renderer

_render = renderer("funding", "funding/")
CRUMB = ("Funding and capacity", "funding:overview")


def _year_param(request: HttpRequest, years: list[int]) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = fy.year_of(timezone.localdate())
        if years and year not in years:
            year = years[-1]
    if not fy.FIRST <= year <= fy.LAST:
        raise Http404("No such financial year")
    return year


@login_required
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    years = ledger.years()
    year = _year_param(request, years)
    return _render(
        request,
        "overview.html",
        {
            "ledger": ledger.year_ledger(year),
            "years": [(y, fy.label(y)) for y in years],
            "year": year,
            "day_value": ledger.day_value(),
            "kinds": [
                KIND[key] for key in ("award", "contribution", "stafftime", "furtherfunding")
            ],
        },
    )


def _statement(slug: str, year: int) -> ledger.Statement:
    if not fy.FIRST <= year <= fy.LAST:
        raise Http404("No such financial year")
    organisation = get_object_or_404(Organisation, slug=slug)
    return ledger.statement(organisation, year)


@login_required
@require_safe
def statement(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    require_staff(request.user)
    found = _statement(slug, year)
    return _render(request, "statement.html", {"statement": found, "day_value": ledger.day_value()})


HEADER = ("Kind", "Source", "Description", "FTE", "Working days", "Amount", "Currency")


def statement_rows(found: ledger.Statement) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [
            line.kind_label,
            line.source,
            line.description,
            line.fte,
            line.days,
            line.amount,
            line.currency,
        ]
        for line in found.lines
    ]
    for total in found.totals():
        rows.append(["Total cash", "", "", None, None, total["cash"], total["currency"]])
        rows.append(["Total in kind", "", "", None, None, total["in_kind"], total["currency"]])
        rows.append(["Total", "", "", None, None, total["total"], total["currency"]])
    return rows


def _pdf(found: ledger.Statement) -> bytes:
    title = f"Matched funding statement: {found.organisation}, {found.label}"
    pdf = document(title=title)
    pdf.add_page()
    pdf.set_font(size=15, style="B")
    pdf.multi_cell(0, 8, clean(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(size=10)
    note = (
        f"Financial year {fy.span(found.year)}. In-kind time is valued at FTE × working days "
        f"× £{ledger.day_value()} a day."
    )
    pdf.multi_cell(0, 6, clean(note), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    with pdf.table(col_widths=(18, 18, 70, 12, 14, 22, 14), text_align="LEFT") as table:
        table.row(HEADER)
        for row in statement_rows(found):
            table.row(["" if value is None else clean(value) for value in row])
    return bytes(pdf.output())


@login_required
@require_safe
def statement_download(
    request: HttpRequest, slug: str, year: int, extension: str
) -> HttpResponseBase:
    require_staff(request.user)
    if extension not in ("pdf", "xlsx"):
        raise Http404("No such format")
    found = _statement(slug, year)
    name = f"matched-funding-{found.organisation.slug}-{year}.{extension}"
    record_read(
        request.user,
        "funding.statement.exported",
        found.organisation,
        {"year": year, "format": extension},
    )
    if extension == "xlsx":
        sheet = [list(HEADER), *statement_rows(found)]
        return exports.xlsx_response([("Statement", sheet)], name)
    response = HttpResponse(_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- diffusion fellows ---------------------------------------------------------------------


@login_required
@require_safe
def fellows(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    today = timezone.localdate()
    secondments = list(
        Secondment.objects.select_related("person", "study", "home_organisation").order_by(
            "person__full_name", "start"
        )
    )
    firsts: dict[int, dt.date] = {}
    for s in secondments:
        firsts.setdefault(s.person_id, s.start)
    events: dict[int, list[FellowEvent]] = {}
    for event in FellowEvent.objects.order_by("date", "pk"):
        events.setdefault(event.secondment_id, []).append(event)
    rows = [
        {
            "secondment": s,
            "cap": lifecycle.cap_date(firsts[s.person_id]),
            "active": s.is_active(today),
            "events": events.get(s.pk, []),
        }
        for s in secondments
    ]
    return _render(
        request,
        "fellows.html",
        {
            "rows": rows,
            "near": lifecycle.near_cap(today),
            "vacancies": lifecycle.open_vacancies(),
            "placements": lifecycle.placement_time(today),
            "cap_years": lifecycle.cap_years(),
            "warning_months": lifecycle.warning_months(),
            "today": today,
        },
    )


def _vacancy(request: HttpRequest, public_id: Any, *, write: bool) -> Vacancy:
    require_staff(request.user)
    vacancy = get_object_or_404(
        Vacancy.objects.select_related("study", "nominee", "nominated_by", "secondment"),
        public_id=public_id,
    )
    if write:
        require_manager(request.user)
    return vacancy


@login_required
@require_safe
def vacancy(request: HttpRequest, key: Any) -> HttpResponse:
    found = _vacancy(request, key, write=False)
    can = is_manager(request.user)
    return _render(
        request,
        "vacancy.html",
        {
            "vacancy": found,
            "kind": KIND["vacancy"],
            "can_change": can,
            "nominate": NominateForm(initial={"nominated_on": timezone.localdate()})
            if can and found.status == Vacancy.Status.ADVERTISED
            else None,
            "agree": AgreeForm(initial={"agreed_on": timezone.localdate()})
            if can and found.status == Vacancy.Status.NOMINATED
            else None,
        },
    )


def _step_page(request: HttpRequest, found: Vacancy, form: Any, heading: str, button: str) -> Any:
    return form_page(
        request,
        form,
        section="funding",
        heading=heading,
        caption=str(found.study),
        cancel_url=reverse("funding:vacancy", args=[found.public_id]),
        crumb=(CRUMB[0], reverse(CRUMB[1])),
        button=button,
    )


@login_required
@require_http_methods(["GET", "POST"])
def vacancy_nominate(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = _vacancy(request, public_id, write=True)
    form = NominateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.nominate(
                found,
                request.user,
                nominated_by=form.cleaned_data["nominated_by"],
                nominee=form.cleaned_data["nominee"],
                on=form.cleaned_data["nominated_on"],
            )
        except lifecycle.StepError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, "Nomination recorded.")
            return redirect("funding:vacancy", found.public_id)
    return _step_page(request, found, form, "Record the nomination", "Record nomination")


@login_required
@require_http_methods(["GET", "POST"])
def vacancy_agree(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = _vacancy(request, public_id, write=True)
    form = AgreeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lifecycle.agree(
                found,
                request.user,
                agreed_on=data["agreed_on"],
                start=data["start"],
                end=data.get("end"),
                fte=data["fte"],
                in_kind_value=data.get("in_kind_value"),
            )
        except lifecycle.StepError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, "Agreement recorded: the secondment has started.")
            return redirect("funding:vacancy", found.public_id)
    return _step_page(request, found, form, "Record the agreement", "Record agreement")


@login_required
@require_POST
def vacancy_withdraw(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = _vacancy(request, public_id, write=True)
    try:
        lifecycle.withdraw(found, request.user)
    except lifecycle.StepError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The post was withdrawn.")
    return redirect("funding:vacancy", found.public_id)


# --- capacity building ---------------------------------------------------------------------


@login_required
@require_safe
def capacity_page(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    return _render(
        request,
        "capacity.html",
        {
            "trained": capacity.people_trained(),
            "by_partner": capacity.trained_by_partner(),
            "by_role": capacity.trained_by_role(),
            "by_kind": sorted(capacity.sessions_by_kind().items()),
            "led": capacity.fellows_who_led_a_project(),
            "won": capacity.fellows_who_won_funding(),
            "fellows": capacity.fellows().count(),
            "session_kind": KIND["session"],
        },
    )
