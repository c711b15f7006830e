"""A draft impact case study for a study, in the five sections of the REF impact case study
template, prefilled from the records its pathway links, as Markdown and as PDF.

The sections and their indicative lengths follow the Research Excellence Framework 2021
"Guidance on submissions" (REF 2019/01), Annex G, the impact case study template: 1 Summary of
the impact (indicative maximum 100 words); 2 Underpinning research (500 words); 3 References to
the research (up to six references); 4 Details of the impact (750 words); 5 Sources to
corroborate the impact (up to ten references). The draft is a starting point to be rewritten:
each section is assembled from recorded facts, and says so where nothing is recorded yet.
"""

from __future__ import annotations

import dataclasses
import html

from django.utils.html import strip_tags

from coproduce.coproduction.models import Compromise
from coproduce.governance.models import ProtocolVersion
from coproduce.implementation.models import ImplementationRecord, Output, Recommendation
from coproduce.implementation.outcomes import OutcomeType
from coproduce.implementation.outputs import attach_citations
from coproduce.priorities.models import Priority
from coproduce.registry.models import Study

SOURCE = (
    "Research Excellence Framework 2021, Guidance on submissions (REF 2019/01), Annex G: "
    "impact case study template"
)

IMPACT_TYPES = {
    OutcomeType.POLICY,
    OutcomeType.MEDICAL_PRODUCTS,
    OutcomeType.ENGAGEMENT,
    OutcomeType.FURTHER_FUNDING,
    OutcomeType.SOFTWARE,
}


@dataclasses.dataclass
class Section:
    number: int
    title: str
    guidance: str
    paragraphs: list[str]


def _plain(citation: object) -> str:
    return html.unescape(strip_tags(str(citation)))


def sections(study: Study) -> list[Section]:
    priorities = list(
        Priority.objects.filter(study=study).select_related("question", "workshop__consultation")
    )
    versions = list(ProtocolVersion.objects.filter(study=study).order_by("uploaded_at"))
    compromises = list(
        Compromise.objects.filter(study=study).select_related("protocol").order_by("date")
    )
    records = list(ImplementationRecord.objects.filter(study=study).select_related("site"))
    actioned = list(
        Recommendation.objects.filter(
            study=study,
            status__in=[Recommendation.Status.ACTIONED, Recommendation.Status.OUTCOME],
        ).order_by("made_on")
    )
    outputs = attach_citations(
        Output.objects.filter(studies=study)
        .prefetch_related("organisations")
        .order_by("date", "title")
    )
    publications = [o for o in outputs if o.kind == OutcomeType.PUBLICATIONS]
    impacts = [o for o in outputs if o.kind in IMPACT_TYPES or o.what_changed]

    changes = [o.what_changed.strip() for o in outputs if o.what_changed.strip()]
    summary = (
        [" ".join(changes)]
        if changes
        else ["No change has been recorded yet: record what changed on the study's outputs."]
    )

    research = [study.summary.strip()] if study.summary.strip() else []
    period = ""
    if study.start:
        period = f" from {study.start:%B %Y}" + (f" to {study.end:%B %Y}" if study.end else "")
    research.append(
        f"{study.title} is a {study.get_design_display().lower()} study in the "
        f"{study.theme.name} theme{period}."
    )
    for p in priorities:
        research.append(
            f"It answers a priority agreed in {p.workshop.consultation.title} "
            f"(priority {p.position}: “{p.question.text}”; "
            f"{p.get_outcome_display().lower()})."
        )
    if versions:
        labels = ", ".join(v.label for v in versions)
        research.append(f"Its protocol went through governance review as version(s) {labels}.")
    for c in compromises:
        protocol = f" (protocol version {c.protocol.label})" if c.protocol else ""
        research.append(
            f"On {c.date:%d %B %Y} the partners agreed: {c.summary}{protocol}. {c.agreed}".strip()
        )

    references = [
        f"{n}. {_plain(getattr(o, 'citation', ''))}"
        for n, o in enumerate(publications[:6], start=1)
    ]
    if not references:
        references = ["No publication is recorded yet."]

    details = []
    for r in records:
        where = f" at {r.site.name}" if r.site else ""
        details.append(
            f"{r.title}{where}: {r.get_meaning_display().lower()}; now "
            f"{r.get_status_display().lower()}."
        )
    for rec in actioned:
        details.append(f"Recommendation acted on: {rec.text}")
    for o in impacts:
        text = f"{o.get_kind_display()}: {o.title} ({o.date:%Y})."
        if o.what_changed:
            text += f" {o.what_changed}"
        details.append(text)
    if not details:
        details = ["No implementation or impact is recorded yet."]

    sources = []
    for o in impacts:
        where = o.link or (f"https://doi.org/{o.doi}" if o.doi else "")
        partners = ", ".join(org.name for org in o.organisations.all())
        line = o.title + (f", {partners}" if partners else "") + (f": {where}" if where else "")
        sources.append(line)
    sources = [f"{n}. {s}" for n, s in enumerate(sources[:10], start=1)] or [
        "No corroborating source is recorded yet: add links and partner organisations to the "
        "outputs that record the impact."
    ]

    return [
        Section(1, "Summary of the impact", "Indicative maximum 100 words.", summary),
        Section(2, "Underpinning research", "Indicative maximum 500 words.", research),
        Section(3, "References to the research", "Up to six references.", references),
        Section(4, "Details of the impact", "Indicative maximum 750 words.", details),
        Section(5, "Sources to corroborate the impact", "Up to ten references.", sources),
    ]


def title(study: Study) -> str:
    return f"Impact case study (draft): {study.title}"


def markdown(study: Study) -> str:
    lines = [f"# {title(study)}", "", f"*Sections as in the {SOURCE}.*", ""]
    for section in sections(study):
        lines += [f"## {section.number}. {section.title}", "", f"*{section.guidance}*", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
    return "\n".join(lines)


def pdf(study: Study) -> bytes:
    from coproduce.lib.pdf import FAMILY, clean, document

    heading = clean(title(study))
    out = document(title=heading)
    out.set_auto_page_break(auto=True, margin=15)
    out.add_page()
    width = out.epw
    out.set_font(FAMILY, "B", 16)
    out.multi_cell(width, 8, heading)
    out.set_font(FAMILY, "", 9)
    out.multi_cell(width, 5, clean(f"Sections as in the {SOURCE}."))
    for section in sections(study):
        out.ln(4)
        out.set_font(FAMILY, "B", 13)
        out.multi_cell(width, 7, clean(f"{section.number}. {section.title}"))
        out.set_font(FAMILY, "", 9)
        out.multi_cell(width, 5, clean(section.guidance))
        out.set_font(FAMILY, "", 11)
        for paragraph in section.paragraphs:
            out.ln(1)
            out.multi_cell(width, 5.5, clean(paragraph))
    return bytes(out.output())
