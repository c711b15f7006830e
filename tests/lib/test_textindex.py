"""The trigram index (coproduce/lib/textindex.py) finds exactly what the plain scan finds, and the
database uses it. Run on SQLite and on PostgreSQL (DATABASE_URL=postgres://...)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, models, transaction

from coproduce.audit import personal_data as audit_rules
from coproduce.audit.log import record
from coproduce.audit.models import AuditEntry
from coproduce.community.forms_directory import search_associates
from coproduce.community.models import Associate
from coproduce.lib import personaldata, textindex
from tests import factories

pytestmark = pytest.mark.django_db

NAMES = ["Élodie Dupont", "ZOË O'BRIEN", "Łukasz Wiśniewski", "Ada Lovelace", "Søren Kierkegaard"]
SEARCHES = [
    "élodie",
    "ÉLODIE",
    "Élodie Dupont",
    "zoë o'b",
    "Zoë",
    "łukasz",
    "ŁUKASZ WIŚ",
    "ada love",
    "LOVELACE",
    "søren",
    "\\u00c9lodie",  # as JSON escapes it
    "\\u00e9lodie",
    '"Ada',
    "[erased]",
    "example.org",
    "nobody at all",
    "da",  # under three characters: the plain scan
    "Zo",
]


def _plain(where: list[tuple[str, str]]) -> models.Q:
    q = models.Q(pk__in=[])
    for field, text in where:
        q |= models.Q(**{f"{field}__icontains": text})
    return q


def _same(model: type[models.Model], where: list[tuple[str, str]]) -> set[int]:
    indexed = set(
        model.objects.filter(textindex.contains(model, where)).values_list("pk", flat=True)
    )
    scanned = set(model.objects.filter(_plain(where)).values_list("pk", flat=True))
    assert indexed == scanned, where
    return indexed


def _integrity(table: str) -> None:
    """SQLite: the FTS5 index agrees with its table, row by row (external content)."""
    if connection.vendor == "sqlite":
        fts = table + textindex.SUFFIX
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")


def _audit_where(text: str) -> list[tuple[str, str]]:
    return [("actor_label", text), ("object_repr", text), ("changes", text)]


def _assert_audit_searches_agree() -> dict[str, set[int]]:
    found = {text: _same(AuditEntry, _audit_where(text)) for text in SEARCHES}
    _integrity("audit_auditentry")
    return found


def _associate(name: str, email: str, organisation: str = "") -> Associate:
    return Associate.objects.create(full_name=name, email=email, organisation=organisation)


def _entries(manager: Any) -> None:
    for i, name in enumerate(NAMES):
        person = _associate(name, f"person{i}@example.org", organisation=f"{name} Trust")
        record(manager, "community.associate.created", person, {"full_name": [None, name]})
        AuditEntry.objects.create(
            actor_label=name, action="x.y.updated", object_type="x.y", object_id="1",
            object_repr=f"Note about {name.upper()}", changes={"note": [None, f'"{name}" said']},
        )  # fmt: skip


def test_audit_text_search_finds_what_the_scan_finds(manager: Any) -> None:
    _entries(manager)
    found = _assert_audit_searches_agree()
    assert found["Élodie Dupont"]
    assert found["ŁUKASZ WIŚ"]
    assert found['"Ada']
    assert not found["nobody at all"]
    if connection.vendor == "sqlite":
        # Stored JSON escapes non-ASCII letters, and SQLite's LIKE folds only ASCII: the
        # escaped spelling is how entries' changes are found there.
        assert found["\\u00c9lodie"] - found["Élodie Dupont"]


def test_the_index_follows_erasure_redaction_and_updates(manager: Any) -> None:
    _entries(manager)
    before = _assert_audit_searches_agree()
    assert before["Élodie Dupont"]
    personaldata.erase(personaldata.subject_for("person0@example.org"))
    after = _assert_audit_searches_agree()
    assert not after["Élodie Dupont"]
    assert not after["\\u00c9lodie"]
    assert after["[erased]"]
    # An account deleted: its entries' actor goes (an UPDATE the index does not follow).
    user = factories.UserFactory(username="leaver")
    record(user, "registry.study.updated", factories.StudyFactory(title="Søren's study"))
    user.delete()
    assert _assert_audit_searches_agree()["søren"]
    # Associates: renamed, then deleted.
    ada = Associate.objects.get(full_name="Ada Lovelace")
    ada.full_name = "Augusta King"
    ada.save()
    for text in ["lovelace", "augusta k", "ada l", "Trust", "tr"]:
        _same(Associate, [("full_name", text), ("organisation", text)])
    assert _same(Associate, [("full_name", "augusta k")]) == {ada.pk}
    assert not _same(Associate, [("full_name", "lovelace")])
    Associate.objects.filter(pk=ada.pk).delete()
    assert not _same(Associate, [("full_name", "augusta")])
    _integrity("community_associate")


def test_a_person_is_found_in_the_audit_log_through_the_index(manager: Any) -> None:
    _entries(manager)
    subject = personaldata.subject_for("person2@example.org")
    assert "Łukasz Wiśniewski" in subject.terms
    found = audit_rules._mentioning(subject)
    assert found.count() == 2  # created (JSON-escaped); acted, with a note about them
    for entry in found:
        text = f"{entry.actor_label} {entry.object_repr} {json.dumps(entry.changes)}"
        assert "wiśniewski" in text.lower() or "\\u015bniewski" in text.lower()


def test_the_directory_search_finds_what_the_scan_finds(db: Any) -> None:
    for i, name in enumerate(NAMES):
        _associate(name, f"{name.split()[0].lower()}@example.org", organisation=f"Org {i}")
    for text in ["élodie", "ÉLODIE", "ORG 3", "łukasz@", "ada", "zo", "kierkegaard", "x"]:
        got = set(search_associates(Associate.objects.all(), text).values_list("pk", flat=True))
        lowered = text.lower()
        expected = {
            a.pk
            for a in Associate.objects.all()
            if ("@" not in text and (_ilike(text, a.full_name) or _ilike(text, a.organisation)))
            or (a.email or "").startswith(lowered)
        }
        assert got == expected, text


def _ilike(text: str, value: str) -> bool:
    """Case-insensitive containment as the database's icontains has it: SQLite folds ASCII
    letters only; PostgreSQL's UPPER folds every letter."""
    if connection.vendor == "sqlite":
        fold = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
        return text.translate(fold) in value.translate(fold)
    return text.upper() in value.upper()


