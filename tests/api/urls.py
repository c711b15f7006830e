"""The project's URLs plus the token page, until coproduce/urls.py mounts it itself.

Once the root URLconf includes coproduce.api.staff_urls this adds nothing.
"""

from django.urls import include, path

from coproduce.urls import urlpatterns as _root

urlpatterns = list(_root)
if not any(getattr(pattern, "namespace", None) == "api_tokens" for pattern in _root):
    urlpatterns.append(path("staff/api-tokens/", include("coproduce.api.staff_urls")))
