"""The public news archive, mounted at /news/. `feed/` comes before `<slug>/`."""

from __future__ import annotations

from django.urls import path

from coproduce.comms import views_news as views

app_name = "news"

urlpatterns = [
    path("", views.news_list, name="list"),
    path("feed/", views.news_feed, name="feed"),
    path("<slug:slug>/", views.news_detail, name="detail"),
]