def _plan(queryset: Any) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        else:
            # A test table is small enough to read whole; what matters is that the index can
            # serve the query as Django writes it (the same expression).
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_the_audit_search_reads_the_index(manager: Any) -> None:
    _entries(manager)
    subject = personaldata.subject_for("person0@example.org")
    q = textindex.contains(AuditEntry, audit_rules._where(subject))
    plan = _plan(AuditEntry.objects.filter(q).order_by())  # as _mentioning asks
    if connection.vendor == "sqlite":
        assert "audit_auditentry_text VIRTUAL TABLE INDEX" in plan
        assert "SCAN audit_auditentry\n" not in plan + "\n"
        assert "SEARCH audit_auditentry USING INTEGER PRIMARY KEY" in plan
    else:
        for column in ("actor_label", "object_repr", "changes"):
            assert f"audit_auditentry_{column}_trgm" in plan
        assert "Seq Scan" not in plan


def test_the_directory_search_reads_the_indexes(db: Any) -> None:
    if connection.vendor == "sqlite":
        queryset = search_associates(Associate.objects.order_by("-joined"), "Lovelace")[:50]
    else:
        # Which index PostgreSQL prefers for a page depends on its statistics (a few rows
        # here); that the trigram and pattern indexes serve the search is what is checked.
        queryset = search_associates(Associate.objects.order_by(), "Lovelace")
    plan = _plan(queryset)
    if connection.vendor == "sqlite":
        assert "community_associate_text VIRTUAL TABLE INDEX" in plan
        assert "associate_email_unique_ci" in plan
        assert "SCAN community_associate\n" not in plan + "\n"
    else:
        assert "community_associate_full_name_trgm" in plan
        assert "community_associate_organisation_trgm" in plan
        assert "community_associate_email_like" in plan
        assert "Seq Scan" not in plan


def test_short_text_is_the_plain_scan(db: Any) -> None:
    assert textindex.contains(Associate, [("full_name", "ab")]) == models.Q(
        full_name__icontains="ab"
    )
    if connection.vendor == "sqlite":
        query = Associate.objects.filter(textindex.contains(Associate, [("full_name", "ab")]))
        assert "community_associate_text" not in _plan(query)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_flush_empties_the_index_too(manager: Any) -> None:
    _entries(manager)
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    _integrity("audit_auditentry")
    _integrity("community_associate")
    _associate("Ada Lovelace", "ada@example.org")
    assert _same(Associate, [("full_name", "lovelace")])
    _integrity("community_associate")


@pytest.mark.parametrize(
    ("model", "table", "index"),
    [
        ("comms.OutboxMessage", "comms_outboxmessage", "comms_outboxmessage_to_email_ci"),
        ("community.Associate", "community_associate", "community_associate_email_ci"),
        ("contacts.Contact", "contacts_contact", "contacts_contact_email_ci"),
    ],
)
def test_the_register_finds_addresses_through_an_index(
    db: Any, model: str, table: str, index: str
) -> None:
    """A person's record looks each table up by their address (`email__iexact`)."""
    subject = personaldata.Subject("ada@example.org")
    rule = next(r for r in personaldata.rules() if r.model == model)
    plan = _plan(personaldata.rows(rule, subject).order_by())
    assert index in plan
    assert "Seq Scan" not in plan
    assert f"SCAN {table}\n" not in plan + "\n"
