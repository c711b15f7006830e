"""Staff associate directory: search, filter, bulk add to a community, export, import, and one
associate's page (details, communities, consent with its history, edit, erasure).

Anyone with a staff role may look; exporting the list needs the "personal data export" grant
(managers have it; `registry/access.py`) and is audited as a bulk read; only managers change
anything. GET never changes state.

Audit entries about one associate name them by `audit_label` ("Associate <public id>") and list
changed field names with the values replaced: audit rows are append-only, so they must not keep
personal data that an erasure later removes.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coproduce.audit.log import record
from coproduce.community import exports, services
from coproduce.community.forms_directory import (
    CONSENT_LABELS,
    AssociateEditForm,
    BulkAddForm,
    DirectoryFilterForm,
    ImportForm,
    StaffConsentForm,
)
from coproduce.community.importer import directory_subject, import_file, join_many
from coproduce.community.models import (
    Associate,
    Channel,
    CommunityOfPractice,
    ConsentRecord,
    ConsentWording,
    Membership,
)
from coproduce.lib.identifiers import normalise_email
from coproduce.registry.access import (
    can_export_personal_data,
    is_manager,
    require_manager,
    require_personal_data_export,
    require_staff,
)
from coproduce.staff.history import history_page
from coproduce.staff.records import renderer

PAGE_SIZE = 25
PERSONAL = "[personal data]"
EDITED_FIELDS = ("full_name", "organisation", "role", "interests")


class CappedPaginator(Paginator):
    """Counts at most CAP rows, so no page pays for counting 200,000.

    Past the cap the list says "more than 10,000" and pages stop there: nobody reads page
    4,000, and a deep OFFSET costs as much as the rows it skips. Narrowing the search finds
    anyone; an export has everyone.
    """

    CAP = 10_000

    @cached_property
    def _capped_count(self) -> int:
        # Without ORDER BY, the capped subquery stops after CAP + 1 rows instead of sorting all.
        queryset = cast(QuerySet[Any], self.object_list)
        return queryset.order_by()[: self.CAP + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.CAP)

    @property
    def over_cap(self) -> bool:
        return self._capped_count > self.CAP


_render = renderer(
    "associates",
    "community/directory/",
    lambda request: {
        "can_change": is_manager(request.user),
        "directory_url": reverse("associates_staff:directory"),
    },
)


def _directory_url(filters: DirectoryFilterForm) -> str:
    query = filters.querystring()
    return reverse("associates_staff:directory") + (f"?{query}" if query else "")


# --- directory -----------------------------------------------------------------------------------


def _directory(
    request: HttpRequest, filters: DirectoryFilterForm, bulk: BulkAddForm | None, status: int = 200
) -> HttpResponse:
    current = (
        Membership.objects.filter(left__isnull=True)
        .select_related("cop")
        .only("associate_id", "cop__name", "cop__slug")
    )
    queryset = (
        filters.apply(Associate.objects.all())
        .only(
            "public_id",
            "full_name",
            "email",
            "organisation",
            "role",
            "status",
            *(f"consent_{channel}" for channel in Channel.values),
        )
        .prefetch_related(Prefetch("memberships", queryset=current, to_attr="current"))
    )
    paginator = CappedPaginator(queryset, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    can_change = is_manager(request.user)
    if can_change and bulk is None:
        bulk = BulkAddForm()
    if bulk is not None:
        bulk.say_how_many(
            f"more than {paginator.CAP:,}" if paginator.over_cap else str(paginator.count)
        )
    # After a refused bulk add, the boxes that were ticked stay ticked.
    selected = set(request.POST.getlist("selected"))
    rows = [
        {
            "associate": associate,
            "url": reverse("associates_staff:detail", args=[associate.public_id]),
            "cops": [membership.cop for membership in associate.current],
            "consents": [
                label for channel, label in CONSENT_LABELS.items() if associate.consents()[channel]
            ],
            "selected": str(associate.public_id) in selected,
        }
        for associate in page.object_list
    ]
    query = filters.querystring()
    return _render(
        request,
        "directory.html",
        {
            "form": filters,
            "bulk": bulk,
            "page": page,
            "rows": rows,
            "query": query,
            "cap": f"{CappedPaginator.CAP:,}",
            "can_export": can_export_personal_data(request.user),
            "export_csv_url": reverse("associates_staff:export_csv")
            + (f"?{query}" if query else ""),
            "export_xlsx_url": reverse("associates_staff:export_xlsx")
            + (f"?{query}" if query else ""),
            "bulk_url": reverse("associates_staff:bulk_add") + (f"?{query}" if query else ""),
        },
        status=status,
    )


@login_required
@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    return _directory(request, DirectoryFilterForm(request.GET), None)


@login_required
@require_POST
def bulk_add(request: HttpRequest) -> HttpResponse:
    """Add the selected associates, or everyone matching the filters, to one community."""
    require_manager(request.user)
    # The form posts to a URL carrying the directory's filters, so they arrive in request.GET.
    filters = DirectoryFilterForm(request.GET)
    bulk = BulkAddForm(request.POST)
    if bulk.is_valid() and bulk.cleaned_data["scope"] == BulkAddForm.ALL and not filters.is_valid():
        bulk.add_error(None, "Correct the filters first: everyone matching them would be added.")
    if not bulk.is_valid():
        return _directory(request, filters, bulk, status=400)
    cop = bulk.cleaned_data["target"]
    if bulk.cleaned_data["scope"] == BulkAddForm.ALL:
        chosen = filters.apply(Associate.objects.all())
        scope: Any = filters.describe() or "everyone"
    else:
        chosen = Associate.objects.filter(public_id__in=bulk.cleaned_data["selected"])
        scope = "selected"
    chosen = chosen.exclude(status=Associate.Status.ERASED)
    with transaction.atomic():
        ids = list(chosen.values_list("pk", flat=True))
        added, already = join_many(ids, cop)
        record(
            request.user,
            "community.communityofpractice.associates_added",
            cop,
            {"added": [None, added], "already_members": [None, already], "chosen": [None, scope]},
        )
    people = "associate" if added == 1 else "associates"
    messages.success(
        request, f"{added} {people} added to {cop.name}. {already} already belonged to it."
    )
    return redirect(_directory_url(filters))


# --- export --------------------------------------------------------------------------------------


def _export(request: HttpRequest, kind: str) -> HttpResponseBase:
    require_personal_data_export(request.user)
    filters = DirectoryFilterForm(request.GET)
    if not filters.is_valid():
        # Ignoring a mistyped filter would export more people than asked for.
        return _directory(request, filters, None, status=400)
    queryset = filters.apply(Associate.objects.all())
    record(
        request.user,
        "community.associate.exported",
        directory_subject(),
        {
            "format": [None, kind],
            "filter": [None, filters.describe() or "none"],
            "rows": [None, queryset.count()],
        },
    )
    if kind == "xlsx":
        return exports.xlsx_response(queryset)
    return exports.csv_response(queryset)


@login_required
@require_safe
def export_csv(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "csv")


@login_required
@require_safe
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "xlsx")


# --- import --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_associates(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_file(upload, upload.name or "", by=request.user)
        if result.ok:
            return _render(request, "import_result.html", {"result": result})
        problems = len(result.errors)
        form.add_error(
            "file",
            f"The file has {problems} problem{'s' if problems != 1 else ''}, so nothing was "
            "imported. Correct the file and upload it again.",
        )
    return _render(
        request,
        "import.html",
        {
            "form": form,
            "result": result,
            "cops": CommunityOfPractice.objects.only("slug", "name"),
            "roles": Associate.Role.choices,
        },
    )


# --- one associate -------------------------------------------------------------------------------


def _associate(public_id: Any) -> Associate:
    return get_object_or_404(Associate, public_id=public_id)


def _refuse_erased(request: HttpRequest, associate: Associate) -> HttpResponse | None:
    if associate.status != Associate.Status.ERASED:
        return None
    messages.info(request, "This associate’s personal data has been erased: nothing can change.")
    return redirect("associates_staff:detail", public_id=associate.public_id)


@login_required
@require_safe
def detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_staff(request.user)
    associate = _associate(public_id)
    records = list(associate.consent_records.select_related("recorded_by").order_by("-at", "-pk"))
    latest: dict[str, ConsentRecord] = {}
    for entry in records:
        latest.setdefault(entry.channel, entry)
    consents = [
        {
            "label": label,
            "granted": getattr(associate, f"consent_{channel}"),
            "latest": latest.get(channel),
        }
        for channel, label in Channel.choices
    ]
    history, history_rows = history_page(associate, request.GET.get("page"))
    return _render(
        request,
        "detail.html",
        {
            "associate": associate,
            "interests": list(associate.interests.all()),
            "memberships": list(
                associate.memberships.select_related("cop").order_by("left", "-joined")
            ),
            "consents": consents,
            "records": records,
            "history": history,
            "history_rows": history_rows,
        },
    )


def _edited_values(associate: Associate) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(associate, name) for name in EDITED_FIELDS[:-1]}
    values["interests"] = sorted(associate.interests.values_list("pk", flat=True))
    return values


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_manager(request.user)
    associate = _associate(public_id)
    if refused := _refuse_erased(request, associate):
        return refused
    before = _edited_values(associate)
    form = AssociateEditForm(request.POST or None, instance=associate)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save(commit=False)
            # Only the edited columns: the consent cache may have changed since the page loaded.
            associate.save(update_fields=["full_name", "organisation", "role"])
            form.save_m2m()
            after = _edited_values(associate)
            changed = [name for name in EDITED_FIELDS if before[name] != after[name]]
            if changed:
                record(
                    request.user,
                    "community.associate.updated",
                    associate,
                    {name: [PERSONAL, PERSONAL] for name in changed},
                )
        if changed:
            messages.success(request, "Changes saved.")
        else:
            messages.info(request, "Nothing was changed.")
        return redirect("associates_staff:detail", public_id=associate.public_id)
    return _render(request, "edit.html", {"associate": associate, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Record consent given or withdrawn by phone, on paper or in person (method "staff")."""
    require_manager(request.user)
    associate = _associate(public_id)
    if refused := _refuse_erased(request, associate):
        return refused
    wordings = {channel: ConsentWording.current(channel) for channel in Channel.values}
    form = StaffConsentForm(request.POST or None, associate=associate, wordings=wordings)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            before = associate.consents()
            entries = services.set_consents(
                associate,
                form.wanted(),
                ConsentRecord.Method.STAFF,
                by=request.user,
                wordings=form.shown(),
            )
            if entries:
                record(
                    request.user,
                    "community.associate.consent_recorded",
                    associate,
                    {
                        f"consent_{entry.channel}": [before[entry.channel], entry.granted]
                        for entry in entries
                    },
                )
        if entries:
            messages.success(request, "Consent recorded.")
        else:
            messages.info(request, "Nothing was changed: consent was already as recorded.")
        return redirect("associates_staff:detail", public_id=associate.public_id)
    return _render(
        request, "consent.html", {"associate": associate, "form": form, "wordings": wordings}
    )


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Erase on request: GET asks for confirmation; POST erases."""
    require_manager(request.user)
    associate = _associate(public_id)
    if refused := _refuse_erased(request, associate):
        return refused
    if request.method == "POST":
        services.erase(associate, by=request.user, via="staff")
        messages.success(request, "The associate’s personal data has been erased.")
        return redirect("associates_staff:detail", public_id=associate.public_id)
    return _render(request, "erase.html", {"associate": associate})


@login_required
@require_POST
def merge(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Merge a duplicate into this associate: the duplicate is named by its email address."""
    require_manager(request.user)
    keep = _associate(public_id)
    if refused := _refuse_erased(request, keep):
        return refused
    address = normalise_email(request.POST.get("other", ""))
    other = Associate.objects.filter(email=address).first() if address else None
    if other is None:
        messages.error(request, "Enter the email address of the associate to merge into this one")
        return redirect("associates_staff:detail", public_id=keep.public_id)
    try:
        services.merge(keep, other, by=request.user)
    except services.CannotMerge as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, "The duplicate has been merged into this associate.")
    return redirect("associates_staff:detail", public_id=keep.public_id)
