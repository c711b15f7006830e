"""Staff pages for mailings, mounted at /staff/mailings/.

Anyone with a staff role may look at mailings and their progress; only managers compose, test,
send, schedule, pause and resume. Pages that change something have a GET view that only shows
and a `@require_POST` view that changes; `by_method` joins them on one URL. The live preview and
the progress table are htmx partials; the compose form's "Preview" button does the same without
JavaScript.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from coproduce.audit.log import action_name, diff, record, snapshot
from coproduce.comms import invitations, outbox
from coproduce.comms import render as email
from coproduce.comms.audience import Audience
from coproduce.comms.forms_staff import (
    LONDON,
    ListFilterForm,
    MailingForm,
    ScheduleForm,
    channel_phrase,
)
from coproduce.comms.models import Mailing, OutboxMessage
from coproduce.community.models import Associate
from coproduce.lib.slugs import make_slug
from coproduce.registry.access import is_manager, require_manager, require_staff
from coproduce.staff.records import renderer

PAGE_SIZE = 25
View = Callable[..., HttpResponse]
_EMPTY: tuple[Any, ...] = (None, "", [])
SAMPLE_NAME = "Alex"


# --- helpers -------------------------------------------------------------------------------------


_render = renderer(
    "mailings",
    "comms/staff/",
    lambda request: {
        "can_change": is_manager(request.user),
        "list_url": reverse("comms_staff:list"),
    },
)


def _mailing(public_id: Any) -> Mailing:
    return get_object_or_404(
        Mailing.objects.select_related("created_by", "event"), public_id=public_id
    )


def _detail_url(mailing: Mailing) -> str:
    return reverse("comms_staff:detail", args=[mailing.public_id])


def _new_slug(subject: str) -> str:
    return f"{make_slug(subject, 100) or 'mailing'}-{uuid.uuid4().hex[:6]}"


def _placeholder_links() -> tuple[str, str]:
    """Links shown in previews and tests in place of a recipient's own links."""
    manage = settings.SITE_URL + reverse("associates:manage_request")
    return manage, settings.SITE_URL + "/email/unsubscribe/example/"


def render_preview(
    subject: str, body: str, kind: str, *, name: str = SAMPLE_NAME, web_url: str = ""
) -> email.Rendered:
    kind_label = dict(Mailing.Kind.choices).get(kind, "")
    template = email.render_template(subject, body, kind_label=kind_label, web_url=web_url)
    manage, unsubscribe = _placeholder_links()
    return email.personalise(template, name, manage, unsubscribe)


def progress_counts(mailing: Mailing) -> dict[str, int]:
    counts = outbox.progress(mailing)
    counts["waiting"] = counts.get("queued", 0) + counts.get("sending", 0)
    return counts


def describe_audience(mailing: Mailing) -> list[str]:
    """The audience's filters as sentences, for the detail and confirmation pages."""
    parts = [f"People who agreed to receive {channel_phrase(mailing.channel)}."]
    cops = [cop.name for cop in mailing.cops.all()]
    themes = [theme.name for theme in mailing.themes.all()]
    reach = []
    if cops:
        reach.append("members of " + ", ".join(cops))
    if themes:
        reach.append("people interested in " + ", ".join(themes))
    if reach:
        parts.append("Only " + ", or ".join(reach) + ".")
    if mailing.roles:
        labels = dict(Associate.Role.choices)
        parts.append(
            "Only these roles: " + ", ".join(labels.get(r, r).lower() for r in mailing.roles) + "."
        )
    return parts


# --- list and detail -----------------------------------------------------------------------------


@login_required
@require_safe
def mailing_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    filters = ListFilterForm(request.GET)
    queryset = Mailing.objects.select_related("created_by").order_by("-created", "-pk")
    status = ""
    if filters.is_valid():
        status = filters.cleaned_data["status"]
    if status:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "list.html", {"page": page, "form": filters, "status": status})


@login_required
@require_safe
def mailing_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_staff(request.user)
    mailing = _mailing(public_id)
    failed = OutboxMessage.objects.filter(mailing=mailing, status=OutboxMessage.Status.FAILED)
    page = Paginator(failed.order_by("id"), PAGE_SIZE).get_page(request.GET.get("page"))
    preview = render_preview(
        mailing.subject,
        email.with_event(mailing.body, mailing.event),
        mailing.kind,
        web_url=email.archive_url(mailing),
    )
    return _render(
        request,
        "detail.html",
        {
            "mailing": mailing,
            "audience": describe_audience(mailing),
            "progress": progress_counts(mailing),
            "page": page,
            "preview": preview,
            "archive_url": reverse("news:detail", args=[mailing.slug])
            if mailing.is_archived_kind and mailing.slug and mailing.status == Mailing.Status.SENT
            else "",
        },
    )


