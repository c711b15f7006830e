"""The /api/docs page, with Swagger UI served from our own static files: never from a CDN.

django-ninja ships Swagger UI inside its package (static/ninja/), but falls back to a CDN page
when "ninja" is not an installed app. This page always uses the local files, so a missing app
shows up as a failing test rather than as a page that quietly phones a CDN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

SWAGGER_SETTINGS: dict[str, Any] = {
    "layout": "BaseLayout",
    "deepLinking": True,
    # The default validator badge sends the schema's URL to validator.swagger.io.
    "validatorUrl": None,
}


class LocalSwagger(DocsBase):
    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        openapi_url = self.get_openapi_url(api, kwargs)
        context = {
            "api": api,
            "openapi_url": openapi_url,
            "swagger_settings": {**SWAGGER_SETTINGS, "url": openapi_url},
        }
        return render(request, self.template, context)
