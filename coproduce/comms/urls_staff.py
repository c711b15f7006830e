"""Staff pages for mailings, mounted at /staff/mailings/."""

from __future__ import annotations

from django.urls import path

from coproduce.comms import views_staff as views
from coproduce.staff.records import by_method

app_name = "comms_staff"

urlpatterns = [
    path("", views.mailing_list, name="list"),
    path("new/", by_method(get=views.create_show, post=views.create_save), name="create"),
    path("preview/", views.preview, name="preview"),
    path("<uuid:public_id>/", views.mailing_detail, name="detail"),
    path(
        "<uuid:public_id>/edit/",
        by_method(get=views.edit_show, post=views.edit_save),
        name="edit",
    ),
    path("<uuid:public_id>/test/", views.send_test, name="test"),
    path(
        "<uuid:public_id>/send/",
        by_method(get=views.confirm_show, post=views.confirm_send),
        name="confirm",
    ),
    path(
        "<uuid:public_id>/schedule/",
        by_method(get=views.schedule_show, post=views.schedule_save),
        name="schedule",
    ),
    path("<uuid:public_id>/unschedule/", views.unschedule, name="unschedule"),
    path("<uuid:public_id>/pause/", views.pause, name="pause"),
    path("<uuid:public_id>/resume/", views.resume, name="resume"),
    path("<uuid:public_id>/progress/", views.mailing_progress, name="progress"),
]
