"""Pages of the outputs register: the staff list with its export, the import of reference
files, and the public list at /outputs/ with its Atom feed."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_POST, require_safe

from coproduce.implementation import outputs as register
from coproduce.implementation import outputs_import
from coproduce.implementation.models import Output
from coproduce.implementation.outputs_forms import ImportForm
from coproduce.implementation.records import KIND
from coproduce.lib import exports, references
from coproduce.registry.access import get_study_for, require_staff
from coproduce.registry.models import Organisation, Person, Study, Theme
from coproduce.staff.history import history_page
from coproduce.staff.records import kind_for_model, renderer

PAGE_SIZE = 25
FEED_SIZE = 30

_render = renderer("implementation", "implementation/")


def _filters(
    request: HttpRequest, queryset: QuerySet[Output], *, staff: bool = False
) -> tuple[QuerySet[Output], dict]:
    """Filter by type, study and theme from the query string, and on staff pages by a linked
    person (public id) or partner organisation (slug); unknown values are ignored."""
    chosen: dict[str, Any] = {
        "kind": "",
        "study": None,
        "theme": None,
        "person": None,
        "organisation": None,
    }
    kind = request.GET.get("kind", "")
    if kind in Output.Kind.values:
        queryset = queryset.filter(kind=kind)
        chosen["kind"] = kind
    study_slug = request.GET.get("study", "")
    if study_slug:
        study = Study.objects.filter(slug=study_slug).first()
        if study is not None:
            queryset = queryset.filter(studies=study)
            chosen["study"] = study
    theme_slug = request.GET.get("theme", "")
    if theme_slug:
        theme = Theme.objects.filter(slug=theme_slug).first()
        if theme is not None:
            queryset = queryset.filter(studies__theme=theme).distinct()
            chosen["theme"] = theme
    if staff:
        person_id = _uuid(request.GET.get("person", ""))
        if person_id is not None:
            person = Person.objects.filter(public_id=person_id).first()
            if person is not None:
                queryset = queryset.filter(people=person)
                chosen["person"] = person
        organisation_slug = request.GET.get("organisation", "")
        if organisation_slug:
            organisation = Organisation.objects.filter(slug=organisation_slug).first()
            if organisation is not None:
                queryset = queryset.filter(organisations=organisation)
                chosen["organisation"] = organisation
    return queryset, chosen


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _query(chosen: dict[str, Any], **change: Any) -> str:
    values = {
        "kind": chosen["kind"],
        "study": chosen["study"].slug if chosen["study"] else "",
        "theme": chosen["theme"].slug if chosen["theme"] else "",
        "person": str(chosen["person"].public_id) if chosen.get("person") else "",
        "organisation": chosen["organisation"].slug if chosen.get("organisation") else "",
        **change,
    }
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in values.items() if v})


# --- staff ----------------------------------------------------------------------------------


@login_required
@require_safe
def output_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    base = Output.objects.prefetch_related("studies", "records__site")
    queryset, chosen = _filters(request, base, staff=True)
    counts = dict(Output.objects.order_by().values_list("kind").annotate(n=Count("pk")))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    register.attach_citations(page.object_list)
    return _render(
        request,
        "outputs.html",
        {
            "page": page,
            "kind": chosen["kind"],
            "chosen": chosen,
            "kinds": [(value, label, counts.get(value, 0)) for value, label in Output.Kind.choices],
            "query": _query(chosen),
            "style_name": references.STYLE_NAME,
        },
    )


def _registry_links(objects: Iterable[Any]) -> list[dict[str, str]]:
    """People or partner organisations as label and their staff page (if they have one)."""
    rows = list(objects)
    kind = kind_for_model(type(rows[0])) if rows else None
    return [{"label": str(o), "url": kind.url("detail", o) if kind else ""} for o in rows]


@login_required
@require_safe
def output_show(request: HttpRequest, public_id: Any) -> HttpResponse:
    """One output: its citation, type, identifiers, and every record it is linked to (each a
    link to the other end, which links back here). Any staff member reads it, as they read the
    register; those who may change one of its studies get "Edit this output"."""
    kind = KIND["output"]
    output = kind.get_for(request.user, public_id)
    output = Output.objects.prefetch_related(
        "studies",
        "records__site",
        "records__study",
        "people",
        "organisations",
        "compromises__study",
    ).get(pk=output.pk)
    register.attach_citations([output])
    history, history_rows = history_page(output, request.GET.get("page"))
    studies = list(output.studies.all())
    return _render(
        request,
        "output.html",
        {
            "output": output,
            "study": studies[0] if len(studies) == 1 else None,
            "studies": studies,
            "records": list(output.records.all()),
            "compromises": list(output.compromises.all()),
            "people": _registry_links(output.people.all()),
            "organisations": _registry_links(output.organisations.all()),
            "identifiers": register.identifier_links(output),
            "details": register.detail_rows(output),
            "style_name": references.STYLE_NAME,
            "edit_url": kind.url("edit", output) if kind.can("edit", request.user, output) else "",
            "history": history,
            "history_rows": history_rows,
        },
    )


@login_required
@require_safe
def output_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    require_staff(request.user)
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    queryset, _ = _filters(request, Output.objects.all(), staff=True)
    rows = register.export_rows(queryset)
    name = f"outputs-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(rows, name)
    return exports.xlsx_response([("Outputs", rows)], name)


def _import_page(
    request: HttpRequest,
    study: Study,
    form: ImportForm,
    result: outputs_import.Result | None = None,
) -> HttpResponse:
    failed = bool(form.errors or (result and (result.errors or result.duplicates)))
    return _render(
        request,
        "outputs_import.html",
        {"study": study, "form": form, "result": result},
        status=400 if failed else 200,
    )


@login_required
@require_safe
def import_show(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug, write=True)
    return _import_page(request, study, ImportForm())


@login_required
@require_POST
def import_run(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug, write=True)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, study, form)
    fmt = references.format_of(form.cleaned_data["file"].name)
    assert fmt is not None
    result = outputs_import.run(
        form.text,
        fmt,
        study,
        request.user,
        leave_out_duplicates=form.cleaned_data["leave_out_duplicates"],
    )
    if not result.created:
        return _import_page(request, study, form, result)
    n = len(result.created)
    left = len(result.duplicates)
    note = f" {left} duplicate{'s' if left != 1 else ''} left out." if left else ""
    messages.success(request, f"{n} publication{'s' if n != 1 else ''} imported.{note}")
    return redirect(reverse("implementation:study", args=[study.slug]))


# --- public ---------------------------------------------------------------------------------


@require_safe
def public_list(request: HttpRequest) -> HttpResponse:
    queryset, chosen = _filters(request, register.public_outputs())
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    register.attach_citations(page.object_list)
    published = Output.objects.filter(public=True)
    kinds = dict(published.order_by().values_list("kind").annotate(n=Count("pk")))
    studies = Study.objects.filter(outputs__public=True).distinct().order_by("title")
    themes = Theme.objects.filter(studies__outputs__public=True).distinct().order_by("name")
    return render(
        request,
        "implementation/public/outputs.html",
        {
            "page": page,
            "chosen": chosen,
            "kinds": [(v, label, kinds[v]) for v, label in Output.Kind.choices if v in kinds],
            "studies": studies,
            "themes": themes,
            "query": _query(chosen),
            "style_name": references.STYLE_NAME,
        },
    )


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


class OutputsFeed(Feed):
    """Published outputs as Atom, newest first, each entry's content its formatted reference.
    The collaboration is the author of the feed and of every entry (RFC 4287 4.1.1, 4.1.2), as
    in the news feed (`comms/views_news.py`)."""

    feed_type = Atom1Feed
    title_template = None
    description_template = None

    def title(self) -> str:
        return f"{settings.COLLABORATION_NAME}: outputs"

    def subtitle(self) -> str:
        return "Publications and other outputs of our studies, and the changes they made."

    def link(self) -> str:
        return settings.SITE_URL + reverse("outputs:list")

    def feed_url(self) -> str:
        return settings.SITE_URL + reverse("outputs:feed")

    def author_name(self) -> str:
        return settings.COLLABORATION_NAME

    def author_link(self) -> str:
        return settings.SITE_URL + "/"

    def items(self) -> list[Output]:
        return register.attach_citations(register.public_outputs()[:FEED_SIZE])

    def item_title(self, item: Output) -> str:
        return _xml_text(item.title)

    def item_description(self, item: Output) -> str:
        parts = [str(item.citation)]  # type: ignore[attr-defined]
        if item.what_changed_public and item.what_changed:
            from django.utils.html import escape

            parts.append(f"<p>What changed: {escape(item.what_changed)}</p>")
        return _xml_text("".join(parts))

    def item_link(self, item: Output) -> str:
        return settings.SITE_URL + reverse("outputs:list") + f"?kind={item.kind}#o-{item.public_id}"

    def item_author_name(self, item: Output) -> str:
        return settings.COLLABORATION_NAME

    def item_author_link(self, item: Output) -> str:
        return settings.SITE_URL + "/"

    def item_guid(self, item: Output) -> str:
        return f"urn:uuid:{item.public_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Output) -> dt.datetime:
        return dt.datetime.combine(item.date, dt.time(), tzinfo=dt.UTC)

    def item_updateddate(self, item: Output) -> dt.datetime:
        return dt.datetime.combine(item.date, dt.time(), tzinfo=dt.UTC)

    def item_categories(self, item: Output) -> list[str]:
        return [str(item.get_kind_display())]


outputs_feed = OutputsFeed()


def study_outputs(study: Study) -> dict[str, Any]:
    """For a public study page: its published outputs with citations, and what changed."""
    outputs = register.attach_citations(
        Output.objects.filter(public=True, studies=study).order_by("-date", "title")
    )
    changes = [o for o in outputs if o.what_changed_public and o.what_changed]
    return {"study_outputs": outputs, "study_changes": changes}
