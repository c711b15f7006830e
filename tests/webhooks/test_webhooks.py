"""Webhooks: signed by the Standard Webhooks scheme, sent through an outbox with retries, only to
allowed addresses, managed from staff pages. A real HTTP receiver on loopback takes deliveries.

The signature is checked twice: by the reference library `standardwebhooks` (which also signs,
so this alone would prove little) and by HMAC-SHA256 computed here from the specification's
definition: base64(HMAC-SHA256(base64decode(secret without "whsec_"), "<id>.<timestamp>.<body>")).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks.webhooks import Webhook

from coproduce.audit.models import AuditEntry
from coproduce.webhooks import addresses, outbox
from coproduce.webhooks.models import Attempt, Delivery, Endpoint

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers with `status`."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": self.rfile.read(length),
                    }
                )
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/coproduce"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    server = Receiver()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def manager(django_user_model: Any) -> Any:
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("hookmanager", password="x" * 12)
    user.groups.add(Group.objects.get(name="manager"))
    return user


def _endpoint(owner: Any, url: str, types: list[str]) -> Endpoint:
    return Endpoint.objects.create(owner=owner, url=url, event_types=types)


def _expected_signature(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(digest.digest()).decode()


def test_a_delivery_is_signed_per_standard_webhooks_and_recorded(
    receiver: Receiver, manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint = _endpoint(manager, receiver.url, ["booking.made"])
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.emit("booking.made", {"event": "roadshow", "status": "confirmed"}) == 1
    delivery = Delivery.objects.get()
    # The task was queued on commit; run what it runs.
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_webhook").count() == 1
    assert outbox.deliver(delivery.pk) == Delivery.Status.DELIVERED

    [got] = receiver.received
    assert got["path"] == "/hooks/coproduce"
    headers = got["headers"]
    assert headers["webhook-id"] == delivery.message_id
    assert headers["content-type"] == "application/json"
    assert headers["webhook-signature"] == _expected_signature(
        endpoint.secret, headers["webhook-id"], headers["webhook-timestamp"], got["body"]
    )
    payload = Webhook(endpoint.secret).verify(got["body"], headers)
    assert payload["type"] == "booking.made"
    assert payload["data"] == {"event": "roadshow", "status": "confirmed"}
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.finished is not None
    assert Attempt.objects.get(delivery=delivery).status_code == 204


def test_a_change_that_rolls_back_announces_nothing(receiver: Receiver, manager: Any) -> None:
    _endpoint(manager, receiver.url, ["booking.made"])

    def booking_that_fails() -> None:
        with transaction.atomic():
            outbox.emit("booking.made", {"event": "roadshow"})
            raise RuntimeError("the booking failed")

    with pytest.raises(RuntimeError):
        booking_that_fails()
    assert not Delivery.objects.exists()


def test_only_subscribed_active_endpoints_receive_an_event(
    receiver: Receiver, manager: Any
) -> None:
    _endpoint(manager, receiver.url, ["review.released"])
    off = _endpoint(manager, receiver.url, ["booking.made"])
    off.active = False
    off.save()
    assert outbox.emit("booking.made", {"event": "roadshow"}) == 0
    with pytest.raises(ValueError, match="Unknown webhook event type"):
        outbox.emit("booking.invented", {})


def test_a_failed_delivery_is_retried_with_backoff_then_given_up(
    receiver: Receiver, manager: Any
) -> None:
    receiver.status = 500
    _endpoint(manager, receiver.url, ["mailing.sent"])
    outbox.emit("mailing.sent", {"mailing": "x"})
    delivery = Delivery.objects.get()
    before = timezone.now()
    assert outbox.deliver(delivery.pk) == Delivery.Status.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    wait = delivery.next_attempt_at - before
    assert dt.timedelta(seconds=4) < wait < dt.timedelta(seconds=30)
    assert Attempt.objects.get().error == "The receiver answered 500."
    retry = DBTaskResult.objects.filter(task_path__endswith="deliver_webhook").latest("enqueued_at")
    assert retry.run_after is not None
    # Not due yet: a second task for the same row does nothing.
    assert outbox.deliver(delivery.pk) == "not due"
    # Every later try fails too: after 1 + len(RETRY_AFTER) tries it is given up.
    for _ in outbox.RETRY_AFTER:
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        outbox.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == len(outbox.RETRY_AFTER) + 1
    assert len(receiver.received) == len(outbox.RETRY_AFTER) + 1
    # A manager can still send it again, by hand, with the same message id.
    receiver.status = 200
    outbox.redeliver(delivery)
    assert outbox.deliver(delivery.pk, manual=True) == Delivery.Status.DELIVERED
    assert {r["headers"]["webhook-id"] for r in receiver.received} == {delivery.message_id}
    assert Attempt.objects.filter(delivery=delivery, manual=True).count() == 1


def test_addresses_outside_the_allow_list_or_internal_are_refused(
    receiver: Receiver, manager: Any, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.org"]
    _endpoint(manager, receiver.url, ["booking.made"])
    outbox.emit("booking.made", {"event": "roadshow"})
    delivery = Delivery.objects.get()
    assert outbox.deliver(delivery.pk) == Delivery.Status.REFUSED
    assert receiver.received == []  # no request was made
    assert "127.0.0.1 is not an allowed webhook host" in Attempt.objects.get().error
    # Allowed only by a domain suffix, a host must resolve to public addresses: loopback is not.
    settings.WEBHOOK_ALLOWED_HOSTS = [".0.0.1"]
    with pytest.raises(addresses.Refused, match="internal address"):
        addresses.resolve(receiver.url)
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(addresses.Refused, match="sends webhooks to no address"):
        addresses.check_url("https://hooks.example.org/")
    for bad, reason in [
        ("ftp://127.0.0.1/x", "must start with https://"),
        ("https://user:pw@127.0.0.1/x", "user name or password"),
    ]:
        settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
        with pytest.raises(addresses.Refused, match=reason):
            addresses.check_url(bad)


def test_a_booking_emits_an_event_without_personal_data(receiver: Receiver, manager: Any) -> None:
    from coproduce.events import services
    from tests.events.conftest import make_event

    _endpoint(manager, receiver.url, ["booking.made"])
    event = make_event()
    services.book(event, full_name="Ada Lovelace", email="ada@example.org")
    delivery = Delivery.objects.get(event_type="booking.made")
    assert json.loads(delivery.body)["data"]["event"] == event.slug
    assert "ada" not in delivery.body.lower()
    assert "lovelace" not in delivery.body.lower()


def test_a_manager_sets_up_a_webhook_and_sees_its_deliveries(
    client: Client, manager: Any, receiver: Receiver
) -> None:
    client.force_login(manager)
    page = client.get("/staff/webhooks/")
    assert page.status_code == 200
    assert "127.0.0.1" in page.content.decode()  # the allowed hosts are named
    refused = client.post(
        "/staff/webhooks/new/",
        {"url": "https://intranet.example.org/x", "event_types": ["booking.made"]},
    )
    body = refused.content.decode()
    assert "intranet.example.org is not an allowed webhook host" in body
    assert "nhsuk-error-summary" in body
    assert not Endpoint.objects.exists()
    none_chosen = client.post("/staff/webhooks/new/", {"url": receiver.url})
    assert "Choose at least one event to send" in none_chosen.content.decode()
    created = client.post(
        "/staff/webhooks/new/",
        {"url": receiver.url, "description": "Reporting", "event_types": ["booking.made"]},
    )
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in created.content.decode()  # shown once, on this page
    assert created["Cache-Control"].startswith("max-age=0")
    assert AuditEntry.objects.filter(action="webhooks.endpoint.created").count() == 1
    outbox.emit("booking.made", {"event": "roadshow"})
    outbox.deliver(Delivery.objects.get().pk)
    detail = client.get(f"/staff/webhooks/{endpoint.public_id}/").content.decode()
    assert "answered 204" in detail
    assert endpoint.secret not in detail
    client.post(f"/staff/webhooks/{endpoint.public_id}/turn-off/")
    endpoint.refresh_from_db()
    assert endpoint.active is False


def test_a_study_stage_change_saved_through_the_audited_save_is_announced(manager: Any) -> None:
    from coproduce.audit.log import snapshot
    from coproduce.registry.models import Study
    from coproduce.staff.editing import audit_saved
    from tests import factories

    _endpoint(manager, "https://hooks.example.org/x", ["study.stage_changed"])
    study = factories.StudyFactory(stage=Study.Stage.PROPOSED)
    before = snapshot(study)
    study.title = "Renamed"
    study.save()
    audit_saved(manager, study, before)
    assert not Delivery.objects.exists()  # the stage did not change
    before = snapshot(study)
    study.stage = Study.Stage.RECRUITING
    study.save()
    audit_saved(manager, study, before)
    [delivery] = Delivery.objects.all()
    body = json.loads(delivery.body)
    assert body["type"] == "study.stage_changed"
    assert body["data"] == {
        "slug": study.slug,
        "field": "stage",
        "from": Study.Stage.PROPOSED.value,
        "to": Study.Stage.RECRUITING.value,
    }


def test_an_output_added_is_announced(manager: Any) -> None:
    from coproduce.implementation.models import Output
    from coproduce.staff.editing import audit_saved

    _endpoint(manager, "https://hooks.example.org/x", ["output.added"])
    output = Output.objects.create(
        kind="publications", title="Return to work after stroke: a trial", date=dt.date(2012, 5, 1)
    )
    audit_saved(manager, output)
    [delivery] = Delivery.objects.all()
    body = json.loads(delivery.body)
    assert body["type"] == "output.added"
    assert body["data"]["public_id"] == str(output.public_id)
    assert body["data"]["date"] == "2012-05-01"
