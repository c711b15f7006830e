"""The public /priorities/ page."""

from django.urls import path

from coproduce.priorities import views_site

app_name = "priorities"

urlpatterns = [path("", views_site.index, name="index")]
