"""The public outputs register, mounted at /outputs/: published outputs and their Atom feed."""

from __future__ import annotations

from django.urls import path

from coproduce.implementation import outputs_views as views

app_name = "outputs"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("feed/", views.outputs_feed, name="feed"),
]
