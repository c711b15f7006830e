"""Withdrawn consent stops unsent messages at once, whatever path withdrew it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from coproduce.community.models import ConsentRecord


@receiver(post_save, sender=ConsentRecord, dispatch_uid="comms.consent_withdrawn")
def stop_unsent_on_withdrawal(
    sender: Any, instance: ConsentRecord, created: bool, **kwargs: Any
) -> None:
    if created and not instance.granted:
        from coproduce.comms.outbox import cancel_for_withdrawal

        cancel_for_withdrawal(instance.associate_id, instance.channel)
