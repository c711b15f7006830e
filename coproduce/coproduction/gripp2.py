"""GRIPP2 reports (Guidance for Reporting Involvement of Patients and the Public, version 2).

The two checklists are the published ones, kept as data in ``data/gripp2.toml`` (read with
tomllib): Staniszewska S, Brett J, Simera I, et al. GRIPP2 reporting checklists: tools to
improve reporting of patient and public involvement in research. BMJ 2017;358:j3453
(doi:10.1136/bmj.j3453); also Res Involv Engagem 2017;3:13 (doi:10.1186/s40900-017-0062-2),
Table 1 (long form, 34 items) and Table 2 (short form, 5 items). The data file's header says
which items were checked against which copy of the tables; items not checked carry
``verified = false`` and are shown as provisional.

A study's report starts prefilled from its ledgers (public involvement activities, hours,
roles, payments; compromises; reflexive dialogues) and is then edited by the research team,
who choose the short or the long form. Every item is answered or marked "not reported" (an
empty answer is also not reported). Exported as Markdown, and as PDF through `coproduce.lib.pdf`
(the project's Unicode fonts, so names in any script the fonts cover keep their letters; Arabic
is shaped right to left), with the published item numbers and section headings.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Count, Q, Sum

from coproduce.coproduction.models import (
    SHORT_FORM_COLUMNS,
    Compromise,
    Gripp2Report,
    InvolvementActivity,
    ReflexiveDialogue,
)
from coproduce.registry.models import Study

DATA = Path(__file__).parent / "data" / "gripp2.toml"
SOURCE = (
    "Staniszewska S, Brett J, Simera I, et al. GRIPP2 reporting checklists: tools to improve "
    "reporting of patient and public involvement in research. BMJ 2017;358:j3453."
)
NOT_REPORTED = "Not reported."


@dataclass(frozen=True)
class Item:
    number: str
    topic: str
    text: str
    verified: bool

    @property
    def label(self) -> str:
        return f"{self.number}: {self.topic}"


@dataclass(frozen=True)
class Section:
    number: str
    heading: str
    items: tuple[Item, ...]

    @property
    def title(self) -> str:
        return f"Section {self.number}: {self.heading}" if self.heading else ""


@dataclass(frozen=True)
class Checklist:
    kind: str
    title: str
    table: str
    published_items: int
    footnote: str
    sections: tuple[Section, ...]

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    @property
    def unverified(self) -> list[Item]:
        return [item for item in self.items if not item.verified]


@cache
def checklists() -> dict[str, Checklist]:
    with DATA.open("rb") as handle:
        data = tomllib.load(handle)
    return {
        kind: Checklist(
            kind=kind,
            title=form["title"],
            table=form["table"],
            published_items=form["published_items"],
            footnote=form["footnote"],
            sections=tuple(
                Section(
                    number=section["number"],
                    heading=section["heading"],
                    items=tuple(Item(**item) for item in section["items"]),
                )
                for section in form["sections"]
            ),
        )
        for kind, form in data.items()
    }


def kind_of(requested: str | None, report: Gripp2Report) -> str:
    """The form asked for (``?form=short|long``), else the one the report was saved in."""
    if requested in checklists():
        return str(requested)
    return report.form if report.form in checklists() else Gripp2Report.Form.SHORT


# --- answers -----------------------------------------------------------------------------------


def answer(report: Gripp2Report, kind: str, number: str) -> str:
    if kind == Gripp2Report.Form.SHORT:
        return str(getattr(report, SHORT_FORM_COLUMNS[number]))
    return str(report.long_form.get(number, ""))


def marked_not_reported(report: Gripp2Report, kind: str, number: str) -> bool:
    return f"{kind}:{number}" in (report.not_reported or [])


def set_answer(report: Gripp2Report, kind: str, number: str, text: str, not_reported: bool) -> None:
    if kind == Gripp2Report.Form.SHORT:
        setattr(report, SHORT_FORM_COLUMNS[number], text)
    else:
        report.long_form = {**(report.long_form or {}), number: text}
    key = f"{kind}:{number}"
    marked = set(report.not_reported or []) - {key}
    if not_reported:
        marked.add(key)
    report.not_reported = sorted(marked)


def reported(report: Gripp2Report, kind: str, number: str) -> str:
    """The answer as exported: its text, or "Not reported."."""
    text = answer(report, kind, number).strip()
    if marked_not_reported(report, kind, number) or not text:
        return NOT_REPORTED
    return text


# --- prefill from the ledgers ------------------------------------------------------------------


def facts(study: Study) -> dict[str, Any]:
    involvement = InvolvementActivity.objects.filter(study=study)
    totals = involvement.aggregate(
        n=Count("pk"),
        hours=Sum("hours"),
        people=Count("contributor", distinct=True),
        fees=Sum("fee", filter=Q(payment_declined=False)),
        expenses=Sum("expenses"),
        advised=Count("pk", filter=Q(benefits_advice_offered=True)),
    )
    roles = Counter(
        dict(InvolvementActivity.Role.choices)[row["role"]] for row in involvement.values("role")
    )
    directions = Counter(
        str(dict(Compromise.Direction.choices)[d])
        for d in Compromise.objects.filter(study=study).values_list("direction", flat=True)
    )
    return {
        "activities": totals["n"] or 0,
        "hours": totals["hours"] or Decimal("0"),
        "people": totals["people"] or 0,
        "fees": totals["fees"] or Decimal("0"),
        "expenses": totals["expenses"] or Decimal("0"),
        "advised": totals["advised"] or 0,
        "roles": roles,
        "first": involvement.order_by("date").values_list("date", flat=True).first(),
        "last": involvement.order_by("-date").values_list("date", flat=True).first(),
        "declined": involvement.filter(payment_declined=True).count(),
        "compromises": sum(directions.values()),
        "directions": directions,
        "dialogues": ReflexiveDialogue.objects.filter(study=study).count(),
    }


def prefill(study: Study) -> dict[str, Any]:
    """Initial text for every field, from the ledgers (short form columns and ``long_form``)."""
    f = facts(study)
    roles = ", ".join(f"{str(role).lower()} ({n})" for role, n in f["roles"].most_common())
    span = f" between {f['first']:%B %Y} and {f['last']:%B %Y}" if f["first"] else ""
    methods = (
        f"{f['people']} public contributors took part in {f['activities']} recorded involvement "
        f"activities{span}, {f['hours']} hours in all"
        + (f", as {roles}" if roles else "")
        + ". Contributors were paid at the collaboration's rates, which follow NIHR payment "
        "guidance, and offered benefits advice"
        + (f"; {f['declined']} activities' payments were declined" if f["declined"] else "")
        + "."
    )
    directions = ", ".join(f"{str(d).lower()} {n}" for d, n in f["directions"].most_common())
    results = (
        f"The compromise ledger records {f['compromises']} negotiated compromises"
        + (f" (direction of concession: {directions})" if directions else "")
        + "."
    )
    reflection = (
        f"{f['dialogues']} reflexive dialogues between partners are recorded."
        if f["dialogues"]
        else ""
    )
    aim = f"To involve service users and carers in every stage of {study.title}."
    economic = (
        f"{f['hours']} hours of public involvement were recorded; "
        f"£{f['fees']} in fees and £{f['expenses']} in expenses were due to contributors"
        + (f" ({f['declined']} activities' payments declined)" if f["declined"] else "")
        + (f"; benefits advice was offered for {f['advised']} activities" if f["advised"] else "")
        + "."
    )
    people = f"{f['people']} public contributors; roles held: {roles}." if roles else ""
    long_form = {item.number: "" for item in checklists()["long"].items}
    long_form.update(
        {
            "3": aim,
            "4a": methods,
            "4b": people,
            "6": economic,
            "7": results,
            "9": reflection,
        }
    )
    return {
        "aim": aim,
        "methods": methods,
        "results": results,
        "outcomes": "",
        "critical_reflection": reflection,
        "long_form": long_form,
    }


def report_for(study: Study) -> Gripp2Report:
    """The saved report, or an unsaved one prefilled from the ledgers."""
    existing = Gripp2Report.objects.filter(study=study).first()
    if existing is not None:
        return existing
    return Gripp2Report(study=study, **prefill(study))


# --- output ------------------------------------------------------------------------------------


def sections(report: Gripp2Report, kind: str) -> list[tuple[str, list[tuple[Item, str]]]]:
    """(section title, [(item, answer as exported)]) for the chosen form."""
    return [
        (
            section.title,
            [(item, reported(report, kind, item.number)) for item in section.items],
        )
        for section in checklists()[kind].sections
    ]


def _prompt(item: Item) -> str:
    text = item.text or "(wording of this item not verified; see the topic)"
    return text + ("" if item.verified else " [provisional: not checked against the source]")


def markdown(report: Gripp2Report, kind: str) -> str:
    checklist = checklists()[kind]
    lines = [
        f"# GRIPP2 report: {report.study.title}",
        "",
        f"{checklist.title}. Source: {SOURCE}",
        "",
    ]
    for title, items in sections(report, kind):
        if title:
            lines += [f"## {title}", ""]
        level = "###" if title else "##"
        for item, text in items:
            lines += [f"{level} {item.label}", "", f"*{_prompt(item)}*", "", text, ""]
    lines += [f"{checklist.footnote}.", ""]
    return "\n".join(lines)


def pdf(report: Gripp2Report, kind: str) -> bytes:
    from coproduce.lib.pdf import FAMILY, clean, document

    checklist = checklists()[kind]
    title = clean(f"GRIPP2 report: {report.study.title}")
    out = document(title=title)
    out.set_auto_page_break(auto=True, margin=15)
    out.add_page()
    width = out.epw
    out.set_font(FAMILY, "B", 16)
    out.multi_cell(width, 8, title)
    out.set_font(FAMILY, "", 10)
    out.multi_cell(width, 5, clean(f"{checklist.title}. Source: {SOURCE}"))
    for heading, items in sections(report, kind):
        if heading:
            out.ln(4)
            out.set_font(FAMILY, "B", 14)
            out.multi_cell(width, 8, clean(heading))
        for item, text in items:
            out.ln(2)
            out.set_font(FAMILY, "B", 12)
            out.multi_cell(width, 6, clean(item.label))
            out.set_font(FAMILY, "", 10)
            out.multi_cell(width, 5, clean(_prompt(item)))
            out.set_font(FAMILY, "", 11)
            out.multi_cell(width, 5.5, clean(text))
    out.ln(4)
    out.set_font(FAMILY, "", 9)
    out.multi_cell(width, 5, clean(f"{checklist.footnote}."))
    return bytes(out.output())
