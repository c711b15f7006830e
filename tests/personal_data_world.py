"""One person with a row in every table of the personal-data register, for the erasure and
subject access tests.

Each register model gets one row made by `make`: required fields are filled with plain values
(foreign keys get a row of their own, made the same way), then LINKS puts the person's details
and links into it. A register model without an entry in LINKS fails `build` — so a new rule
needs a line here, and the tests then prove erasure and access reach it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from coproduce.audit.log import record
from coproduce.community.models import address_hash
from coproduce.lib import personaldata

EMAIL = "zoe.quarrington@example.org"
NAME = "Zoë Quarrington"
SURNAME = "Quarrington"
ORGANISATION = "Quarrington Peer Support"
# What must appear nowhere once the person is erased.
NEEDLES = (EMAIL, NAME, SURNAME, "Quarrington".upper(), "zo\\u00eb quarrington")

_counter = itertools.count(1)


def _value(f: models.Field) -> Any:
    n = next(_counter)
    if f.choices:
        return f.choices[0][0]
    if isinstance(f, models.EmailField):
        return f"filler{n}@example.net"
    if isinstance(f, models.SlugField):
        return f"filler-{n}"
    if isinstance(f, models.URLField):
        return f"https://example.net/{n}"
    if isinstance(f, models.CharField | models.TextField):
        return f"filler {n}"[: f.max_length or 100]
    if isinstance(f, models.DateTimeField):
        return timezone.now()
    if isinstance(f, models.DateField):
        return dt.date(2026, 1, 1)
    if isinstance(f, models.DecimalField):
        return decimal.Decimal(1)
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.IntegerField | models.FloatField):
        return 1
    if isinstance(f, models.JSONField):
        return {}
    if isinstance(f, models.UUIDField):
        import uuid

        return uuid.uuid4()
    if isinstance(f, models.BinaryField):
        return b"x"
    raise NotImplementedError(f"{f.model._meta.label}.{f.name}: {type(f).__name__}")


# Rows whose constraints need more than required fields: what to add.
EXTRA: dict[str, Callable[[], dict[str, Any]]] = {
    "community.CommunityOfPractice": lambda: {"theme": make(M("registry.Theme"))},
    "governance.ReviewRound": lambda: {"panel": _panel()},
    "governance.PanelMembership": lambda: {"panel": _panel()},
}


def make(model: type[models.Model], **given: Any) -> models.Model:
    """A saved row of `model` with `given` values and every other required field filled."""
    values: dict[str, Any] = {}
    extra = EXTRA.get(model._meta.label)
    if extra:
        given = {**extra(), **given}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in given or f.attname in given:
            continue
        if f.has_default() or f.null or getattr(f, "auto_now", False):
            continue
        if getattr(f, "auto_now_add", False):
            continue
        if f.is_relation:
            target = f.related_model
            if target is get_user_model():
                values[f.name] = get_user_model().objects.create(username=f"filler{next(_counter)}")
            else:
                values[f.name] = make(target)
            continue
        if f.blank and not f.choices:
            continue
        values[f.name] = _value(f)
    values.update(given)
    return model._default_manager.create(**values)


@dataclass
class World:
    rows: dict[str, models.Model] = field(default_factory=dict)

    def __getitem__(self, label: str) -> Any:
        return self.rows[label]


M = apps.get_model
Link = Callable[[World], Any]

# model -> how its row is made for the person (in this order: later rows use earlier ones).
LINKS: dict[str, Link] = {
    "auth.User": lambda w: get_user_model().objects.create(
        username=EMAIL, email=EMAIL, first_name="Zoë", last_name=SURNAME
    ),
    "registry.Person": lambda w: make(
        M("registry.Person"),
        full_name=NAME,
        email=EMAIL,
        job_title="Peer lead",
        bio=f"{NAME} leads peer support.",
        user=w["auth.User"],
    ),
    "registry.RoleAssignment": lambda w: make(
        M("registry.RoleAssignment"), person=w["registry.Person"]
    ),
    "registry.Secondment": lambda w: make(M("registry.Secondment"), person=w["registry.Person"]),
    "registry.Placement": lambda w: make(M("registry.Placement"), person=w["registry.Person"]),
    "community.Associate": lambda w: make(
        M("community.Associate"),
        full_name=NAME,
        email=EMAIL,
        organisation=ORGANISATION,
        status="active",
        confirmed=timezone.now(),
    ),
    "community.Membership": lambda w: make(
        M("community.Membership"), associate=w["community.Associate"]
    ),
    "community.ConsentRecord": lambda w: make(
        M("community.ConsentRecord"), associate=w["community.Associate"], granted=True
    ),
    "community.SuppressedAddress": lambda w: make(
        M("community.SuppressedAddress"), address_sha256=address_hash(EMAIL)
    ),
    "community.Registration": lambda w: make(
        M("community.Registration"),
        email=EMAIL,
        token_sha256="a" * 64,
        payload={"full_name": NAME, "email": EMAIL},
        associate=w["community.Associate"],
    ),
    "community.Activity": lambda w: _activity(w),
    "events.Booking": lambda w: make(
        M("events.Booking"),
        full_name=NAME,
        email=EMAIL,
        associate=w["community.Associate"],
        access_needs=f"{NAME} uses a wheelchair",
        event=make(
            M("events.Event"),
            starts=timezone.now() + dt.timedelta(days=3),
            ends=timezone.now() + dt.timedelta(days=3, hours=2),
        ),
    ),
    "comms.OutboxMessage": lambda w: make(
        M("comms.OutboxMessage"),
        key="booking:zoe",
        to_email=EMAIL,
        associate=w["community.Associate"],
        subject=f"Your place, {NAME}",
        body_text=f"Dear {NAME}, see https://x/manage/tok",
        body_html=f"<p>Dear {NAME}</p>",
        status="sent",
    ),
    "comms.DeliveryProblem": lambda w: make(
        M("comms.DeliveryProblem"),
        outbox=w["comms.OutboxMessage"],
        diagnostic=f"550 <{EMAIL}> unknown",
        message_id=f"<x.{EMAIL}>",
    ),
    "pages.Enquiry": lambda w: make(
        M("pages.Enquiry"),
        name=NAME,
        email=EMAIL,
        organisation=ORGANISATION,
        message=f"Hello, this is {NAME}.",
    ),
    "coproduction.Participant": lambda w: make(
        M("coproduction.Participant"),
        full_name=NAME,
        email=EMAIL,
        person=w["registry.Person"],
        consent_note=f"{NAME} agreed by phone",
    ),
    "coproduction.Source": lambda w: make(
        M("coproduction.Source"),
        title=f"Email from {NAME}",
        sender=f"{NAME} <{EMAIL}>",
        recipients=EMAIL,
        notes=f"{NAME} raised access",
        observations="",
    ),
    "coproduction.SourceParticipant": lambda w: make(
        M("coproduction.SourceParticipant"),
        source=w["coproduction.Source"],
        participant=w["coproduction.Participant"],
    ),
    "qualitative.ProjectSource": lambda w: _project_source(w),
    "qualitative.Turn": lambda w: make(
        M("qualitative.Turn"),
        source=w["qualitative.ProjectSource"],
        number=1,
        speaker=NAME,
        start=0,
        end=10,
    ),
    "qualitative.Coding": lambda w: make(
        M("qualitative.Coding"),
        source=w["qualitative.ProjectSource"],
        coder=w["auth.User"],
        coder_name=NAME,
        start=0,
        end=10,
        memo=f"{NAME} said this twice",
    ),
    "funding.StaffTime": lambda w: make(
        M("funding.StaffTime"),
        person=w["registry.Person"],
        description=f"{NAME}'s analysis time",
        fte=decimal.Decimal("0.1"),
        start=dt.date(2011, 4, 1),
        end=dt.date(2011, 6, 30),
    ),
    "funding.FurtherFunding": lambda w: _further_funding(w),
    "funding.Vacancy": lambda w: make(
        M("funding.Vacancy"), nominee=w["registry.Person"], notes=f"{NAME} was nominated"
    ),
    "funding.FellowEvent": lambda w: make(
        M("funding.FellowEvent"), secondment=w["registry.Secondment"], note=f"{NAME} renewed"
    ),
    "funding.PlacementAgreement": lambda w: make(
        M("funding.PlacementAgreement"),
        placement=w["registry.Placement"],
        fte=decimal.Decimal("0.2"),
        notes=f"Agreed with {NAME}",
    ),
    "funding.TrainingSession": lambda w: make(
        M("funding.TrainingSession"), title="Knowledge brokering", facilitator=NAME
    ),
    "funding.Attendance": lambda w: make(
        M("funding.Attendance"),
        session=w["funding.TrainingSession"],
        associate=w["community.Associate"],
        note=f"{NAME} came late",
    ),
    "api.IdempotencyKey": lambda w: make(
        M("api.IdempotencyKey"),
        owner=w["auth.User"],
        key="retry-1",
        operation="book",
        body_hash="0" * 64,
        status=201,
        response={"full_name": NAME, "email": EMAIL},
    ),
    "coproduction.Contributor": lambda w: make(
        M("coproduction.Contributor"), full_name=NAME, email=EMAIL, payee_reference="PAY-77"
    ),
    "coproduction.InvolvementActivity": lambda w: make(
        M("coproduction.InvolvementActivity"), contributor=w["coproduction.Contributor"]
    ),
    "coproduction.BrokerActivity": lambda w: make(
        M("coproduction.BrokerActivity"),
        person=w["registry.Person"],
        placement=w["registry.Placement"],
    ),
    "coproduction.JournalSupervisor": lambda w: make(
        M("coproduction.JournalSupervisor"),
        supervisor=w["registry.Person"],
        placement=w["registry.Placement"],
    ),
    "coproduction.JournalEntry": lambda w: make(
        M("coproduction.JournalEntry"), placement=w["registry.Placement"]
    ),
    "priorities.Invitation": lambda w: make(
        M("priorities.Invitation"), full_name=NAME, email=EMAIL
    ),
    "priorities.Response": lambda w: make(
        M("priorities.Response"),
        invitation=w["priorities.Invitation"],
        consultation=w["priorities.Invitation"].consultation,
    ),
    "priorities.Answer": lambda w: make(M("priorities.Answer"), response=w["priorities.Response"]),
    "priorities.Submission": lambda w: make(
        M("priorities.Submission"),
        response=w["priorities.Response"],
        consultation=w["priorities.Invitation"].consultation,
    ),
    "priorities.IndicativeQuestion": lambda w: make(
        M("priorities.IndicativeQuestion"), evidence_checked_by=NAME
    ),
    "governance.PanelMembership": lambda w: make(
        M("governance.PanelMembership"), person=w["registry.Person"]
    ),
    "governance.ReviewerAssignment": lambda w: make(
        M("governance.ReviewerAssignment"), person=w["registry.Person"]
    ),
    "governance.Assessment": lambda w: make(
        M("governance.Assessment"), assignment=w["governance.ReviewerAssignment"]
    ),
    "implementation.Response": lambda w: make(M("implementation.Response"), respondent=NAME),
    "implementation.Recommendation": lambda w: make(
        M("implementation.Recommendation"),
        made_by=w["registry.Person"],
        addressee="study",
    ),
    "audit.AuditEntry": lambda w: record(
        None, "registry.person.changed", w["registry.Person"], {"full_name": ["", NAME]}
    ),
    "admin.LogEntry": lambda w: LogEntry.objects.create(
        user=make_staff(),
        content_type=ContentType.objects.get_for_model(M("registry.Person")),
        object_id=str(w["registry.Person"].pk),
        object_repr=NAME,
        action_flag=2,
        change_message="[]",
    ),
    "sessions.Session": lambda w: _session(w),
    "security.UserSession": lambda w: M("security.UserSession").objects.get(user=w["auth.User"]),
    "otp_totp.TOTPDevice": lambda w: make(M("otp_totp.TOTPDevice"), user=w["auth.User"], name=NAME),
    "otp_static.StaticDevice": lambda w: make(
        M("otp_static.StaticDevice"), user=w["auth.User"], name=NAME
    ),
    "otp_static.StaticToken": lambda w: make(
        M("otp_static.StaticToken"), device=w["otp_static.StaticDevice"], token="12345678"
    ),
    "security.SignInFailure": lambda w: make(
        M("security.SignInFailure"), username=EMAIL, ip="192.0.2.7"
    ),
    "security.SignInUnlock": lambda w: make(M("security.SignInUnlock"), username=EMAIL),
    "apitokens.ApiToken": lambda w: make(
        M("apitokens.ApiToken"), owner=w["auth.User"], name=f"{NAME}'s laptop"
    ),
    # Their one contact, made when their first role was saved (coproduce/contacts/roles.py).
    "contacts.Contact": lambda w: M("contacts.Contact").objects.get(
        pk=w["community.Associate"].contact_id
    ),
    # Its primary address among its addresses, held since the contact was made.
    "contacts.ContactAddress": lambda w: M("contacts.ContactAddress").objects.get(
        contact=w["contacts.Contact"], email=EMAIL
    ),
    # A stored figure naming the person (the governance rules name a fellow near the cap).
    "figures.StoredFigure": lambda w: _figure_naming_them(),
    "contacts.NotDuplicate": lambda w: make(
        M("contacts.NotDuplicate"),
        first=w["contacts.Contact"],
        second=make(M("contacts.Contact"), email="someone.else@example.org"),
    ),
}


def _figure_naming_them() -> Any:
    from coproduce import figures

    figures.define("test.named", lambda: [{"subject": f"{NAME} ({EMAIL})", "count": 1}])
    figures.read("test.named")
    return M("figures.StoredFigure").objects.get(key=figures.key("test.named", ()))


def _panel() -> Any:
    """A committee made by the migrations (one per kind), or a new one."""
    return M("governance.Panel").objects.filter(study__isnull=True).first() or make(
        M("governance.Panel")
    )


def _project_source(w: World) -> Any:
    source = make(
        M("qualitative.ProjectSource"),
        title=f"Interview with {NAME}",
        text=f"Interviewer: thank you. {NAME}: I went back to work in May. Contact {EMAIL}.",
    )
    source.participants.add(w["coproduction.Participant"])
    return source


def _further_funding(w: World) -> Any:
    won = make(M("funding.FurtherFunding"), title=f"Fellowship for {NAME}")
    won.people.add(w["registry.Person"])
    return won


def make_staff() -> Any:
    return get_user_model().objects.create(username=f"staff{next(_counter)}")


def _activity(w: World) -> Any:
    activity = make(M("community.Activity"), lead_person=w["registry.Person"])
    activity.attendees.add(w["community.Associate"])
    return activity


def _session(w: World) -> Any:
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store["_auth_user_id"] = str(w["auth.User"].pk)
    store["note"] = NAME
    store.create()
    M("security.UserSession").objects.get_or_create(
        user=w["auth.User"], session_key=store.session_key
    )
    return M("sessions.Session").objects.get(session_key=store.session_key)


def build() -> World:
    """The person, with one row in every register table (a missing LINKS entry fails here)."""
    missing = sorted({r.model for r in personaldata.rules()} - set(LINKS))
    assert not missing, f"add a row for these register models to LINKS: {missing}"
    world = World()
    for label, link in LINKS.items():
        world.rows[label] = link(world)
    return world
