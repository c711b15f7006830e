"""Staff pages for implementation and evaluation, mounted at /staff/implementation/."""

from __future__ import annotations

from django.urls import path

from coproduce.implementation import views as v

app_name = "implementation"

by_method = v.by_method

urlpatterns = [
    path("", v.overview, name="overview"),
    path("matrix/", v.matrix_all, name="matrix"),
    path("barriers-and-facilitators/", v.determinant_list, name="determinants"),
    path("recommendations/", v.recommendation_list, name="recommendations"),
    path("outputs/", v.output_list, name="outputs"),
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
    path(
        "instruments/<slug:slug>/items/<uuid:public_id>/",
        by_method(get=v.item_show, post=v.item_update),
        name="item_edit",
    ),
    path("studies/<slug:slug>/", v.study_page, name="study"),
    path("studies/<slug:slug>/matrix/", v.matrix_study, name="study_matrix"),
    path(
        "studies/<slug:slug>/records/new/",
        by_method(get=v.record_new, post=v.record_create),
        name="record_add",
    ),
    path(
        "studies/<slug:slug>/barriers-and-facilitators/new/",
        by_method(get=v.determinant_new, post=v.determinant_create),
        name="determinant_add",
    ),
    path(
        "studies/<slug:slug>/recommendations/new/",
        by_method(get=v.recommendation_new, post=v.recommendation_create),
        name="recommendation_add",
    ),
    path(
        "studies/<slug:slug>/administrations/new/",
        by_method(get=v.administration_new, post=v.administration_create),
        name="administration_add",
    ),
    path("studies/<slug:slug>/instruments/<slug:instrument>/trend/", v.trend, name="trend"),
    path(
        "studies/<slug:slug>/measures/new/",
        by_method(get=v.measure_new, post=v.measure_create),
        name="measure_add",
    ),
    path(
        "studies/<slug:slug>/outputs/new/",
        by_method(get=v.output_new, post=v.output_create),
        name="output_add",
    ),
    path("records/<uuid:public_id>/", v.record_show, name="record"),
    path(
        "records/<uuid:public_id>/edit/",
        by_method(get=v.record_edit_show, post=v.record_update),
        name="record_edit",
    ),
    path(
        "records/<uuid:public_id>/status/",
        by_method(get=v.status_new, post=v.status_create),
        name="record_status",
    ),
    path(
        "barriers-and-facilitators/<uuid:public_id>/",
        by_method(get=v.determinant_edit_show, post=v.determinant_update),
        name="determinant_edit",
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
    path(
        "measures/<uuid:public_id>/points/new/",
        by_method(get=v.point_new, post=v.point_create),
        name="point_add",
    ),
    path(
        "measures/<uuid:public_id>/cycles/new/",
        by_method(get=v.cycle_new, post=v.cycle_create),
        name="cycle_add",
    ),
    path(
        "outputs/<uuid:public_id>/",
        by_method(get=v.output_edit_show, post=v.output_update),
        name="output_edit",
    ),
]
