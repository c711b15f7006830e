"""The outcome types of the Researchfish common question set, with each type's main fields.

Sources (checked on 7 December 2026):
- Researchfish Data Guide (researchfish.helpjuice.com, "The 15 Common Outcome Types"): the 15
  types, in the order below, and the note that a 16th type, "Other Outputs/Outcomes", has
  been removed though data entered under it is kept and downloadable. We keep "Other" for
  records moved from the project's former kinds and for anything that fits no type; it is last.
- Researchfish "Common Question Set" help page
  (researchfish.helpjuice.com/common-question-set): the publication sub-types (book, book
  chapter, edited book, conference paper, consultancy report, journal article or review,
  manual or guide, monograph, policy briefing report, scholarly edition, systematic review,
  technical report, technical standard, thesis, working paper, other), the further funding
  sub-types and the first five kinds of policy influence (the stored copy stops there; the
  other five are as RCUK's v1.2 lists them, read in a CC BY-SA adaptation of it).
- RCUK Research Outcomes Common Question Set v1.2 (RCUK, the Researchfish user group and RAND
  Europe, 21 August 2014, CC BY-SA 4.0): the question set behind the types.

The main fields below are the headline questions of each type, paraphrased, not the full
question set; the publication sub-types are the published list, the other types' fields have
not been compared line by line with v1.2 (`VERIFIED` says which are). Each type's extra fields
are kept in `Output.details` (JSON); the columns every output has (title, date, description,
identifiers, links) are model fields. The export (`exports.py`) writes the types in this order
and each type's columns in the order given here.
"""

from __future__ import annotations

import dataclasses

from django.db import models


class OutcomeType(models.TextChoices):
    PUBLICATIONS = "publications", "Publications"
    COLLABORATIONS = "collaborations", "Collaborations and partnerships"
    FURTHER_FUNDING = "further_funding", "Further funding"
    NEXT_DESTINATION = "next_destination", "Next destination"
    ENGAGEMENT = "engagement", "Engagement activities"
    POLICY = "policy", "Influence on policy, practice, patients and the public"
    RESEARCH_TOOLS = "research_tools", "Research tools and methods"
    RESEARCH_DATA = "research_data", "Research datasets, databases and models"
    INTELLECTUAL_PROPERTY = "intellectual_property", "Intellectual property and licensing"
    MEDICAL_PRODUCTS = "medical_products", "Medical products, interventions and clinical trials"
    ARTISTIC = "artistic", "Artistic and creative products"
    SOFTWARE = "software", "Software and technical products"
    SPIN_OUTS = "spin_outs", "Spin-outs"
    AWARDS = "awards", "Awards and recognition"
    FACILITIES = "facilities", "Use of facilities and resources"
    OTHER = "other", "Other outputs and outcomes"


@dataclasses.dataclass(frozen=True)
class Field:
    name: str
    label: str
    choices: tuple[str, ...] = ()


REACH = ("Local", "Regional", "National", "International")

PUBLICATION_SUBTYPES = (
    "Book",
    "Book chapter",
    "Book (edited)",
    "Conference proceeding or paper",
    "Consultancy report",
    "Journal article or review",
    "Manual or guide",
    "Monograph",
    "Policy briefing report",
    "Scholarly edition",
    "Systematic review",
    "Technical report",
    "Technical standard",
    "Thesis",
    "Working paper",
    "Other",
)

