"""Public event pages, mounted at /events/. `feed.ics`, `past/` and `booking/` come before
`<slug>/`, so those words cannot be event slugs here (the staff form refuses them)."""

from django.urls import path

from coproduce.events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("past/", views.past_list, name="past"),
    path("feed.ics", views.feed, name="feed"),
    path("booking/<str:token>/", views.booking, name="booking"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/event.ics", views.event_ical, name="ical"),
    path("<slug:slug>/check-your-email/", views.check_email, name="check_email"),
]
