"""Bibliographic references: identifiers checked for form, files read, citations formatted.

Identifiers (each check raises `ValidationError` with an NHS.UK-style message, naming what to
enter and an example):
- DOI: `10.` + a registrant code of 4 to 9 digits + `/` + a suffix (DOI Handbook 2.2, "DOI
  syntax"; the registrant code length is Crossref's pattern for the DOIs it has issued). A
  `https://doi.org/` or `doi:` prefix is taken off. DOIs match case-insensitively (Handbook
  2.4), so duplicates are found on the lower-cased form.
- PMID: PubMed's identifier, a whole number of 1 to 8 digits; a `PMID:` prefix is taken off.
- ISBN: ISBN-10 (ISO 2108 before 2007: weights 10 to 1, sum divisible by 11, `X` = 10 as
  the check character) or ISBN-13 (EAN-13: weights 1 and 3 alternately, sum divisible by 10,
  prefix 978 or 979). Hyphens and spaces are taken off. An ISBN-10 is compared as its ISBN-13
  (978 + first nine digits + a new EAN check digit), so one book is one book.
- URL: an http or https address (Django's URLValidator).

Files: RIS with `rispy`, BibTeX with `bibtexparser` (2.x), CSL-JSON with the standard
library's `json` (CSL-JSON schema, citation-style-language/schema `csl-data.json`). Each reader
turns a file into `Entry` rows: a CSL-JSON-shaped `item` (the CSL 1.0.2 variables: `type`,
`title`, `author`, `container-title`, `volume`, `issue`, `page`, `publisher`, `issued`, `DOI`,
`PMID`, `ISBN`, `URL`, `abstract`) plus where it began in the file, so messages name the row.
A file that cannot be read at all gives one `Entry` with an error and no item.

Citations: `format_bibliography` runs citeproc-py (a CSL 1.0 processor) with the APA 7th
edition style shipped in `lib/csl/apa.csl` (CC BY-SA 3.0, see lib/csl/README.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

STYLE_PATH = Path(__file__).parent / "csl" / "apa.csl"
STYLE_NAME = "APA Style 7th edition"
# Formatted bibliographies kept per process (a study page's outputs, an outputs page's 25).
CITATIONS_KEPT = 512

# --- identifiers ----------------------------------------------------------------------------

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_PMID_PREFIX = re.compile(r"^pmid:\s*", re.IGNORECASE)


def clean_doi(value: str) -> str:
    """The DOI without a resolver prefix; ValidationError if it is not a DOI's form."""
    doi = _DOI_PREFIX.sub("", (value or "").strip())
    if not doi:
        return ""
    if not _DOI.match(doi):
        raise ValidationError(
            "Enter a DOI in the correct format, starting 10. like 10.1136/bmj.j3453",
            code="doi",
        )
    return doi


def clean_pmid(value: str) -> str:
    pmid = _PMID_PREFIX.sub("", (value or "").strip())
    if not pmid:
        return ""
    if not (pmid.isascii() and pmid.isdigit() and 1 <= len(pmid) <= 8) or int(pmid) == 0:
        raise ValidationError(
            "Enter a PubMed ID (PMID) of up to 8 digits, like 28794154", code="pmid"
        )
    return str(int(pmid))


def isbn10_check(first_nine: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(first_nine))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check(first_twelve: str) -> str:
    total = sum((3 if i % 2 else 1) * int(d) for i, d in enumerate(first_twelve))
    return str((10 - total % 10) % 10)


def clean_isbn(value: str) -> str:
    """The ISBN's digits (10 or 13, as written); ValidationError naming what is wrong."""
    isbn = re.sub(r"[\s\-\u2010-\u2015]", "", (value or "").strip()).upper()
    if isbn.startswith("ISBN"):
        isbn = isbn[4:].lstrip(":")
    if not isbn:
        return ""
    if len(isbn) == 10 and isbn[:9].isdigit() and (isbn[9].isdigit() or isbn[9] == "X"):
        if isbn10_check(isbn[:9]) != isbn[9]:
            raise ValidationError(
                "The ISBN's last character does not match the others: check the number",
                code="isbn_check",
            )
        return isbn
    if len(isbn) == 13 and isbn.isdigit() and isbn[:3] in ("978", "979"):
        if isbn13_check(isbn[:12]) != isbn[12]:
            raise ValidationError(
                "The ISBN's last digit does not match the others: check the number",
                code="isbn_check",
            )
        return isbn
    raise ValidationError("Enter an ISBN of 10 or 13 digits, like 978-0-306-40615-7", code="isbn")


