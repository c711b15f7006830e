"""The error pages (400, 403, 404, 405, 413, 429, 500): the site layout, what happened in plain
words, what to do next, and links onward (home, sign in or the staff area, contact).

Django calls the handlers named in coproduce/urls.py; `NotAllowedPageMiddleware` gives a bare
405 from `require_http_methods` the same page. The 500 page is rendered without the request, so
no context processor runs and nothing touches the database (which may be what failed); so is
the 400 page, whose request may carry a host the site does not answer to.

Templates are `errors/<status>.html`, each extending `errors/layout.html`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template import loader

from coproduce.registry.access import ROLE_GROUPS, RoleRequired, group_names, is_manager


def _plain_context() -> dict[str, Any]:
    """What the layout needs, taken from settings alone (no request, no database)."""
    return {
        "collaboration_name": settings.COLLABORATION_NAME,
        "collaboration_short_name": settings.COLLABORATION_SHORT_NAME,
        "enquiries_email": settings.ENQUIRIES_EMAIL,
    }


def render_error(
    request: HttpRequest | None,
    status: int,
    context: dict[str, Any] | None = None,
    *,
    template_name: str = "",
) -> HttpResponse:
    """The error page for `status`; with `request=None` no context processor runs."""
    template = loader.get_template(template_name or f"errors/{status}.html")
    values = {**_plain_context(), "status": status, **(context or {})}
    content = template.render(values, request) if request is not None else template.render(values)
    return HttpResponse(content, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # Django's own size limits (DATA_UPLOAD_MAX_MEMORY_SIZE): too large, not malformed.
        return render_error(None, 413)
    return render_error(None, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Says why in the refusal's own words (written for people, never data) and, where a role
    is missing, which role; the signed-in person's own roles are shown to them."""
    reason = ""
    if isinstance(exception, PermissionDenied) and exception.args:
        reason = str(exception.args[0])
    user = getattr(request, "user", None)
    roles: list[str] = []
    if user is not None and user.is_authenticated:
        roles = [name for name in ROLE_GROUPS if name in group_names(user)]
        if is_manager(user) and "manager" not in roles:
            roles.insert(0, "manager")
    context = {
        "reason": reason,
        "role_needed": exception.role if isinstance(exception, RoleRequired) else "",
        "roles": roles,
    }
    return render_error(request, 403, context)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render_error(None, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without its token (expired page, cookies refused)."""
    return render_error(request, 403, template_name="errors/403_csrf.html")


class NotAllowedPageMiddleware:
    """A bare 405 (`require_POST`, `require_safe`, ...) becomes the 405 error page, keeping its
    Allow header. Last in MIDDLEWARE, so the headers the others add are set on the page. The
    API (/api/) answers in its own format and is left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            isinstance(response, HttpResponseNotAllowed)
            and not response.content
            and not request.path_info.startswith("/api/")
        ):
            page = render_error(request, 405, {"method": request.method})
            page["Allow"] = response["Allow"]
            return page
        return response
