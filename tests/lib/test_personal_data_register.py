"""The personal-data register covers every model, and erasure through it leaves nothing behind.

`test_every_model_is_in_the_register` enumerates django.apps: a model added anywhere fails until
its app declares a rule, or declares it holds nothing about a person. A model with fields that
look personal (an address, a name, a username, free text about someone) cannot be declared
"not personal" unless it is in KNOWN_NOT_PERSONAL below, with the reason.

`test_erasure_leaves_the_person_nowhere` builds a person with one row in every register table
(tests/personal_data_world.py), messages in the mail folder, erases them through the
self-service path, then reads every text column of every table and every file of the mail
folder: their address and name must be in none.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.mail import EmailMessage, get_connection
from django.db import connection, models

from coproduce.community import services
from coproduce.lib import personaldata
from tests import personal_data_world as world_module
from tests.personal_data_world import EMAIL, NAME, NEEDLES, SURNAME

pytestmark = pytest.mark.django_db

PERSONAL_LOOKING = re.compile(
    r"(^|_)(email|e_mail|full_name|first_name|last_name|name|phone|mobile|address|username|ip|"
    r"sender|recipients|respondent|payee|access_needs|message|bio|note)($|_)"
)
# Models declared "not personal" although a field's name looks personal, and why.
KNOWN_NOT_PERSONAL = {
    "auth.Permission": "name: a permission's name",
    "auth.Group": "name: a role's name",
    "contenttypes.ContentType": "the framework's model names",
    "registry.Area": "name: an area",
    "registry.Organisation": "name: an organisation",
    "registry.Theme": "name: a theme",
    "community.CommunityOfPractice": "name: a community",
    "community.LeadershipPeriod": "note: about the community's leadership model",
    "events.Event": "address: the venue's",
    "coproduction.PaymentRate": "name: a rate",
    "coproduction.Attachment": "original_name: a document's file name",
    "governance.Panel": "name: a panel",
    "governance.ProtocolVersion": "original_name, stored_name: the protocol file's names",
    "governance.Condition": "met_note: about the condition",
    "governance.ReviewRound": "cover_note: about the protocol",
    "implementation.Instrument": "name: an instrument",
    "implementation.Construct": "name: a construct",
    "implementation.Measure": "name: a measure",
    "implementation.StatusEntry": "note: about the implementation record",
    "implementation.RecommendationStep": "note: about the recommendation",
    "implementation.DataPoint": "note: about the data point",
    "priorities.WorkshopGroup": "name: a group",
    "django_tasks_database.DBTaskResult": "task arguments are ids",
    "qualitative.Project": "name: a project's",
    "qualitative.Code": "name: a code's",
    "webhooks.Delivery": "message_id: the Standard Webhooks id of the event message",
    "comms.Mailing": "the mailing's own content",
    "implementation.AnnualReportPdf": "the annual report",
}


def _personal_looking(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and PERSONAL_LOOKING.search(f.name)
    ]


def test_every_model_is_in_the_register() -> None:
    declared_not_personal = personaldata.not_personal()
    unknown = [
        m._meta.label
        for m in apps.get_models()
        if personaldata.rule_for(m._meta.label) is None
        and m._meta.label not in declared_not_personal
    ]
    assert not unknown, f"declare a personal-data rule (or not_personal) for: {unknown}"


def test_a_model_that_looks_personal_has_a_rule() -> None:
    doubtful = {
        label: _personal_looking(apps.get_model(label))
        for label in personaldata.not_personal()
        if _personal_looking(apps.get_model(label)) and label not in KNOWN_NOT_PERSONAL
    }
    assert not doubtful, f"these look personal but are declared not personal: {doubtful}"


def test_every_rule_names_real_fields_and_says_why() -> None:
    for rule in personaldata.rules():
        model = rule.model_class
        for name in (*rule.fields, *rule.name_fields, *rule.blank):
            model._meta.get_field(name)  # raises FieldDoesNotExist
        assert all((rule.purpose, rule.who_sees, rule.retention, rule.erasure_note)), rule
        if rule.erasure is personaldata.Erasure.CUSTOM:
            assert rule.eraser is not None, rule.model
        if rule.erasure is personaldata.Erasure.BLANK:
            assert rule.blank, rule.model


def test_names_are_matched_as_whole_words() -> None:
    subject = personaldata.Subject("jo@example.org", names=("Jo", "Sam Patel", "Erased person"))
    assert subject.terms == ("jo@example.org", "Sam Patel")
    assert subject.mentioned_in("Dear Sam Patel,")
    assert subject.mentioned_in("<JO@example.org>")
    assert not subject.mentioned_in("Dear Sam Patelson, from xjo@example.org or jo@example.org.uk")
    assert personaldata.redact({"a": ["Sam Patel wrote"]}, subject.terms) == {
        "a": ["[erased] wrote"]
    }


def test_the_heuristic_can_fail() -> None:
    class Fake:
        class _meta:
            concrete_fields = [models.CharField(name="email"), models.CharField(name="title")]

    for f, name in zip(Fake._meta.concrete_fields, ("email", "title"), strict=True):
        f.name = name
    assert _personal_looking(Fake) == ["email"]  # type: ignore[arg-type]


def _every_text_value() -> list[tuple[str, str, str]]:
    """(table, column, value) of every text-like column of every table, read with raw SQL."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    if isinstance(value, str):
                        found.append((table, column, value))
    return found


