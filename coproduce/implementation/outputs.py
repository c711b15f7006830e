"""The outputs register: citations, the Researchfish-ordered export, the public list.

Citations are formatted once per page for the outputs on it (`attach_citations`), with the CSL
style shipped in `lib/csl/` (`lib/references.format_bibliography`). The export's columns follow
the Researchfish common question set (`outcomes.py`): the outcome type and sub-type, then the
fields every type shares, then each type's own fields in the types' order, then the links to
studies, implementation records, people and partner organisations that are ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.safestring import mark_safe

from coproduce.implementation import outcomes
from coproduce.implementation.models import Output
from coproduce.lib.references import format_bibliography
from coproduce.registry.models import Study


def attach_citations(outputs: Iterable[Output]) -> list[Output]:
    """The outputs, each with `.citation`: its reference as safe HTML (text escaped)."""
    rows = list(outputs)
    formatted = format_bibliography([o.csl() for o in rows])
    for output in rows:
        text = formatted.get(str(output.public_id).lower(), "")
        output.citation = mark_safe(text)  # type: ignore[attr-defined]  # noqa: S308 - escaped
    return rows


def public_outputs() -> QuerySet[Output]:
    """Outputs marked public, of at least one study, with their studies (and themes)."""
    return (
        Output.objects.filter(public=True)
        .prefetch_related(
            Prefetch("studies", queryset=Study.objects.select_related("theme").order_by("title"))
        )
        .order_by("-date", "title")
    )


DETAIL_FIELDS = outcomes.all_detail_fields()

HEADER = [
    "Outcome type",
    "Sub-type",
    "Title",
    "Year",
    "Date",
    "Authors",
    "Journal, book or venue",
    "Volume",
    "Issue",
    "Pages",
    "Publisher",
    "DOI",
    "PMID",
    "ISBN",
    "URL",
    "Description",
    *[field.label for field in DETAIL_FIELDS],
    "What changed",
    "Public",
    "Studies",
    "Implementation records",
    "People",
    "Partner organisations",
]


def export_queryset(queryset: QuerySet[Output]) -> QuerySet[Output]:
    return queryset.prefetch_related("studies", "records__site", "people", "organisations")


def _order(kind: str) -> int:
    return (
        list(outcomes.OutcomeType.values).index(kind) if kind in outcomes.OutcomeType.values else 99
    )


def export_rows(queryset: QuerySet[Output]) -> Iterator[list[Any]]:
    """The header, then one row per output, grouped by type in Researchfish's order."""
    yield HEADER
    rows = sorted(export_queryset(queryset), key=lambda o: (_order(o.kind), o.date, o.title))
    for o in rows:
        yield [
            o.get_kind_display(),
            o.subtype,
            o.title,
            o.date.year,
            o.date,
            "; ".join(o.author_list()),
            o.container,
            o.volume,
            o.issue,
            o.pages,
            o.publisher,
            o.doi,
            o.pmid,
            o.isbn,
            o.link,
            o.description,
            *[o.details.get(field.name, "") for field in DETAIL_FIELDS],
            o.what_changed,
            "Yes" if o.public else "No",
            "; ".join(s.title for s in o.studies.all()),
            "; ".join(str(r) for r in o.records.all()),
            "; ".join(p.full_name for p in o.people.all()),
            "; ".join(org.name for org in o.organisations.all()),
        ]


# --- one output's page -----------------------------------------------------------------------


def identifier_links(output: Output) -> list[dict[str, str]]:
    """The output's identifiers, each as label, text and the address it resolves at."""
    rows = []
    if output.doi:
        rows.append(
            {
                "label": "DOI",
                "text": output.doi,
                "url": "https://doi.org/" + quote(output.doi, safe="/:;()"),
            }
        )
    if output.pmid:
        rows.append(
            {
                "label": "PubMed ID (PMID)",
                "text": output.pmid,
                "url": f"https://pubmed.ncbi.nlm.nih.gov/{quote(output.pmid)}/",
            }
        )
    if output.isbn:
        rows.append(
            {
                "label": "ISBN",
                "text": output.isbn,
                "url": f"https://openlibrary.org/isbn/{quote(output.isbn)}",
            }
        )
    if output.link:
        # Only web addresses become links (an imported file's URL field is not trusted).
        web = output.link.lower().startswith(("https://", "http://"))
        rows.append(
            {"label": "Web address", "text": output.link, "url": output.link if web else ""}
        )
    return rows


def detail_rows(output: Output) -> list[dict[str, str]]:
    """The fields of the output's type (`outcomes.fields`) that have a value, as label, text."""
    details = output.details if isinstance(output.details, dict) else {}
    return [
        {"label": field.label, "text": str(details[field.name])}
        for field in outcomes.fields(output.kind)
        if details.get(field.name) not in (None, "")
    ]


# --- the other end of an output's links to people and partner organisations ----------------------

SHOWN_ON_PAGES = 20


def _linked_section(field: str, obj: Any, heading: str, query: str) -> dict[str, Any]:
    """A staff detail page's section listing the outputs linked to `obj` through `field` (one
    query): the newest first, each "Title (type, year)" linking to the output, and a link to the
    outputs register chosen by `obj` when there are more than are shown."""
    rows = list(
        Output.objects.filter(**{field: obj}).only("public_id", "title", "kind", "date")[
            : SHOWN_ON_PAGES + 1
        ]
    )
    return {
        "heading": heading,
        "items": [
            {
                "label": f"{o.title} ({o.get_kind_display()}, {o.date.year})",
                "url": o.get_absolute_url(),
            }
            for o in rows[:SHOWN_ON_PAGES]
        ],
        "more": len(rows) > SHOWN_ON_PAGES,
        "list_url": reverse("implementation:outputs") + "?" + query,
    }


def person_outputs(person: Any) -> dict[str, Any]:
    """The outputs a person is linked to, for their staff page."""
    return _linked_section("people", person, "Outputs", f"person={person.public_id}")


def organisation_outputs(organisation: Any) -> dict[str, Any]:
    """The outputs a partner organisation is linked to, for its staff page."""
    return _linked_section(
        "organisations", organisation, "Outputs", f"organisation={organisation.slug}"
    )
