"""WSGI entry point, served by granian (see `coproduce serve`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.settings")
django_application = get_wsgi_application()

from coproduce.lib.db import close_when_thread_ends  # noqa: E402 - after Django is set up


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Django's handler; each request thread's database connections persist between its
    requests (CONN_MAX_AGE) and are closed when granian ends the thread (coproduce/lib/db.py)."""
    close_when_thread_ends()
    return django_application(environ, start_response)
