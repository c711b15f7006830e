"""The outbox: one row per message, claimed atomically, sent once, recovered after a crash.

Queueing a mailing writes every row with one INSERT ... SELECT in the same transaction that
moves the mailing to "sending", so a mailing is either wholly queued or not at all, and queueing
it twice adds nothing (the `key` column is unique). The dispatcher (`dispatch_due`, run by the
worker as the `comms.tasks.dispatch` task) claims batches of due rows by stamping them with its
worker id and a lease, sends them over one SMTP connection kept for the whole run
(`smtp.Relay`), and marks each row "sent" in its own commit just before the relay can accept it
(see `smtp.py`); the relay's answer to one message is read after the next one is built. Temporary
failures are retried with exponential backoff; permanent ones are recorded with the reason.
`sweep` puts rows whose lease ran out, or whose worker process on this host has died, back in
the queue.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from coproduce.comms.audience import Audience, bounce_suppressions_exist, suppressed_among
from coproduce.comms.models import Mailing, OutboxMessage
from coproduce.comms.render import build_outgoing, envelope
from coproduce.comms.smtp import AmbiguousDelivery, Relay, SendError
from coproduce.community.models import Channel, SuppressedAddress, address_hash
from coproduce.webhooks import outbox as webhooks

log = logging.getLogger(__name__)

BATCH_SIZE = 100  # rows per claim: at 50, claiming cost ~0.08 ms of CPU a message
MAX_ATTEMPTS = 8
Status = OutboxMessage.Status


def lease_seconds() -> int:
    return int(getattr(settings, "COPRODUCE_OUTBOX_LEASE_SECONDS", 120))


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, ... minutes, at most six hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


_WORKER_ID = ""


def worker_id() -> str:
    """host:pid:random, so the sweeper can tell a dead local worker's claims from a live one's."""
    global _WORKER_ID
    prefix = f"{socket.gethostname()}:{os.getpid()}:"
    if not _WORKER_ID.startswith(prefix):
        _WORKER_ID = prefix + uuid.uuid4().hex[:8]
    return _WORKER_ID


# -- queueing -----------------------------------------------------------------------------------


class NotSendable(Exception):
    """The mailing is no longer a draft or scheduled: it was sent, is sending or was cancelled."""


def queue_mailing(mailing: Mailing, *, by: Any = None) -> int:
    """Write the mailing's outbox rows and mark it sending, in one transaction. Returns the
    number of rows. The dispatch task is enqueued when the transaction commits."""
    from coproduce.audit.log import record

    with transaction.atomic():
        locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if locked.status not in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
            raise NotSendable(f"This mailing is {locked.get_status_display().lower()}.")
        now = timezone.now()
        _insert_rows(locked, Audience.of(locked), now)
        if bounce_suppressions_exist():
            rows = OutboxMessage.objects.filter(mailing=locked, status=Status.QUEUED)
            emails = suppressed_among(rows.values_list("to_email", flat=True))
            if emails:
                rows.filter(to_email__in=emails).update(
                    status=Status.CANCELLED, last_error="Address suppressed"
                )
        count = OutboxMessage.objects.filter(mailing=locked, status=Status.QUEUED).count()
        locked.status = Mailing.Status.SENDING
        locked.queued_at = now
        locked.recipient_count = count
        locked.save(update_fields=["status", "queued_at", "recipient_count", "updated"])
        record(
            by,
            "comms.mailing.queued",
            locked,
            {"status": [mailing.status, "sending"], "recipients": [None, count]},
            via="staff" if by is not None else "worker",
        )
        transaction.on_commit(enqueue_dispatch)
    mailing.refresh_from_db()
    return count


def _insert_rows(mailing: Mailing, audience: Audience, now: dt.datetime) -> None:
    select = (
        audience.queryset().order_by().annotate(rid=F("pk"), addr=F("email")).values("rid", "addr")
    )
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    key = connection.ops.quote_name("key")
    # Column order matches the SELECT below; the inner query yields (rid, addr).
    statement = (
        f"INSERT INTO {table} ({key}, mailing_id, associate_id, to_email, channel, subject, "  # noqa: S608
        "body_text, body_html, status, attempts, next_attempt_at, claimed_by, last_error, created) "
        f"SELECT %s || CAST(a.rid AS TEXT), %s, a.rid, a.addr, %s, '', '', '', %s, 0, %s, '', '', %s "
        f"FROM ({sql}) AS a WHERE true ON CONFLICT DO NOTHING"
    )
    prefix = f"m{mailing.pk}:a"
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            [prefix, mailing.pk, mailing.channel, Status.QUEUED.value, stamp, stamp, *params],
        )


def queue_message(
    key: str,
    to_email: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    *,
    associate: Any = None,
    channel: str = "",
    not_before: dt.datetime | None = None,
) -> OutboxMessage | None:
    """Queue one message (a reminder, a booking confirmation). Idempotent by `key`: queueing
    the same key again returns None and sends nothing more."""
    now = timezone.now()
    row, created = OutboxMessage.objects.get_or_create(
        key=key,
        defaults={
            "to_email": to_email,
            "subject": " ".join(subject.split())[:200],
            "body_text": body_text,
            "body_html": body_html,
            "associate": associate,
            "channel": channel,
            "next_attempt_at": not_before or now,
        },
    )
    if not created:
        return None
    transaction.on_commit(enqueue_dispatch)
    return row


def enqueue_dispatch() -> None:
    """Enqueue the dispatch task unless one is already waiting to run."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from coproduce.comms.tasks import dispatch

    waiting = DBTaskResult.objects.filter(
        task_path=dispatch.module_path, status=TaskResultStatus.READY
    )
    if not waiting.exists():
        dispatch.enqueue()


