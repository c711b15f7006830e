"""Make NotoSansSC-Regular.subset.ttf from Debian's Noto Sans CJK (see README.md).

    apt-get download fonts-noto-cjk && dpkg -x fonts-noto-cjk_*.deb cjk
    python coproduce/lib/fonts/make_cjk_subset.py \
        cjk/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc coproduce/lib/fonts/

Keeps the Simplified Chinese face (number 2 in the collection) for every character of GB 2312
(6,763 hanzi, kana, CJK punctuation and symbols) and the CJK symbols and full-width forms
blocks, then converts the CFF outlines to TrueType ones (cu2qu, at most 2 units of 1,000 off),
because pypdf cannot read back text drawn with a CFF font as fpdf2 embeds it.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

FACE = 2  # Noto Sans CJK SC in NotoSansCJK-Regular.ttc
MAX_ERROR = 2.0


def codepoints() -> set[int]:
    chars: set[str] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.update(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    chars.update(chr(c) for c in range(0x3000, 0x3100))  # CJK punctuation, kana
    chars.update(chr(c) for c in range(0xFF00, 0xFFF0))  # full-width forms
    return {ord(c) for c in chars if ord(c) >= 0x2E80}


def to_truetype(font: TTFont) -> None:
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    quadratic = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        quadratic[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = quadratic
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["post"].formatType = 3.0  # no glyph names
    font.sfntVersion = "\x00\x01\x00\x00"


def main(source: str, folder: str) -> None:
    options = subset.Options()
    options.hinting = False
    options.name_IDs = ["*"]
    options.font_number = FACE
    font = subset.load_font(source, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints())
    subsetter.subset(font)
    saved = io.BytesIO()
    font.save(saved)  # and read back, so glyph bounds are computed when converting
    font = TTFont(io.BytesIO(saved.getvalue()))
    to_truetype(font)
    font.save(str(Path(folder) / "NotoSansSC-Regular.subset.ttf"))


if __name__ == "__main__":
    main(*sys.argv[1:3])
