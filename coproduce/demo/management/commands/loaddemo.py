"""`coproduce loaddemo`: load the CLAHRC-NDL demo collaboration (coproduce/demo/data/)."""

from __future__ import annotations

from collections import Counter
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone

from coproduce.demo.loader import community as community_demo
from coproduce.demo.loader import coproduction as coproduction_demo
from coproduce.demo.loader import events as events_demo
from coproduce.demo.loader import governance as governance_demo
from coproduce.demo.loader import implementation as implementation_demo
from coproduce.demo.loader import priorities as priorities_demo
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

M = TypeVar("M", bound=models.Model)


class Command(BaseCommand):
    help = (
        "Load the demo collaboration (CLAHRC Nottinghamshire, Derbyshire and Lincolnshire): "
        "areas, partner organisations, themes, the sixteen studies, people and their roles, "
        "diffusion fellow secondments, researchers in residence, the communities of practice "
        "with about 600 invented associates, their consent and activities, and three sign-ins "
        f"(manager, researcher, reader; password {demo.DEMO_PASSWORD}). "
        "Safe to run again: records are matched by slug, email address or username and "
        "brought back to the demo values, nothing is duplicated, and records the demo does not "
        "know about are left alone. Passwords are set only when an account is first created, "
        "so a re-run keeps any password changed since. Runs in one transaction. The demo "
        "password is published: do not load the demo on a server open to the public."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.tally: Counter[str] = Counter()
        with transaction.atomic():
            self.load()
            self.community = community_demo.load()
            self.events = events_demo.load()
            self.governance = governance_demo.load()
            priorities_demo.load()
            coproduction_demo.load()
            implementation_demo.load()
        if options["verbosity"] > 0:
            self.report()

    # Loading -------------------------------------------------------------------------------

    def load(self) -> None:
        areas = {
            row["slug"]: self.upsert(Area, {"slug": row["slug"]}, {"name": row["name"]})
            for row in demo.AREAS
        }
        orgs = {
            row["slug"]: self.upsert(
                Organisation,
                {"slug": row["slug"]},
                {
                    "name": row["name"],
                    "kind": row["kind"],
                    "area": areas[row["area"]],
                    "partner_since": row["partner_since"],
                },
            )
            for row in demo.ORGANISATIONS
        }
        themes = {
            row["slug"]: self.upsert(
                Theme,
                {"slug": row["slug"]},
                {
                    "name": row["name"],
                    "kind": row["kind"],
                    "position": row["position"],
                    "summary": row["summary"],
                },
            )
            for row in demo.THEMES
        }
        studies: dict[str, Study] = {}
        for row in demo.STUDIES:
            study = self.upsert(
                Study,
                {"slug": row["slug"]},
                {
                    "title": row["title"],
                    "acronym": row["acronym"],
                    "theme": themes[row["theme"]],
                    "design": row["design"],
                    "stage": row["stage"],
                    "summary": row["summary"],
                    "df_posts": row["df_posts"],
                    "start": row["start"],
                },
                m2m={"partners": {orgs[slug].pk for slug in row["partners"]}},
            )
            studies[row["slug"]] = study

        users = self.load_users()
        people = {
            row["email"]: self.upsert(
                Person,
                {"email": row["email"]},
                {
                    "full_name": row["full_name"],
                    "organisation": orgs[row["organisation"]] if row["organisation"] else None,
                    "job_title": row["job_title"],
                    "orcid": row.get("orcid", ""),
                    **({"user": users[row["email"]]} if row["email"] in users else {}),
                },
            )
            for row in demo.PEOPLE
        }

        for role in demo.ROLES:
            self.upsert(
                RoleAssignment,
                {
                    "person": people[role["person"]],
                    "study": studies[role["study"]],
                    "role": role["role"],
                    "start": role["start"],
                },
                {"end": role.get("end")},
            )
        for sec in demo.SECONDMENTS:
            self.upsert(
                Secondment,
                {
                    "person": people[sec["person"]],
                    "study": studies[sec["study"]],
                    "start": sec["start"],
                },
                {
                    "home_organisation": orgs[sec["home_organisation"]],
                    "end": sec["end"],
                    "fte": demo.DF_FTE,
                    "in_kind_value": sec["in_kind_value"],
                },
            )
        for pl in demo.PLACEMENTS:
            self.upsert(
                Placement,
                {
                    "person": people[pl["person"]],
                    "host_organisation": orgs[pl["host_organisation"]],
                    "start": pl["start"],
                },
                {
                    "academic_affiliation": orgs[pl["academic_affiliation"]],
                    "study": studies[pl["study"]] if pl["study"] else None,
                    "focus": pl["focus"],
                    "end": pl["end"],
                },
            )

    def load_users(self) -> dict[str, Any]:
        """Create the demo sign-ins; return them keyed by the email of the person they belong to.

        An existing account is left as it is (password included) apart from joining its group.
        """
        user_model = get_user_model()
        linked: dict[str, Any] = {}
        for row in demo.USERS:
            user = user_model._default_manager.filter(username=row["username"]).first()
            if user is None:
                user = user_model(
                    username=row["username"],
                    first_name=row["first_name"],
                    last_name=row["last_name"],
                    email=row["email"],
                )
                user.set_password(demo.DEMO_PASSWORD)
                user.full_clean()
                user.save()
                self.tally["created"] += 1
            else:
                self.tally["unchanged"] += 1
            group, _ = Group.objects.get_or_create(name=row["group"])
            if not user.groups.filter(pk=group.pk).exists():
                user.groups.add(group)
            if row["person"]:
                linked[row["person"]] = user
        return linked

    def upsert(
        self,
        model: type[M],
        lookup: dict[str, Any],
        values: dict[str, Any],
        m2m: dict[str, set[int]] | None = None,
    ) -> M:
        """update_or_create that validates, and saves only what differs.

        `lookup` is the natural key; `values` the fields to bring to the demo values; `m2m`
        many-to-many fields as sets of primary keys.
        """
        obj = model._default_manager.filter(**lookup).first()
        created = obj is None
        if obj is None:
            obj = model(**lookup)
        changed = created
        for name, value in values.items():
            field = model._meta.get_field(name)
            assert isinstance(field, models.Field)
            attname = field.attname
            raw = value.pk if isinstance(value, models.Model) else value
            if getattr(obj, attname) != raw:
                setattr(obj, name, value)
                changed = True
        if changed:
            obj.full_clean()
            obj.save()
        for name, wanted in (m2m or {}).items():
            manager = getattr(obj, name)
            if set(manager.values_list("pk", flat=True)) != wanted:
                manager.set(wanted)
                changed = True
        self.tally["created" if created else "updated" if changed else "unchanged"] += 1
        return obj

    # Reporting -----------------------------------------------------------------------------

    def report(self) -> None:
        today = timezone.localdate()
        studies = Study.objects.with_df_counts(on=today)
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
            f"  records: {self.tally['created']} created, {self.tally['updated']} updated, "
            f"{self.tally['unchanged']} unchanged"
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
            f"  diffusion fellow posts on {today.day} {today:%B %Y}: {posts['filled'] or 0} filled, "
            f"{posts['vacant'] or 0} vacant, of {posts['funded'] or 0} funded; "
            f"{ever} fellows seconded over all time"
        )
        self.stdout.write(self.community.line())
        self.stdout.write(self.events.line())
        self.stdout.write(self.governance.line())
        self.stdout.write(priorities_demo.Summary().line())
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
