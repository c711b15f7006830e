"""Draw the site's icon: an NHS blue (#005EB8) square with a white open "C" (for coproduce).

Writes coproduce/static/img/favicon.svg (by hand, below) and coproduce/static/img/favicon.ico
(16, 32 and 48 px, drawn with Pillow at 4x and scaled down). Run it again after changing either:

    python tools/make_favicon.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "coproduce" / "static" / "img"
NHS_BLUE = "#005EB8"
SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="4" fill="{NHS_BLUE}"/>
<path d="M22.4 10.3A8.5 8.5 0 1 0 22.4 21.7" fill="none" stroke="#fff" stroke-width="4.5" stroke-linecap="round"/>
</svg>
"""


def draw(size: int = 256) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    unit = size / 32
    pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=round(4 * unit), fill=NHS_BLUE)
    radius = 8.5 * unit
    centre = 16 * unit
    box = (centre - radius, centre - radius, centre + radius, centre + radius)
    pen.arc(box, start=42, end=318, fill="white", width=round(4.5 * unit))
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "favicon.svg").write_text(SVG, encoding="utf-8")
    draw().save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
