"""Co-production records, mounted at /staff/coproduction/."""

from __future__ import annotations

from django.urls import path

from coproduce.coproduction import records
from coproduce.coproduction import views as v
from coproduce.staff.records import by_method
from coproduce.staff.records import urlpatterns as record_patterns

app_name = "coproduction"

S = "studies/<slug:slug>/"

urlpatterns = [
    path("", v.home, name="home"),
    # knowledge-broker activity
    path("activities/", by_method(get=v.broker_log, post=v.broker_create), name="broker_log"),
    path("activities/all/", v.broker_activities, name="broker_activities"),
    path(
        "activities/<uuid:public_id>/edit/",
        by_method(get=v.broker_edit, post=v.broker_update),
        name="broker_edit",
    ),
    path(
        "activities/<uuid:public_id>/delete/",
        by_method(get=v.broker_confirm_delete, post=v.broker_delete),
        name="broker_delete",
    ),
    path("time-used/", v.time_used, name="time_used"),
    path("compromises/", v.compromise_analysis, name="analysis"),
    # public involvement: rates and the payments export
    path("rates/", v.rate_list, name="rates"),
    path("payments.csv", v.payments_csv, name="payments_csv"),
    path("payments.xlsx", v.payments_xlsx, name="payments_xlsx"),
    # researcher-in-residence journal
    path("journal/", v.journal, name="journal"),
    path("journal/new/", by_method(get=v.journal_new, post=v.journal_create), name="journal_add"),
    path("journal/shared/", v.journal_shared, name="journal_shared"),
    path(
        "journal/entries/<uuid:public_id>/",
        by_method(get=v.journal_edit, post=v.journal_update),
        name="journal_edit",
    ),
    path(
        "journal/placements/<uuid:public_id>/",
        v.journal_summary,
        name="journal_summary",
    ),
    path(
        "journal/placements/<uuid:public_id>/supervisors/",
        by_method(get=v.supervisors_show, post=v.supervisors_update),
        name="journal_supervisors",
    ),
    # per study
    path(S, v.study_overview, name="study"),
    path(S + "compromises/", v.compromise_list, name="compromises"),
    path(
        S + "compromises/new/",
        by_method(get=v.compromise_new, post=v.compromise_create),
        name="compromise_add",
    ),
    path(S + "compromises/<uuid:public_id>/", v.compromise_detail, name="compromise"),
    path(
        S + "compromises/<uuid:public_id>/edit/",
        by_method(get=v.compromise_edit, post=v.compromise_update),
        name="compromise_edit",
    ),
    path(S + "sources/", v.source_list, name="sources"),
    path(
        S + "sources/new-meeting/",
        by_method(get=v.meeting_new, post=v.meeting_create),
        name="meeting_add",
    ),
    path(
        S + "sources/new-document/",
        by_method(get=v.document_new, post=v.document_create),
        name="document_add",
    ),
    path(
        S + "sources/import-email/",
        by_method(get=v.email_import_show, post=v.email_import),
        name="email_import",
    ),
    path(S + "sources/export.csv", v.export_sources, name="export_sources"),
    path(S + "compromises/export.csv", v.export_compromises, name="export_compromises"),
    path(S + "sources/<uuid:public_id>/", v.source_detail, name="source"),
    path(
        S + "sources/<uuid:public_id>/edit/",
        by_method(get=v.source_edit, post=v.source_update),
        name="source_edit",
    ),
    path(
        S + "sources/<uuid:public_id>/delete/",
        by_method(get=v.source_confirm_delete, post=v.source_delete),
        name="source_delete",
    ),
    path(
        S + "sources/<uuid:public_id>/attachments/<uuid:attachment_id>/",
        v.attachment_download,
        name="attachment",
    ),
    path(S + "participants/", v.participant_list, name="participants"),
    path(
        S + "participants/<uuid:public_id>/",
        by_method(get=v.consent_show, post=v.consent_update),
        name="consent",
    ),
    path(S + "dialogues/", v.dialogue_list, name="dialogues"),
    path(S + "involvement/", v.involvement_list, name="involvement"),
    path(
        S + "involvement/<uuid:public_id>/delete/",
        v.involvement_delete,
        name="involvement_delete",
    ),
    path(S + "gripp2/", by_method(get=v.gripp2_show, post=v.gripp2_update), name="gripp2"),
    path(S + "gripp2.md", v.gripp2_markdown, name="gripp2_md"),
    path(S + "gripp2.pdf", v.gripp2_pdf, name="gripp2_pdf"),
    # Plain records (dialogues, involvement, payment rates), declared in records.py.
    *record_patterns(records.KINDS),
]
