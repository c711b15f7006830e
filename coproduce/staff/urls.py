from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path

from coproduce.security.views import ThrottledLoginView
from coproduce.staff import views
from coproduce.staff.kinds import KINDS

app_name = "staff"


def _kind_patterns() -> list[URLPattern]:
    """Five URLs per kind, all served by the generic views; the kind comes as a keyword."""
    patterns = []
    for kind in KINDS.values():
        base, key, extra = kind.segment, f"<{kind.lookup_converter}:key>", {"kind": kind.key}
        patterns += [
            path(f"{base}/", views.object_list, extra, name=f"{kind.key}_list"),
            path(f"{base}/new/", views.object_create, extra, name=f"{kind.key}_create"),
            path(f"{base}/{key}/", views.object_detail, extra, name=f"{kind.key}_detail"),
            path(f"{base}/{key}/edit/", views.object_edit, extra, name=f"{kind.key}_edit"),
            path(f"{base}/{key}/delete/", views.object_delete, extra, name=f"{kind.key}_delete"),
        ]
    return patterns


urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", ThrottledLoginView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("enquiries/", views.enquiries, name="enquiries"),
    path("enquiries/<uuid:public_id>/", views.enquiry_detail, name="enquiry"),
    path("enquiries/<uuid:public_id>/status/", views.enquiry_status, name="enquiry_status"),
    *_kind_patterns(),
]
