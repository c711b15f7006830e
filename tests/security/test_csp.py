"""Every page carries a Content-Security-Policy that allows no inline script."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "coproduce"


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def test_public_pages_forbid_inline_script(client: Client) -> None:
    response = client.get(reverse("pages:home"))
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]


def test_staff_pages_carry_the_policy(manager_client: Client) -> None:
    response = manager_client.get(reverse("staff:home"))
    assert "script-src 'self';" in response["Content-Security-Policy"]


def test_no_template_has_inline_script_or_event_handlers() -> None:
    import re

    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>")
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if inline_script.search(text) or handler.search(text) or "javascript:" in text:
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_chart_pages_alone_may_evaluate_vega_expressions(settings: object) -> None:
    from django.http import HttpResponse

    from coproduce.security.csp import ContentSecurityPolicyMiddleware

    def chart_page(request: object) -> HttpResponse:
        return HttpResponse('<script src="/static/vendor/vega/vega.min.js" defer></script>')

    def plain_page(request: object) -> HttpResponse:
        return HttpResponse("<p>hello</p>")

    charts = ContentSecurityPolicyMiddleware(chart_page)(None)  # type: ignore[arg-type]
    plain = ContentSecurityPolicyMiddleware(plain_page)(None)  # type: ignore[arg-type]
    assert _directives(charts["Content-Security-Policy"])["script-src"] == [
        "'self'",
        "'unsafe-eval'",
    ]
    assert _directives(plain["Content-Security-Policy"])["script-src"] == ["'self'"]
