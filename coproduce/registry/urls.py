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
        "who-is-who/diffusion-fellows/",
        views.who_is_who_list,
        {"index": 0},
        name="who_is_who_fellows",
    ),
    path(
        "who-is-who/diffusion-fellows/former/",
        views.who_is_who_list,
        {"index": 1},
        name="who_is_who_former_fellows",
    ),
    path(
        "who-is-who/researchers-in-residence/",
        views.who_is_who_list,
        {"index": 2},
        name="who_is_who_residents",
    ),
    path(
        "who-is-who/researchers-in-residence/former/",
        views.who_is_who_list,
        {"index": 3},
        name="who_is_who_former_residents",
    ),
    path("who-is-who/people/<uuid:public_id>/", views.who_is_who_person, name="who_is_who_person"),
    path(
        "reports/studies-by-theme/", views.report_studies_by_theme, name="report_studies_by_theme"
    ),
    path(
        "reports/studies-by-theme.<str:fmt>",
        views.report_studies_by_theme_download,
        name="report_studies_by_theme_download",
    ),
]
