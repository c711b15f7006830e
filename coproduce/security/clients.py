"""The client's address, for limits: the connection's, or a trusted proxy's header.

Behind a reverse proxy every connection comes from the proxy, so all clients would share one
address. `COPRODUCE_TRUSTED_PROXY_HEADER` names the header the proxy sets (for example
`X-Forwarded-For` or `X-Real-IP`); it is read only when set, because without a proxy that
overwrites it any client could write whatever it likes there. Of a comma-separated list the
last entry is taken: the one the (single, trusted) proxy added itself.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def _meta_key(header: str) -> str:
    name = header.strip().upper().replace("-", "_")
    return name if name.startswith("HTTP_") or name == "REMOTE_ADDR" else f"HTTP_{name}"


def client_address(request: HttpRequest) -> str:
    header = getattr(settings, "COPRODUCE_TRUSTED_PROXY_HEADER", "")
    if header:
        value = str(request.META.get(_meta_key(header)) or "")
        last = value.rsplit(",", 1)[-1].strip()
        if last:
            return last[:45]
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:45]
