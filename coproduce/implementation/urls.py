"""Staff pages for implementation and evaluation, mounted at /staff/implementation/."""

from __future__ import annotations

from django.urls import path

from coproduce.implementation import outputs_views as ov
from coproduce.implementation import records
from coproduce.implementation import views as v
from coproduce.staff.records import by_method
from coproduce.staff.records import urlpatterns as record_patterns

app_name = "implementation"

urlpatterns = [
    path("", v.overview, name="overview"),
    path("matrix/", v.matrix_all, name="matrix"),
    path("barriers-and-facilitators/", v.determinant_list, name="determinants"),
    path("recommendations/", v.recommendation_list, name="recommendations"),
    path("outputs/", ov.output_list, name="outputs"),
    path("outputs/export.<str:fmt>", ov.output_export, name="output_export"),
    path("outputs/<uuid:public_id>/", ov.output_show, name="output"),
    path("instruments/", v.instrument_list, name="instruments"),
    path("evaluation/diffusion-fellows/", v.evaluation_fellows, name="evaluation_fellows"),
    path("evaluation/communities/", v.evaluation_cops, name="evaluation_cops"),
    path("evaluation/engagement/", v.evaluation_engagement, name="evaluation_engagement"),
    path("network/", v.network_page, name="network"),
    path("annual-report/", v.annual_report, name="annual_report"),
    path(
        "annual-report/<int:year>/prepare-pdf/",
        v.annual_report_prepare,
        name="annual_report_prepare",
    ),
    path(
        "annual-report/<int:year>.<str:extension>",
        v.annual_report_download,
        name="annual_report_download",
    ),
    path("instruments/<slug:slug>/", v.instrument_show, name="instrument"),
    path("studies/<slug:slug>/", v.study_page, name="study"),
    path(
        "studies/<slug:slug>/outputs/import/",
        by_method(get=ov.import_show, post=ov.import_run),
        name="outputs_import",
    ),
    path("studies/<slug:slug>/matrix/", v.matrix_study, name="study_matrix"),
    path("studies/<slug:slug>/instruments/<slug:instrument>/trend/", v.trend, name="trend"),
    path("records/<uuid:public_id>/", v.record_show, name="record"),
    path(
        "records/<uuid:public_id>/status/",
        by_method(get=v.status_new, post=v.status_create),
        name="record_status",
    ),
    path("recommendations/<uuid:public_id>/", v.recommendation_show, name="recommendation"),
    path(
        "recommendations/<uuid:public_id>/status/",
        by_method(get=v.transition_show, post=v.transition_make),
        name="recommendation_status",
    ),
    path("administrations/<uuid:public_id>/", v.administration_show, name="administration"),
    path(
        "administrations/<uuid:public_id>/responses/new/",
        by_method(get=v.response_new, post=v.response_create),
        name="response_add",
    ),
    path(
        "administrations/<uuid:public_id>/import/",
        by_method(get=v.import_show, post=v.import_run),
        name="administration_import",
    ),
    path("measures/<uuid:public_id>/", v.measure_show, name="measure"),
    # Plain records (add and edit pages), declared in records.py.
    *record_patterns(records.KINDS),
]
