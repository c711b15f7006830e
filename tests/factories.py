"""factory_boy factories for the registry. Use these in every test; build only what a test needs."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from coproduce.registry import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def groups(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get_or_create(name=name)[0])


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Area
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Area {n}")
    slug = factory.Sequence(lambda n: f"area-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = models.Organisation.Kind.NHS_TRUST
    area = factory.SubFactory(AreaFactory)
    partner_since = dt.date(2008, 10, 1)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Theme

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")
    kind = models.Theme.Kind.RESEARCH


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Study

    slug = factory.Sequence(lambda n: f"study-{n}")
    title = factory.Sequence(lambda n: f"Study number {n}")
    theme = factory.SubFactory(ThemeFactory)
    design = models.Study.Design.MIXED_METHODS
    stage = models.Study.Stage.RECRUITING
    df_posts = 1


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    full_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RoleAssignment

    person = factory.SubFactory(PersonFactory)
    study = factory.SubFactory(StudyFactory)
    role = models.RoleAssignment.Role.RESEARCHER
    start = dt.date(2010, 1, 1)


class SecondmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Secondment

    person = factory.SubFactory(PersonFactory)
    study = factory.SubFactory(StudyFactory)
    home_organisation = factory.SubFactory(OrganisationFactory)
    start = dt.date(2009, 1, 1)


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Placement

    person = factory.SubFactory(PersonFactory)
    host_organisation = factory.SubFactory(OrganisationFactory)
    academic_affiliation = factory.SubFactory(
        OrganisationFactory, kind=models.Organisation.Kind.UNIVERSITY
    )
    start = dt.date(2010, 1, 1)
