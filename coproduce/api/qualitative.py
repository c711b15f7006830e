"""Qualitative projects, as on their staff pages (`qualitative/access.py`): only the study's
research team and managers; a list shows the projects of the studies the token's owner may
code (a researcher sees their own studies' projects; a staff reader none).

Sources and codings hold personal data (titles, memos, coders' names: the personal-data
register's qualitative rules), so those lists also need the personal data export grant. They
give a source's metadata and a coding's place (character offsets), never the text: transcript
text is read on the staff pages or in the audited REFI-QDA export. A source with a participant
who has not granted research-use consent is left out, with its codings, as every export
leaves it out (`refiqda.exportable_sources`).
"""

# No `from __future__ import annotations`: ninja reads the view signatures at runtime.
import datetime as dt
import uuid
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import Length
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from coproduce.api.auth import StaffToken
from coproduce.api.cursor import CURSOR_PARAMS, CursorParams, Moment, page_of, paginate
from coproduce.api.registry import SLUG_PATTERN, choice
from coproduce.api.schemas import ERRORS, one_or_404, reject_unknown_params
from coproduce.api.writes import allowed, owner
from coproduce.qualitative import access
from coproduce.qualitative.models import Code, CodeVersion, Coding, Project, ProjectSource
from coproduce.qualitative.refiqda import exportable_sources
from coproduce.registry.access import editable_study_ids, is_manager, require_staff

router = Router(tags=["qualitative"])
READ = StaffToken(area="qualitative")
PERSONAL = StaffToken(area="qualitative", personal_data=True)


class ProjectOut(Schema):
    public_id: uuid.UUID
    study: str = Field(..., description="The study's slug.")
    name: str
    description: str
    created_at: dt.datetime
    sources: int = Field(..., description="Texts in the project.")
    codes: int = Field(..., description="Codes in its codebook.")

    @staticmethod
    def resolve_study(obj: Any) -> str:
        return str(obj.study.slug)

    @staticmethod
    def resolve_sources(obj: Any) -> int:
        return int(obj.source_count)

    @staticmethod
    def resolve_codes(obj: Any) -> int:
        return int(obj.code_count)


def _projects() -> QuerySet[Project]:
    return Project.objects.select_related("study").annotate(
        source_count=Count("sources", distinct=True), code_count=Count("codes", distinct=True)
    )


class ProjectFilters(Schema):
    study: str | None = Field(None, pattern=SLUG_PATTERN, description="A study's slug.")
    created_since: Moment | None = Field(
        None, description="Only projects started at or after this moment."
    )


@router.get(
    "/qualitative-projects",
    response={200: page_of(ProjectOut), **ERRORS},
    auth=READ,
    summary="List the qualitative projects of the studies you code",
    description="A manager's token sees every project; a researcher's, those of the studies "
    "they hold a research role on; any other staff token an empty list.",
)
def list_projects(
    request: HttpRequest, filters: Query[ProjectFilters], page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, set(ProjectFilters.model_fields) | CURSOR_PARAMS)
    user = owner(request)
    allowed(require_staff, user)
    rows = _projects()
    if not is_manager(user):
        rows = rows.filter(study_id__in=sorted(editable_study_ids(user)))
    if filters.study is not None:
        rows = rows.filter(study__slug=filters.study)
    if filters.created_since is not None:
        rows = rows.filter(created_at__gte=filters.created_since)
    return paginate(rows, page, stamp="created_at")


def _project(request: HttpRequest, public_id: uuid.UUID) -> Project:
    """The project, if the token's owner is on its study's research team (or a manager)."""
    slugs = Project.objects.values_list("study__slug", flat=True)
    slug = one_or_404(slugs, public_id, "qualitative project")
    project: Project = allowed(access.project_for, owner(request), slug)
    return project


@router.get(
    "/qualitative-projects/{public_id}",
    response={200: ProjectOut, **ERRORS},
    auth=READ,
    summary="One qualitative project (the study's research team and managers)",
)
def get_project(request: HttpRequest, public_id: uuid.UUID) -> Any:
    reject_unknown_params(request)
    project = _project(request, public_id)
    return _projects().get(pk=project.pk)


class CodeOut(Schema):
    public_id: uuid.UUID
    name: str
    parent: uuid.UUID | None = Field(..., description="The code it sits under, if any.")
    codable: bool = Field(..., description="False for a heading that only groups codes.")
    position: int
    colour: str
    starter: str = Field(..., description="The starter codebook it was copied from, if any.")
    version: int | None = Field(..., description="Its current version's number.")
    definition: str
    inclusion: str = Field(..., description="Use when (inclusion criteria).")
    exclusion: str = Field(..., description="Do not use when (exclusion criteria).")
    examples: str

    @staticmethod
    def resolve_parent(obj: Any) -> uuid.UUID | None:
        return obj.parent.public_id if obj.parent_id else None

    @staticmethod
    def resolve_version(obj: Any) -> int | None:
        current = obj.current
        return current.number if current else None

    @staticmethod
    def _meaning(obj: Any, name: str) -> str:
        current = obj.current
        return str(getattr(current, name)) if current else ""

    @staticmethod
    def resolve_definition(obj: Any) -> str:
        return CodeOut._meaning(obj, "definition")

    @staticmethod
    def resolve_inclusion(obj: Any) -> str:
        return CodeOut._meaning(obj, "inclusion")

    @staticmethod
    def resolve_exclusion(obj: Any) -> str:
        return CodeOut._meaning(obj, "exclusion")

    @staticmethod
    def resolve_examples(obj: Any) -> str:
        return CodeOut._meaning(obj, "examples")


