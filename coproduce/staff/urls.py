from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from coproduce.security.views import ThrottledLoginView
from coproduce.staff import contacts, lookup, personal_data, views
from coproduce.staff.records import registered
from coproduce.staff.records import urlpatterns as record_patterns

app_name = "staff"


urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", ThrottledLoginView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("enquiries/", views.enquiries, name="enquiries"),
    path("enquiries/<uuid:public_id>/", views.enquiry_detail, name="enquiry"),
    path("enquiries/<uuid:public_id>/status/", views.enquiry_status, name="enquiry_status"),
    path("personal-data/", personal_data.look_up, name="personal_data"),
    path("personal-data/erase/", personal_data.erase, name="personal_data_erase"),
    path("personal-data/duplicates/", personal_data.duplicates, name="duplicates"),
    path("personal-data/register/", personal_data.processing, name="processing"),
    # Only with COPRODUCE_BENCH_BARE_PAGE (bench/run.py); 404 otherwise.
    path("bench/bare/", views.bare, name="bench_bare"),
    path("contacts/", contacts.contact_list, name="contacts"),
    path("contacts/duplicates/", contacts.contact_duplicates, name="contact_duplicates"),
    path("contacts/<uuid:public_id>/", contacts.contact_detail, name="contact"),
    path(
        "contacts/<uuid:public_id>/download/",
        contacts.contact_download,
        name="contact_download",
    ),
    path(
        "contacts/compare/<uuid:first>/<uuid:second>/",
        contacts.contact_merge,
        name="contact_merge",
    ),
    path(
        "contacts/compare/<uuid:first>/<uuid:second>/not-duplicate/",
        contacts.contact_not_duplicate,
        name="contact_not_duplicate",
    ),
    # One JSON endpoint per registered type-ahead kind (staff/lookup.py): lookup/<kind>/.
    *lookup.urlpatterns(),
    # Five URLs per registered kind of the staff namespace, served by the views of records.py.
    *record_patterns(registered("staff")),
]
