"""Request size: 413 before a too-large body is read; upload parts capped while they are read."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coproduce.governance.models import ProtocolVersion
from coproduce.security import limits
from tests.governance.conftest import PDF

KB = 1024
GIB = 1024 * 1024 * 1024


class SpyInput:
    """A request body of `size` bytes (endless if None) that counts what is read from it."""

    def __init__(self, size: int | None = None, fill: bytes = b"x") -> None:
        self.size = size
        self.fill = fill
        self.read_bytes = 0

    def _take(self, n: int) -> bytes:
        if self.size is not None:
            n = min(n, self.size - self.read_bytes)
        n = max(n, 0)
        self.read_bytes += n
        return self.fill * n

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            if self.size is None:
                raise AssertionError("read the whole of an endless body")
            size = self.size
        return self._take(size)

    def readline(self, size: int = -1) -> bytes:
        return self.read(size if size and size > 0 else 64 * KB)


class RecordingHandler(FileUploadHandler):
    """Placed after LimitedUploadHandler: records every byte that reaches the handlers that keep
    data (memory, temporary file)."""

    received: ClassVar[int] = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        RecordingHandler.received += len(raw_data)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@pytest.fixture
def recording(settings: Any) -> type[RecordingHandler]:
    RecordingHandler.received = 0
    settings.FILE_UPLOAD_HANDLERS = [
        "coproduce.security.limits.LimitedUploadHandler",
        "tests.security.test_request_size.RecordingHandler",
        *settings.FILE_UPLOAD_HANDLERS[1:],
    ]
    return RecordingHandler


def _post_raw(client: Any, path: str, body: SpyInput, content_type: str, **environ: Any) -> Any:
    # The test client sets neither header for an empty `data`: the body is ours.
    return client.generic(
        "POST", path, CONTENT_TYPE=content_type, **{"wsgi.input": body, **environ}
    )


@pytest.mark.django_db
def test_a_huge_declared_body_is_refused_before_a_byte_is_read(client: Any) -> None:
    body = SpyInput(GIB)
    response = _post_raw(
        client,
        reverse("pages:contact"),
        body,
        "multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(GIB),
    )
    assert response.status_code == 413
    assert body.read_bytes == 0
    html = response.content.decode()
    assert "larger than 2 MB" in html
    assert "nhsuk-header" in html  # the site's layout, not a bare error
    assert response["Connection"] == "close"


@pytest.mark.django_db
def test_the_limit_is_a_setting(client: Any, settings: Any) -> None:
    settings.COPRODUCE_MAX_REQUEST_BYTES = 4 * KB
    body = SpyInput(5 * KB)
    response = _post_raw(
        client,
        reverse("pages:contact"),
        body,
        "application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(5 * KB),
    )
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert "larger than 4 KB" in response.content.decode()


@pytest.mark.django_db
def test_a_chunked_body_is_counted_while_read_and_stopped_at_the_limit(settings: Any) -> None:
    settings.COPRODUCE_MAX_REQUEST_BYTES = 64 * KB
    client = Client(raise_request_exception=False)  # answered as a server would, not re-raised
    body = SpyInput(None, fill=b"a")  # endless: without the limit this test never ends
    response = _post_raw(
        client,
        reverse("pages:contact"),
        body,
        "application/x-www-form-urlencoded",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert 64 * KB < body.read_bytes <= 64 * KB + 1


def _echo(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"sent": request.POST.get("a", "")})


def test_a_chunked_body_under_the_limit_is_read_whole(rf: RequestFactory, settings: Any) -> None:
    settings.COPRODUCE_MAX_REQUEST_BYTES = 64 * KB
    body = SpyInput(10 * KB + 2, fill=b"b")
    request = rf.generic(
        "POST",
        "/contact/",
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": _Prefixed(b"a=", body), "wsgi.input_terminated": True},
    )
    response = limits.RequestSizeMiddleware(_echo)(request)
    assert response.status_code == 200
    assert json.loads(response.content)["sent"] == "b" * (10 * KB + 2)


class _Prefixed:
    def __init__(self, prefix: bytes, rest: SpyInput) -> None:
        self.prefix, self.rest = prefix, rest
        self.readline = self.read

    def read(self, size: int = -1) -> bytes:
        head, self.prefix = self.prefix, b""
        if size is None or size < 0:
            return head + self.rest.read()
        return head + self.rest.read(max(size - len(head), 0))


@pytest.mark.django_db
def test_an_upload_page_takes_its_file_limit_and_refuses_more_before_reading(
    member_client: Any, study: Any
) -> None:
    """The email import's 25 MB limit now applies before a 300 MB body is read."""
    body = SpyInput(300 * 1024 * 1024)
    response = _post_raw(
        member_client,
        reverse("coproduction:email_import", args=[study.slug]),
        body,
        "multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert "email file you sent is larger than 25 MB" in response.content.decode()


@pytest.mark.django_db
def test_a_file_part_stops_at_its_limit_while_read(
    member_client: Any, study: Any, settings: Any, recording: type[RecordingHandler]
) -> None:
    settings.COPRODUCE_PROTOCOL_MAX_BYTES = 64 * KB
    big = PDF + b"%" * (1024 * KB)  # within the body limit (64 KB + 2 MB), over the file limit
    response = member_client.post(
        reverse("governance:protocol_new", args=[study.slug]),
        {"label": "1.0", "document": SimpleUploadedFile("protocol.pdf", big)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "must be smaller than 64 KB; this one is 1 MB" in html
    assert not ProtocolVersion.objects.exists()
    assert 0 < recording.received <= 64 * KB  # nothing past the limit was kept anywhere


@pytest.mark.django_db
def test_a_page_without_a_file_field_keeps_no_file_bytes(
    client: Any, recording: type[RecordingHandler]
) -> None:
    response = client.post(
        reverse("pages:contact"),
        {"name": "A", "file": SimpleUploadedFile("a.bin", b"z" * (512 * KB))},
    )
    assert response.status_code == 200
    assert recording.received == 0


def _names(resolver: URLResolver, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            found |= _names(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.add(prefix + pattern.name)
    return found


def test_every_upload_route_names_a_real_page_and_a_known_kind() -> None:
    names = _names(get_resolver())
    for name, kind in limits.UPLOAD_ROUTES.items():
        assert name in names, name
        assert kind in limits.uploads.KINDS, kind


def test_a_request_without_a_body_is_passed_on_untouched(rf: RequestFactory) -> None:
    """granian marks every request's input as terminated; only a chunked body is counted."""
    seen: list[Any] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request._stream)  # type: ignore[attr-defined]
        return HttpResponse("ok")

    for method in ("get", "post"):
        request = getattr(rf, method)("/contact/", **{"wsgi.input_terminated": True})
        assert limits.RequestSizeMiddleware(view)(request).status_code == 200
    assert not any(isinstance(stream, limits._CountingStream) for stream in seen)
