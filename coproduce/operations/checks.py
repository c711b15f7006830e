"""System checks for running an installation (`coproduce check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning

SITE_URL_NOT_HTTPS = "coproduce.W001"


@register(Tags.security, deploy=True)
def check_site_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Links in emails and feeds must reach the site: its https:// address, set explicitly."""
    site_url = str(settings.SITE_URL)
    if settings.SITE_URL_SET and site_url.startswith("https://"):
        return []
    what = (
        f"COPRODUCE_SITE_URL is {site_url}"
        if settings.SITE_URL_SET
        else f"COPRODUCE_SITE_URL is not set, so links in emails and feeds start with {site_url}"
    )
    return [
        CheckWarning(
            f"{what}: links in emails and the news feed will not reach the site.",
            hint="Set COPRODUCE_SITE_URL to the site's https:// address.",
            id=SITE_URL_NOT_HTTPS,
        )
    ]
