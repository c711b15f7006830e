"""Funding and capacity's plain records in the staff area, declared once each
(`staff.records`): every staff member reads them; managers add, change and delete them.

The award's yearly amounts are added under the award, a training session's attendance under
the session. A vacancy's steps (nominate, agree, withdraw) are the app's own views
(`views.py`, through `lifecycle.py`).
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse

from coproduce.funding import forms as f
from coproduce.funding import fy
from coproduce.funding.models import (
    Attendance,
    Award,
    AwardAmount,
    Contribution,
    FellowEvent,
    FurtherFunding,
    PlacementAgreement,
    StaffTime,
    TrainingSession,
    Vacancy,
)
from coproduce.registry.access import require_manager, require_staff
from coproduce.registry.models import Organisation
from coproduce.staff.records import (
    PARENT_DECIDES,
    ChoiceFilter,
    Column,
    Kind,
    Parent,
    Related,
    RelatedFilter,
)


def _check(user: Any, obj: Any, write: bool) -> None:
    require_staff(user)
    if write:
        require_manager(user)


def _parent(model: type, field: str, segment: str, kind_key: str, caption: Any) -> Parent:
    def get(user: Any, key: Any, write: bool) -> Any:
        require_staff(user)
        obj: Any = get_object_or_404(model, public_id=key)
        _check(user, obj, write)
        return obj

    return Parent(
        field=field,
        segment=segment,
        get=get,
        check=_check,
        url=lambda obj: reverse(f"funding:{kind_key}_detail", kwargs={"key": obj.public_id}),
        caption=caption,
        kwarg="public_id",
        converter="uuid",
        key="public_id",
        form_kwarg=True,
    )


AWARD = _parent(Award, "award", "awards", "award", str)
SESSION = _parent(TrainingSession, "session", "training", "session", str)

_IN_FUNDING: dict[str, Any] = {
    "namespace": "funding",
    "section": "funding",
    "crumb": ("Funding and capacity", "funding:overview"),
}

YEAR_FILTER = ChoiceFilter(
    "year", "Financial year", [(str(y), fy.label(y)) for y, _ in fy.choices()]
)
PARTNER_FILTER = RelatedFilter(
    "organisation",
    "Partner",
    lambda: Organisation.objects.filter(partner_since__isnull=False).order_by("name"),
)

KINDS: tuple[Kind, ...] = (
    Kind(
        key="award",
        model=Award,
        form_class=f.AwardForm,
        segment="awards",
        columns=(
            Column("Reference", "reference"),
            Column("Funder", "funder"),
            Column("Start", "start"),
            Column("End", "end"),
        ),
        search_fields=("funder", "reference", "title"),
        related=(Related("awardamount", "award", "Amounts by financial year"),),
        intro="The collaboration's own award. Add its amount for each financial year on its page.",
        **_IN_FUNDING,
    ),
    Kind(
        key="awardamount",
        model=AwardAmount,
        form_class=f.AwardAmountForm,
        segment="amounts",
        parent=AWARD,
        policy=PARENT_DECIDES,
        columns=(Column("Financial year", "year_label"), Column("Amount", "amount")),
        actions=("create", "edit", "delete"),
        create_heading="Add the award's amount for a year",
        return_to="parent",
        **_IN_FUNDING,
    ),
    Kind(
        key="contribution",
        model=Contribution,
        form_class=f.ContributionForm,
        segment="contributions",
        columns=(
            Column("Description", "description"),
            Column("Partner", "organisation.name"),
            Column("Financial year", "year_label"),
            Column("Kind", "kind"),
            Column("Amount", "amount"),
            Column("Currency", "currency"),
        ),
        select_related=("organisation",),
        search_fields=("description", "organisation__name"),
        filters=(
            YEAR_FILTER,
            ChoiceFilter("kind", "Kind", Contribution.Kind.choices),
            PARTNER_FILTER,
        ),
        intro="Matched funding a partner gave, in cash or in kind. A diffusion fellow's "
        "secondment and recorded staff time are counted in kind without being entered here.",
        **_IN_FUNDING,
    ),
    Kind(
        key="stafftime",
        model=StaffTime,
        form_class=f.StaffTimeForm,
        segment="staff-time",
        columns=(
            Column("Description", "description"),
            Column("Partner", "organisation.name"),
            Column("FTE", "fte"),
            Column("Start", "start"),
            Column("End", "end"),
        ),
        select_related=("organisation", "person"),
        search_fields=("description", "organisation__name", "person__full_name"),
        filters=(PARTNER_FILTER,),
        create_heading="Add staff time given in kind",
        intro="Staff time a partner gives other than a diffusion fellow's secondment. It is "
        "valued like a secondment: FTE × working days × the day value.",
        **_IN_FUNDING,
    ),
    Kind(
        key="furtherfunding",
        model=FurtherFunding,
        form_class=f.FurtherFundingForm,
        segment="further-funding",
        columns=(
            Column("Title", "title"),
            Column("Funder", "funder"),
            Column("Scheme", "scheme"),
            Column("Amount", "amount"),
            Column("Currency", "currency"),
            Column("Start", "start"),
        ),
        search_fields=("title", "funder", "scheme"),
        create_heading="Add further funding won",
        **_IN_FUNDING,
    ),
    Kind(
        key="vacancy",
        model=Vacancy,
        form_class=f.VacancyForm,
        segment="vacancies",
        columns=(
            Column("Study", "study.title"),
            Column("Advertised", "advertised_on"),
            Column("Status", "status"),
            Column("Nominee", "nominee.full_name"),
        ),
        select_related=("study", "nominee"),
        search_fields=("study__title", "nominee__full_name"),
        filters=(ChoiceFilter("status", "Status", Vacancy.Status.choices),),
        actions=("list", "create", "edit", "delete"),
        detail_page="vacancy",
        create_heading="Advertise a diffusion fellow post",
        intro="A vacant post, or one that replaces a fellow. Record the nomination and the "
        "agreement on its page.",
        **_IN_FUNDING,
    ),
    Kind(
        key="fellowevent",
        model=FellowEvent,
        form_class=f.FellowEventForm,
        segment="fellowship-events",
        columns=(
            Column("Fellow", "secondment.person.full_name"),
            Column("Event", "kind"),
            Column("Date", "date"),
            Column("Note", "note"),
        ),
        select_related=("secondment__person", "secondment__study"),
        search_fields=("secondment__person__full_name", "note"),
        filters=(ChoiceFilter("kind", "Event", FellowEvent.Kind.choices),),
        create_heading="Record a fellowship event",
        **_IN_FUNDING,
    ),
    Kind(
        key="placementagreement",
        model=PlacementAgreement,
        form_class=f.PlacementAgreementForm,
        segment="placement-agreements",
        columns=(
            Column("Researcher", "placement.person.full_name"),
            Column("Host", "placement.host_organisation.name"),
            Column("FTE", "fte"),
            Column("Agreed", "agreed_on"),
        ),
        select_related=("placement__person", "placement__host_organisation"),
        search_fields=("placement__person__full_name", "placement__host_organisation__name"),
        create_heading="Record a placement agreement",
        intro="The time agreed for a researcher in residence's placement. Time used is the "
        "knowledge-broker activity logged on the placement.",
        **_IN_FUNDING,
    ),
    Kind(
        key="session",
        model=TrainingSession,
        form_class=f.TrainingSessionForm,
        segment="training",
        columns=(
            Column("Title", "title"),
            Column("Kind", "kind"),
            Column("Date", "date"),
            Column("Hours", "hours"),
        ),
        search_fields=("title", "facilitator"),
        filters=(ChoiceFilter("kind", "Kind", TrainingSession.Kind.choices),),
        related=(Related("attendance", "session", "Who attended"),),
        create_heading="Add a training session",
        **_IN_FUNDING,
    ),
    Kind(
        key="attendance",
        model=Attendance,
        form_class=f.AttendanceForm,
        segment="attendance",
        parent=SESSION,
        policy=PARENT_DECIDES,
        columns=(
            Column("Person", "person.full_name"),
            Column("Associate", "associate.full_name"),
            Column("Role", "role"),
            Column("Organisation", "organisation.name"),
        ),
        select_related=("session", "person", "associate", "organisation"),
        actions=("create", "edit", "delete"),
        create_heading="Record who attended",
        return_to="parent",
        **_IN_FUNDING,
    ),
)

KIND = {kind.key: kind for kind in KINDS}
