"""Staff pages of qualitative projects (/staff/qualitative/). Access: access.py (the study's
research team and managers). GET never changes anything; every change is a POST through
services.py, codebooks.py or refiqda.py, each writing its audit entry."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from coproduce.audit.log import record_read
from coproduce.lib.exports import csv_response, xlsx_response
from coproduce.qualitative import access, agreement, analysis, codebooks, refiqda, services
from coproduce.qualitative.forms import (
    AddSourcesForm,
    CodeForm,
    CodingForm,
    ImportForm,
    StarterForm,
    TranscriptForm,
    code_initial,
)
from coproduce.qualitative.models import Code, Coding, Project, ProjectSource
from coproduce.registry.access import can_edit_study, require_staff
from coproduce.registry.models import Study
from coproduce.staff.records import by_method, renderer

_render = renderer("qualitative", "qualitative/")


def _project_url(project: Project, name: str = "project") -> str:
    return reverse(f"qualitative:{name}", args=[project.study.slug])


# --- projects ----------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    studies = [
        s
        for s in Study.objects.select_related("qualitative").order_by("title")
        if can_edit_study(request.user, s)
    ]
    return _render(request, "home.html", {"studies": studies})


@require_GET
def project(request: HttpRequest, slug: str) -> HttpResponse:
    study = access.study_for(request.user, slug)
    item = Project.objects.filter(study=study).first()
    sources = []
    if item is not None:
        sources = list(
            item.sources.prefetch_related("participants").annotate(
                coded=Count("codings", filter=Q(codings__reconciled=False)),
                mine=Count(
                    "codings", filter=Q(codings__coder=request.user, codings__reconciled=False)
                ),
                agreed=Count("codings", filter=Q(codings__reconciled=True)),
            )
        )
    return _render(request, "project.html", {"study": study, "project": item, "sources": sources})


@require_POST
def start(request: HttpRequest, slug: str) -> HttpResponse:
    study = access.study_for(request.user, slug)
    item = services.start_project(study, by=request.user)
    return HttpResponseRedirect(_project_url(item))


def _add_sources_get(request: HttpRequest, slug: str, form: Any = None) -> HttpResponse:
    item = access.project_for(request.user, slug)
    form = form or AddSourcesForm(project=item)
    return _render(
        request,
        "sources_add.html",
        {"project": item, "study": item.study, "form": form},
        status=400 if form.is_bound else 200,
    )


def _add_sources_post(request: HttpRequest, slug: str) -> HttpResponse:
    item = access.project_for(request.user, slug)
    form = AddSourcesForm(request.POST, project=item)
    if not form.is_valid():
        return _add_sources_get(request, slug, form)
    added = services.add_coproduction_sources(item, form.cleaned_data["sources"], by=request.user)
    added += services.add_dialogues(item, form.cleaned_data["dialogues"], by=request.user)
    added += services.add_journal_entries(
        item, form.cleaned_data["journal_entries"], by=request.user
    )
    messages.success(request, f"{len(added)} source{'s' if len(added) != 1 else ''} added.")
    return HttpResponseRedirect(_project_url(item))


sources_add = by_method(get=_add_sources_get, post=_add_sources_post)


def _upload_get(request: HttpRequest, slug: str, form: Any = None) -> HttpResponse:
    item = access.project_for(request.user, slug)
    form = form or TranscriptForm(project=item)
    return _render(
        request,
        "upload.html",
        {"project": item, "study": item.study, "form": form},
        status=400 if form.is_bound else 200,
    )


def _upload_post(request: HttpRequest, slug: str) -> HttpResponse:
    item = access.project_for(request.user, slug)
    form = TranscriptForm(request.POST, request.FILES, project=item)
    if not form.is_valid() or form.parsed is None:
        return _upload_get(request, slug, form)
    source = services.add_transcript(
        item,
        title=form.cleaned_data["title"],
        parsed=form.parsed,
        participants=form.cleaned_data["participants"],
        by=request.user,
    )
    messages.success(request, f"Transcript added with {len(form.parsed.turns)} turns.")
    return HttpResponseRedirect(_source_url(source))


upload = by_method(get=_upload_get, post=_upload_post)


# --- coding ------------------------------------------------------------------------------------


def _source_url(source: ProjectSource, name: str = "source") -> str:
    return reverse(f"qualitative:{name}", args=[source.project.study.slug, source.public_id])


def _get_source(request: HttpRequest, slug: str, public_id: Any) -> ProjectSource:
    item = access.project_for(request.user, slug)
    return get_object_or_404(
        ProjectSource.objects.select_related("project__study"), project=item, public_id=public_id
    )


def segments_of(source: ProjectSource) -> list[dict[str, Any]]:
    """The passages a coder can tick: speaker turns, or the text's non-blank lines."""
    turns = list(source.turns.all())
    if turns:
        spans = [(t.start, t.end, t.speaker, t.timestamp) for t in turns]
    else:
        spans = []
        position = 0
        for line in source.text.split("\n"):
            if line.strip():
                spans.append((position, position + len(line), "", ""))
            position += len(line) + 1
    return [
        {"number": n, "start": s, "end": e, "speaker": sp, "time": tm, "text": source.text[s:e]}
        for n, (s, e, sp, tm) in enumerate(spans, 1)
    ]


