"""Staff pages for events, mounted at /staff/events/. `new/` comes before `<slug>/`, so the
staff form refuses "new" as a slug."""

from django.urls import path

from coproduce.events import views_staff as views
from coproduce.staff.records import by_method

app_name = "events_staff"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", by_method(get=views.event_new, post=views.event_create), name="create"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path(
        "<slug:slug>/edit/",
        by_method(get=views.event_show, post=views.event_update),
        name="edit",
    ),
    path(
        "<slug:slug>/cancel/",
        by_method(get=views.cancel_show, post=views.cancel_event),
        name="cancel",
    ),
    path("<slug:slug>/attendance/", views.attendance, name="attendance"),
]
