"""Pathways from priority to impact, mounted under /staff/ (before the staff area's own
patterns): a study's pathway beside its other staff pages, and the collaboration's."""

from __future__ import annotations

from django.urls import path

from coproduce.implementation import pathway_views as views

app_name = "pathway"

urlpatterns = [
    path("studies/<slug:slug>/pathway/", views.study_pathway, name="study"),
    path("pathways/", views.collaboration, name="collaboration"),
]
