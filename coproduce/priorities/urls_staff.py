"""Staff pages for priority setting, mounted at /staff/priorities/. `new/` comes before
`<slug>/`, so the form refuses "new" as a slug."""

from django.urls import path

from coproduce.priorities import records
from coproduce.priorities import views_staff as views
from coproduce.staff.records import urlpatterns as record_patterns

app_name = "priorities_staff"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    # Consultations and their questions (add and edit), declared in records.py; before
    # `<slug>/`, which would take "new".
    *record_patterns(records.KINDS),
    path("<slug:slug>/", views.consultation_detail, name="detail"),
    path("<slug:slug>/invitees/", views.invitees, name="invitees"),
    path("<slug:slug>/invitees/send/", views.send_invitations, name="send"),
    path("<slug:slug>/invitees/<uuid:public_id>/new-link/", views.new_link, name="new_link"),
    path("<slug:slug>/responses.<str:fmt>", views.export, name="export"),
    path("<slug:slug>/submissions/", views.submission_list, name="submissions"),
    path("<slug:slug>/submissions/merge/", views.merge, name="merge"),
    path("<slug:slug>/submissions/out-of-scope/", views.out_of_scope, name="out_of_scope"),
    path("<slug:slug>/submissions/<uuid:public_id>/", views.submission_detail, name="submission"),
    path(
        "<slug:slug>/submissions/<uuid:public_id>/in-scope/",
        views.into_scope,
        name="into_scope",
    ),
    path(
        "<slug:slug>/submissions/<uuid:public_id>/unmerge/<uuid:iq>/",
        views.unmerge,
        name="unmerge",
    ),
    path("<slug:slug>/indicative/", views.indicative_list, name="indicative_list"),
    path(
        "<slug:slug>/indicative/<uuid:public_id>/",
        views.indicative_detail,
        name="indicative",
    ),
    path("<slug:slug>/ranking/new/", views.survey_create, name="survey_create"),
    path("<slug:slug>/ranking/<uuid:public_id>/", views.survey_detail, name="survey"),
    path(
        "<slug:slug>/ranking/<uuid:public_id>/shortlist/",
        views.survey_shortlist,
        name="shortlist",
    ),
    path("<slug:slug>/workshops/new/", views.workshop_create, name="workshop_create"),
    path("<slug:slug>/workshops/<uuid:public_id>/", views.workshop_detail, name="workshop"),
    path(
        "<slug:slug>/workshops/<uuid:public_id>/edit/",
        views.workshop_edit,
        name="workshop_edit",
    ),
    path(
        "<slug:slug>/workshops/<uuid:public_id>/rounds/<int:number>/",
        views.workshop_round,
        name="workshop_round",
    ),
    path(
        "<slug:slug>/workshops/<uuid:public_id>/top-10/",
        views.workshop_top_ten,
        name="workshop_top_ten",
    ),
    path(
        "<slug:slug>/workshops/<uuid:public_id>/publish/",
        views.workshop_publish,
        name="workshop_publish",
    ),
    path(
        "<slug:slug>/workshops/<uuid:public_id>/priorities/<int:position>/",
        views.priority_outcome,
        name="priority_outcome",
    ),
]
