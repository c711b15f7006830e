"""Staff pages over the personal-data register (`coproduce/lib/personaldata.py`).

- "Personal data about a person" (right of access, UK GDPR Art 15): a staff member with the
  personal data export grant (managers, or staff given the "personal data export" group) types
  an address and sees, or downloads as JSON or PDF, everything every table and the data folder
  hold about that person. The address travels in a POST body, never in a URL (so not in logs);
  every look is an audited read.
- Erasure by address (Art 17), managers only: for someone known only by an enquiry, a booking
  or an invitation as well as associates. The same rules as self-service erasure.
- The register of processing (Art 30), for every staff role: each table's personal fields,
  purpose, who sees it, what erasure does and how long it is kept.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Model, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coproduce.audit.log import record, record_read
from coproduce.contacts.models import Contact
from coproduce.lib import personaldata
from coproduce.registry.access import (
    is_manager,
    require_manager,
    require_personal_data_export,
    require_staff,
)
from coproduce.staff.records import render_staff

SECTION = "personal_data"


class LookUpForm(forms.Form):
    email = forms.CharField(
        label="Email address",
        max_length=254,
        help_text="The address the person used with us. We look in every table and the mail folder.",
        error_messages={"required": "Enter the person's email address"},
    )

    def clean_email(self) -> str:
        value = self.cleaned_data["email"].strip().lower()
        try:
            validate_email(value)
        except ValidationError as error:
            raise ValidationError(
                "Enter an email address in the correct format, like name@example.com"
            ) from error
        return value


class EraseForm(LookUpForm):
    confirm = forms.BooleanField(
        label="I have checked this is the right person and that no reason to keep their data applies",
        error_messages={"required": "Confirm you have checked before erasing"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Shown on one page with the look-up form: its own ids, so that each label names its
        # own field (the same names are posted).
        kwargs.setdefault("auto_id", "id_erase_%s")
        super().__init__(*args, **kwargs)


def _tables(found: dict) -> list[dict]:
    return [
        {"model": label, **table, "columns": list(table["rows"][0]) if table["rows"] else []}
        for label, table in found["tables"].items()
        if table["rows"]
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def look_up(request: HttpRequest) -> HttpResponse:
    require_personal_data_export(request.user)
    form = LookUpForm(request.POST or None)
    context: dict = {"form": form, "erase_form": EraseForm(), "can_erase": is_manager(request.user)}
    if request.method == "POST" and form.is_valid():
        subject = personaldata.subject_for(form.cleaned_data["email"])
        found = personaldata.record(subject)
        wanted = request.POST.get("format", "")
        count = personaldata.rows_found(found)
        if wanted in ("json", "pdf"):
            record_read(
                request.user,
                "staff.personaldata.downloaded",
                cast(Model, request.user),
                {"subject": subject.email, "format": wanted, "rows": count},
            )
            if wanted == "json":
                body = json.dumps(found, indent=2, ensure_ascii=False)
                response = HttpResponse(body, content_type="application/json; charset=utf-8")
                response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
            else:
                response = HttpResponse(
                    personaldata.record_pdf(found), content_type="application/pdf"
                )
                response["Content-Disposition"] = 'attachment; filename="personal-data.pdf"'
            response["Cache-Control"] = "no-store"
            return response
        record_read(
            request.user,
            "staff.personaldata.viewed",
            cast(Model, request.user),
            {"subject": subject.email, "rows": count},
        )
        context.update(
            {
                "found": found,
                "tables": _tables(found),
                "files": {k: v for k, v in found["files"].items() if v},
                "count": count,
                "timeline": personaldata.timeline(found),
                "erase_form": EraseForm(initial={"email": subject.email}),
                "contacts": list(
                    Contact.objects.filter(
                        Q(email__in=subject.emails) | Q(addresses__email__in=subject.emails)
                    ).distinct()
                ),
            }
        )
    response = render_staff(request, "staff/personal_data.html", context, section=SECTION)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def erase(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = EraseForm(request.POST)
    if not form.is_valid():
        return render_staff(
            request,
            "staff/personal_data.html",
            {"form": LookUpForm(), "erase_form": form},
            section=SECTION,
        )
    subject = personaldata.subject_for(form.cleaned_data["email"])
    done = personaldata.erase(subject, by=request.user)
    changed = sum(v for v in done.values() if isinstance(v, int))
    # The entry names no one: it would otherwise keep what was just erased.
    record(
        request.user,
        "staff.personaldata.erased",
        cast(Model, request.user),
        {"rows": [None, changed]},
    )
    messages.success(request, f"Erased: {changed} rows changed or removed in every table.")
    return redirect("staff:personal_data")


@login_required
@require_safe
def processing(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    return render_staff(
        request,
        "staff/processing.html",
        {
            "rules": personaldata.rules(),
            "not_personal": sorted(personaldata.not_personal().items()),
            "files": personaldata.file_places(),
        },
        section=SECTION,
    )


GROUPS = (
    (
        "same_mailbox",
        "Different spellings of one mailbox",
        "Case, a plus tag (jo+news@) or Gmail dots differ: very likely one person twice.",
    ),
    (
        "same_name_and_organisation",
        "Same name and organisation, different addresses",
        "Possibly one person with a work and a home address; check before treating as one.",
    ),
    (
        "across_roles",
        "One address in several roles",
        "One person who is, say, an associate and a booker: access and erasure already treat "
        "them as one.",
    ),
)


@login_required
@require_safe
def duplicates(request: HttpRequest) -> HttpResponse:
    """Likely duplicates across every role the register knows (a review queue: each group
    links to the person's full record, where they can be checked and, if asked, erased)."""
    require_personal_data_export(request.user)
    found = personaldata.duplicates()
    groups = [
        {"key": key, "title": title, "hint": hint, "groups": found[key]}
        for key, title, hint in GROUPS
    ]
    response = render_staff(
        request, "staff/personal_data_duplicates.html", {"sections": groups}, section=SECTION
    )
    response["Cache-Control"] = "no-store"
    return response
