"""Staff pages for co-production records, mounted at /staff/coproduction/.

Access is decided in `coproduce.coproduction.access` (on top of the registry's rules). Each
page that changes something has a GET view that shows the form and a `@require_POST` view that
makes the change through `staff.editing` (one audit entry); `by_method` joins them on one
URL. Plain records (dialogues, involvement, payment rates) are declared in records.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coproduce.audit.log import record, record_read, snapshot
from coproduce.coproduction import analysis, exports, gripp2, importer, timeuse
from coproduce.coproduction import forms as f
from coproduce.coproduction import models as m
from coproduce.coproduction.access import (
    can_edit_study,
    get_study_for,
    is_broker,
    is_manager,
    person_of,
    placements_of,
    require_broker,
    require_research_team,
    require_resident,
    require_staff_or_broker,
    secondments_of,
)
from coproduce.registry.access import is_staff_member, require_manager, require_staff
from coproduce.registry.models import Placement, Secondment, Study
from coproduce.staff import editing
from coproduce.staff.records import kind_named, renderer

PAGE_SIZE = 25

_render = renderer("coproduction", "coproduction/")


def _user(request: HttpRequest) -> Any:
    """The signed-in user (every view here needs one)."""
    return request.user


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- home --------------------------------------------------------------------------------------


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    require_staff_or_broker(request.user)
    studies = None
    if is_staff_member(request.user):
        queryset = (
            Study.objects.select_related("theme")
            .annotate(
                compromise_count=Count("compromises", distinct=True),
                involvement_count=Count("involvement", distinct=True),
                dialogue_count=Count("dialogues", distinct=True),
            )
            .order_by("theme__position", "title")
        )
        studies = _page(request, queryset)
    return _render(
        request,
        "home.html",
        {
            "page": studies,
            "is_staff": is_staff_member(request.user),
            "is_broker": is_broker(request.user),
            "is_resident": placements_of(person_of(request.user)).exists(),
            "is_manager": is_manager(request.user),
        },
    )


# --- knowledge-broker activity -----------------------------------------------------------------


def _broker_page(request: HttpRequest, form: f.BrokerActivityForm, person: Any) -> HttpResponse:
    today = timezone.localdate()
    secondments = list(timeuse.with_hours(secondments_of(person), today))
    used = [timeuse.time_used(sec, today) for sec in secondments]
    recent = (
        m.BrokerActivity.objects.filter(person=person)
        .select_related("study", "placement__host_organisation")
        .order_by("-date", "-created_at")[:10]
    )
    return _render(
        request,
        "broker_log.html",
        {"form": form, "used": used, "recent": recent, "person": person},
    )


def _broker_form(
    person: Any, data: Any = None, instance: m.BrokerActivity | None = None
) -> f.BrokerActivityForm:
    return f.BrokerActivityForm(
        data,
        instance=instance,
        secondments=list(secondments_of(person)),
        placements=list(placements_of(person)),
    )


@login_required
@require_safe
def broker_log(request: HttpRequest) -> HttpResponse:
    person = require_broker(request.user)
    return _broker_page(request, _broker_form(person), person)


@login_required
@require_POST
def broker_create(request: HttpRequest) -> HttpResponse:
    person = require_broker(request.user)
    form = _broker_form(person, request.POST)
    if not form.is_valid():
        return _broker_page(request, form, person)
    activity, _ = editing.save_with_audit(form, request.user, recorded_by=request.user)
    messages.success(
        request, f"Logged {activity.hours} hours of {activity.get_kind_display().lower()}."
    )
    return redirect("coproduction:broker_log")


def _owns(user: Any, activity: m.BrokerActivity) -> bool:
    person = person_of(user)
    return person is not None and activity.person_id == person.pk


def _activity_for(request: HttpRequest, public_id: Any) -> m.BrokerActivity:
    """An activity the user may change: their own, or any for a manager (404 if none, else 403)."""
    activity = get_object_or_404(
        m.BrokerActivity.objects.select_related(
            "person", "study", "secondment", "placement__host_organisation"
        ),
        public_id=public_id,
    )
    if not (_owns(request.user, activity) or is_manager(request.user)):
        raise PermissionDenied("Only the person who logged this work, or a manager, can change it.")
    return activity


def _broker_back(request: HttpRequest, activity: m.BrokerActivity) -> str:
    """Where to go after changing an activity: your own log, or the managers' list."""
    if _owns(request.user, activity):
        return reverse("coproduction:broker_log")
    return reverse("coproduction:broker_activities")


