"""Public email endpoints, mounted at /email/: one-click unsubscribe and the relay's bounces."""

from __future__ import annotations

from django.urls import URLPattern, path

from coproduce.comms import views_public as views

app_name = "comms"

urlpatterns: list[URLPattern] = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("bounces/", views.bounces, name="bounces"),
]
