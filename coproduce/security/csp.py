"""Content-Security-Policy: scripts only from this site, and never inline.

Pages that draw vega charts also get 'unsafe-eval': vega compiles chart expressions with
`Function`, and its CSP-safe interpreter is not vendored. Inline styles are allowed because
vega-embed, htmx and a few templates (and the email preview iframe) use them; they cannot run
code.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

POLICY = (
    "default-src 'self'; script-src 'self'{eval}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
CHART_MARKER = b"/vendor/vega/vega.min.js"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not settings.COPRODUCE_CSP or "Content-Security-Policy" in response:
            return response
        charts = (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and CHART_MARKER in response.content
        )
        response["Content-Security-Policy"] = POLICY.format(eval=" 'unsafe-eval'" if charts else "")
        return response
