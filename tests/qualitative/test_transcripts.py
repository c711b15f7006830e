"""Transcripts: WebVTT and SRT through webvtt-py, plain text; speaker turns and timestamps."""

from __future__ import annotations

import pytest

from coproduce.qualitative.transcripts import TranscriptError, parse

VTT = (
    "WEBVTT\n\nNOTE recorded with consent\n\n"
    "00:00:01.000 --> 00:00:04.000\n<v Ann Hale>We are ready.\n\n"
    "01:02:03.250 --> 01:02:05.000\n<v.loud Łukasz>Yes,\nlet us begin.\n"
)
SRT = (
    "1\n00:00:01,000 --> 00:00:02,500\nAnna: hello there\n\n"
    "2\n00:00:03,000 --> 00:00:04,000\nno speaker label here\n"
)


def test_webvtt_keeps_voices_and_times() -> None:
    parsed = parse(VTT.encode())
    assert parsed.format == "vtt"
    assert parsed.text == "Ann Hale: We are ready.\nŁukasz: Yes, let us begin."
    first, second = parsed.turns
    assert (first.speaker, first.start_ms, first.end_ms) == ("Ann Hale", 1000, 4000)
    assert (second.speaker, second.start_ms, second.end_ms) == ("Łukasz", 3723250, 3725000)
    assert parsed.text[second.start : second.end] == "Łukasz: Yes, let us begin."


def test_srt_reads_speaker_labels() -> None:
    parsed = parse(SRT.encode())
    assert parsed.format == "srt"
    assert [t.speaker for t in parsed.turns] == ["Anna", ""]
    assert parsed.turns[0].end_ms == 2500
    assert parsed.text.split("\n") == ["Anna: hello there", "no speaker label here"]


def test_plain_text_is_kept_exactly_with_turns_per_line() -> None:
    parsed = parse("\ufeff[00:01:05] Ann: One.\r\n\r\nRaj: Two: three.\n".encode())
    assert parsed.format == "text"
    assert parsed.text == "[00:01:05] Ann: One.\n\nRaj: Two: three."
    assert [(t.speaker, t.start_ms) for t in parsed.turns] == [("Ann", 65000), ("Raj", None)]
    assert [parsed.text[t.start : t.end] for t in parsed.turns] == [
        "[00:01:05] Ann: One.",
        "Raj: Two: three.",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"WEBVTT\n\nnot a cue\n", "no captions"),
        ("caf\xe9".encode("latin-1"), "UTF-8"),
        (b"\n\n  \n", "empty"),
        (b"a\x00b", "binary"),
    ],
)
def test_unreadable_files_say_why(data: bytes, message: str) -> None:
    with pytest.raises(TranscriptError, match=message):
        parse(data)


def _docx(*paragraphs: str) -> bytes:
    import io

    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_word_documents_are_read_paragraph_by_paragraph() -> None:
    parsed = parse(_docx("[00:00:07] Ann: We start.", "", "Raj: Agreed, Zoë."))
    assert parsed.format == "docx"
    assert parsed.text == "[00:00:07] Ann: We start.\n\nRaj: Agreed, Zoë."
    assert [(t.speaker, t.start_ms) for t in parsed.turns] == [("Ann", 7000), ("Raj", None)]


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(TranscriptError, match="not a Word document"):
        parse(buffer.getvalue())
