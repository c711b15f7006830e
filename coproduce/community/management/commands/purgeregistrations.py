"""`coproduce purgeregistrations`: delete join-form answers whose confirmation link expired.

Run it daily (cron or a systemd timer): unconfirmed answers are personal data we have no
reason to keep once the link can no longer be used.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from coproduce.community.registration import purge_expired


class Command(BaseCommand):
    help = "Delete unconfirmed join-form registrations whose confirmation link has expired."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_expired()
        if options["verbosity"]:
            self.stdout.write(f"Deleted {deleted} expired registration(s).")
