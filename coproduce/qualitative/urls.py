from django.urls import path

from coproduce.qualitative import views

app_name = "qualitative"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.project, name="project"),
    path("<slug:slug>/start/", views.start, name="start"),
    path("<slug:slug>/sources/add/", views.sources_add, name="sources_add"),
    path("<slug:slug>/sources/upload/", views.upload, name="upload"),
    path("<slug:slug>/sources/<uuid:public_id>/", views.source, name="source"),
    path("<slug:slug>/sources/<uuid:public_id>/compare/", views.compare, name="compare"),
    path("<slug:slug>/codings/<uuid:public_id>/delete/", views.coding_delete, name="coding_delete"),
    path("<slug:slug>/codebook/", views.codebook, name="codebook"),
    path("<slug:slug>/codebook/starter/", views.starter, name="starter"),
    path("<slug:slug>/codebook/<uuid:public_id>/", views.code_edit, name="code"),
    path("<slug:slug>/agreement/", views.agreement_page, name="agreement"),
    path("<slug:slug>/analysis/", views.analysis_page, name="analysis"),
    path("<slug:slug>/analysis/matrix.<str:fmt>", views.analysis_download, name="analysis_download"),
    path("<slug:slug>/project.qdpx", views.qdpx, name="qdpx"),
    path("<slug:slug>/codebook.qdc", views.qdc, name="qdc"),
    path("<slug:slug>/import/", views.import_view, name="import"),
]