@login_required
@require_safe
def mailing_progress(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_staff(request.user)
    mailing = _mailing(public_id)
    return render(
        request,
        "comms/staff/includes/progress.html",
        {"mailing": mailing, "progress": progress_counts(mailing)},
    )


# --- compose -------------------------------------------------------------------------------------


def _compose(
    request: HttpRequest,
    form: MailingForm,
    mailing: Mailing | None = None,
    *,
    preview: email.Rendered | None = None,
    status: int = 200,
) -> HttpResponse:
    return _render(
        request,
        "compose.html",
        {
            "form": form,
            "mailing": mailing,
            "preview": preview,
            "cancel_url": _detail_url(mailing) if mailing else reverse("comms_staff:list"),
            "action_url": reverse("comms_staff:edit", args=[mailing.public_id])
            if mailing
            else reverse("comms_staff:create"),
        },
        status=status,
    )


def _preview_from(data: Any, mailing: Mailing | None = None) -> email.Rendered:
    subject = str(data.get("subject", ""))[:200]
    body = str(data.get("body", ""))
    kind = str(data.get("kind", ""))
    web_url = email.archive_url(mailing) if mailing is not None else ""
    event = None
    if kind == Mailing.Kind.EVENT_INVITATION and str(data.get("event", "")).isdigit():
        event = invitations.find(int(data["event"]))
    body = email.with_event(body, event)
    return render_preview(subject or "(No subject yet)", body, kind, web_url=web_url)


def _wants_preview(request: HttpRequest) -> bool:
    return request.POST.get("action") == "preview"


def _unchecked_form(data: Any, instance: Mailing | None = None) -> MailingForm:
    """The form showing what was typed, without errors: previewing is not saving."""
    initial: dict[str, Any] = {}
    for name, field in MailingForm.base_fields.items():
        if isinstance(field, forms.MultipleChoiceField):
            initial[name] = data.getlist(name)
        elif name in data:
            initial[name] = data.get(name)
    return MailingForm(initial=initial, instance=instance)


@login_required
@require_safe
def create_show(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    return _compose(request, MailingForm())


@login_required
@require_POST
def create_save(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    if _wants_preview(request):
        return _compose(request, _unchecked_form(request.POST), preview=_preview_from(request.POST))
    form = MailingForm(request.POST)
    if not form.is_valid():
        return _compose(request, form, status=400)
    with transaction.atomic():
        mailing = form.save(commit=False)
        mailing.slug = _new_slug(mailing.subject)
        mailing.created_by = request.user  # type: ignore[assignment]
        mailing.save()
        form.save_m2m()
        after = snapshot(mailing)
        changes = {name: [None, value] for name, value in after.items() if value not in _EMPTY}
        record(request.user, action_name(mailing, "created"), mailing, changes)
    messages.success(request, f"Mailing “{mailing.subject}” saved as a draft.")
    return redirect(_detail_url(mailing))


def _editable_or_redirect(request: HttpRequest, mailing: Mailing) -> HttpResponse | None:
    if mailing.editable:
        return None
    messages.info(
        request,
        f"This mailing is {mailing.get_status_display().lower()}, so it can no longer be changed.",
    )
    return redirect(_detail_url(mailing))


@login_required
@require_safe
def edit_show(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    mailing = _mailing(public_id)
    refused = _editable_or_redirect(request, mailing)
    if refused:
        return refused
    return _compose(request, MailingForm(instance=mailing), mailing)


@login_required
@require_POST
def edit_save(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    mailing = _mailing(public_id)
    refused = _editable_or_redirect(request, mailing)
    if refused:
        return refused
    if _wants_preview(request):
        form = _unchecked_form(request.POST, mailing)
        return _compose(request, form, mailing, preview=_preview_from(request.POST, mailing))
    before = snapshot(mailing)
    form = MailingForm(request.POST, instance=mailing)
    if not form.is_valid():
        return _compose(request, form, _mailing(public_id), status=400)
    with transaction.atomic():
        mailing = form.save()
        changes = diff(before, snapshot(mailing))
        if changes:
            record(request.user, action_name(mailing, "updated"), mailing, changes)
    if changes:
        messages.success(request, "Changes saved.")
    else:
        messages.info(request, "Nothing was changed.")
    return redirect(_detail_url(mailing))


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The live preview (an htmx partial) of what the compose form holds now; saves nothing."""
    require_manager(request.user)
    mailing = None
    try:
        public_id = uuid.UUID(request.POST.get("mailing", ""))
    except ValueError:  # a new mailing (or nonsense): preview without the archive link
        public_id = None
    if public_id is not None:
        mailing = Mailing.objects.filter(public_id=public_id).first()
    return render(
        request,
        "comms/staff/includes/preview.html",
        {"preview": _preview_from(request.POST, mailing)},
    )


# --- test, send, schedule, pause -----------------------------------------------------------------


@login_required
@require_POST
def send_test(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    mailing = _mailing(public_id)
    to_email = (getattr(request.user, "email", "") or "").strip()
    if not to_email:
        messages.error(
            request,
            "Your account has no email address, so a test cannot be sent. "
            "Ask a manager to add one.",
        )
        return redirect(_detail_url(mailing))
    user: Any = request.user
    name = (user.first_name or "").strip() or user.get_username()
    content = render_preview(
        mailing.subject,
        email.with_event(mailing.body, mailing.event),
        mailing.kind,
        name=name,
        web_url=email.archive_url(mailing),
    )
    outbox.queue_message(
        key=f"test:{mailing.pk}:{uuid.uuid4().hex}",
        to_email=to_email,
        subject="[Test] " + content.subject,
        body_text=content.text,
        body_html=content.html,
    )
    messages.success(request, f"A test email is on its way to {to_email}.")
    return redirect(_detail_url(mailing))


def _not_sendable(request: HttpRequest, mailing: Mailing) -> HttpResponse | None:
    if mailing.status in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
        return None
    messages.info(
        request, f"This mailing is {mailing.get_status_display().lower()}, so it cannot be sent."
    )
    return redirect(_detail_url(mailing))


def _send_page(
    request: HttpRequest, template: str, mailing: Mailing, *, status: int = 200, **context: Any
) -> HttpResponse:
    count = Audience.of(mailing).count()
    return _render(
        request,
        template,
        {
            "mailing": mailing,
            "count": count,
            "channel_phrase": channel_phrase(mailing.channel),
            "audience": describe_audience(mailing),
            "cancel_url": _detail_url(mailing),
            **context,
        },
        status=status,
    )


@login_required
@require_safe
def confirm_show(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    mailing = _mailing(public_id)
    return _not_sendable(request, mailing) or _send_page(request, "confirm.html", mailing)


@login_required
@require_POST
def confirm_send(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    mailing = _mailing(public_id)
    refused = _not_sendable(request, mailing)
    if refused:
        return refused
    if not Audience.of(mailing).count():
        messages.error(request, "Nobody is in this audience, so there is nothing to send.")
        return redirect(reverse("comms_staff:confirm", args=[mailing.public_id]))
    try:
        count = outbox.queue_mailing(mailing, by=request.user)
    except outbox.NotSendable as exc:
        messages.error(request, str(exc))
        return redirect(_detail_url(mailing))
    people = "person" if count == 1 else "people"
    messages.success(request, f"Sending “{mailing.subject}” to {count:,} {people}.")
    return redirect(_detail_url(mailing))


@login_required
@require_safe
def schedule_show(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    mailing = _mailing(public_id)
    initial = {}
    if mailing.scheduled_for:
        local = mailing.scheduled_for.astimezone(LONDON)
        initial = {"date": local.date(), "time": local.time()}
    form = ScheduleForm(initial=initial)
    return _not_sendable(request, mailing) or _send_page(
        request, "schedule.html", mailing, form=form
    )


@login_required
@require_POST
def schedule_save(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    mailing = _mailing(public_id)
    refused = _not_sendable(request, mailing)
    if refused:
        return refused
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _send_page(request, "schedule.html", mailing, form=form, status=400)
    when = form.cleaned_data["when"]
    with transaction.atomic():
        locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if locked.status not in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
            return _not_sendable(request, locked) or redirect(_detail_url(locked))
        before = snapshot(locked)
        locked.status = Mailing.Status.SCHEDULED
        locked.scheduled_for = when
        locked.save(update_fields=["status", "scheduled_for", "updated"])
        record(
            request.user,
            action_name(locked, "scheduled"),
            locked,
            diff(before, snapshot(locked)),
        )
    local = when.astimezone(LONDON)
    messages.success(
        request,
        f"Scheduled to send on {local.day} {local:%B %Y} at {local:%H:%M} (UK time).",
    )
    return redirect(_detail_url(mailing))


@login_required
@require_POST
def unschedule(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    mailing = _mailing(public_id)
    with transaction.atomic():
        changed = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SCHEDULED).update(
            status=Mailing.Status.DRAFT, scheduled_for=None, updated=timezone.now()
        )
        if changed:
            record(
                request.user,
                action_name(mailing, "unscheduled"),
                mailing,
                {
                    "status": [Mailing.Status.SCHEDULED.value, Mailing.Status.DRAFT.value],
                    "scheduled_for": [
                        mailing.scheduled_for.isoformat() if mailing.scheduled_for else None,
                        None,
                    ],
                },
            )
    if changed:
        messages.success(request, "The schedule is cancelled. The mailing is a draft again.")
    else:
        messages.info(request, "This mailing was not scheduled.")
    return redirect(_detail_url(mailing))


@login_required
@require_POST
def pause(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    mailing = _mailing(public_id)
    was = mailing.status
    outbox.pause(mailing, by=request.user)
    if was == Mailing.Status.SENDING and mailing.status == Mailing.Status.PAUSED:
        messages.success(request, "Sending is paused. Nothing more will be sent until you resume.")
    else:
        messages.info(request, "This mailing was not being sent, so there was nothing to pause.")
    return redirect(_detail_url(mailing))


@login_required
@require_POST
def resume(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    mailing = _mailing(public_id)
    was = mailing.status
    outbox.resume(mailing, by=request.user)
    if was == Mailing.Status.PAUSED and mailing.status == Mailing.Status.SENDING:
        messages.success(request, "Sending has resumed.")
    else:
        messages.info(request, "This mailing was not paused, so there was nothing to resume.")
    return redirect(_detail_url(mailing))
