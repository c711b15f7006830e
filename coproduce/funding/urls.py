"""Staff pages for funding and capacity, mounted at /staff/funding/."""

from __future__ import annotations

from django.urls import path

from coproduce.funding import records
from coproduce.funding import views as v
from coproduce.staff.records import urlpatterns as record_patterns

app_name = "funding"

urlpatterns = [
    path("", v.overview, name="overview"),
    path("statements/<slug:slug>/<int:year>/", v.statement, name="statement"),
    path(
        "statements/<slug:slug>/<int:year>.<str:extension>",
        v.statement_download,
        name="statement_download",
    ),
    path("fellows/", v.fellows, name="fellows"),
    path("vacancies/<uuid:key>/", v.vacancy, name="vacancy"),
    path("vacancies/<uuid:public_id>/nominate/", v.vacancy_nominate, name="vacancy_nominate"),
    path("vacancies/<uuid:public_id>/agree/", v.vacancy_agree, name="vacancy_agree"),
    path("vacancies/<uuid:public_id>/withdraw/", v.vacancy_withdraw, name="vacancy_withdraw"),
    path("capacity/", v.capacity_page, name="capacity"),
    *record_patterns(records.KINDS),
]