def isbn13(isbn: str) -> str:
    """The ISBN-13 of a checked ISBN (an ISBN-10 gets 978 and a new check digit)."""
    if len(isbn) == 10:
        body = "978" + isbn[:9]
        return body + isbn13_check(body)
    return isbn


def clean_url(value: str) -> str:
    url = (value or "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            "Enter a web address in the correct format, like https://www.example.org/report",
            code="url",
        ) from None
    return url


def normalise_title(title: str) -> str:
    """A title for finding duplicates: accents, case, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


# --- reading files ----------------------------------------------------------------------------


@dataclasses.dataclass
class Entry:
    """One reference read from a file: where it starts, its item, and what is wrong with it."""

    number: int
    line: int | None
    item: dict[str, Any]
    errors: list[str] = dataclasses.field(default_factory=list)

    @property
    def where(self) -> str:
        place = f"Reference {self.number}"
        return f"{place} (line {self.line})" if self.line else place


def _person(name: str) -> dict[str, str]:
    name = " ".join(name.split())
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return {"family": family, "given": given}
    parts = name.rsplit(" ", 1)
    if len(parts) == 2:
        return {"family": parts[1], "given": parts[0]}
    return {"literal": name}


def _issued(year: str | None, date: str | None = None) -> dict[str, Any] | None:
    for text in (date, year):
        if not text:
            continue
        numbers = [int(n) for n in re.findall(r"\d+", text)]
        if numbers and 1000 <= numbers[0] <= 2999:
            parts = [n for n in numbers[:3]]
            if len(parts) > 1 and not 1 <= parts[1] <= 12:
                parts = parts[:1]
            if len(parts) > 2 and not 1 <= parts[2] <= 31:
                parts = parts[:2]
            return {"date-parts": [parts]}
    return None


RIS_TYPES = {
    "JOUR": "article-journal",
    "JFULL": "article-journal",
    "EJOUR": "article-journal",
    "MGZN": "article-magazine",
    "NEWS": "article-newspaper",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "CONF": "paper-conference",
    "CPAPER": "paper-conference",
    "RPRT": "report",
    "GOVDOC": "report",
    "THES": "thesis",
    "ELEC": "webpage",
    "DATA": "dataset",
    "COMP": "software",
}

BIBTEX_TYPES = {
    "article": "article-journal",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "techreport": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "misc": "document",
    "online": "webpage",
    "software": "software",
    "dataset": "dataset",
}


def _ris_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.startswith("TY  -")]


def read_ris(text: str) -> list[Entry]:
    import rispy

    try:
        records = rispy.loads(text)
    except Exception as exc:  # noqa: BLE001 - any parser failure is the file's, said plainly
        return [Entry(1, None, {}, [f"The file could not be read as RIS: {exc}"])]
    starts = _ris_lines(text)
    entries = []
    for number, record in enumerate(records, start=1):
        authors = record.get("authors") or record.get("first_authors") or []
        pages = "-".join(p for p in (record.get("start_page"), record.get("end_page")) if p)
        serial = (record.get("issn") or "").strip()
        isbn = (
            serial
            if re.sub(r"[\s-]", "", serial).upper().rstrip("X").isdigit()
            and len(re.sub(r"[\s-]", "", serial)) in (10, 13)
            else ""
        )
        accession = (record.get("accession_number") or "").strip()
        item: dict[str, Any] = {
            "type": RIS_TYPES.get(record.get("type_of_reference", ""), "document"),
            "title": record.get("title") or record.get("primary_title") or "",
            "author": [_person(a) for a in authors],
            "container-title": record.get("journal_name")
            or record.get("secondary_title")
            or record.get("alternate_title1")
            or "",
            "volume": record.get("volume") or "",
            "issue": record.get("number") or "",
            "page": pages,
            "publisher": record.get("publisher") or "",
            "DOI": record.get("doi") or "",
            "PMID": accession if accession.isdigit() else "",
            "ISBN": isbn,
            "URL": (record.get("urls") or [""])[0],
            "abstract": record.get("abstract") or "",
        }
        issued = _issued(record.get("year") or record.get("publication_year"), record.get("date"))
        if issued:
            item["issued"] = issued
        unknown = record.get("unknown_tag")
        line = starts[number - 1] if number - 1 < len(starts) else None
        entry = Entry(number, line, item)
        if unknown:
            tags = ", ".join(sorted(str(t) for t in unknown if t))
            if tags:
                entry.errors.append(f"has tags RIS does not define: {tags}")
            else:
                entry.errors.append("has lines that are not RIS tags (`XX  - value`)")
        entries.append(entry)
    if not entries:
        return [Entry(1, None, {}, ["The file holds no RIS references (each starts TY  -)"])]
    return entries


def _latex(text: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    return " ".join(LatexNodes2Text().latex_to_text(text).split())


def read_bibtex(text: str) -> list[Entry]:
    import bibtexparser

    library = bibtexparser.parse_string(text)
    blocks: list[tuple[int, Any, Any]] = [(e.start_line or 0, e, None) for e in library.entries]
    blocks += [(b.start_line or 0, None, b) for b in library.failed_blocks]
    blocks.sort(key=lambda row: row[0])
    entries = []
    for number, (start, entry, failed) in enumerate(blocks, start=1):
        line = start + 1
        if failed is not None or entry is None:
            reason = str(getattr(failed, "error", "")).splitlines()[0:1]
            entries.append(
                Entry(number, line, {}, [f"could not be read as BibTeX: {''.join(reason)}"])
            )
            continue
        fields = {k.lower(): _latex(str(v.value)) for k, v in entry.fields_dict.items()}
        authors = [a for a in re.split(r"\s+and\s+", fields.get("author", "")) if a.strip()]
        item: dict[str, Any] = {
            "type": BIBTEX_TYPES.get(entry.entry_type.lower(), "document"),
            "title": fields.get("title", ""),
            "author": [_person(a) for a in authors],
            "container-title": fields.get("journal") or fields.get("booktitle") or "",
            "volume": fields.get("volume", ""),
            "issue": fields.get("number", ""),
            "page": fields.get("pages", "").replace("--", "-"),
            "publisher": fields.get("publisher") or fields.get("institution") or "",
            "DOI": fields.get("doi", ""),
            "PMID": fields.get("pmid", ""),
            "ISBN": fields.get("isbn", ""),
            "URL": fields.get("url", ""),
            "abstract": fields.get("abstract", ""),
        }
        issued = _issued(fields.get("year"), fields.get("date"))
        if issued:
            item["issued"] = issued
        entries.append(Entry(number, line, item))
    if not entries:
        return [Entry(1, None, {}, ["The file holds no BibTeX entries (each starts @type{key,)"])]
    return entries


def read_csl_json(text: str) -> list[Entry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Entry(1, exc.lineno, {}, [f"The file is not valid JSON: {exc.msg}"])]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not data:
        return [Entry(1, None, {}, ["The file must hold a list of CSL-JSON items"])]
    entries = []
    for number, raw in enumerate(data, start=1):
        if not isinstance(raw, dict):
            entries.append(Entry(number, None, {}, ["is not a CSL-JSON item (an object)"]))
            continue
        item = {k: raw[k] for k in raw if k in _CSL_KEYS}
        item["author"] = [a for a in raw.get("author") or [] if isinstance(a, dict)]
        for key in ("DOI", "PMID", "ISBN", "URL", "title", "container-title"):
            value = item.get(key, "")
            item[key] = value if isinstance(value, str) else str(value)
        entries.append(Entry(number, None, item))
    return entries


_CSL_KEYS = {
    "type",
    "title",
    "author",
    "container-title",
    "volume",
    "issue",
    "page",
    "publisher",
    "issued",
    "DOI",
    "PMID",
    "ISBN",
    "URL",
    "abstract",
}

READERS = {"ris": read_ris, "bibtex": read_bibtex, "csl-json": read_csl_json}


def format_of(filename: str) -> str | None:
    suffix = Path(filename).suffix.lower()
    return {".ris": "ris", ".bib": "bibtex", ".json": "csl-json"}.get(suffix)


def check_item(entry: Entry) -> None:
    """Clean the item's identifiers in place, adding a message per fault to `entry.errors`."""
    item = entry.item
    if not item:
        return
    if not str(item.get("title", "")).strip():
        entry.errors.append("has no title")
    if not issued_date(item):
        entry.errors.append("has no year of publication")
    for key, clean in (("DOI", clean_doi), ("PMID", clean_pmid), ("ISBN", clean_isbn)):
        try:
            item[key] = clean(str(item.get(key) or ""))
        except ValidationError as exc:
            entry.errors.append(f"{key} {item.get(key)!r}: {exc.messages[0]}")
    try:
        item["URL"] = clean_url(str(item.get("URL") or ""))
    except ValidationError as exc:
        entry.errors.append(f"URL {item.get('URL')!r}: {exc.messages[0]}")


