"""Identifiers, file readers and citations of `coproduce/lib/references.py`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from coproduce.lib import references as r


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("10.1136/bmj.j3453", "10.1136/bmj.j3453"),
        ("https://doi.org/10.1136/BMJ.J3453", "10.1136/BMJ.J3453"),
        ("doi: 10.1002/(SICI)1097-0258(19980815/30)17:15/16<1661::AID-SIM968>3.0.CO;2-2", None),
        ("", ""),
    ],
)
def test_doi_prefixes_come_off(given: str, kept: str | None) -> None:
    result = r.clean_doi(given)
    assert result == (kept if kept is not None else given[5:])


@pytest.mark.parametrize("bad", ["10.11/x", "11.1136/bmj", "bmj.j3453", "10.1136/has space"])
def test_doi_of_wrong_form_is_refused_with_an_example(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        r.clean_doi(bad)
    assert caught.value.messages == [
        "Enter a DOI in the correct format, starting 10. like 10.1136/bmj.j3453"
    ]


def test_pmid() -> None:
    assert r.clean_pmid("PMID: 28794154") == "28794154"
    for bad in ("123456789", "12a", "0", "２８７"):
        with pytest.raises(ValidationError, match="up to 8 digits"):
            r.clean_pmid(bad)


@pytest.mark.parametrize(
    "isbn", ["978-0-306-40615-7", "0-306-40615-2", "ISBN 0 8044 2957 X", "979-10-90636-07-1"]
)
def test_valid_isbns(isbn: str) -> None:
    assert r.clean_isbn(isbn)


@pytest.mark.parametrize(
    ("isbn", "message"),
    [
        ("978-0-306-40615-8", "does not match"),
        ("0-306-40615-3", "does not match"),
        ("980-0-306-40615-7", "10 or 13 digits"),
        ("12345", "10 or 13 digits"),
    ],
)
def test_isbn_checksums(isbn: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        r.clean_isbn(isbn)


def test_isbn10_compares_as_isbn13() -> None:
    assert r.isbn13("0306406152") == "9780306406157"


def test_url() -> None:
    assert r.clean_url("https://example.org/a") == "https://example.org/a"
    with pytest.raises(ValidationError, match="like https://"):
        r.clean_url("javascript:alert(1)")


def test_titles_normalise_accents_case_and_punctuation() -> None:
    assert r.normalise_title("Café  Knowledge—Brokers!") == r.normalise_title(
        "cafe knowledge brokers"
    )


RIS = """TY  - JOUR
TI  - Knowledge brokers in stroke rehabilitation
AU  - Smith, Jane A
AU  - Ó Brien, Łukasz
PY  - 2019/03/02
JO  - BMJ Open
VL  - 9
IS  - 3
SP  - e012345
DO  - 10.1136/bmjopen-2018-012345
AN  - 30826712
ER  -\x20

TY  - BOOK
TI  - Co-production in practice
AU  - Jones, Bob
PY  - 2020
PB  - Policy Press
SN  - 978-0-306-40615-7
ER  -\x20
"""


def test_ris_reads_each_reference_with_its_line() -> None:
    entries = r.read_ris(RIS)
    assert [e.line for e in entries] == [1, 14]
    first = entries[0].item
    assert first["type"] == "article-journal"
    assert first["author"][1] == {"family": "Ó Brien", "given": "Łukasz"}
    assert first["issued"] == {"date-parts": [[2019, 3, 2]]}
    assert first["PMID"] == "30826712"
    assert entries[1].item["ISBN"] == "978-0-306-40615-7"
    for entry in entries:
        r.check_item(entry)
        assert entry.errors == []
    assert r.issued_date(entries[1].item) == (dt.date(2020, 1, 1), "year")


def test_bibtex_reads_latex_and_reports_a_broken_block_by_line() -> None:
    text = """@article{a1,
  title = {Caf\\'e {Knowledge} brokers},
  author = {Smith, Jane and Ó Brien, Łukasz},
  journal = {BMJ},
  year = {2019},
  doi = {10.1136/bmj.j3453}
}
@book{b,
  title = {Broken,
@misc{c, title = {No year}}
"""
    entries = r.read_bibtex(text)
    assert entries[0].item["title"] == "Café Knowledge brokers"
    assert entries[0].item["author"][0] == {"family": "Smith", "given": "Jane"}
    assert entries[1].line == 8
    assert entries[1].errors
    r.check_item(entries[2])
    assert entries[2].errors == ["has no year of publication"]


def test_csl_json() -> None:
    entries = r.read_csl_json('[{"id": "x", "type": "book", "title": "T", "ISBN": "12345"}]')
    r.check_item(entries[0])
    assert entries[0].errors == [
        "has no year of publication",
        "ISBN '12345': Enter an ISBN of 10 or 13 digits, like 978-0-306-40615-7",
    ]
    assert r.read_csl_json("{nope")[0].errors[0].startswith("The file is not valid JSON")


def test_citations_in_apa_escape_text() -> None:
    cited = r.format_bibliography(
        [
            {
                "id": "A",
                "type": "article-journal",
                "title": "<script>x</script> & more",
                "author": [{"family": "Smith", "given": "Jane"}],
                "issued": {"date-parts": [[2019]]},
                "container-title": "BMJ Open",
                "volume": "9",
                "DOI": "10.1136/x",
            }
        ]
    )
    assert cited["a"] == (
        "Smith, J. (2019). &lt;script&gt;x&lt;/script&gt; &amp; more. <i>BMJ Open</i>, "
        "<i>9</i>. https://doi.org/10.1136/x"
    )


def test_east_asian_names_are_cited_family_name_first_without_initials() -> None:
    cited = r.format_bibliography(
        [
            {
                "id": "B",
                "type": "article-journal",
                "title": "Follow-on groups",
                "author": [
                    {"family": "Bramley", "given": "Sarah"},
                    {"family": "王", "given": "秀英"},
                ],
                "issued": {"date-parts": [[2013]]},
                "container-title": "Primary Health Care Research and Development",
            }
        ]
    )
    assert cited["b"].startswith("Bramley, S., &amp; 王秀英. (2013). Follow-on groups.")


def test_a_title_standing_in_for_authors_is_printed_once() -> None:
    cited = r.format_bibliography(
        [
            {
                "id": "C",
                "type": "document",
                "title": "Follow-on groups",
                "issued": {"date-parts": [[2013, 9, 1]]},
            },
            {
                "id": "D",
                "type": "article-journal",
                "title": "Groups & more",
                "container-title": "BMJ",
                "issued": {"date-parts": [[2013]]},
            },
        ]
    )
    assert cited["c"] == "<i>Follow-on groups</i>. (2013, September 1)."
    assert cited["d"] == "Groups &amp; more. (2013). <i>BMJ</i>."


def test_a_bibliography_is_formatted_once_for_the_same_items_and_again_when_they_change() -> None:
    item = {
        "id": "K",
        "type": "book",
        "title": "Kept once",
        "author": [{"family": "Kay", "given": "Ann"}],
        "issued": {"date-parts": [[2020]]},
    }
    r._formatted.cache_clear()
    first = r.format_bibliography([item])
    first["k"] = "changed by the caller"
    again = r.format_bibliography([dict(item)])
    assert r._formatted.cache_info().hits == 1
    assert again["k"].startswith("Kay, A. (2020). <i>Kept once</i>")
    edited = r.format_bibliography([{**item, "title": "Edited"}])
    assert "Edited" in edited["k"]
    assert "Kept once" not in edited["k"]
    assert r._formatted.cache_info().misses == 2
