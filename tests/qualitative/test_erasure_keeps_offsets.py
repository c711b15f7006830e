"""Erasing a person from a transcript masks them character for character, so every coding
still covers the passage it covered."""

from __future__ import annotations

from coproduce.qualitative.personal_data import MASK, mask


def test_masking_keeps_the_length_and_every_offset() -> None:
    text = "Zoë Quarrington: I went back in May. Ask zoe.q@example.org or Zoë Quarrington."
    masked = mask(text, ("Zoë Quarrington", "zoe.q@example.org"))
    assert len(masked) == len(text)
    assert "Quarrington" not in masked
    assert "example.org" not in masked
    start = text.index("I went back")
    assert masked[start : start + 20] == text[start : start + 20]
    assert masked.startswith(MASK * len("Zoë Quarrington") + ":")


def test_masking_only_whole_words() -> None:
    assert mask("Annabel and Ann", ("Ann",)) == "Annabel and " + MASK * 3
