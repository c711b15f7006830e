"""Staff pages for communities of practice, mounted at /staff/communities/.

`health/` comes before `<slug>/`, so a community whose slug is "health" would be unreachable
here: that slug should be reserved.
"""

from __future__ import annotations

from django.urls import path

from coproduce.community import views_staff_cops as views
from coproduce.staff.records import by_method

app_name = "community_staff"

urlpatterns = [
    path("", views.cop_list, name="list"),
    path("health/", views.all_health, name="health_all"),
    path("<slug:slug>/", views.cop_detail, name="cop"),
    path("<slug:slug>/health/", views.cop_health, name="health"),
    path(
        "<slug:slug>/edit/",
        by_method(get=views.about_show, post=views.about_update),
        name="edit",
    ),
    path(
        "<slug:slug>/leadership/",
        by_method(get=views.leadership_show, post=views.leadership_change),
        name="leadership",
    ),
    path(
        "<slug:slug>/activities/new/",
        by_method(get=views.activity_new, post=views.activity_create),
        name="activity_add",
    ),
    path(
        "<slug:slug>/activities/<uuid:public_id>/",
        by_method(get=views.activity_show, post=views.activity_update),
        name="activity_edit",
    ),
    path(
        "<slug:slug>/activities/<uuid:public_id>/delete/",
        by_method(get=views.activity_confirm_delete, post=views.activity_delete),
        name="activity_delete",
    ),
]