# -- pausing ------------------------------------------------------------------------------------


def pause(mailing: Mailing, *, by: Any = None) -> None:
    from coproduce.audit.log import record

    changed = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
        status=Mailing.Status.PAUSED
    )
    if changed:
        record(by, "comms.mailing.paused", mailing, {"status": ["sending", "paused"]})
    mailing.refresh_from_db()


def resume(mailing: Mailing, *, by: Any = None) -> None:
    from coproduce.audit.log import record

    changed = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.PAUSED).update(
        status=Mailing.Status.SENDING
    )
    if changed:
        record(by, "comms.mailing.resumed", mailing, {"status": ["paused", "sending"]})
        transaction.on_commit(enqueue_dispatch)
    mailing.refresh_from_db()


def cancel_for_withdrawal(associate_id: int, channel: str) -> int:
    """Stop unsent messages that rest on a consent just withdrawn."""
    return OutboxMessage.objects.filter(
        associate_id=associate_id, channel=channel, status=Status.QUEUED
    ).update(status=Status.CANCELLED, last_error="Consent withdrawn")


# -- dispatching --------------------------------------------------------------------------------


def _due() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(
        status=Status.QUEUED, next_attempt_at__lte=timezone.now()
    ).filter(Q(mailing__isnull=True) | Q(mailing__status=Mailing.Status.SENDING))


def claim(limit: int = BATCH_SIZE) -> list[OutboxMessage]:
    """Atomically take up to `limit` due rows for this worker.

    What `_due()` says, in plain SQL, so that SQLite can be told which index to use (below),
    and the claimed ids come back from the UPDATE itself (docs/performance.md, dispatch).
    """
    me = worker_id()
    now = timezone.now()
    ops = connection.ops
    table = ops.quote_name(OutboxMessage._meta.db_table)
    mailings = ops.quote_name(Mailing._meta.db_table)
    lock = hint = ""
    if connection.features.has_select_for_update_skip_locked:
        lock = " FOR UPDATE OF o SKIP LOCKED"
    if connection.vendor == "sqlite":
        # Left to itself SQLite chose the (status, lease_until) index, walked every queued row
        # and sorted them: ~10 ms a batch with 8,000 queued. The partial index is in claim
        # order, so the LIMIT stops the walk. (The status is written into the statement, not
        # bound, so that the index's condition status = 'queued' is seen to hold.)
        hint = " INDEXED BY outbox_due"
    select = (
        f"SELECT o.id FROM {table} o{hint} LEFT OUTER JOIN {mailings} m ON o.mailing_id = m.id "  # noqa: S608
        f"WHERE o.status = '{Status.QUEUED.value}' AND o.next_attempt_at <= %s "
        "AND (o.mailing_id IS NULL OR m.status = %s) "
        f"ORDER BY o.next_attempt_at, o.id LIMIT %s{lock}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            select,
            [ops.adapt_datetimefield_value(now), Mailing.Status.SENDING.value, limit],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        if not ids:
            return []
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"UPDATE {table} SET status = %s, claimed_by = %s, lease_until = %s, "  # noqa: S608
            f"attempts = attempts + 1 WHERE id IN ({marks}) AND status = %s RETURNING id",
            [
                Status.SENDING.value,
                me,
                ops.adapt_datetimefield_value(now + dt.timedelta(seconds=lease_seconds())),
                *ids,
                Status.QUEUED.value,
            ],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    return _load_claimed(ids)


# What sending needs of a claimed row, its associate and its mailing (whose id and `updated`
# pick the cached message skeleton, render.py). The rest stays deferred: loading every column
# of three models for every message cost about as much CPU as building the message. A
# deferred field is still there if some code reads it (one query then), so this can only be
# slower, never wrong.
_ROW_FIELDS = (
    "id",
    "key",
    "mailing_id",
    "associate_id",
    "to_email",
    "channel",
    "subject",
    "body_text",
    "body_html",
    "status",
    "attempts",
    "claimed_by",
    "mailing__id",
    "mailing__updated",
    *(
        f"associate__{name}"
        for name in (
            "id",
            "public_id",
            "full_name",
            "status",
            "link_version",
            *(f"consent_{channel}" for channel in Channel.values),
        )
    ),
)


def _load_claimed(ids: list[int]) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(pk__in=ids)
        .select_related("associate", "mailing")
        .only(*_ROW_FIELDS)
        .order_by("id")
    )


