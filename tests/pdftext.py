"""Text read back out of a PDF with pypdf (pure Python, so it runs on CI without poppler), and the
names the PDF tests write: Polish letters, Chinese and Arabic.

What extraction reliably gives back (pypdf 7): Latin with diacritics and Chinese exactly; an
Arabic name word by word, each word's letters in reading order, but the order of the words
varies (pypdf joins the pieces in the order they are drawn, not by position). So the Arabic
checks are that each word comes back whole, that the first word is drawn to the right of the
second (`drawn_right_to_left`, from the text matrix pypdf reports for each piece), and
(`shaped_letters`) that a letter was drawn with more than one glyph (joined forms: shaping).
"""

from __future__ import annotations

import io
import re
from collections import defaultdict

from pypdf import PdfReader

POLISH = "Łucja Wąsowska"
CHINESE = "王秀英"
ARABIC = "فاطمة الزهراء"
NAMES = (POLISH, CHINESE, ARABIC)


def extract(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def assert_names_come_back(content: bytes) -> str:
    text = extract(content)
    assert "?" * 3 not in text
    assert POLISH in text, text
    assert CHINESE in text, text
    for word in ARABIC.split():
        assert re.search(rf"(?<!\w){word}(?!\w)", text), (word, text)
    assert drawn_right_to_left(content), text
    return text


def drawn_right_to_left(content: bytes) -> bool:
    """On some line, the Arabic name's first word starts right of its second word."""
    first, second = ARABIC.split()
    pieces: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            pieces.append((text.strip(), tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    for page in PdfReader(io.BytesIO(content)).pages:
        pieces.clear()
        page.extract_text(visitor_text=visit)
        starts = {(text, round(y, 1)): x for text, x, y in pieces}
        for (text, y), x in starts.items():
            if text == first and (second, y) in starts and x > starts[(second, y)]:
                return True
    return False


def shaped_letters(content: bytes) -> set[str]:
    """Arabic letters that more than one glyph of an embedded font stands for (a letter joined
    at its start, middle or end is a different glyph from the letter alone)."""
    reader = PdfReader(io.BytesIO(content))
    letters: set[str] = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/ToUnicode" not in font:
                continue
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            glyphs: dict[str, set[str]] = defaultdict(set)
            for glyph, code in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4})>", cmap):
                glyphs[chr(int(code, 16))].add(glyph)
            letters |= {c for c, g in glyphs.items() if len(g) > 1 and "\u0600" <= c <= "\u06ff"}
    return letters
