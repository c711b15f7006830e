"""Respondent pages, mounted at /consultations/."""

from django.urls import path

from coproduce.priorities import views_public as views

app_name = "consultations"

urlpatterns = [
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("response/<str:token>/", views.response, name="response"),
    path("ranking/<str:token>/", views.ballot, name="ballot"),
    path("ranking/<str:token>/thank-you/", views.ballot_thanks, name="ballot_thanks"),
    path("<slug:slug>/open/<str:token>/", views.open_link, name="open"),
]