@dataclass
class DispatchResult:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    cancelled: int = 0
    ambiguous: int = 0


_MARK_SENT = (
    "UPDATE {table} SET status = %s, sent_at = %s, last_error = '', lease_until = NULL "
    "WHERE id = %s AND status = %s AND claimed_by = %s"
)


def _mark_sent(row_id: int, me: str) -> Callable[[], None] | None:
    """The commit point of one message (see smtp.py): one UPDATE committed on its own, in plain
    SQL because it runs once per message on the hot path.

    On PostgreSQL, outside a transaction, the UPDATE is sent without waiting for the answer and
    the returned callable collects it after the final dot has been written: the database
    commits when it reads the statement, so a worker killed while waiting for that answer
    would otherwise leave a row marked sent whose dot was never written. Sent this way, the
    gap between the database having the statement and the relay having the dot is two
    consecutive writes on two sockets.
    """
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    params = [
        Status.SENT.value,
        connection.ops.adapt_datetimefield_value(timezone.now()),
        row_id,
        Status.SENDING.value,
        me,
    ]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _send_without_waiting(_MARK_SENT.format(table=table), params)
    if connection.vendor == "sqlite" and connection.get_autocommit():
        # Straight to sqlite3 (which keeps the prepared statement): in autocommit mode the
        # statement is its own transaction, committed when it returns.
        connection.ensure_connection()
        connection.connection.execute(_MARK_SENT.format(table=table).replace("%s", "?"), params)
        return None
    with connection.cursor() as cursor:
        cursor.execute(_MARK_SENT.format(table=table), params)
    return None


def _corkable(fd: int) -> socket.socket | None:
    """A handle on the database connection's TCP socket, or None (a Unix socket, no TCP_CORK)."""
    if not hasattr(socket, "TCP_CORK"):
        return None
    try:
        link = socket.socket(fileno=os.dup(fd))
    except OSError:
        return None
    if link.family not in (socket.AF_INET, socket.AF_INET6):
        link.close()
        return None
    return link


def _send_without_waiting(sql: str, params: list[Any]) -> Callable[[], None]:
    """Send one autocommit statement over the connection's libpq link and return a callable
    that waits for (and checks) its result."""
    import select

    from psycopg.pq import ExecStatus

    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    numbered = sql
    for n in range(1, len(params) + 1):
        numbered = numbered.replace("%s", f"${n}", 1)
    values = [None if v is None else str(v).encode() for v in params]
    # Corked, the statement waits in our own socket buffer and does not wake the database
    # server before the dot is written (a woken server process can take the CPU from us right
    # there, widening the gap). If the worker dies, closing the socket still sends it.
    link = _corkable(pgconn.socket)
    if link is not None:
        link.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
    pgconn.send_query_params(numbered.encode(), values)
    while pgconn.flush() == 1:
        select.select([], [pgconn.socket], [])

    def finish() -> None:
        if link is not None:
            link.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
            link.close()
        failure = ""
        while True:
            pgconn.consume_input()
            while pgconn.is_busy():
                select.select([pgconn.socket], [], [])
                pgconn.consume_input()
            result = pgconn.get_result()
            if result is None:
                break
            if result.status != ExecStatus.COMMAND_OK:
                failure = (result.error_message or b"").decode("utf-8", "replace")
        if failure:
            raise DatabaseError(f"marking an outbox row sent failed: {failure}")

    return finish