@router.get(
    "/qualitative-projects/{public_id}/codes",
    response={200: page_of(CodeOut), **ERRORS},
    auth=READ,
    summary="A project's codebook: each code with its current meaning",
)
def list_codes(
    request: HttpRequest, public_id: uuid.UUID, page: Query[CursorParams]
) -> dict[str, Any]:
    reject_unknown_params(request, CURSOR_PARAMS)
    project = _project(request, public_id)
    rows = Code.objects.filter(project=project).select_related("parent")
    rows = rows.prefetch_related(Prefetch("versions", queryset=CodeVersion.objects.all()))
    return paginate(rows, page, stamp=None)


class SourceOut(Schema):
    public_id: uuid.UUID
    title: str
    kind: str = choice(ProjectSource.Kind)
    format: str = choice(ProjectSource.Format)
    length: int = Field(..., description="Characters in its text (codings' offsets are into it).")
    turns: int = Field(..., description="Speaker turns, for a transcript.")
    codings: int = Field(..., description="Codings of it, independent and reconciled.")
    added_at: dt.datetime

    @staticmethod
    def resolve_turns(obj: Any) -> int:
        return int(obj.turn_count)

    @staticmethod
    def resolve_codings(obj: Any) -> int:
        return int(obj.coding_count)


class SourceFilters(Schema):
    kind: str | None = Field(
        None, description="Only this kind.", json_schema_extra={"enum": list(ProjectSource.Kind)}
    )
    added_since: Moment | None = Field(None, description="Only those added at or after this.")


@router.get(
    "/qualitative-projects/{public_id}/sources",
    response={200: page_of(SourceOut), **ERRORS},
    auth=PERSONAL,
    summary="A project's sources, without their text (team; personal data export role)",
)
def list_sources(
    request: HttpRequest,
    public_id: uuid.UUID,
    filters: Query[SourceFilters],
    page: Query[CursorParams],
) -> dict[str, Any]:
    reject_unknown_params(request, set(SourceFilters.model_fields) | CURSOR_PARAMS)
    project = _project(request, public_id)
    shown = [source.pk for source in exportable_sources(project)]
    rows = (
        ProjectSource.objects.filter(pk__in=shown)
        .defer("text")
        .annotate(
            length=Length("text"),
            turn_count=Count("turns", distinct=True),
            coding_count=Count("codings", distinct=True),
        )
    )
    if filters.kind is not None:
        if filters.kind not in ProjectSource.Kind.values:
            raise HttpError(400, f"There is no kind of source '{filters.kind}'.")
        rows = rows.filter(kind=filters.kind)
    if filters.added_since is not None:
        rows = rows.filter(added_at__gte=filters.added_since)
    return paginate(rows, page, stamp="added_at")


class CodingOut(Schema):
    public_id: uuid.UUID
    source: uuid.UUID
    code: uuid.UUID
    version: int = Field(..., description="The code's version it was made under.")
    coder: str = Field(..., description="Who coded it.")
    start: int = Field(..., description="First character (0-based, code points).")
    end: int = Field(..., description="One past the last character.")
    memo: str
    reconciled: bool = Field(..., description="True for the team's agreed coding.")
    created_at: dt.datetime

    @staticmethod
    def resolve_source(obj: Any) -> uuid.UUID:
        return obj.source.public_id

    @staticmethod
    def resolve_code(obj: Any) -> uuid.UUID:
        return obj.code.public_id

    @staticmethod
    def resolve_version(obj: Any) -> int:
        return obj.version.number

    @staticmethod
    def resolve_coder(obj: Any) -> str:
        return str(obj.coder_label)


class CodingFilters(Schema):
    source: uuid.UUID | None = Field(None, description="Only codings of this source.")
    code: uuid.UUID | None = Field(None, description="Only codings with this code.")
    reconciled: bool | None = Field(None, description="Only agreed (or only independent) ones.")
    created_since: Moment | None = Field(None, description="Only those made at or after this.")


@router.get(
    "/qualitative-projects/{public_id}/codings",
    response={200: page_of(CodingOut), **ERRORS},
    auth=PERSONAL,
    summary="A project's codings, as offsets (team; personal data export role)",
)
def list_codings(
    request: HttpRequest,
    public_id: uuid.UUID,
    filters: Query[CodingFilters],
    page: Query[CursorParams],
) -> dict[str, Any]:
    reject_unknown_params(request, set(CodingFilters.model_fields) | CURSOR_PARAMS)
    project = _project(request, public_id)
    shown = [source.pk for source in exportable_sources(project)]
    rows = Coding.objects.filter(source_id__in=shown).select_related(
        "source", "code", "version", "coder"
    )
    rows = rows.defer("source__text")
    if filters.source is not None:
        rows = rows.filter(source__public_id=filters.source)
    if filters.code is not None:
        rows = rows.filter(code__public_id=filters.code)
    if filters.reconciled is not None:
        rows = rows.filter(reconciled=filters.reconciled)
    if filters.created_since is not None:
        rows = rows.filter(created_at__gte=filters.created_since)
    return paginate(rows, page, stamp="created_at")
