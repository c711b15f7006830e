"""Storage limitation (UK GDPR Art 5(1)(e)) on the worker's clock: the retention jobs.

comms sits above community and the base apps, so it registers their jobs with the clock
(`scheduler.register`) as well as its own; each job is quick, idempotent and indexed. The
periods are settings (coproduce/settings.py, docs/operations.md "Retention"):

- COPRODUCE_RETENTION_UNCONFIRMED_DAYS: join-form submissions never confirmed, the pending
  associates they made and their consent records (community/registration.py), and then every
  outbox row and mail-folder message to those addresses;
- COPRODUCE_RETENTION_OUTBOX_DAYS: the address, subject and bodies of outbox messages sent,
  failed or cancelled that long ago (the row stays for the mailing's counts), and mail-folder
  files last written that long ago (they hold addresses and signed links);
- COPRODUCE_RETENTION_ENQUIRY_DAYS: enquiries answered or closed (pages/personal_data.py).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from coproduce.comms.models import OutboxMessage
from coproduce.comms.personal_data import erase_mail_files, mail_folder
from coproduce.community.registration import purge_unconfirmed
from coproduce.lib.personaldata import Subject
from coproduce.pages.personal_data import purge_closed_enquiries

DONE = (OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED, OutboxMessage.Status.CANCELLED)


def _days(name: str, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=getattr(settings, name))


def unconfirmed_joins(now: dt.datetime | None = None) -> int:
    addresses = purge_unconfirmed(now)
    for address in addresses:
        _forget_outbox(address)
        erase_mail_files(Subject(address))
    return len(addresses)


def _forget_outbox(address: str) -> None:
    rows = OutboxMessage.objects.filter(to_email__iexact=address)
    rows.filter(status=OutboxMessage.Status.QUEUED).update(status=OutboxMessage.Status.CANCELLED)
    rows.update(to_email="", subject="", body_text="", body_html="", last_error="")


def old_outbox_bodies(now: dt.datetime | None = None) -> int:
    cutoff = _days("COPRODUCE_RETENTION_OUTBOX_DAYS", now or timezone.now())
    return (
        OutboxMessage.objects.filter(status__in=DONE, created__lt=cutoff)
        .exclude(to_email="", body_text="", body_html="", subject="")
        .update(to_email="", subject="", body_text="", body_html="", last_error="")
    )


def old_mail_files(now: dt.datetime | None = None) -> int:
    cutoff = _days("COPRODUCE_RETENTION_OUTBOX_DAYS", now or timezone.now()).timestamp()
    folder = mail_folder()
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink()
            removed += 1
    return removed


def closed_enquiries(now: dt.datetime | None = None) -> int:
    return purge_closed_enquiries(now)


JOBS = {
    "retention: unconfirmed joins": unconfirmed_joins,
    "retention: outbox bodies": old_outbox_bodies,
    "retention: mail folder": old_mail_files,
    "retention: closed enquiries": closed_enquiries,
}
