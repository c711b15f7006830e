"""Governance staff pages, mounted at /staff/governance/ (namespace "governance").

Every pattern here is listed in tests/governance/test_access_matrix.py with the status each
role gets; a new pattern fails that test until it is added there.
"""

from django.urls import path

from coproduce.governance import records, views
from coproduce.staff.records import by_method
from coproduce.staff.records import urlpatterns as record_patterns

app_name = "governance"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("panels/", views.panel_list, name="panels"),
    path("panels/<slug:slug>/", views.panel_detail, name="panel"),
    path(
        "panels/<slug:slug>/members/<uuid:public_id>/end/",
        by_method(get=views.member_end_form, post=views.member_end),
        name="member_end",
    ),
    path("annual-reviews/", views.annual_reviews, name="annual_reviews"),
    path("studies/<slug:slug>/", views.study_detail, name="study"),
    path("studies/<slug:slug>/timeline/", views.study_timeline, name="timeline"),
    path("studies/<slug:slug>/steering/", views.steering_create, name="steering_create"),
    path(
        "studies/<slug:slug>/protocols/new/",
        by_method(get=views.protocol_new, post=views.protocol_create),
        name="protocol_new",
    ),
    path("protocols/<uuid:public_id>/download/", views.protocol_download, name="protocol_download"),
    path(
        "protocols/<uuid:public_id>/submit/",
        by_method(get=views.protocol_submit_form, post=views.protocol_submit),
        name="protocol_submit",
    ),
    path("rounds/<uuid:public_id>/", views.round_detail, name="round"),
    path("rounds/<uuid:public_id>/assign/", views.round_assign, name="assign"),
    path("rounds/<uuid:public_id>/declare/", views.round_declare, name="declare"),
    path(
        "rounds/<uuid:public_id>/assessment/",
        by_method(get=views.assessment_form, post=views.assessment_save),
        name="assessment",
    ),
    path(
        "rounds/<uuid:public_id>/recommendation/",
        by_method(get=views.recommendation_form, post=views.recommendation_save),
        name="recommendation",
    ),
    path("rounds/<uuid:public_id>/release/", views.round_release, name="release"),
    path(
        "rounds/<uuid:public_id>/response/",
        by_method(get=views.response_form, post=views.response_save),
        name="response",
    ),
    path("conditions/<uuid:public_id>/met/", views.condition_met, name="condition_met"),
    # Plain records (adding a member, changing a membership), declared in records.py.
    *record_patterns(records.KINDS),
]