@login_required
@require_safe
def broker_activities(request: HttpRequest) -> HttpResponse:
    """Every knowledge-broker activity, for managers to correct (optionally one study's)."""
    require_manager(request.user)
    queryset = m.BrokerActivity.objects.select_related(
        "person", "study", "placement__host_organisation"
    ).order_by("-date", "-created_at")
    chosen = request.GET.get("study", "")
    study = Study.objects.filter(slug=chosen).first() if chosen else None
    if study is not None:
        queryset = queryset.filter(study=study)
    return _render(
        request, "broker_activities.html", {"page": _page(request, queryset), "chosen": study}
    )


def _broker_edit_page(
    request: HttpRequest, activity: m.BrokerActivity, form: f.BrokerActivityForm
) -> HttpResponse:
    return _render(
        request,
        "broker_form.html",
        {"activity": activity, "form": form, "back": _broker_back(request, activity)},
    )


@login_required
@require_safe
def broker_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    activity = _activity_for(request, public_id)
    return _broker_edit_page(request, activity, _broker_form(activity.person, instance=activity))


@login_required
@require_POST
def broker_update(request: HttpRequest, public_id: Any) -> HttpResponse:
    activity = _activity_for(request, public_id)
    before = snapshot(activity)
    form = _broker_form(activity.person, request.POST, instance=activity)
    if not form.is_valid():
        return _broker_edit_page(request, activity, form)
    activity, _ = editing.save_with_audit(form, request.user, before)
    messages.success(request, f"Activity of {activity.date:%d %B %Y} saved.")
    return redirect(_broker_back(request, activity))


@login_required
@require_safe
def broker_confirm_delete(request: HttpRequest, public_id: Any) -> HttpResponse:
    activity = _activity_for(request, public_id)
    return _render(
        request,
        "broker_confirm_delete.html",
        {"activity": activity, "back": _broker_back(request, activity)},
    )


@login_required
@require_POST
def broker_delete(request: HttpRequest, public_id: Any) -> HttpResponse:
    activity = _activity_for(request, public_id)
    back = _broker_back(request, activity)
    editing.delete_with_audit(activity, request.user)
    messages.success(request, "Activity deleted.")
    return redirect(back)


