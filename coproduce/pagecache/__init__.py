"""Anonymous GETs of the public pages, answered from a per-process cache.

A public page (the registry's lists and study pages, communities, news, events, the published
priorities) is the same for every anonymous visitor until the data changes, and rendering it
costs 10-100 times the bare layout page at national scale (docs/performance.md). This
middleware sits before sessions, CSRF and authentication, so a hit costs about what the bare
page costs.

Correctness rests on a **data generation**: a small file in COPRODUCE_DATA_DIR whose content
changes whenever the data may have changed. Every entry is stored under the generation it was
rendered in and served only while the generation is still the same, so a change is visible to
the next request in every process that shares the data directory (granian's workers and
`coproduce worker`). The generation is bumped:

- by `post_save`, `post_delete` and `m2m_changed` of any model (but sessions and the few
  bookkeeping models in IGNORED), both at once and again when the transaction commits, so no
  request can store the old page under the new generation;
- after every request that is not GET/HEAD/OPTIONS/TRACE (a staff edit, a booking, a form),
  whatever it did, because `QuerySet.update()` and bulk inserts send no signals;
- by bulk loaders (`loadsynthetic`) and anything else that writes with raw SQL: call `bump()`.

Entries also expire after PAGE_CACHE_SECONDS (COPRODUCE_PAGE_CACHE_SECONDS, default 60; 0 turns
the cache off), which bounds what a change outside all of these (a database edited by hand, the
dispatcher marking a mailing sent with `update()`, today's date moving on) can leave stale.

Only responses that are the same for everyone are stored: the request carried no session or
messages cookie, the answer is a 200 that sets no cookie and holds no CSRF token, and its path
is one of PATHS (never a signed link). At most MAX_ENTRIES pages of at most MAX_BYTES each are
kept per process, least recently used first out.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse

PATHS = ("/studies/", "/themes/", "/who-is-who/", "/communities/", "/news/", "/events/",
         "/priorities/")  # fmt: skip
EXACT = ("/",)
NEVER = ("/events/booking/",)
MAX_ENTRIES = 256
MAX_BYTES = 1_000_000
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# Bookkeeping rows that never change a public page (and some change often).
IGNORED = frozenset(
    {
        "sessions.session",
        "security.usersession",
        "django_tasks_database.dbtaskresult",
        "django_tasks_db.dbtaskresult",
        "comms.outboxmessage",
        "implementation.networksnapshot",
        "admin.logentry",
        "audit.auditentry",
        "figures.storedfigure",
    }
)

_lock = threading.Lock()
_entries: OrderedDict[tuple[str, str], tuple[bytes, float, int, list[tuple[str, str]], bytes]] = (
    OrderedDict()
)


def _path() -> Path:
    return Path(settings.DATA_DIR) / "page-generation"


def generation() -> bytes:
    """The current data generation (b"" before the first bump)."""
    try:
        return _path().read_bytes().rstrip()
    except OSError:
        return b""


# The generation file, open for writing in this process: (path, descriptor).
_file_lock = threading.Lock()
_file: tuple[str, int] | None = None
WIDTH = 64  # every generation is written padded to this many bytes, over the last one


def _descriptor(target: Path) -> int:
    """This process's descriptor of the generation file, opened again if the folder changed
    or the file was removed."""
    global _file
    path = str(target)
    if _file is not None:
        known, fd = _file
        # Kept while it is this folder's file and the file still exists; otherwise (another
        # folder, the file removed, the descriptor unusable) opened again below.
        with contextlib.suppress(OSError):
            if known == path and os.fstat(fd).st_nlink > 0:
                return fd
        with contextlib.suppress(OSError):
            os.close(fd)
        _file = None
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    _file = (path, fd)
    return fd


def bump() -> None:
    """Mark the data as changed: every cached page in every process is stale from now on.

    Every save bumps (twice), so this must be cheap: one `pwrite` of a fixed-width value over
    the old one through a descriptor kept open (a few microseconds), not a new file renamed
    into place (a millisecond or more: 10 of the demo loader's 22 CPU seconds). A reader
    racing the write may read a mix of the two values: that is a generation no entry was
    stored under, so it only costs a miss."""
    value = f"{time.time_ns()}:{os.getpid()}:{os.urandom(6).hex()}".encode().ljust(WIDTH)
    with _file_lock:
        try:
            os.pwrite(_descriptor(_path()), value, 0)
        except OSError:
            # Cannot record the change: forget this process's pages, and the others' expire.
            clear()


def clear() -> None:
    with _lock:
        _entries.clear()
    with _memo_lock:
        _memo.clear()


def _bump_now_and_on_commit(sender: Any, **kwargs: Any) -> None:
    # A model's signal names the model; erasure's (`lib.personaldata.erased`) does not.
    if getattr(getattr(sender, "_meta", None), "label_lower", None) in IGNORED:
        return
    bump()
    transaction.on_commit(bump, using=kwargs.get("using"))


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    post_save.connect(_bump_now_and_on_commit, dispatch_uid="pagecache-save")
    post_delete.connect(_bump_now_and_on_commit, dispatch_uid="pagecache-delete")
    m2m_changed.connect(_bump_now_and_on_commit, dispatch_uid="pagecache-m2m")
    # Erasure blanks rows with update(), which sends no save signal.
    from coproduce.lib.personaldata import erased

    erased.connect(_bump_now_and_on_commit, dispatch_uid="pagecache-erased")


def cacheable_path(path: str) -> bool:
    if path.startswith(NEVER):
        return False
    return path in EXACT or path.startswith(PATHS)


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = getattr(settings, "PAGE_CACHE_SECONDS", 0)
        if request.method not in SAFE_METHODS:
            try:
                return self.get_response(request)
            finally:
                bump()
        if (
            not seconds
            or request.method != "GET"
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "messages" in request.COOKIES
            or not cacheable_path(request.path)
        ):
            return self.get_response(request)
        key = (request.path, request.META.get("QUERY_STRING", ""))
        current = generation()
        now = time.monotonic()
        with _lock:
            entry = _entries.get(key)
            if entry is not None and entry[0] == current and now - entry[1] < seconds:
                _entries.move_to_end(key)
                _, _, status, headers, content = entry
                hit = HttpResponse(content, status=status)
                for name, value in headers:
                    hit[name] = value
                return hit
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and len(response.content) <= MAX_BYTES
            and b"csrfmiddlewaretoken" not in response.content
            and "private" not in response.get("Cache-Control", "")
        ):
            headers = [(n, v) for n, v in response.items() if n.lower() != "set-cookie"]
            with _lock:
                _entries[key] = (current, now, response.status_code, headers, response.content)
                _entries.move_to_end(key)
                while len(_entries) > MAX_ENTRIES:
                    _entries.popitem(last=False)
        return response


_memo_lock = threading.Lock()
_memo: OrderedDict[Any, tuple[bytes, float, Any]] = OrderedDict()
MAX_MEMO = 64
_computing: dict[Any, threading.Lock] = {}


def memo(key: Any, compute: Callable[[], Any]) -> Any:
    """`compute()`'s value, kept per process under the current data generation for at most
    PAGE_CACHE_SECONDS: for staff analytics (CoP health over every community, the governance
    rules over every study) that cost seconds at national scale and change only with the data.
    The value is shared between requests and threads: treat it as read-only."""
    seconds = getattr(settings, "PAGE_CACHE_SECONDS", 0)
    if not seconds:
        return compute()
    current = generation()
    now = time.monotonic()
    with _memo_lock:
        entry = _memo.get(key)
        if entry is not None and entry[0] == current and now - entry[1] < seconds:
            _memo.move_to_end(key)
            return entry[2]
        computing = _computing.setdefault(key, threading.Lock())
    # One thread computes; the others wait for its value instead of all computing at once.
    with computing:
        with _memo_lock:
            entry = _memo.get(key)
            if entry is not None and entry[0] == current and now - entry[1] < seconds:
                return entry[2]
        value = compute()
        _store(key, current, now, value)
    return value


def _store(key: Any, current: bytes, now: float, value: Any) -> None:
    with _memo_lock:
        _memo[key] = (current, now, value)
        _memo.move_to_end(key)
        while len(_memo) > MAX_MEMO:
            _memo.popitem(last=False)