@contextlib.contextmanager
def _commit_without_waiting_for_disk() -> Iterator[None]:
    """On PostgreSQL, let this connection's commits return before the WAL reaches the disk.

    A commit is still final for every other connection at once, and survives the worker being
    killed: the exactly-once ordering of smtp.py is unchanged. Only a crash of the database
    server itself could forget the last moments of "sent" marks (at most about three times
    `wal_writer_delay`, 0.6 s by default), and those messages would be sent again. Waiting for
    the disk on every message would cost most of the dispatch rate (docs/performance.md).
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _release(row: OutboxMessage, error: SendError, result: DispatchResult) -> None:
    """Record a refusal: retry later if temporary and attempts remain, else fail."""
    if error.temporary and row.attempts < MAX_ATTEMPTS:
        OutboxMessage.objects.filter(pk=row.pk).update(
            status=Status.QUEUED,
            next_attempt_at=timezone.now() + backoff(row.attempts),
            last_error=error.reason,
            claimed_by="",
            lease_until=None,
        )
        result.retried += 1
    else:
        OutboxMessage.objects.filter(pk=row.pk).update(
            status=Status.FAILED, last_error=error.reason, claimed_by="", lease_until=None
        )
        result.failed += 1


def _still_wanted(rows: list[OutboxMessage]) -> tuple[list[OutboxMessage], list[int]]:
    """Drop rows whose consent was withdrawn, or whose address was suppressed, after queueing."""
    hashes = {row.pk: address_hash(row.to_email) for row in rows}
    suppressed = set(
        SuppressedAddress.objects.filter(address_sha256__in=set(hashes.values())).values_list(
            "address_sha256", flat=True
        )
    )
    keep, drop = [], []
    for row in rows:
        associate = row.associate
        if hashes[row.pk] in suppressed or (
            row.channel
            and (
                associate is None
                or associate.status != associate.Status.ACTIVE
                or not getattr(associate, f"consent_{row.channel}")
            )
        ):
            drop.append(row.pk)
        else:
            keep.append(row)
    return keep, drop


def send_batch(
    rows: list[OutboxMessage], result: DispatchResult, relay: _Connection | None = None
) -> None:
    """Send claimed rows over `relay`'s connection (one of its own if None), in order.

    While the relay takes in message n (its answer to the final dot is on the way), the next
    message is built: the answer is read only just before message n+1 is started. A refusal
    or a lost connection is still put on the row it belongs to.
    """
    me = worker_id()
    rows, dropped = _still_wanted(rows)
    if dropped:
        OutboxMessage.objects.filter(pk__in=dropped).update(
            status=Status.CANCELLED,
            last_error="Consent withdrawn or address suppressed before sending",
            claimed_by="",
            lease_until=None,
        )
        result.cancelled += len(dropped)
    if not rows:
        return
    link = relay if relay is not None else _Connection()
    pending = list(rows)  # claimed and not settled yet, in order
    answer: Callable[[], None] | None = None  # the relay's answer for pending[0], unread
    try:
        smtp = link.open()
        for index, row in enumerate(rows):
            outgoing = build_outgoing(row)
            if answer is not None:
                fit = _settle(pending.pop(0), answer, result)
                answer = None
                if not fit:
                    link.broken = True
                    break
            try:
                answer = smtp.start(
                    outgoing.sender,
                    outgoing.recipients,
                    outgoing.data,
                    functools.partial(_mark_sent, row.pk, me),
                    as_email=outgoing.as_email,
                    # With PIPELINING the next row's envelope goes out with this dot.
                    following=envelope(rows[index + 1]) if index + 1 < len(rows) else None,
                )
            except (SendError, AmbiguousDelivery) as error:
                if not _settle(pending.pop(0), functools.partial(_raise, error), result):
                    link.broken = True
                    break
        if answer is not None and not _settle(pending.pop(0), answer, result):
            link.broken = True
    except SendError as error:  # could not connect
        log.warning("outbox: cannot reach the relay: %s", error.reason)
        link.broken = True
    except BaseException:
        link.broken = True  # perhaps in the middle of a message: never reuse it
        raise
    finally:
        link.done()
        if relay is None or link.broken:
            link.close()
    # Rows we claimed but did not try (connection lost): back to the queue at once.
    if pending:
        OutboxMessage.objects.filter(
            pk__in=[r.pk for r in pending], status=Status.SENDING, claimed_by=me
        ).update(
            status=Status.QUEUED,
            claimed_by="",
            lease_until=None,
            next_attempt_at=timezone.now() + dt.timedelta(seconds=30),
        )


def _raise(error: Exception) -> None:
    raise error


def _settle(row: OutboxMessage, answer: Callable[[], None], result: DispatchResult) -> bool:
    """Read the relay's answer for `row` and record it. False if the connection is no longer
    fit for the next message (lost, or the answer never came)."""
    try:
        answer()
    except SendError as error:
        _release(row, error, result)
        return error.code is not None  # None: connection trouble, stop this batch
    except AmbiguousDelivery as exc:
        # Marked sent before the final dot; the answer never came. Keep "sent"
        # (at most once) and say so on the row.
        OutboxMessage.objects.filter(pk=row.pk).update(
            last_error=f"Sent, but the relay's answer was lost: {exc}"[:500]
        )
        result.ambiguous += 1
        return False
    result.sent += 1
    return True


class _Connection:
    """One SMTP connection for a whole dispatch run (not one per batch), opened when first
    needed and again after it broke; a NOOP checks it before a batch if it lay idle."""

    IDLE_SECONDS = 2.0  # used again within this, a connection is trusted without a NOOP

    def __init__(self) -> None:
        self.relay: Relay | None = None
        self.broken = False
        self.used = 0.0

    def open(self) -> Relay:
        relay = self.relay
        if relay is not None and not self.broken:
            idle = time.monotonic() - self.used
            if idle < self.IDLE_SECONDS or relay.alive():
                return relay
        self.close()
        relay = Relay()
        relay.__enter__()  # raises SendError if the relay cannot be reached
        self.relay, self.broken = relay, False
        return relay

    def done(self) -> None:
        self.used = time.monotonic()

    def close(self) -> None:
        relay, self.relay = self.relay, None
        if relay is None:
            return
        if self.broken:
            relay.abort()  # perhaps in the middle of a message: no QUIT, just close
        else:
            relay.__exit__(None, None, None)


def dispatch_due(max_seconds: float = 50.0) -> DispatchResult:
    """Send due rows until none are left or `max_seconds` have passed."""
    result = DispatchResult()
    started = time.monotonic()
    relay = _Connection()
    try:
        with _commit_without_waiting_for_disk():
            while time.monotonic() - started < max_seconds:
                rows = claim(BATCH_SIZE)
                if not rows:
                    break
                send_batch(rows, result, relay)
    finally:
        relay.close()
    finish_mailings()
    return result


def finish_mailings() -> int:
    """Mark sending mailings with nothing left to send as sent."""
    finished = 0
    for mailing in Mailing.objects.filter(status=Mailing.Status.SENDING):
        if not OutboxMessage.objects.filter(
            mailing=mailing, status__in=[Status.QUEUED, Status.SENDING]
        ).exists():
            with transaction.atomic():
                done = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
                    status=Mailing.Status.SENT, finished_at=timezone.now()
                )
                if done:
                    webhooks.emit(
                        "mailing.sent",
                        {"mailing": str(mailing.public_id), "subject": mailing.subject},
                    )
            finished += done
    return finished


def has_due() -> bool:
    return _due().exists()


# -- recovery -----------------------------------------------------------------------------------


def _dead_local_claims(claimers: list[str]) -> list[str]:
    host = socket.gethostname()
    dead = []
    for claimer in claimers:
        claim_host, _, rest = claimer.partition(":")
        pid_text = rest.partition(":")[0]
        if claim_host != host or not pid_text.isdigit() or claimer == worker_id():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            dead.append(claimer)
        except PermissionError:
            continue
    return dead


def sweep() -> int:
    """Queue again rows stuck in "sending": lease expired, or claimed by a dead local worker.

    Safe because a row still says "sending" only if its final dot was never sent (smtp.py).
    """
    now = timezone.now()
    stuck = OutboxMessage.objects.filter(status=Status.SENDING)
    claimers = list(stuck.values_list("claimed_by", flat=True).distinct())
    condition = Q(lease_until__lt=now)
    dead = _dead_local_claims(claimers)
    if dead:
        condition |= Q(claimed_by__in=dead)
    return stuck.filter(condition).update(
        status=Status.QUEUED, claimed_by="", lease_until=None, next_attempt_at=now
    )


# -- progress -----------------------------------------------------------------------------------


def progress(mailing: Mailing) -> dict[str, int]:
    counts = dict(
        OutboxMessage.objects.filter(mailing=mailing)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    total = sum(counts.values())
    done = (
        counts.get(Status.SENT, 0) + counts.get(Status.FAILED, 0) + counts.get(Status.CANCELLED, 0)
    )
    return {
        "total": total,
        "queued": counts.get(Status.QUEUED, 0),
        "sending": counts.get(Status.SENDING, 0),
        "sent": counts.get(Status.SENT, 0),
        "failed": counts.get(Status.FAILED, 0),
        "cancelled": counts.get(Status.CANCELLED, 0),
        "percent": round(100 * done / total) if total else 0,
    }
