"""Mounted by coproduce/urls.py at /staff/webhooks/."""

from django.urls import path

from coproduce.api import views_webhooks as views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("new/", views.endpoint_create, name="create"),
    path("<uuid:public_id>/", views.endpoint_detail, name="detail"),
    path("<uuid:public_id>/turn-off/", views.endpoint_turn_off, name="turn_off"),
    path("deliveries/<uuid:public_id>/send-again/", views.delivery_redeliver, name="redeliver"),
]
