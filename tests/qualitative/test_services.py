"""Sources entering a project, consent, the versioned codebook and coding."""

from __future__ import annotations

from typing import Any

import pytest

from coproduce.audit.models import AuditEntry
from coproduce.coproduction import models as cm
from coproduce.qualitative import codebooks, services
from coproduce.qualitative.models import Code, Coding
from tests import factories
from tests.qualitative.conftest import meeting


def test_coproduction_sources_come_in_with_participants_once(
    project: Any, manager: Any, consenting: Any, refusing: Any
) -> None:
    fine = meeting(project.study, consenting, title="Fine")
    withheld = meeting(project.study, consenting, refusing, title="Withheld")
    added = services.add_coproduction_sources(project, [fine, withheld], by=manager)
    assert [s.withheld for s in added] == [False, True]
    assert "Long silence" in added[0].text
    assert services.add_coproduction_sources(project, [fine], by=manager) == []
    other = meeting(factories.StudyFactory(), title="Elsewhere")
    with pytest.raises(ValueError, match="another study"):
        services.add_coproduction_sources(project, [other], by=manager)


def test_only_shared_journal_entries_of_the_study_join(project: Any, manager: Any) -> None:
    placement = factories.PlacementFactory(study=project.study)
    shared = cm.JournalEntry.objects.create(
        placement=placement, date="2011-01-01", title="Shared", text="Hard week.", shared=True
    )
    private = cm.JournalEntry.objects.create(
        placement=placement, date="2011-01-02", title="Private", text="Secret.", shared=False
    )
    assert list(services.shared_journal_entries(project)) == [shared]
    with pytest.raises(ValueError, match="shared"):
        services.add_journal_entries(project, [private], by=manager)
    (item,) = services.add_journal_entries(project, [shared], by=manager)
    entry = AuditEntry.objects.filter(action="qualitative.source.added").latest("pk")
    assert entry.changes == {}
    assert "Hard week" not in str(entry.changes)
    assert item.kind == "journal"


def test_transcript_turns_are_stored(transcript: Any) -> None:
    turns = list(transcript.turns.all())
    assert [(t.speaker, t.timestamp) for t in turns] == [("Ann", "00:00:01"), ("Raj", "00:00:06")]
    assert transcript.text[turns[1].start : turns[1].end].startswith("Raj: Then")


def test_starter_codebooks_are_well_formed_and_copied(project: Any, manager: Any) -> None:
    books = codebooks.starters()
    assert set(books) >= {
        "cfir-2022",
        "i-parihs",
        "compromise",
        "researcher-in-residence",
        "reflexive-dialogue",
    }
    cfir = books["cfir-2022"]["codes"]
    assert [c["name"] for c in cfir if "parent" not in c] == [
        "Innovation", "Outer setting", "Inner setting", "Individuals", "Implementation process",
    ]  # fmt: skip
    assert sum(1 for c in cfir if "parent" in c) == 48
    made = codebooks.copy_starter(project, "cfir-2022", by=manager)
    assert len(made) == 1 + 53
    depths = {code.name: depth for code, depth in codebooks.tree(project)}
    assert depths["CFIR 2022 domains and constructs"] == 0
    assert depths["Inner setting"] == 1
    assert depths["Tension for change"] == 2


def test_a_new_definition_makes_a_version_and_old_codings_keep_theirs(
    transcript: Any, manager: Any, codes: dict[str, Any]
) -> None:
    code = codes["Randomisation"]
    first = services.apply_code(transcript, code, start=0, end=10, by=manager)
    same = codebooks.revise(code, by=manager, definition=code.current.definition)
    assert same.number == 1
    second_version = codebooks.revise(code, by=manager, definition="Any talk of allocation.")
    assert second_version.number == 2
    later = services.apply_code(transcript, code, start=11, end=20, by=manager)
    first.refresh_from_db()
    assert (first.version.number, later.version.number) == (1, 2)
    assert AuditEntry.objects.filter(action="qualitative.code.revised").count() == 1


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(-1, 3, "start"), (5, 5, "end"), (0, 10_000, "start")],
)
def test_bad_spans_are_refused(
    transcript: Any, manager: Any, codes: dict[str, Any], start: int, end: int, field: str
) -> None:
    with pytest.raises(services.CodingError) as caught:
        services.apply_code(transcript, codes["Randomisation"], start=start, end=end, by=manager)
    assert caught.value.field == field
    assert not Coding.objects.exists()


def test_headings_cannot_be_applied(transcript: Any, manager: Any, codes: dict[str, Any]) -> None:
    heading = Code.objects.get(project=transcript.project, name="What was compromised on")
    with pytest.raises(services.CodingError, match="heading"):
        services.apply_code(transcript, heading, start=0, end=5, by=manager)


def test_reconcile_replaces_the_agreed_coding(
    transcript: Any, manager: Any, member: Any, codes: dict[str, Any]
) -> None:
    a = services.apply_code(transcript, codes["Randomisation"], start=0, end=30, by=manager)
    services.apply_code(transcript, codes["Delivery"], start=0, end=30, by=member)
    services.reconcile(transcript, [a], by=manager)
    services.reconcile(transcript, [a], by=manager)
    agreed = list(transcript.codings.filter(reconciled=True))
    assert [(c.code.name, c.start, c.end) for c in agreed] == [("Randomisation", 0, 30)]
    assert transcript.codings.filter(reconciled=False).count() == 2
