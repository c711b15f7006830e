from django.contrib.auth.decorators import login_required
from django.urls import path

from coproduce.qualitative import views

app_name = "qualitative"

# Every page is for signed-in staff: anyone else is sent to sign in first; access.py decides.

urlpatterns = [
    path("", login_required(views.home), name="home"),
    path("<slug:slug>/", login_required(views.project), name="project"),
    path("<slug:slug>/start/", login_required(views.start), name="start"),
    path("<slug:slug>/sources/add/", login_required(views.sources_add), name="sources_add"),
    path("<slug:slug>/sources/upload/", login_required(views.upload), name="upload"),
    path("<slug:slug>/sources/<uuid:public_id>/", login_required(views.source), name="source"),
    path(
        "<slug:slug>/sources/<uuid:public_id>/compare/",
        login_required(views.compare),
        name="compare",
    ),
    path(
        "<slug:slug>/codings/<uuid:public_id>/delete/",
        login_required(views.coding_delete),
        name="coding_delete",
    ),
    path("<slug:slug>/codebook/", login_required(views.codebook), name="codebook"),
    path("<slug:slug>/codebook/starter/", login_required(views.starter), name="starter"),
    path("<slug:slug>/codebook/<uuid:public_id>/", login_required(views.code_edit), name="code"),
    path("<slug:slug>/agreement/", login_required(views.agreement_page), name="agreement"),
    path("<slug:slug>/analysis/", login_required(views.analysis_page), name="analysis"),
    path(
        "<slug:slug>/analysis/matrix.<str:fmt>",
        login_required(views.analysis_download),
        name="analysis_download",
    ),
    path("<slug:slug>/project.qdpx", login_required(views.qdpx), name="qdpx"),
    path("<slug:slug>/codebook.qdc", login_required(views.qdc), name="qdc"),
    path("<slug:slug>/import/", login_required(views.import_view), name="import"),
]
