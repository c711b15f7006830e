"""Request size: a body over its page's limit is refused with 413 before it is read.

Every request's body may be at most COPRODUCE_MAX_REQUEST_BYTES (2 MB), or, on a page that takes
a file (UPLOAD_ROUTES), that file kind's limit (`coproduce/security/uploads.py`) plus
COPRODUCE_MAX_REQUEST_BYTES for the form's other fields.

- A declared Content-Length over the limit is answered 413 at once, before any middleware or
  view can touch the body: nothing is read, nothing is spooled to disk.
- A body without Content-Length (chunked, when the server passes it on as `wsgi.input_terminated`)
  is read through `_CountingStream`, which stops at the limit; the request is then answered 413.
- While a multipart body is parsed, `LimitedUploadHandler` (first of FILE_UPLOAD_HANDLERS)
  counts each file's bytes and passes none past the page's file limit (0 on pages that take no
  file) to Django's own handlers, which keep data in memory or a temporary file; the form then
  refuses the file with its size and the limit.
The 413 page is a plain page in the site layout saying what the limit was.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from coproduce.security import uploads

DEFAULT_MAX_REQUEST_BYTES = 2 * 1024 * 1024

# Pages that take a file: URL name -> upload kind (coproduce/security/uploads.py KINDS).
UPLOAD_ROUTES: dict[str, str] = {
    "governance:protocol_new": "protocol",
    "coproduction:document_add": "attachment",
    "coproduction:source_edit": "attachment",
    "coproduction:email_import": "email",
    "associates_staff:import": "directory",
    "implementation:administration_import": "scores",
    "qualitative:upload": "transcript",
    "qualitative:import": "qdpx",
    "implementation:outputs_import": "scores",
}

_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class BodyTooLarge(RequestDataTooBig):
    """The body, or a file in it, went over the page's limit while being read."""


def max_request_bytes() -> int:
    return int(getattr(settings, "COPRODUCE_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES))


def upload_kind(path: str) -> str | None:
    """The upload kind the page at `path` takes, or None."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return UPLOAD_ROUTES.get(match.view_name)


def limits_for(path: str) -> tuple[int, int]:
    """(largest body, largest single file) for a request to `path`."""
    kind = upload_kind(path)
    if kind is None:
        return max_request_bytes(), 0
    file_limit = uploads.max_bytes(kind)
    return file_limit + max_request_bytes(), file_limit


class _CountingStream:
    """A body stream of unknown length that refuses to yield more than `limit` bytes."""

    def __init__(self, stream: Any, limit: int, on_exceeded: Callable[[], None]) -> None:
        self._stream = stream
        self._limit = limit
        self._seen = 0
        self._on_exceeded = on_exceeded

    def _count(self, data: bytes) -> bytes:
        self._seen += len(data)
        if self._seen > self._limit:
            self._on_exceeded()
            raise BodyTooLarge("The request body is larger than this page accepts.")
        return data

    def read(self, size: int = -1) -> bytes:
        # Never ask the server for more than one byte past the limit.
        room = self._limit + 1 - self._seen
        size = room if size is None or size < 0 else min(size, room)
        return self._count(self._stream.read(max(size, 0)))

    def readline(self, size: int = -1) -> bytes:
        room = self._limit + 1 - self._seen
        size = room if size is None or size < 0 else min(size, room)
        return self._count(self._stream.readline(max(size, 0)))

    def __iter__(self) -> Any:
        while line := self.readline():
            yield line

    def close(self) -> None:
        """The server owns the connection's stream; nothing to close here."""


class TooLargeUpload(UploadedFile):
    """Stands in for a file part that went over its limit: its size, none of its bytes."""

    def __init__(self, name: str, content_type: str, size: int) -> None:
        super().__init__(io.BytesIO(), name, content_type, size)
        self.too_large = True


class LimitedUploadHandler(FileUploadHandler):
    """Counts each file part's bytes as they are read and passes on none past the page's limit.

    Django's own handlers (memory, then a temporary file) come after this one in
    FILE_UPLOAD_HANDLERS, so they never hold more than the limit. A part that goes over becomes
    a `TooLargeUpload` carrying only its size, and the form's upload check (`uploads.validate`)
    then says how large it was and what the limit is. The rest of the body is bounded by the
    page's body limit, checked before reading.
    """

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > getattr(self.request, "coproduce_file_limit", 0):
            return None  # nothing past the limit reaches the handlers that keep data
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > getattr(self.request, "coproduce_file_limit", 0):
            return TooLargeUpload(self.file_name or "", self.content_type or "", self.received)
        return None


def _mark(request: Any) -> None:
    request.coproduce_too_large = True


def too_large_response(request: HttpRequest, body_limit: int, file_limit: int) -> HttpResponse:
    kind = upload_kind(request.path_info)
    if kind is not None:
        reason = (
            f"The {uploads.KINDS[kind].label} you sent is larger than "
            f"{uploads.human_size(file_limit)}, the most this page accepts."
        )
    else:
        reason = (
            f"What you sent is larger than {uploads.human_size(body_limit)}, "
            "the most this page accepts."
        )
    html = render_to_string("errors/413.html", {"reason": reason, "status": 413}, request=request)
    response = HttpResponse(html, status=413)
    response["Connection"] = "close"  # the unread body is not worth waiting for
    return response


class RequestSizeMiddleware:
    """First in MIDDLEWARE, so nothing before it can read a body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        declared = meta.get("CONTENT_LENGTH") or ""
        # A body of unknown length that the server lets us read to its end (granian sets
        # wsgi.input_terminated on every request, so the header is what tells).
        chunked = (
            not declared
            and "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
            and bool(meta.get("wsgi.input_terminated"))
        )
        if request.method in _BODYLESS and not chunked and declared in ("", "0"):
            return self.get_response(request)
        body_limit, file_limit = limits_for(request.path_info)
        if declared.strip().isdigit() and int(declared) > body_limit:
            return too_large_response(request, body_limit, file_limit)
        request.coproduce_file_limit = file_limit  # type: ignore[attr-defined]
        if chunked and hasattr(request, "_stream"):
            # Django reads nothing of a body without Content-Length unless given a stream.
            request._stream = _CountingStream(  # type: ignore[assignment]
                meta["wsgi.input"], body_limit, lambda: _mark(request)
            )
        response = self.get_response(request)
        if getattr(request, "coproduce_too_large", False):
            return too_large_response(request, body_limit, file_limit)
        return response