def issued_date(item: dict[str, Any]) -> tuple[dt.date, str] | None:
    """The item's date and precision ("year", "month" or "day"), or None."""
    try:
        parts = [int(p) for p in item["issued"]["date-parts"][0]]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if not parts or not 1000 <= parts[0] <= 2999:
        return None
    try:
        if len(parts) >= 3:
            return dt.date(parts[0], parts[1], parts[2]), "day"
        if len(parts) == 2:
            return dt.date(parts[0], parts[1], 1), "month"
    except ValueError:
        pass
    return dt.date(parts[0], 1, 1), "year"


# --- citations ------------------------------------------------------------------------------


def format_bibliography(items: list[dict[str, Any]]) -> dict[str, str]:
    """Each item's reference in the shipped CSL style, as HTML (text escaped), by item id.

    The items are CSL-JSON with an `id`; the result is keyed by that id, in no order. The
    answer for the same items is kept per process (citeproc takes 20-70 ms for a study's few
    outputs, every time a public study page is drawn): it depends on the items' text alone,
    so an edited output is a new key and never answered from an old one.
    """
    if not items:
        return {}
    return dict(_formatted(json.dumps(items, ensure_ascii=False)))


@lru_cache(maxsize=CITATIONS_KEPT)
def _formatted(items_json: str) -> tuple[tuple[str, str], ...]:
    items: list[dict[str, Any]] = json.loads(items_json)
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    # citeproc-py's HTML formatter adds markup (<i>, <b>) but passes text through as it is:
    # every text value is escaped before it goes in, so the result is safe HTML.
    safe = [_escaped(item) for item in items]
    style = CitationStylesStyle(str(STYLE_PATH), locale="en-GB", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(safe), formatter.html)
    for item in safe:
        bibliography.register(Citation([CitationItem(item["id"])]))
    keys = [str(item.key) for item in bibliography.items]
    by_id = {str(item["id"]): item for item in safe}
    return tuple(
        (key, _substituted_once(str(text), by_id.get(key, {})))
        for key, text in zip(keys, bibliography.bibliography(), strict=True)
    )