def pieces(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """[start, end) of `text` cut where codings begin and end, each piece marked if coded."""
    cuts = sorted({start, end, *(p for s, e in spans for p in (s, e) if start < p < end)})
    return [
        {
            "start": left,
            "text": text[left:right],
            "coded": any(s <= left and right <= e for s, e in spans),
        }
        for left, right in pairwise(cuts)
        if right > left
    ]


def _segment_choices(segments: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    return [(s["start"], s["end"], s["text"][:60]) for s in segments]


def _source_get(request: HttpRequest, slug: str, public_id: Any, form: Any = None) -> HttpResponse:
    source = _get_source(request, slug, public_id)
    segments = segments_of(source)
    form = form or CodingForm(project=source.project, segments=_segment_choices(segments))
    mine = (
        source.codings.filter(coder_id=request.user.pk, reconciled=False)
        .select_related("code", "version", "source")
        .prefetch_related("compromises", "determinants", "dialogues")
    )
    chosen = set(form["segments"].value() or []) if form.is_bound else set()
    spans = [(c.start, c.end) for c in mine]
    for segment in segments:
        segment["checked"] = str(segment["number"]) in chosen
        segment["pieces"] = pieces(source.text, segment["start"], segment["end"], spans)
    return _render(
        request,
        "source.html",
        {
            "project": source.project,
            "study": source.project.study,
            "source": source,
            "segments": segments,
            "form": form,
            "codings": mine,
            "text_length": len(source.text),
        },
        status=400 if form.is_bound else 200,
    )


def _source_post(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    source = _get_source(request, slug, public_id)
    form = CodingForm(
        request.POST, project=source.project, segments=_segment_choices(segments_of(source))
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.apply_code(
                source,
                data["code"],
                start=data["start"],
                end=data["end"],
                by=request.user,
                memo=data["memo"],
                compromises=data["compromises"],
                determinants=data["determinants"],
                dialogues=data["dialogues"],
            )
        except services.CodingError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, f"Coded as “{data['code'].name}”.")
            return HttpResponseRedirect(_source_url(source) + "#codings")
    return _source_get(request, slug, public_id, form)


source = by_method(get=_source_get, post=_source_post)


@require_POST
def coding_delete(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    item = access.project_for(request.user, slug)
    coding = get_object_or_404(
        Coding.objects.select_related("source__project__study", "code"),
        source__project=item,
        public_id=public_id,
        coder_id=request.user.pk,
        reconciled=False,
    )
    services.remove_coding(coding, by=request.user)
    messages.success(request, "Coding removed.")
    return HttpResponseRedirect(_source_url(coding.source) + "#codings")


def disagreements(source: ProjectSource) -> dict[str, Any]:
    """Every coder's independent codings side by side, marked agreed when every coder of the
    source applied the same code to exactly the same span."""
    codings = list(
        source.codings.filter(reconciled=False)
        .select_related("code", "version")
        .order_by("start", "end", "code__name")
    )
    coders = sorted({c.coder_label for c in codings})
    by_key: dict[tuple[int, int, int], set[str]] = {}
    for c in codings:
        by_key.setdefault((c.code_id, c.start, c.end), set()).add(c.coder_label)
    rows = [
        {"coding": c, "agreed": len(by_key[(c.code_id, c.start, c.end)]) == len(coders) > 1}
        for c in codings
    ]
    return {"coders": coders, "rows": rows}


def _compare_get(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    source = _get_source(request, slug, public_id)
    context = disagreements(source)
    reconciled = source.codings.filter(reconciled=True).select_related("code", "source")
    return _render(
        request,
        "compare.html",
        {"project": source.project, "study": source.project.study, "source": source,
         "reconciled": reconciled, **context},
    )  # fmt: skip


def _compare_post(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    source = _get_source(request, slug, public_id)
    wanted = request.POST.getlist("keep")
    chosen = list(source.codings.filter(reconciled=False, public_id__in=_uuids(wanted)))
    services.reconcile(source, chosen, by=request.user)
    messages.success(
        request, f"Reconciled coding saved: {len(chosen)} coding{'s' if len(chosen) != 1 else ''}."
    )
    return HttpResponseRedirect(_source_url(source, "compare"))


def _uuids(values: list[str]) -> list[str]:
    import uuid

    good = []
    for value in values:
        try:
            good.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return good


compare = by_method(get=_compare_get, post=_compare_post)


# --- codebook ----------------------------------------------------------------------------------


def _codebook_get(request: HttpRequest, slug: str, form: Any = None) -> HttpResponse:
    item = access.project_for(request.user, slug)
    return _render(
        request,
        "codebook.html",
        {
            "project": item,
            "study": item.study,
            "rows": codebooks.tree(item),
            "form": form or CodeForm(project=item),
            "starter_form": StarterForm(),
        },
        status=400 if form is not None else 200,
    )


def _codebook_post(request: HttpRequest, slug: str) -> HttpResponse:
    item = access.project_for(request.user, slug)
    form = CodeForm(request.POST, project=item)
    if not form.is_valid():
        return _codebook_get(request, slug, form)
    data = form.cleaned_data
    code = codebooks.add_code(
        item,
        name=data["name"],
        by=request.user,
        parent=data["parent"],
        codable=data["codable"],
        **{name: data[name] for name in ("definition", "inclusion", "exclusion", "examples")},
    )
    from coproduce.audit.log import record

    record(request.user, "qualitative.code.created", code, {"name": [None, code.name]})
    messages.success(request, f"Code “{code.name}” added.")
    return HttpResponseRedirect(_project_url(item, "codebook"))


codebook = by_method(get=_codebook_get, post=_codebook_post)


@require_POST
def starter(request: HttpRequest, slug: str) -> HttpResponse:
    item = access.project_for(request.user, slug)
    form = StarterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a starter codebook.")
        return HttpResponseRedirect(_project_url(item, "codebook"))
    made = codebooks.copy_starter(item, form.cleaned_data["starter"], by=request.user)
    messages.success(request, f"{len(made)} codes copied. They are your project's to edit.")
    return HttpResponseRedirect(_project_url(item, "codebook"))


def _code(request: HttpRequest, slug: str, public_id: Any) -> Code:
    item = access.project_for(request.user, slug)
    return get_object_or_404(
        Code.objects.select_related("project__study"), project=item, public_id=public_id
    )


def _code_get(request: HttpRequest, slug: str, public_id: Any, form: Any = None) -> HttpResponse:
    code = _code(request, slug, public_id)
    form = form or CodeForm(project=code.project, code=code, initial=code_initial(code))
    return _render(
        request,
        "code.html",
        {
            "project": code.project,
            "study": code.project.study,
            "code": code,
            "form": form,
            "versions": code.versions.annotate(uses=Count("codings")).order_by("-number"),
        },
        status=400 if form.is_bound else 200,
    )


def _code_post(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    code = _code(request, slug, public_id)
    form = CodeForm(request.POST, project=code.project, code=code)
    if not form.is_valid():
        return _code_get(request, slug, public_id, form)
    data = form.cleaned_data
    from coproduce.audit.log import record

    changed = {
        name: [getattr(code, name), data[key]]
        for name, key in (("name", "name"), ("codable", "codable"))
        if getattr(code, name) != data[key]
    }
    if code.parent != data["parent"]:
        changed["parent"] = [str(code.parent or ""), str(data["parent"] or "")]
    if changed:
        code.name, code.codable, code.parent = data["name"], data["codable"], data["parent"]
        code.save()
        record(request.user, "qualitative.code.updated", code, changed)
    before = code.current
    version = codebooks.revise(
        code,
        by=request.user,
        **{n: data[n] for n in ("definition", "inclusion", "exclusion", "examples")},
    )
    if before is not None and version.number != before.number:
        messages.success(
            request,
            f"Saved as version {version.number}. Earlier codings keep version {before.number}.",
        )
    else:
        messages.success(request, "Saved.")
    return HttpResponseRedirect(_project_url(code.project, "codebook"))


code_edit = by_method(get=_code_get, post=_code_post)


# --- agreement and analysis --------------------------------------------------------------------


def project_agreement(item: Project) -> dict[str, Any]:
    codings = list(
        Coding.objects.filter(source__project=item, reconciled=False)
        .select_related("source")
        .only("source__text", "code_id", "coder_id", "coder_name", "start", "end")
    )
    keys: dict[str, int] = {}
    names: dict[int, str] = {}
    by_source: dict[int, list[agreement.Span]] = {}
    lengths: dict[int, int] = {}
    for c in codings:
        key = f"u{c.coder_id}" if c.coder_id else f"n{c.coder_name}"
        number = keys.setdefault(key, len(keys) + 1)
        names[number] = c.coder_label
        by_source.setdefault(c.source_id, []).append(
            agreement.Span(number, c.code_id, c.start, c.end)
        )
        lengths[c.source_id] = len(c.source.text)
    coders = sorted(keys.values())
    used = sorted({c.code_id for c in codings})
    codes = [(code.pk, code.name) for code in Code.objects.filter(pk__in=used).order_by("name")]
    sources = [
        (lengths[pk], spans) for pk, spans in by_source.items() if len({s.coder for s in spans}) > 1
    ]
    rows, overall = agreement.project_agreement(sources, codes, coders)
    return {
        "rows": rows,
        "overall": overall,
        "coders": [names[n] for n in coders],
        "compared_sources": len(sources),
    }


@require_GET
def agreement_page(request: HttpRequest, slug: str) -> HttpResponse:
    item = access.project_for(request.user, slug)
    return _render(
        request, "agreement.html", {"project": item, "study": item.study, **project_agreement(item)}
    )


@require_GET
def analysis_page(request: HttpRequest, slug: str) -> HttpResponse:
    item = access.project_for(request.user, slug)
    result = analysis.matrix(item)
    return _render(
        request, "analysis.html", {"project": item, "study": item.study, "matrix": result}
    )


@require_GET
def analysis_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    item = access.project_for(request.user, slug)
    result = analysis.matrix(item, exportable_only=True)
    record_read(request.user, "qualitative.analysis.exported", item, {"format": fmt})
    name = f"{item.study.slug}-framework-matrix"
    if fmt == "xlsx":
        return xlsx_response(
            [
                ("Framework matrix", analysis.matrix_rows(result)),
                ("Code frequencies", analysis.frequency_rows(result)),
                ("Co-occurrence", analysis.co_occurrence_rows(result)),
            ],
            f"{name}.xlsx",
        )
    if fmt == "csv":
        return csv_response(analysis.matrix_rows(result), f"{name}.csv")
    from django.http import Http404

    raise Http404("No such format.")


# --- REFI-QDA ----------------------------------------------------------------------------------


@require_GET
def qdpx(request: HttpRequest, slug: str) -> HttpResponse:
    item = access.project_for(request.user, slug)
    data = refiqda.project_qdpx(item)
    record_read(request.user, "qualitative.project.exported", item, {"format": "qdpx"})
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{item.study.slug}.qdpx"'
    return response


@require_GET
def qdc(request: HttpRequest, slug: str) -> HttpResponse:
    item = access.project_for(request.user, slug)
    data = refiqda.codebook_xml(item)
    record_read(request.user, "qualitative.codebook.exported", item, {"format": "qdc"})
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{item.study.slug}-codebook.qdc"'
    return response


def _import_get(request: HttpRequest, slug: str, form: Any = None) -> HttpResponse:
    item = access.project_for(request.user, slug)
    return _render(
        request,
        "import.html",
        {"project": item, "study": item.study, "form": form or ImportForm()},
        status=400 if form is not None else 200,
    )


def _import_post(request: HttpRequest, slug: str) -> HttpResponse:
    item = access.project_for(request.user, slug)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        upload.seek(0)
        data = upload.read()
        try:
            if upload.name.lower().endswith(".qdc"):
                result = refiqda.import_codebook(item, data, by=request.user)
            else:
                result = refiqda.import_project(item, data, by=request.user)
        except refiqda.RefiQdaError as error:
            form.add_error("file", str(error))
        else:
            messages.success(
                request,
                f"Imported {result.sources} sources, {result.codes} codes and {result.codings} codings"
                + (
                    f"; {result.skipped_sources} sources were already here"
                    if result.skipped_sources
                    else ""
                )
                + ".",
            )
            return HttpResponseRedirect(_project_url(item))
    return _import_get(request, slug, form)


import_view = by_method(get=_import_get, post=_import_post)
