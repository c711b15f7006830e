from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def collaboration(request: HttpRequest) -> dict[str, str]:
    return {
        "collaboration_name": settings.COLLABORATION_NAME,
        "collaboration_short_name": settings.COLLABORATION_SHORT_NAME,
    }
