"""The demo's qualitative project: two coders who disagree, a reconciled coding, idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coproduce.demo.loader import qualitative as demo
from coproduce.qualitative.models import Coding, Project
from coproduce.qualitative.views import project_agreement


def test_demo_codes_the_compromise_study_with_a_disagreement(db: Any) -> None:
    call_command("loaddemo", verbosity=0)
    project = Project.objects.get(study__slug="return-to-work-after-stroke")
    independent = Coding.objects.filter(source__project=project, reconciled=False)
    assert {c.coder.username for c in independent} == {"researcher", "manager"}
    assert Coding.objects.filter(source__project=project, reconciled=True).count() == 3
    assert project.codes.filter(starter="compromise", name="Toward rigour").exists()
    figures = project_agreement(project)
    assert figures["overall"].kappa is not None
    assert 0 < figures["overall"].kappa < 1  # they agree in places, not everywhere
    withheld = [s.title for s in project.sources.all() if s.withheld]
    assert withheld == ["Re: pro forma draft 2"]  # Denise Ollerton's consent is not recorded
    again = demo.load()
    assert again.line() == "  qualitative: nothing new"
    client = Client()
    client.force_login(independent.get(code__name="Mutual").coder)
    page = client.get(reverse("qualitative:agreement", args=[project.study.slug]))
    assert page.status_code == 200
