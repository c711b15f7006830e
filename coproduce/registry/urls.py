from django.urls import path

from coproduce.registry import views

app_name = "registry"

urlpatterns = [
    path("themes/", views.themes, name="themes"),
    path("themes/<slug:slug>/", views.theme, name="theme"),
    path("studies/", views.studies, name="studies"),
    path("studies/<slug:slug>/", views.study, name="study"),
    path("who-is-who/", views.who_is_who, name="who_is_who"),
    path(
        "reports/studies-by-theme/", views.report_studies_by_theme, name="report_studies_by_theme"
    ),
    path(
        "reports/studies-by-theme.<str:fmt>",
        views.report_studies_by_theme_download,
        name="report_studies_by_theme_download",
    ),
]
