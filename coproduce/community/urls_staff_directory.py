"""Staff associate directory, mounted at /staff/associates/."""

from __future__ import annotations

from django.urls import path

from coproduce.community import views_directory as views

app_name = "associates_staff"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("add-to-community/", views.bulk_add, name="bulk_add"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("import/", views.import_associates, name="import"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/consent/", views.consent, name="consent"),
    path("<uuid:public_id>/erase/", views.erase, name="erase"),
    path("<uuid:public_id>/merge/", views.merge, name="merge"),
]
