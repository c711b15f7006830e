from django.contrib import admin
from django.urls import include, path

from coproduce.api.urls import api

# The error pages (coproduce/pages/errors.py): the site layout, what happened, where to go next.
handler400 = "coproduce.pages.errors.bad_request"
handler403 = "coproduce.pages.errors.permission_denied"
handler404 = "coproduce.pages.errors.page_not_found"
handler500 = "coproduce.pages.errors.server_error"

urlpatterns = [
    path("", include("coproduce.pages.urls")),
    path("", include("coproduce.registry.urls")),
    path("associates/", include("coproduce.community.urls_associates")),
    path("communities/", include("coproduce.community.urls_cops")),
    path("news/", include("coproduce.comms.urls_news")),
    path("events/", include("coproduce.events.urls")),
    path("outputs/", include("coproduce.implementation.urls_public")),
    path("email/", include("coproduce.comms.urls_public")),
    path("staff/mailings/", include("coproduce.comms.urls_staff")),
    path("staff/events/", include("coproduce.events.urls_staff")),
    path("staff/associates/", include("coproduce.community.urls_staff_directory")),
    path("staff/communities/", include("coproduce.community.urls_staff_cops")),
    path("staff/api-tokens/", include("coproduce.api.staff_urls")),
    path("staff/webhooks/", include("coproduce.api.webhook_urls")),
    path("staff/governance/", include("coproduce.governance.urls")),
    path("staff/coproduction/", include("coproduce.coproduction.urls")),
    path("staff/qualitative/", include("coproduce.qualitative.urls")),
    path("consultations/", include("coproduce.priorities.urls_public")),
    path("priorities/", include("coproduce.priorities.urls_site")),
    path("staff/priorities/", include("coproduce.priorities.urls_staff")),
    path("staff/implementation/", include("coproduce.implementation.urls")),
    path("staff/funding/", include("coproduce.funding.urls")),
    path("staff/two-factor/", include("coproduce.security.urls")),
    path("staff/sign-in/unlock/", include("coproduce.security.urls_signin")),
    path("staff/", include("coproduce.implementation.urls_pathway")),
    path("staff/", include("coproduce.staff.urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]
