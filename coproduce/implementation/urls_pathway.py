"""Pathways from priority to impact, mounted under /staff/ (before the staff area's own
patterns): a study's pathway beside its other staff pages, and the collaboration's."""

from __future__ import annotations

from django.urls import path

from coproduce.implementation import pathway_views as views

app_name = "pathway"

urlpatterns = [
    path("studies/<slug:slug>/pathway/", views.study_pathway, name="study"),
    path(
        "studies/<slug:slug>/pathway/impact-case-study.md",
        views.impact_case_markdown,
        name="impact_case_markdown",
    ),
    path(
        "studies/<slug:slug>/pathway/impact-case-study.pdf",
        views.impact_case_pdf,
        name="impact_case_pdf",
    ),
    path("pathways/", views.collaboration, name="collaboration"),
]
