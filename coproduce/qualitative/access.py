"""Who may use qualitative projects: the study's research team and managers (the coders).

Built on coproduction's rule for sources (`require_research_team`): a staff reader, another
study's researcher, a diffusion fellow or a lay member gets 403. Journal entries reach a
project only when their author shared them (services.shared_journal_entries).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from coproduce.coproduction.access import require_research_team
from coproduce.qualitative.models import Project
from coproduce.registry.models import Study


def study_for(user: Any, slug: str) -> Study:
    return require_research_team(user, slug)


def project_for(user: Any, slug: str) -> Project:
    study = study_for(user, slug)
    try:
        return Project.objects.select_related("study").get(study=study)
    except Project.DoesNotExist as error:
        raise Http404("This study has no qualitative project yet.") from error
