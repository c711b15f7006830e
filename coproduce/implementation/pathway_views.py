"""The pathway page of a study (/staff/studies/<slug>/pathway/) and the collaboration's
pathways (/staff/pathways/): staff pages, read by any staff role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from coproduce.implementation import impact_case, pathway
from coproduce.priorities.models import Consultation
from coproduce.registry.access import get_study_for, require_staff
from coproduce.staff.records import renderer

_render = renderer("implementation", "implementation/")


@login_required
@require_safe
def study_pathway(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug)
    stages = pathway.study_pathway(study)
    return _render(
        request,
        "pathway.html",
        {"study": study, "stages": stages, "drawing": pathway.drawing(stages)},
    )


@login_required
@require_safe
def collaboration(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    consultations = list(Consultation.objects.order_by("title"))
    chosen = next((c for c in consultations if c.slug == request.GET.get("consultation")), None)
    reached = request.GET.get("reached", "")
    if reached not in dict(pathway.STAGES):
        reached = ""
    rows = list(pathway.pathways(chosen))
    counts = pathway.counts(rows)
    if reached:
        rows = [row for row in rows if getattr(row, f"reached_{reached}")]
    return _render(
        request,
        "pathways.html",
        {
            "rows": rows,
            "counts": counts,
            "stages": pathway.STAGES,
            "consultations": consultations,
            "chosen": chosen,
            "reached": reached,
        },
    )


@login_required
@require_safe
def impact_case_markdown(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug)
    response = HttpResponse(
        impact_case.markdown(study), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{study.slug}-impact-case-study.md"'
    return response


@login_required
@require_safe
def impact_case_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug)
    response = HttpResponse(impact_case.pdf(study), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{study.slug}-impact-case-study.pdf"'
    return response
