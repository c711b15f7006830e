"""The emailed unlock link, under /staff/sign-in/unlock/ (see throttle.py)."""

from __future__ import annotations

from django.urls import path

from coproduce.security import views

app_name = "signin"

urlpatterns = [
    path("<str:token>/", views.unlock, name="unlock"),
]
