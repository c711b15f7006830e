"""Every study gets a steering committee when it is created, and every active study a next
annual scientific review date when it is saved (the registry knows nothing of governance)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from coproduce.registry.models import Study


@receiver(post_save, sender=Study, dispatch_uid="governance-study-saved")
def study_saved(
    sender: Any, instance: Study, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    from coproduce.governance.models import ACTIVE_STAGES, AnnualReview
    from coproduce.governance.services import first_due, steering_committee

    if raw:
        return
    if created:
        steering_committee(instance)
    if instance.stage in ACTIVE_STAGES:
        AnnualReview.objects.get_or_create(
            study=instance, defaults={"next_due": first_due(instance, timezone.localdate())}
        )
