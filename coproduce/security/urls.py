"""Two-factor authentication pages, under /staff/two-factor/ (see twofactor.py)."""

from __future__ import annotations

from django.urls import path

from coproduce.security import views_twofactor as views

app_name = "twofactor"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("set-up/", views.setup, name="setup"),
    path("code/", views.verify, name="verify"),
    path("replace/", views.remove, {"replace": True}, name="replace"),
    path("turn-off/", views.remove, {"replace": False}, name="disable"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
]