# type -> (sub-types, extra fields in Researchfish's order)
FIELDS: dict[str, tuple[tuple[str, ...], tuple[Field, ...]]] = {
    OutcomeType.PUBLICATIONS: (PUBLICATION_SUBTYPES, ()),
    OutcomeType.COLLABORATIONS: (
        (),
        (
            Field("partner_organisation", "Partner organisation"),
            Field("country", "Country"),
            Field("sector", "Sector", ("Academic", "Charity", "Hospitals", "Private", "Public")),
            Field("our_contribution", "Our contribution"),
            Field("partner_contribution", "Partner's contribution"),
            Field("end_year", "End year"),
        ),
    ),
    OutcomeType.FURTHER_FUNDING: (
        (
            "Research grant",
            "Fellowship",
            "Studentship",
            "Capital or infrastructure",
            "Travel or small personal",
        ),
        (
            Field("funder", "Funder"),
            Field("amount", "Amount"),
            Field("currency", "Currency"),
            Field("funding_id", "Funding reference"),
            Field("sector", "Sector", ("Academic", "Charity", "Public", "Private")),
            Field("country", "Country"),
            Field("end_year", "End year"),
        ),
    ),
    OutcomeType.NEXT_DESTINATION: (
        (),
        (
            Field("role", "Role in the team"),
            Field("destination", "Destination organisation"),
            Field("sector", "Destination sector", ("Academic", "Charity", "Public", "Private")),
        ),
    ),
    OutcomeType.ENGAGEMENT: (
        (
            "Working group, expert panel or dialogue",
            "Broadcast (TV, radio, film, podcast)",
            "Talk or presentation",
            "Workshop or participation in an event",
            "Press release or interview",
            "Other",
        ),
        (
            Field("reach", "Geographical reach", REACH),
            Field("audience", "Main audience"),
            Field("people_reached", "Number of people reached"),
        ),
    ),
    OutcomeType.POLICY: (
        # The published kinds of influence first, in the order of the Researchfish Common
        # Question Set help page (its first five checked there, 7 December 2026; the rest as
        # in RCUK's question set v1.2), then two of ours that the former kinds of output moved
        # to (`LEGACY`), then "Other".
        (
            "Implementation circular, rapid advice or letter (e.g. to a ministry of health)",
            "Influenced training of practitioners or researchers",
            "Citation in clinical guidelines",
            "Citation in clinical reviews",
            "Citation in other policy documents",
            "Citation in systematic reviews",
            "Membership of a guideline committee",
            "Participation in a national consultation",
            "Participation in an advisory committee",
            "Gave evidence to a government review",
            "Change in practice or services",
            "Commissioning decision",
            "Other",
        ),
        (
            Field("reach", "Geographical reach", REACH),
            Field("body", "Body influenced"),
        ),
    ),
    OutcomeType.RESEARCH_TOOLS: (
        (),
        (Field("provided_to_others", "Provided to others", ("Yes", "No")),),
    ),
    OutcomeType.RESEARCH_DATA: (
        ("Database or collection of records", "Dataset", "Computer model or algorithm"),
        (Field("provided_to_others", "Provided to others", ("Yes", "No")),),
    ),
    OutcomeType.INTELLECTUAL_PROPERTY: (
        ("Patent application", "Patent granted", "Copyrighted", "Trademark", "Other"),
        (
            Field("application_number", "Application or patent number"),
            Field("licensed", "Licensed", ("Yes", "No", "Commercial in confidence")),
        ),
    ),
    OutcomeType.MEDICAL_PRODUCTS: (
        (
            "Therapeutic intervention",
            "Diagnostic tool",
            "Management of diseases and conditions",
            "Health and social care services",
            "Support tool for clinical practice",
            "Other",
        ),
        (
            Field("stage", "Current stage of development"),
            Field("trial_id", "Trial registration (ISRCTN or similar)"),
        ),
    ),
    OutcomeType.ARTISTIC: (
        ("Artwork", "Film or video", "Composition or score", "Exhibition", "Performance", "Other"),
        (),
    ),
    OutcomeType.SOFTWARE: (
        ("Software", "Webtool or application", "Detection devices", "Other"),
        (Field("open_source", "Open source licence", ("Yes", "No")),),
    ),
    OutcomeType.SPIN_OUTS: (
        (),
        (Field("company", "Company name"), Field("website", "Company website")),
    ),
    OutcomeType.AWARDS: (
        ("Prize or medal", "Fellowship", "Invited keynote", "Editorial role", "Other"),
        (Field("reach", "Level of recognition", REACH),),
    ),
    OutcomeType.FACILITIES: ((), (Field("facility", "Facility or resource"),)),
    OutcomeType.OTHER: ((), ()),
}

VERIFIED = {OutcomeType.PUBLICATIONS}

# The project's former kinds of output, and the type and sub-type each became.
LEGACY = {
    "publication": (OutcomeType.PUBLICATIONS, ""),
    "guideline": (OutcomeType.POLICY, "Citation in clinical guidelines"),
    "tool": (OutcomeType.RESEARCH_TOOLS, ""),
    "service_change": (OutcomeType.POLICY, "Change in practice or services"),
    "commissioning": (OutcomeType.POLICY, "Commissioning decision"),
    "capacity": (OutcomeType.POLICY, "Influenced training of practitioners or researchers"),
    "funding": (OutcomeType.FURTHER_FUNDING, ""),
}


def subtypes(kind: str) -> tuple[str, ...]:
    return FIELDS.get(kind, ((), ()))[0]


def fields(kind: str) -> tuple[Field, ...]:
    return FIELDS.get(kind, ((), ()))[1]


def all_detail_fields() -> list[Field]:
    """Every type's extra fields, each name once, in type order (the export's columns)."""
    seen: dict[str, Field] = {}
    for kind in OutcomeType.values:
        for field in fields(kind):
            seen.setdefault(field.name, field)
    return list(seen.values())


# Publication sub-type for a CSL item type (import).
CSL_SUBTYPE = {
    "article-journal": "Journal article or review",
    "article": "Journal article or review",
    "review": "Journal article or review",
    "book": "Book",
    "chapter": "Book chapter",
    "paper-conference": "Conference proceeding or paper",
    "report": "Technical report",
    "thesis": "Thesis",
    "manuscript": "Working paper",
}

# CSL item type for a publication sub-type (citation).
SUBTYPE_CSL = {
    "Book": "book",
    "Book (edited)": "book",
    "Monograph": "book",
    "Scholarly edition": "book",
    "Book chapter": "chapter",
    "Conference proceeding or paper": "paper-conference",
    "Journal article or review": "article-journal",
    "Systematic review": "article-journal",
    "Consultancy report": "report",
    "Policy briefing report": "report",
    "Technical report": "report",
    "Technical standard": "standard",
    "Manual or guide": "report",
    "Working paper": "report",
    "Thesis": "thesis",
}
