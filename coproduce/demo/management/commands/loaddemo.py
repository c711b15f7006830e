"""`coproduce loaddemo`: load the CLAHRC-NDL demo collaboration (coproduce/demo/data/)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import models
from django.db.models import Sum

from coproduce.demo import loader
from coproduce.demo.loader import registry as demo
from coproduce.registry.models import (
    Area,
    Organisation,
    Person,
    Placement,
    RoleAssignment,
    Secondment,
    Study,
    Theme,
)


class Command(BaseCommand):
    help = (
        "Load the demo collaboration (CLAHRC Nottinghamshire, Derbyshire and Lincolnshire): "
        "areas, partner organisations, themes, the sixteen studies, people and their roles, "
        "diffusion fellow secondments, researchers in residence, the communities of practice "
        "with about 600 invented associates, their consent and activities, the Engage "
        "newsletters and monthly briefings of 2009-2013, an illustrative today layer dated "
        "from the load day, and three sign-ins "
        f"(manager, researcher, reader; password {demo.DEMO_PASSWORD}). "
        "Safe to run again: records are matched by slug, email address or username and "
        "brought back to the demo values, nothing is duplicated, and records the demo does not "
        "know about are left alone. Passwords are set only when an account is first created, "
        "so a re-run keeps any password changed since. Runs in one transaction. The demo "
        "password is published: do not load the demo on a server open to the public."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.loaded = loader.load()
        if options["verbosity"] > 0:
            self.report()

    # Reporting -----------------------------------------------------------------------------

    def report(self) -> None:
        # Table 1's figures, as at the paper's date: the collaboration ended in 2013.
        on = demo.TABLE_AS_AT
        studies = Study.objects.with_df_counts(on=on)
        posts = studies.aggregate(
            funded=Sum("df_posts"), filled=Sum("df_posts_filled"), vacant=Sum("df_posts_vacant")
        )
        ever = Secondment.objects.values("person").distinct().count()
        themes = Theme.objects.values("kind").annotate(n=models.Count("pk"))
        by_kind = {row["kind"]: row["n"] for row in themes}
        self.stdout.write(
            self.style.SUCCESS(f"Loaded the demo collaboration: {demo.COLLABORATION}.")
        )
        self.stdout.write(
            f"  records: {self.loaded.registry['created']} created, {self.loaded.registry['updated']} updated, "
            f"{self.loaded.registry['unchanged']} unchanged"
        )
        self.stdout.write(
            f"  {Area.objects.count()} areas, {Organisation.objects.count()} organisations, "
            f"{Theme.objects.count()} themes ({by_kind.get(Theme.Kind.RESEARCH, 0)} research, "
            f"{by_kind.get(Theme.Kind.CROSS_CUTTING, 0)} cross-cutting), "
            f"{Study.objects.count()} studies"
        )
        self.stdout.write(
            f"  {Person.objects.count()} people, {RoleAssignment.objects.count()} role "
            f"assignments, {Secondment.objects.count()} secondments, "
            f"{Placement.objects.count()} researcher-in-residence placements"
        )
        self.stdout.write(
            f"  diffusion fellow posts as at {on.day} {on:%B %Y} (Table 1 of the 2012 paper): "
            f"{posts['filled'] or 0} filled, {posts['vacant'] or 0} vacant, of "
            f"{posts['funded'] or 0} funded; "
            f"{ever} fellows seconded over all time"
        )
        self.stdout.write(self.loaded.community.line())
        self.stdout.write(self.loaded.events.line())
        self.stdout.write(self.loaded.news.line())
        self.stdout.write(self.loaded.governance.line())
        self.stdout.write(self.loaded.priorities.line())
        self.stdout.write(self.loaded.qualitative.line())
        self.stdout.write(self.loaded.funding.line())
        self.stdout.write(self.loaded.pathways.line())
        self.stdout.write(
            f"  sign-ins: {', '.join(row['username'] for row in demo.USERS)} "
            f"(password {demo.DEMO_PASSWORD} when first created; a re-run keeps existing "
            "passwords)"
        )
        if settings.COPRODUCE_REQUIRE_MANAGER_2FA:
            self.stdout.write(
                "  the manager sets up an authenticator app (two-factor) at first sign-in; "
                "researcher and reader need none"
            )
