"""Text read back out of a PDF with pypdf (pure Python, so it runs on CI without poppler), and the
names the PDF tests write: Polish letters, Chinese and Arabic.

What extraction reliably gives back (pypdf 7): Latin with diacritics and Chinese exactly; an
Arabic name word by word, each word's letters in reading order, but the words in the order they
are drawn on the page, which for right-to-left text is the reverse of reading order. So the
Arabic checks are that each word comes back whole, that the words are drawn right to left, and
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
ARABIC_AS_DRAWN = " ".join(reversed(ARABIC.split()))
NAMES = (POLISH, CHINESE, ARABIC)


def extract(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def assert_names_come_back(content: bytes) -> str:
    text = extract(content)
    assert "?" * 3 not in text
    assert POLISH in text
    assert CHINESE in text
    for word in ARABIC.split():
        assert re.search(rf"(?<!\w){word}(?!\w)", text), word
    assert ARABIC_AS_DRAWN in text  # drawn right to left
    return text


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
