"""URL names reversed once per process, not on every request.

`django.urls.reverse` works the path out again on each call (tens of microseconds; the staff
menu alone made 18 calls a page, `/who-is-who/` nearly 1,900). The answer only changes with
the URLconf and the script prefix, so `reverse_once(name, *args)` keeps it per process, keyed
by both: a test's `override_settings(ROOT_URLCONF=...)` gets a new resolver from Django (its
`clear_url_caches`), so old answers are never used for it; a site under a path prefix keeps
its prefix. Arguments must be hashable (slugs, ids, UUIDs).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

# Enough for every fixed link and a few pages' worth of records; least recently used go first.
CACHE_SIZE = 20_000


@lru_cache(maxsize=CACHE_SIZE)
def _reverse(
    resolver: Any,
    prefix: str,
    name: str,
    args: tuple[Any, ...],
    kwargs: tuple[tuple[str, Any], ...],
) -> str:
    return reverse(name, args=args or None, kwargs=dict(kwargs) or None)


def reverse_once(name: str, /, *args: Any, **kwargs: Any) -> str:
    """`reverse(name, args=args, kwargs=kwargs)`, worked out once per process for each URLconf
    and script prefix."""
    return _reverse(
        get_resolver(get_urlconf()),
        get_script_prefix(),
        name,
        args,
        tuple(sorted(kwargs.items())),
    )


def clear() -> None:
    """Forget every answer (tests; nothing else needs to)."""
    _reverse.cache_clear()