def _hits(values: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [(t, c, v[:120]) for t, c, v in values if any(n.lower() in v.lower() for n in NEEDLES)]


def _session_hits() -> list[str]:
    from django.contrib.sessions.models import Session

    return [
        s.session_key
        for s in Session.objects.all()
        if any(n.lower() in str(s.get_decoded()).lower() for n in NEEDLES)
    ]


def _send_to_mail_folder(folder: Path, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = folder
    with get_connection() as mail:
        mail.send_messages(
            [
                EmailMessage(
                    f"Your place, {NAME}",
                    f"Dear {NAME},\nmanage your booking: https://example.org/b/signed-token\n",
                    to=[f"{NAME} <{EMAIL}>"],
                ),
                EmailMessage("Newsletter", "Dear Sam,\n", to=["sam@example.org"]),
            ]
        )
    with get_connection() as mail:  # an enquiry forwarded to staff: names them in the body
        mail.send_messages(
            [EmailMessage("New enquiry", f"From: {NAME} <{EMAIL}>\n", to=["staff@example.org"])]
        )


def test_the_world_puts_the_person_in_every_register_table() -> None:
    world_module.build()
    subject = personaldata.subject_for(EMAIL)
    empty = [r.model for r in personaldata.rules() if not personaldata.rows(r, subject).exists()]
    assert not empty, f"the register finds no row of the person in: {empty}"
    assert NAME in subject.names


def test_erasure_leaves_the_person_nowhere(
    tmp_path: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    folder = tmp_path / "mail"
    _send_to_mail_folder(folder, settings)
    world = world_module.build()
    before = _hits(_every_text_value())
    tables_before = {t for t, _c, _v in before}
    # The check can fail: before erasure the person is in many tables, sessions and files.
    assert {"community_associate", "comms_outboxmessage", "pages_enquiry"} <= tables_before
    assert _session_hits()
    assert any(EMAIL in p.read_text() for p in folder.iterdir())

    with django_capture_on_commit_callbacks(execute=True):
        services.erase(world["community.Associate"], via="self-service")

    assert _hits(_every_text_value()) == []
    assert _session_hits() == []
    texts = [p.read_text("utf-8", "replace") for p in folder.iterdir()]
    assert not [t for t in texts if any(n.lower() in t.lower() for n in NEEDLES)]
    assert any("Dear Sam" in t for t in texts), "other people's mail stays"
    assert SURNAME not in str(personaldata.record(personaldata.subject_for(EMAIL)))


def test_erasure_keeps_what_the_register_says_it_keeps(
    settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_FILE_PATH = tmp_path
    world = world_module.build()
    # Someone else whose name contains hers: their audit entry is not touched.
    from coproduce.audit.log import record

    other = world_module.make(
        apps.get_model("registry.Person"),
        full_name="Zoë Quarringtons-Smith",
        email="zqs@example.org",
    )
    untouched = record(None, "registry.person.changed", other, {"full_name": ["", other.full_name]})
    with django_capture_on_commit_callbacks(execute=True):
        services.erase(world["community.Associate"], via="staff")
    untouched.refresh_from_db()
    assert untouched.object_repr == "Zoë Quarringtons-Smith"
    assert untouched.redacted is None
    models_ = apps.get_model
    # Finance: the payment stays, and the payee reference with it.
    assert models_("coproduction.InvolvementActivity").objects.count() == 1
    assert models_("coproduction.Contributor").objects.get().payee_reference == "PAY-77"
    # Proof of consent stays; the enquiry, registration and sessions go.
    assert (
        models_("community.ConsentRecord")
        .objects.filter(associate=world["community.Associate"])
        .exists()
    )
    assert not models_("pages.Enquiry").objects.exists()
    assert not models_("community.Registration").objects.exists()
    user = models_("auth.User").objects.get(pk=world["auth.User"].pk)
    assert not user.is_active
    assert not user.has_usable_password()
    outbox = models_("comms.OutboxMessage").objects.get()
    assert (outbox.to_email, outbox.body_text, outbox.body_html) == ("", "", "")


def test_the_documented_register_of_processing_is_the_codes() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "processing-register.md"
    assert doc.read_text(encoding="utf-8") == personaldata.processing_markdown(), (
        "run `coproduce processingregister --write`"
    )


def test_erasing_a_join_never_confirmed_removes_its_consent_records() -> None:
    from coproduce.community.models import Associate, ConsentRecord, Registration

    pending = Associate.objects.create(full_name=NAME, email=EMAIL, role="public")
    services.record_consent(pending, "engage", True, ConsentRecord.Method.FORM)
    Registration.objects.create(token_sha256="b" * 64, email=EMAIL, payload={}, associate=pending)
    services.erase(pending, via="self-service")
    assert not Associate.objects.filter(pk=pending.pk).exists()
    assert not ConsentRecord.objects.filter(associate_id=pending.pk).exists()
    assert not Registration.objects.exists()
    assert _hits(_every_text_value()) == []