@login_required
@require_safe
def time_used(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    today = timezone.localdate()
    queryset = timeuse.with_hours(
        Secondment.objects.select_related("person", "study"), today
    ).order_by("study__title", "person__full_name", "start")
    page = _page(request, queryset)
    rows = [timeuse.time_used(sec, today) for sec in page]
    placements = (
        Placement.objects.select_related("person", "host_organisation")
        .annotate(hours_logged=Sum("broker_activities__hours"))
        .order_by("person__full_name", "start")
    )
    return _render(
        request,
        "time_used.html",
        {
            "page": page,
            "rows": rows,
            "placements": placements,
            "today": today,
            "is_manager": is_manager(request.user),
        },
    )


# --- studies -----------------------------------------------------------------------------------


@login_required
@require_safe
def study_overview(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug)
    counts = {
        "compromises": study.compromises.count(),
        "dialogues": study.dialogues.count(),
        "involvement": study.involvement.count(),
        "broker": study.broker_activities.count(),
    }
    team = can_edit_study(request.user, study)
    if team:
        counts["sources"] = study.sources.count()
        counts["participants"] = study.participants.count()
    return _render(
        request,
        "study.html",
        {
            "study": study,
            "counts": counts,
            "research_team": team,
            "is_manager": is_manager(request.user),
        },
    )


# --- compromises -------------------------------------------------------------------------------


@login_required
@require_safe
def compromise_list(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug)
    queryset = (
        m.Compromise.objects.filter(study=study)
        .prefetch_related("positions")
        .annotate(source_count=Count("sources"))
        .order_by("-date", "-created_at")
    )
    return _render(
        request,
        "compromise_list.html",
        {
            "study": study,
            "page": _page(request, queryset),
            "can_change": can_edit_study(request.user, study),
        },
    )


def _compromise_form(
    request: HttpRequest,
    study: Study,
    form: f.CompromiseForm,
    formset: Any,
    compromise: m.Compromise | None = None,
) -> HttpResponse:
    return _render(
        request,
        "compromise_form.html",
        {"study": study, "form": form, "formset": formset, "compromise": compromise},
    )


@login_required
@require_safe
def compromise_new(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug, write=True)
    form = f.CompromiseForm(
        study=study, can_see_sources=True, initial={"date": timezone.localdate()}
    )
    return _compromise_form(request, study, form, f.PositionFormSet(prefix="positions"))


@login_required
@require_safe
def compromise_edit(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    study = get_study_for(request.user, slug, write=True)
    item = get_object_or_404(m.Compromise, study=study, public_id=public_id)
    form = f.CompromiseForm(instance=item, study=study, can_see_sources=True)
    formset = f.PositionFormSet(instance=item, prefix="positions")
    return _compromise_form(request, study, form, formset, item)


def _save_compromise(request: HttpRequest, slug: str, public_id: Any | None) -> HttpResponse:
    study = get_study_for(request.user, slug, write=True)
    item = (
        get_object_or_404(m.Compromise, study=study, public_id=public_id)
        if public_id
        else m.Compromise(study=study, recorded_by=_user(request))
    )
    before = snapshot(item) if item.pk else None
    form = f.CompromiseForm(request.POST, instance=item, study=study, can_see_sources=True)
    formset = f.PositionFormSet(request.POST, instance=item, prefix="positions")
    if not (form.is_valid() and formset.is_valid()):
        return _compromise_form(request, study, form, formset, item if item.pk else None)
    with transaction.atomic():
        item, _ = editing.save_with_audit(form, request.user, before)
        formset.instance = item
        formset.save()
    messages.success(request, f"Compromise saved: {item.summary}.")
    return redirect("coproduction:compromise", study.slug, item.public_id)


@login_required
@require_POST
def compromise_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _save_compromise(request, slug, None)


@login_required
@require_POST
def compromise_update(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    return _save_compromise(request, slug, public_id)


@login_required
@require_safe
def compromise_detail(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    study = get_study_for(request.user, slug)
    item = get_object_or_404(
        m.Compromise.objects.prefetch_related("positions", "sources"),
        study=study,
        public_id=public_id,
    )
    team = can_edit_study(request.user, study)
    return _render(
        request,
        "compromise_detail.html",
        {"study": study, "item": item, "can_change": team, "show_sources": team},
    )


@login_required
@require_safe
def compromise_analysis(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    queryset = m.Compromise.objects.all()
    chosen = request.GET.get("study", "")
    study = Study.objects.filter(slug=chosen).first() if chosen else None
    if study is not None:
        queryset = queryset.filter(study=study)
    charts = analysis.charts(queryset)
    studies = Study.objects.filter(compromises__isnull=False).distinct().order_by("title")
    return _render(
        request,
        "analysis.html",
        {
            "charts": charts,
            "total": analysis.total(charts),
            "studies": studies,
            "chosen": study,
        },
    )


# --- sources -----------------------------------------------------------------------------------


@login_required
@require_safe
def source_list(request: HttpRequest, slug: str) -> HttpResponse:
    study = require_research_team(request.user, slug)
    queryset = (
        m.Source.objects.filter(study=study)
        .annotate(
            participant_count=Count("links", distinct=True),
            withheld=Count(
                "links",
                filter=~Q(links__participant__consent=m.Participant.Consent.GRANTED),
                distinct=True,
            ),
            attachment_count=Count("attachments", distinct=True),
        )
        .order_by("-date", "-created_at")
    )
    return _render(request, "source_list.html", {"study": study, "page": _page(request, queryset)})


@login_required
@require_safe
def source_detail(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    study = require_research_team(request.user, slug)
    source = get_object_or_404(
        m.Source.objects.prefetch_related(
            Prefetch("links", queryset=m.SourceParticipant.objects.select_related("participant")),
            "attachments",
        ),
        study=study,
        public_id=public_id,
    )
    thread = []
    if source.thread_key:
        thread = list(
            m.Source.objects.filter(study=study, thread_key=source.thread_key)
            .exclude(pk=source.pk)
            .order_by("sent_at")
        )
    return _render(
        request, "source_detail.html", {"study": study, "source": source, "thread": thread}
    )


@login_required
@require_safe
def attachment_download(
    request: HttpRequest, slug: str, public_id: Any, attachment_id: Any
) -> FileResponse:
    study = require_research_team(request.user, slug)
    attachment = get_object_or_404(
        m.Attachment, public_id=attachment_id, source__public_id=public_id, source__study=study
    )
    path = importer.storage_dir() / attachment.stored_name
    if not path.is_file():
        raise Http404("The file is missing.")
    record_read(
        request.user,
        "coproduction.source.downloaded",
        attachment.source,
        {"file": attachment.original_name},
    )
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _participants_for(study: Study, people: list[tuple[str, str]]) -> list[m.Participant]:
    found = []
    for name, address in people:
        participant = None
        if address:
            participant = m.Participant.objects.filter(study=study, email=address).first()
        else:
            participant = m.Participant.objects.filter(
                study=study, email="", full_name__iexact=name
            ).first()
        if participant is None:
            participant = m.Participant.objects.create(study=study, full_name=name, email=address)
        found.append(participant)
    return found


@login_required
@require_safe
def meeting_new(request: HttpRequest, slug: str) -> HttpResponse:
    study = require_research_team(request.user, slug)
    form = f.MeetingForm(initial={"date": timezone.localdate()})
    return _render(request, "source_form.html", {"study": study, "form": form, "kind": "meeting"})


@login_required
@require_POST
def meeting_create(request: HttpRequest, slug: str) -> HttpResponse:
    study = require_research_team(request.user, slug)
    form = f.MeetingForm(request.POST)
    if not form.is_valid():
        return _render(
            request, "source_form.html", {"study": study, "form": form, "kind": "meeting"}
        )
    with transaction.atomic():
        source = form.save(commit=False)
        source.study = study
        source.kind = m.Source.Kind.MEETING
        source.recorded_by = _user(request)
        source.save()
        for participant in _participants_for(study, form.attendee_list()):
            m.SourceParticipant.objects.get_or_create(
                source=source, participant=participant, role=m.SourceParticipant.Role.ATTENDEE
            )
        editing.audit_saved(request.user, source)
    messages.success(request, "Meeting record saved. Record each attendee's consent.")
    return redirect("coproduction:source", study.slug, source.public_id)


@login_required
@require_safe
def document_new(request: HttpRequest, slug: str) -> HttpResponse:
    study = require_research_team(request.user, slug)
    form = f.DocumentForm(initial={"date": timezone.localdate()})
    return _render(request, "source_form.html", {"study": study, "form": form, "kind": "document"})


@login_required
@require_POST
def document_create(request: HttpRequest, slug: str) -> HttpResponse:
    study = require_research_team(request.user, slug)
    form = f.DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(
            request, "source_form.html", {"study": study, "form": form, "kind": "document"}
        )
    written: list[str] = []
    try:
        with transaction.atomic():
            source = form.save(commit=False)
            source.study = study
            source.kind = m.Source.Kind.DOCUMENT
            source.recorded_by = _user(request)
            source.save()
            authors = f.parse_people(form.cleaned_data["authors"])
            for participant in _participants_for(study, authors):
                m.SourceParticipant.objects.get_or_create(
                    source=source, participant=participant, role=m.SourceParticipant.Role.AUTHOR
                )
            upload = form.cleaned_data.get("upload")
            if upload is not None:
                _attach(source, upload, written)
            editing.audit_saved(request.user, source)
    except Exception:
        importer.remove_stored(written)
        raise
    messages.success(request, "Document saved.")
    return redirect("coproduction:source", study.slug, source.public_id)


def _attach(source: m.Source, upload: Any, written: list[str]) -> m.Attachment:
    """Store an uploaded file with the source; its stored name is added to `written` so the
    caller can remove the file if the transaction fails."""
    data = upload.read()
    stored = importer.store_bytes(data)
    written.append(stored)
    return m.Attachment.objects.create(
        source=source,
        original_name=upload.name[:255],
        stored_name=stored,
        content_type=(upload.content_type or "")[:100],
        size=len(data),
    )


def _link_people(study: Study, source: m.Source, people: list[tuple[str, str]], role: str) -> None:
    """Make the source's participants in `role` exactly `people`. Participants themselves (and
    their consent) stay, even when no longer linked here."""
    wanted = _participants_for(study, people)
    m.SourceParticipant.objects.filter(source=source, role=role).exclude(
        participant__in=wanted
    ).delete()
    for participant in wanted:
        m.SourceParticipant.objects.get_or_create(source=source, participant=participant, role=role)


# Meeting records and documents are edited; imported email stays as it arrived.
SOURCE_FORMS: dict[str, Any] = {
    m.Source.Kind.MEETING: f.MeetingForm,
    m.Source.Kind.DOCUMENT: f.DocumentForm,
}


def _source_for_change(request: HttpRequest, slug: str, public_id: Any) -> tuple[Study, m.Source]:
    study = require_research_team(request.user, slug)
    return study, get_object_or_404(m.Source, study=study, public_id=public_id)


def _editable_source(request: HttpRequest, slug: str, public_id: Any) -> tuple[Study, m.Source]:
    study, source = _source_for_change(request, slug, public_id)
    if source.kind not in SOURCE_FORMS:
        raise Http404("Imported email is kept as it arrived: it can be deleted, not edited.")
    return study, source


def _source_edit_page(
    request: HttpRequest, study: Study, source: m.Source, form: Any
) -> HttpResponse:
    return _render(
        request,
        "source_form.html",
        {"study": study, "form": form, "kind": source.kind, "source": source},
    )


@login_required
@require_safe
def source_edit(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    study, source = _editable_source(request, slug, public_id)
    return _source_edit_page(request, study, source, SOURCE_FORMS[source.kind](instance=source))


@login_required
@require_POST
def source_update(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    study, source = _editable_source(request, slug, public_id)
    before = snapshot(source)
    meeting = source.kind == m.Source.Kind.MEETING
    form = SOURCE_FORMS[source.kind](request.POST, request.FILES, instance=source)
    if not form.is_valid():
        return _source_edit_page(request, study, source, form)
    written: list[str] = []
    try:
        with transaction.atomic():
            source = form.save()
            if meeting:
                _link_people(study, source, form.attendee_list(), m.SourceParticipant.Role.ATTENDEE)
            else:
                authors = f.parse_people(form.cleaned_data["authors"])
                _link_people(study, source, authors, m.SourceParticipant.Role.AUTHOR)
            upload = None if meeting else form.cleaned_data.get("upload")
            also = {}
            if upload is not None:
                attachment = _attach(source, upload, written)
                also["attachments"] = [None, attachment.original_name]
            editing.audit_saved(request.user, source, before, also=also)
    except Exception:
        importer.remove_stored(written)
        raise
    messages.success(request, f"{source.get_kind_display()} saved.")
    return redirect("coproduction:source", study.slug, source.public_id)


@login_required
@require_safe
def source_confirm_delete(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    study, source = _source_for_change(request, slug, public_id)
    attachments = source.attachments.count()
    cited = list(source.compromises.order_by("-date").values_list("summary", flat=True))
    consequences = [
        f"{attachments} attached file{'s' if attachments != 1 else ''} will be deleted with it."
    ]
    if cited:
        consequences.append(
            "These compromises were recorded from it and will no longer link to it: "
            + "; ".join(cited)
            + "."
        )
    consequences.append("Its participants and their consent records are kept.")
    return _confirm_delete(
        request,
        study=study,
        heading=f"Delete this {source.get_kind_display().lower()}?",
        summary=f"{source.title} ({source.date:%d %B %Y})",
        consequences=consequences,
        action=reverse("coproduction:source_delete", args=[study.slug, source.public_id]),
        cancel=reverse("coproduction:source", args=[study.slug, source.public_id]),
    )


@login_required
@require_POST
def source_delete(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    study, source = _source_for_change(request, slug, public_id)
    with transaction.atomic():
        stored = list(source.attachments.values_list("stored_name", flat=True))
        editing.delete_with_audit(source, request.user, also={"attachments": [len(stored), None]})
        # The files go only once the rows are gone for good.
        transaction.on_commit(lambda: importer.remove_stored(stored))
    messages.success(request, f"Deleted: {source.title}.")
    return redirect("coproduction:sources", study.slug)


def _confirm_delete(
    request: HttpRequest,
    *,
    study: Study | None,
    heading: str,
    summary: str,
    action: str,
    cancel: str,
    consequences: list[str] | None = None,
    blocked: str = "",
) -> HttpResponse:
    """The page a delete link opens: it shows what will go and changes nothing."""
    return _render(
        request,
        "confirm_delete.html",
        {
            "study": study,
            "heading": heading,
            "summary": summary,
            "consequences": consequences or [],
            "action": action,
            "cancel": cancel,
            "blocked": blocked,
        },
    )


@login_required
@require_safe
def email_import_show(request: HttpRequest, slug: str) -> HttpResponse:
    study = require_research_team(request.user, slug)
    return _render(request, "email_import.html", {"study": study, "form": f.EmailImportForm()})


@login_required
@require_POST
def email_import(request: HttpRequest, slug: str) -> HttpResponse:
    study = require_research_team(request.user, slug)
    form = f.EmailImportForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        result = importer.import_file(study, upload.name, upload.read(), request.user)
        if result.failed:
            form.add_error("file", result.failed)
            result = None
    return _render(
        request,
        "email_import.html",
        {"study": study, "form": form if result is None else f.EmailImportForm(), "result": result},
    )


@login_required
@require_safe
def participant_list(request: HttpRequest, slug: str) -> HttpResponse:
    study = require_research_team(request.user, slug)
    queryset = (
        m.Participant.objects.filter(study=study)
        .annotate(source_count=Count("links__source", distinct=True))
        .order_by("full_name", "email")
    )
    return _render(
        request, "participant_list.html", {"study": study, "page": _page(request, queryset)}
    )


def _consent_page(
    request: HttpRequest, study: Study, participant: m.Participant, form: f.ConsentForm
) -> HttpResponse:
    return _render(
        request, "consent_form.html", {"study": study, "participant": participant, "form": form}
    )


@login_required
@require_safe
def consent_show(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    study = require_research_team(request.user, slug)
    participant = get_object_or_404(m.Participant, study=study, public_id=public_id)
    return _consent_page(request, study, participant, f.ConsentForm(instance=participant))


@login_required
@require_POST
def consent_update(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    study = require_research_team(request.user, slug)
    participant = get_object_or_404(m.Participant, study=study, public_id=public_id)
    before = snapshot(participant)
    form = f.ConsentForm(request.POST, instance=participant)
    if not form.is_valid():
        return _consent_page(request, study, participant, form)
    participant, _ = editing.save_with_audit(form, request.user, before)
    messages.success(request, f"Consent recorded for {participant.full_name}.")
    return redirect("coproduction:participants", study.slug)


@login_required
@require_safe
def export_sources(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    study = require_research_team(request.user, slug)
    record(request.user, "coproduction.source.exported", study, {})
    return exports.csv_response(
        exports.source_rows(study), exports.dated(f"{study.slug}-sources", "csv")
    )


@login_required
@require_safe
def export_compromises(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    study = require_research_team(request.user, slug)
    record(request.user, "coproduction.compromise.exported", study, {})
    return exports.csv_response(
        exports.compromise_rows(study), exports.dated(f"{study.slug}-compromises", "csv")
    )


# --- reflexive dialogues -----------------------------------------------------------------------


@login_required
@require_safe
def dialogue_list(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug)
    queryset = m.ReflexiveDialogue.objects.filter(study=study).order_by("-date", "-created_at")
    return _render(
        request,
        "dialogue_list.html",
        {
            "study": study,
            "page": _page(request, queryset),
            "can_change": can_edit_study(request.user, study),
        },
    )


# --- public involvement ------------------------------------------------------------------------


@login_required
@require_safe
def involvement_list(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug)
    queryset = (
        m.InvolvementActivity.objects.filter(study=study)
        .select_related("contributor", "rate")
        .order_by("-date", "-created_at")
    )
    totals = queryset.aggregate(
        hours=Sum("hours"),
        fees=Sum("fee", filter=Q(payment_declined=False)),
        expenses=Sum("expenses"),
    )
    return _render(
        request,
        "involvement_list.html",
        {
            "study": study,
            "page": _page(request, queryset),
            "totals": totals,
            "can_change": can_edit_study(request.user, study),
            "is_manager": is_manager(request.user),
        },
    )


PAID_CANNOT_GO = (
    "This activity has been paid, so it cannot be deleted: finance's records must match. "
    "Change it instead if something is wrong."
)


@login_required
@require_http_methods(["GET", "POST"])
def involvement_delete(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    """The ledger's delete: a paid activity stays, so finance's records match."""
    kind = kind_named("involvement", "coproduction")
    activity = kind.policy.get(kind, request.user, public_id, write=True, scope={"slug": slug})
    study = activity.study
    if request.method == "POST" and activity.paid_on:
        messages.error(request, PAID_CANNOT_GO)
        return redirect("coproduction:involvement_edit", study.slug, activity.public_id)
    if request.method == "POST":
        editing.delete_with_audit(activity, request.user)
        messages.success(request, f"Involvement deleted: {activity.what}.")
        return redirect("coproduction:involvement", study.slug)
    return _confirm_delete(
        request,
        study=study,
        heading="Delete this involvement?",
        summary=(
            f"{activity.what}: {activity.contributor.full_name}, {activity.date:%d %B %Y}, "
            f"{activity.hours} hours, £{activity.total} to pay"
        ),
        action=reverse("coproduction:involvement_delete", args=[study.slug, activity.public_id]),
        cancel=reverse("coproduction:involvement", args=[study.slug]),
        blocked=PAID_CANNOT_GO if activity.paid_on else "",
    )


@login_required
@require_safe
def rate_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    return _render(
        request,
        "rate_list.html",
        {"rates": m.PaymentRate.objects.all(), "is_manager": is_manager(request.user)},
    )


def _payments(request: HttpRequest) -> Any:
    require_manager(request.user)
    queryset = m.InvolvementActivity.objects.all()
    if request.GET.get("unpaid"):
        queryset = queryset.filter(paid_on__isnull=True)
    record(request.user, "coproduction.payments.exported", _user(request), {})
    return queryset


@login_required
@require_safe
def payments_csv(request: HttpRequest) -> StreamingHttpResponse:
    queryset = _payments(request)
    return exports.csv_response(
        exports.payment_rows(queryset), exports.dated("involvement-payments", "csv")
    )


@login_required
@require_safe
def payments_xlsx(request: HttpRequest) -> FileResponse:
    queryset = _payments(request)
    return exports.xlsx_response(
        exports.payment_rows(queryset), exports.dated("involvement-payments", "xlsx"), "Payments"
    )


# --- GRIPP2 ------------------------------------------------------------------------------------


@login_required
@require_safe
def gripp2_show(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug)
    report = gripp2.report_for(study)
    kind = gripp2.kind_of(request.GET.get("form"), report)
    can_change = can_edit_study(request.user, study)
    form = f.Gripp2Form(instance=report, kind=kind) if can_change else None
    return _render(
        request,
        "gripp2.html",
        {
            "study": study,
            "report": report,
            "form": form,
            "kind": kind,
            "checklist": gripp2.checklists()[kind],
            "sections": gripp2.sections(report, kind),
            "saved": report.pk is not None,
        },
    )


@login_required
@require_POST
def gripp2_update(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug, write=True)
    report = gripp2.report_for(study)
    before = snapshot(report) if report.pk else None
    kind = gripp2.kind_of(request.POST.get("form"), report)
    form = f.Gripp2Form(request.POST, instance=report, kind=kind)
    if not form.is_valid():
        return _render(
            request,
            "gripp2.html",
            {
                "study": study,
                "report": report,
                "form": form,
                "kind": kind,
                "checklist": form.checklist,
                "sections": [],
                "saved": False,
            },
        )
    editing.save_with_audit(form, request.user, before)
    messages.success(request, "GRIPP2 report saved.")
    return redirect(f"{reverse('coproduction:gripp2', args=[study.slug])}?form={kind}")


@login_required
@require_safe
def gripp2_markdown(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug)
    report = gripp2.report_for(study)
    kind = gripp2.kind_of(request.GET.get("form"), report)
    response = HttpResponse(
        gripp2.markdown(report, kind), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{study.slug}-gripp2-{kind}.md"'
    return response


@login_required
@require_safe
def gripp2_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    study = get_study_for(request.user, slug)
    report = gripp2.report_for(study)
    kind = gripp2.kind_of(request.GET.get("form"), report)
    response = HttpResponse(gripp2.pdf(report, kind), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{study.slug}-gripp2-{kind}.pdf"'
    return response


# --- researcher-in-residence journal -----------------------------------------------------------


def _own_placement(person: Any, public_id: Any) -> Placement:
    return get_object_or_404(Placement, person=person, public_id=public_id)


@login_required
@require_safe
def journal(request: HttpRequest) -> HttpResponse:
    person = require_resident(request.user)
    placements = list(
        placements_of(person).prefetch_related(
            Prefetch(
                "supervisors",
                queryset=m.JournalSupervisor.objects.select_related("supervisor"),
            )
        )
    )
    entries = m.JournalEntry.objects.filter(placement__person=person).select_related(
        "placement__host_organisation"
    )
    return _render(
        request,
        "journal.html",
        {"placements": placements, "page": _page(request, entries)},
    )


def _entry_form(
    request: HttpRequest, form: f.JournalEntryForm, entry: m.JournalEntry | None
) -> HttpResponse:
    return _render(request, "journal_form.html", {"form": form, "entry": entry})


@login_required
@require_safe
def journal_new(request: HttpRequest) -> HttpResponse:
    person = require_resident(request.user)
    return _entry_form(request, f.JournalEntryForm(placements=placements_of(person)), None)


@login_required
@require_POST
def journal_create(request: HttpRequest) -> HttpResponse:
    person = require_resident(request.user)
    form = f.JournalEntryForm(request.POST, placements=placements_of(person))
    if not form.is_valid():
        return _entry_form(request, form, None)
    # The audit log names the entry, never its private text.
    editing.save_with_audit(form, request.user, private=True)
    messages.success(request, "Journal entry saved.")
    return redirect("coproduction:journal")


@login_required
@require_safe
def journal_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    person = require_resident(request.user)
    entry = get_object_or_404(m.JournalEntry, placement__person=person, public_id=public_id)
    form = f.JournalEntryForm(instance=entry, placements=placements_of(person))
    record_read(request.user, "coproduction.journalentry.viewed", entry)
    return _entry_form(request, form, entry)


@login_required
@require_POST
def journal_update(request: HttpRequest, public_id: Any) -> HttpResponse:
    person = require_resident(request.user)
    entry = get_object_or_404(m.JournalEntry, placement__person=person, public_id=public_id)
    form = f.JournalEntryForm(request.POST, instance=entry, placements=placements_of(person))
    if not form.is_valid():
        return _entry_form(request, form, entry)
    editing.save_with_audit(form, request.user, {}, private=True)
    messages.success(request, "Journal entry saved.")
    return redirect("coproduction:journal")


@login_required
@require_safe
def supervisors_show(request: HttpRequest, public_id: Any) -> HttpResponse:
    person = require_resident(request.user)
    placement = _own_placement(person, public_id)
    chosen = list(
        m.JournalSupervisor.objects.filter(placement=placement).values_list(
            "supervisor_id", flat=True
        )
    )
    form = f.SupervisorsForm(author=person, initial={"supervisors": chosen})
    return _render(request, "supervisors_form.html", {"form": form, "placement": placement})


@login_required
@require_POST
def supervisors_update(request: HttpRequest, public_id: Any) -> HttpResponse:
    person = require_resident(request.user)
    placement = _own_placement(person, public_id)
    form = f.SupervisorsForm(request.POST, author=person)
    if not form.is_valid():
        return _render(request, "supervisors_form.html", {"form": form, "placement": placement})
    wanted = {p.pk for p in form.cleaned_data["supervisors"]}
    with transaction.atomic():
        current = set(
            m.JournalSupervisor.objects.filter(placement=placement).values_list(
                "supervisor_id", flat=True
            )
        )
        m.JournalSupervisor.objects.filter(placement=placement).exclude(
            supervisor_id__in=wanted
        ).delete()
        m.JournalSupervisor.objects.bulk_create(
            [m.JournalSupervisor(placement=placement, supervisor_id=pk) for pk in wanted - current]
        )
        record(
            request.user,
            "coproduction.journalsupervisor.changed",
            placement,
            {"supervisors": [sorted(current), sorted(wanted)]},
        )
    messages.success(request, "Supervisors saved.")
    return redirect("coproduction:journal")


def _visible_entries(user: Any, placement: Placement) -> Any:
    """The entries this user may read: all for the author, shared ones for a chosen supervisor."""
    person = person_of(user)
    if person is None:
        raise PermissionDenied("This journal is private.")
    if placement.person_id == person.pk:
        return m.JournalEntry.objects.filter(placement=placement)
    if m.JournalSupervisor.objects.filter(placement=placement, supervisor=person).exists():
        return m.JournalEntry.objects.filter(placement=placement, shared=True)
    raise PermissionDenied("This journal is private.")


@login_required
@require_safe
def journal_summary(request: HttpRequest, public_id: Any) -> HttpResponse:
    placement = get_object_or_404(
        Placement.objects.select_related("person", "host_organisation"), public_id=public_id
    )
    entries = list(_visible_entries(request.user, placement).order_by("date"))
    record_read(request.user, "coproduction.journal.viewed", placement, {"entries": len(entries)})
    labels = dict(m.JournalChallenge.choices)
    counts = {value: 0 for value in labels}
    for entry in entries:
        for value in entry.challenges:
            counts[value] = counts.get(value, 0) + 1
    return _render(
        request,
        "journal_summary.html",
        {
            "placement": placement,
            "entries": entries,
            "counts": [(labels.get(k, k), n) for k, n in counts.items()],
            "is_author": person_of(request.user) == placement.person,
            "strategies": [e for e in entries if e.strategies],
        },
    )


@login_required
@require_safe
def journal_shared(request: HttpRequest) -> HttpResponse:
    person = person_of(request.user)
    placements = (
        Placement.objects.filter(supervisors__supervisor=person).select_related(
            "person", "host_organisation"
        )
        if person
        else Placement.objects.none()
    )
    entries = m.JournalEntry.objects.filter(placement__in=placements, shared=True).select_related(
        "placement__person", "placement__host_organisation"
    )
    page = _page(request, entries)
    shown: dict[int, list[m.JournalEntry]] = {}
    for entry in page.object_list:
        shown.setdefault(entry.placement_id, []).append(entry)
    for placement_entries in shown.values():
        # Each journal whose entries this page shows is audited as read.
        placement = placement_entries[0].placement
        record_read(
            request.user,
            "coproduction.journal.viewed",
            placement,
            {"entries": len(placement_entries)},
        )
    return _render(
        request,
        "journal_shared.html",
        {"placements": placements, "page": page},
    )
