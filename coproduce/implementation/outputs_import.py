"""Importing publications from a reference file (RIS, BibTeX or CSL-JSON), all or nothing.

Every reference is read (`lib/references.py`) and checked first: a title, a year, and the
form of its DOI, PMID, ISBN and URL. Any fault anywhere and nothing is saved; each message
names the reference and the line it starts on. Duplicates are found by identifier (DOI
case-insensitively, PMID, ISBN compared as ISBN-13) and by normalised title, both within the
file and against outputs already recorded; they are listed, never dropped silently: the import
stops unless the person chose to leave the listed duplicates out. The rest are saved in one
transaction as publications of the chosen study, each with its own audit entry.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import transaction

from coproduce.implementation import outcomes
from coproduce.implementation.models import Output
from coproduce.lib import references
from coproduce.lib.references import Entry
from coproduce.registry.models import Study
from coproduce.staff.editing import audit_saved


@dataclasses.dataclass
class Result:
    entries: list[Entry]
    errors: list[str]
    duplicates: list[str]
    created: list[Output]

    @property
    def saved(self) -> bool:
        return bool(self.created)


def _keys(item: dict[str, Any]) -> list[tuple[str, str]]:
    keys = []
    if item.get("DOI"):
        keys.append(("DOI", item["DOI"].lower()))
    if item.get("PMID"):
        keys.append(("PMID", item["PMID"]))
    if item.get("ISBN"):
        keys.append(("ISBN", references.isbn13(item["ISBN"])))
    title = references.normalise_title(item.get("title", ""))
    if title:
        keys.append(("title", title))
    return keys


def _recorded(entries: list[Entry]) -> dict[tuple[str, str], Output]:
    """Outputs already recorded that share an identifier or a normalised title with the file."""
    dois = {i["DOI"].lower() for e in entries if (i := e.item).get("DOI")}
    pmids = {e.item["PMID"] for e in entries if e.item.get("PMID")}
    isbns = {references.isbn13(e.item["ISBN"]) for e in entries if e.item.get("ISBN")}
    isbns |= {i[3:12] + references.isbn10_check(i[3:12]) for i in isbns if i.startswith("978")}
    titles = {references.normalise_title(e.item.get("title", "")) for e in entries}
    found: dict[tuple[str, str], Output] = {}
    from django.db.models import Q
    from django.db.models.functions import Lower

    query = Q(title_key__in=titles - {""}) | Q(pmid__in=pmids) | Q(isbn__in=isbns)
    rows = Output.objects.annotate(doi_lower=Lower("doi")).filter(query | Q(doi_lower__in=dois))
    for output in rows.only("public_id", "title", "title_key", "doi", "pmid", "isbn"):
        if output.doi:
            found.setdefault(("DOI", output.doi.lower()), output)
        if output.pmid:
            found.setdefault(("PMID", output.pmid), output)
        if output.isbn:
            found.setdefault(("ISBN", references.isbn13(output.isbn)), output)
        found.setdefault(("title", output.title_key), output)
    return found


def check(text: str, fmt: str) -> Result:
    """Read and check a file; nothing is saved."""
    entries = references.READERS[fmt](text)
    errors: list[str] = []
    for entry in entries:
        references.check_item(entry)
        errors.extend(f"{entry.where} {message}" for message in entry.errors)
    duplicates: list[str] = []
    if not errors:
        recorded = _recorded(entries)
        seen: dict[tuple[str, str], Entry] = {}
        for entry in entries:
            for key in _keys(entry.item):
                what = "title" if key[0] == "title" else key[0]
                if key in seen:
                    first = seen[key]
                    duplicates.append(f"{entry.where} has the same {what} as {first.where}")
                    entry.errors.append("duplicate")
                    break
                if key in recorded:
                    duplicates.append(
                        f"{entry.where} has the same {what} as “{recorded[key].title}”, "
                        "already recorded"
                    )
                    entry.errors.append("duplicate")
                    break
            if not entry.errors:
                for key in _keys(entry.item):
                    seen.setdefault(key, entry)
    return Result(entries, errors, duplicates, [])


def run(text: str, fmt: str, study: Study, actor: Any, *, leave_out_duplicates: bool) -> Result:
    """Check the file, then save every reference (less duplicates, if asked) or none."""
    result = check(text, fmt)
    if result.errors or (result.duplicates and not leave_out_duplicates):
        return result
    with transaction.atomic():
        for entry in result.entries:
            if entry.errors:
                continue
            result.created.append(_save(entry.item, study, actor))
    return result


def _author(person: dict[str, Any]) -> str:
    if person.get("literal"):
        return str(person["literal"])
    family, given = str(person.get("family", "")).strip(), str(person.get("given", "")).strip()
    return f"{family}, {given}" if given else family


def _save(item: dict[str, Any], study: Study, actor: Any) -> Output:
    issued = references.issued_date(item)
    assert issued is not None  # checked
    date, precision = issued
    output = Output(
        kind=outcomes.OutcomeType.PUBLICATIONS,
        subtype=outcomes.CSL_SUBTYPE.get(str(item.get("type", "")), "Other"),
        title=str(item["title"]).strip()[:300],
        date=date,
        date_precision=precision,
        authors="\n".join(_author(a) for a in item.get("author", []) if isinstance(a, dict)),
        container=str(item.get("container-title") or "")[:300],
        volume=str(item.get("volume") or "")[:30],
        issue=str(item.get("issue") or "")[:30],
        pages=str(item.get("page") or "")[:30],
        publisher=str(item.get("publisher") or "")[:200],
        doi=item.get("DOI", ""),
        pmid=item.get("PMID", ""),
        isbn=item.get("ISBN", ""),
        link=item.get("URL", "")[:200],
        description=str(item.get("abstract") or ""),
    )
    output.save()
    output.studies.set([study])
    audit_saved(actor, output)
    return output
