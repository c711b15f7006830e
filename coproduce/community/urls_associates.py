"""Public pages for associates, mounted at /associates/."""

from __future__ import annotations

from django.urls import URLPattern, path
from django.views.generic import RedirectView

from coproduce.community import views_associates as views

app_name = "associates"

urlpatterns: list[URLPattern] = [
    path("", RedirectView.as_view(pattern_name="associates:join", permanent=False)),
    path("join/", views.join, name="join"),
    path("join/check-your-email/", views.join_sent, name="join_sent"),
    path("confirmed/", views.confirmed, name="confirmed"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/", views.manage_request, name="manage_request"),
    path("manage/link-sent/", views.manage_request_sent, name="manage_request_sent"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/data.json", views.manage_data, name="manage_data"),
    path("manage/<str:token>/erase/", views.manage_erase, name="manage_erase"),
]
