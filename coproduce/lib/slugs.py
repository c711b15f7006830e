"""The one way a slug (the name of a record in its web address) is made from a title.

`make_slug("<b>Łódź</b> café &amp; Straße")` is "lodz-cafe-strasse": markup is stripped and
entities decoded first, then every letter is transliterated to ASCII by anyascii (ISC licence,
no dependencies: "Ł" is "L", "ø" is "o", "ß" is "ss", CJK is romanised), then Django's `slugify` keeps lower-case letters,
digits and hyphens. Django's `slugify` alone drops any letter that Unicode does not decompose
into an ASCII base letter, so "Łódź" became "odz" and "<b>Title</b>" became "btitleb".
"""

from __future__ import annotations

import html

from anyascii import anyascii
from django.utils.html import strip_tags
from django.utils.text import slugify


def make_slug(text: str, max_length: int | None = None) -> str:
    """A slug for `text`, at most `max_length` characters, never starting or ending in "-".

    Empty when the text has no letters or digits at all (the caller chooses a fallback).
    """
    slug = slugify(anyascii(html.unescape(strip_tags(str(text)))))
    if max_length is not None:
        slug = slug[:max_length]
    return slug.strip("-")