def _substituted_once(text: str, item: dict[str, Any]) -> str:
    """The reference with the title printed once when it stood in for missing authors.

    CSL 1.0.2 (cs:substitute): "Substituted variables are suppressed in the rest of the output
    to prevent duplication". citeproc-py prints the title in the author's place and again in its
    own ("Title. (2013). Title. Journal."), so the second one goes, with its markup and stop.
    """
    title = item.get("title")
    if item.get("author") or item.get("editor") or not isinstance(title, str) or not title:
        return text
    first = text.find(title)
    second = text.find(title, first + len(title)) if first >= 0 else -1
    if second < 0:
        return text
    start, end = second, second + len(title)
    if text[:start].endswith("<i>") and text[end:].startswith("</i>"):
        start, end = start - 3, end + 4
    if text[end:].startswith("."):
        end += 1
    if text[:start].endswith(" "):
        start -= 1
    return text[:start] + text[end:]


# Han, kana and Hangul: scripts whose names have no initials and are written family name first.
_EAST_ASIAN = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)


def _as_cited(name: dict[str, Any]) -> dict[str, Any]:
    """A name as the citation processor should see it. The CSL 1.0.2 specification (Names,
    "Name-part Order") writes names in non-Latin scripts family name first and never reduces the
    given name to an initial; citeproc-py applies the Latin rules to every name ("王, . 秀英 ."),
    so an East Asian name goes in as a literal, family then given with no space between, as
    citeproc-js prints it."""
    family, given = name.get("family"), name.get("given")
    if isinstance(family, str) and _EAST_ASIAN.search(family + (given or "")):
        return {"literal": family + (given or "")}
    return name


def _escaped(item: dict[str, Any]) -> dict[str, Any]:
    out = dict(item)
    out["id"] = str(item["id"]).lower()
    for key, value in item.items():
        if isinstance(value, str) and key != "id":
            out[key] = html.escape(value, quote=False)
        elif key == "author" and isinstance(value, list):
            out[key] = [
                {
                    k: html.escape(v, quote=False) if isinstance(v, str) else v
                    for k, v in _as_cited(a).items()
                }
                for a in value
                if isinstance(a, dict)
            ]
    return out
