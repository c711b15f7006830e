"""Every study has a community of practice: create it when the study is created."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from coproduce.registry.models import Study


@receiver(post_save, sender=Study, dispatch_uid="community.study_community")
def create_study_community(
    sender: type[Study], instance: Study, created: bool, raw: bool, **kwargs: Any
) -> None:
    if raw or not created:
        return
    from coproduce.community.models import CommunityOfPractice

    slug = instance.slug
    # "health" is a staff page under /staff/communities/, so no community may take it.
    if slug == "health" or CommunityOfPractice.objects.filter(slug=slug).exists():
        slug = f"{instance.slug}-cop"
    CommunityOfPractice.objects.get_or_create(
        study=instance,
        defaults={
            "slug": slug,
            "name": f"{instance.acronym or instance.title} community of practice",
            "founded": instance.start,
        },
    )
