"""Public pages of the communities of practice, mounted at /communities/."""

from __future__ import annotations

from django.urls import path

from coproduce.community import views_cops

app_name = "community"

urlpatterns = [
    path("", views_cops.cop_list, name="cops"),
    path("<slug:slug>/", views_cops.cop_detail, name="cop"),
]
