"""PDF documents with fpdf2 and the project's own Unicode fonts (`coproduce/lib/fonts/`).

Every PDF the project writes starts from `document()`: Noto Sans (Latin with its extensions,
Greek, Cyrillic) is the main font, with Noto Sans Arabic and a subset of Noto Sans CJK SC as
fallback fonts for the characters it lacks, and fpdf2's text shaping (HarfBuzz, through
uharfbuzz) so Arabic letters join and right-to-left text is laid out by the Unicode
bidirectional algorithm. The fonts ship with the package (SIL Open Font License, see
`fonts/README.md` for their source, what the CJK subset covers and how it was made); nothing is
fetched at run time. fpdf2 embeds only the glyphs a document uses, so a PDF stays small.

A character no font has (a Chinese character outside the CJK subset, say) is left out, and fpdf2
logs a warning naming it; it never becomes "?".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "NotoSans"
_FONTS = (
    (FAMILY, "", "NotoSans-Regular.ttf"),
    (FAMILY, "B", "NotoSans-Bold.ttf"),
    ("NotoSansArabic", "", "NotoSansArabic-Regular.ttf"),
    ("NotoSansArabic", "B", "NotoSansArabic-Bold.ttf"),
    ("NotoSansSC", "", "NotoSansSC-Regular.subset.ttf"),
)
FALLBACKS = ("NotoSansArabic", "NotoSansSC")


def document(*, title: str, lang: str = "en-GB", **options: Any) -> FPDF:
    """An A4 portrait FPDF with the fonts added, fallbacks and shaping on, and the title and
    language set (the title shows in a reader's window; the language helps screen readers)."""
    pdf = FPDF(**{"orientation": "portrait", "unit": "mm", "format": "A4", **options})
    for family, style, name in _FONTS:
        pdf.add_font(family, style, str(FONTS / name))
    # exact_match=False: bold CJK text falls back to the regular CJK font (no bold subset).
    pdf.set_fallback_fonts(list(FALLBACKS), exact_match=False)
    pdf.set_text_shaping(use_shaping_engine=True)
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_font(FAMILY, "", 11)
    return pdf


def clean(value: object) -> str:
    """A value as text for a PDF cell: control characters (bar line breaks and tabs) dropped,
    since no font draws them and they would reach the text layer."""
    return "".join(
        char for char in str(value) if char in "\n\t" or not (ord(char) < 32 or ord(char) == 127)
    )
