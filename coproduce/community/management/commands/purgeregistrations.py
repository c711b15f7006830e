"""`coproduce purgeregistrations`: delete join-form answers whose confirmation link expired,
and, after COPRODUCE_RETENTION_UNCONFIRMED_DAYS, the pending associates never confirmed with
their "granted via form" consent records.

The worker's clock does this too (comms/retention.py, which also clears the outbox and the mail
folder of those addresses); the command is for installations that run no worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from coproduce.community.registration import purge_expired, purge_unconfirmed


class Command(BaseCommand):
    help = "Delete unconfirmed join-form registrations whose confirmation link has expired."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_expired()
        associates = len(purge_unconfirmed())
        if options["verbosity"]:
            self.stdout.write(f"Deleted {deleted} expired registration(s).")
            self.stdout.write(f"Deleted {associates} associate(s) who never confirmed.")
