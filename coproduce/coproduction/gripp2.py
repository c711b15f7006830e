"""GRIPP2 reports (Guidance for Reporting Involvement of Patients and the Public, version 2).

A study's report starts prefilled from its ledgers (public involvement activities, hours,
roles, payments; compromises; reflexive dialogues) and is then edited by the research team.
Exported as Markdown, and as PDF through `coproduce.lib.pdf` (the project's Unicode fonts, so
names in any script the fonts cover keep their letters; Arabic is shaped right to left).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from coproduce.coproduction.models import (
    LONG_FORM,
    SHORT_FORM,
    Compromise,
    Gripp2Report,
    InvolvementActivity,
    ReflexiveDialogue,
)
from coproduce.registry.models import Study


def facts(study: Study) -> dict[str, Any]:
    involvement = InvolvementActivity.objects.filter(study=study)
    totals = involvement.aggregate(
        n=Count("pk"), hours=Sum("hours"), people=Count("contributor", distinct=True)
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
        "roles": roles,
        "first": involvement.order_by("date").values_list("date", flat=True).first(),
        "last": involvement.order_by("-date").values_list("date", flat=True).first(),
        "declined": involvement.filter(payment_declined=True).count(),
        "compromises": sum(directions.values()),
        "directions": directions,
        "dialogues": ReflexiveDialogue.objects.filter(study=study).count(),
    }


def prefill(study: Study) -> dict[str, Any]:
    """Initial text for every field, from the ledgers."""
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
    short = {
        "aim": f"To involve service users and carers in every stage of {study.title}.",
        "methods": methods,
        "results": results,
        "outcomes": "",
        "critical_reflection": reflection,
    }
    long_form = {key: "" for key, _ in LONG_FORM}
    long_form.update(
        {
            "aim": short["aim"],
            "methods": methods,
            "people": roles and f"Roles held: {roles}.",
            "economic": f"{f['hours']} hours of public involvement were recorded.",
            "results": results,
            "reflections": reflection,
        }
    )
    return {**short, "long_form": long_form}


def report_for(study: Study) -> Gripp2Report:
    """The saved report, or an unsaved one prefilled from the ledgers."""
    existing = Gripp2Report.objects.filter(study=study).first()
    if existing is not None:
        return existing
    return Gripp2Report(study=study, **prefill(study))


def sections(report: Gripp2Report) -> list[tuple[str, list[tuple[str, str]]]]:
    short = [(label, getattr(report, key)) for key, label, _ in SHORT_FORM]
    long_ = [(label, report.long_form.get(key, "")) for key, label in LONG_FORM]
    return [("GRIPP2 short form", short), ("GRIPP2 long form", long_)]


def markdown(report: Gripp2Report) -> str:
    lines = [f"# GRIPP2 report: {report.study.title}", ""]
    for heading, items in sections(report):
        lines += [f"## {heading}", ""]
        for label, text in items:
            lines += [f"### {label}", "", (text or "Not reported.").strip(), ""]
    return "\n".join(lines)


def pdf(report: Gripp2Report) -> bytes:
    from coproduce.lib.pdf import FAMILY, clean, document

    title = clean(f"GRIPP2 report: {report.study.title}")
    out = document(title=title)
    out.set_auto_page_break(auto=True, margin=15)
    out.add_page()
    width = out.epw
    out.set_font(FAMILY, "B", 16)
    out.multi_cell(width, 8, title)
    for heading, items in sections(report):
        out.ln(4)
        out.set_font(FAMILY, "B", 14)
        out.multi_cell(width, 8, clean(heading))
        for label, text in items:
            out.ln(2)
            out.set_font(FAMILY, "B", 12)
            out.multi_cell(width, 6, clean(label))
            out.set_font(FAMILY, "", 11)
            out.multi_cell(width, 5.5, clean((text or "Not reported.").strip()))
    return bytes(out.output())
