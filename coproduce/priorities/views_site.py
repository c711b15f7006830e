"""The public page /priorities/: how priorities were set. Each published consultation with its
response rate by group, and each published workshop's agreed top 10 with what became of it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from coproduce.priorities import services
from coproduce.priorities.models import Consultation, Priority, Workshop


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    consultations = list(
        Consultation.objects.filter(published=True).exclude(status=Consultation.Status.DRAFT)
    )
    rates = services.response_rates_for(consultations)
    rows = [(c, rates[c.pk]) for c in consultations]
    workshops = list(
        Workshop.objects.filter(published=True).select_related("consultation").order_by("-held_on")
    )
    priorities = (
        Priority.objects.filter(workshop__in=workshops)
        .select_related("question", "study")
        .order_by("workshop", "position")
    )
    by_workshop: dict[int, list[Priority]] = {}
    for priority in priorities:
        by_workshop.setdefault(priority.workshop_id, []).append(priority)
    return render(
        request,
        "priorities/index.html",
        {
            "consultations": rows,
            "workshops": [(w, by_workshop.get(w.pk, [])) for w in workshops],
        },
    )
