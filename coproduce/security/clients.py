"""Which client sent a request, for limits that count per client.

The connection's address (REMOTE_ADDR), unless COPRODUCE_TRUSTED_PROXY_HEADER names the header
a trusted proxy in front sets (e.g. X-Forwarded-For). Then the last address in that header is
used: the one the proxy itself added, which a client cannot forge (anything the client sent
comes before it). Without the setting the header is ignored, whatever a client puts in it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    header = str(getattr(settings, "COPRODUCE_TRUSTED_PROXY_HEADER", "") or "").strip()
    if header:
        value = str(request.META.get("HTTP_" + header.upper().replace("-", "_"), ""))
        last = value.split(",")[-1].strip()
        if last:
            return last[:45]
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:45]
