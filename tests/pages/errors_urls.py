"""The project's URLs plus one view that fails, with the project's error handlers."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from coproduce.urls import handler400, handler403, handler404, handler500  # noqa: F401
from coproduce.urls import urlpatterns as project_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *project_urlpatterns]
