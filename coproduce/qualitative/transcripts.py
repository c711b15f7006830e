"""Reading uploaded transcripts into one plain text with speaker turns and timestamps.

Formats, recognised by content (never by the file name the browser sent):
- WebVTT (W3C "WebVTT: The Web Video Text Tracks Format"): read with webvtt-py; a cue's voice
  span (`<v Name>`) is its speaker.
- SubRip (SRT): numbered cues with `00:00:01,000 --> 00:00:02,000` timings, read with webvtt-py's
  SRT reader; a leading "Name:" in a cue is its speaker (SRT has no voice markup).
- Plain text: one turn per non-blank line; a line may start with a timestamp (`[00:01:02]` or
  `00:01:02`) and a "Name:" speaker label.
- Word (.docx, a zip container; the upload validator has already bounded it): read with
  python-docx; each paragraph is a line of plain text, read as above.

The text of a cue-based transcript is written as one line per cue, "Name: words", so a coder
reads who spoke; each turn records where its line lies in the text. Plain text is kept exactly
as uploaded (only a byte order mark and CR LF line ends are normalised).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import webvtt
import webvtt.models
from webvtt.errors import MalformedCaptionError, MalformedFileError


class TranscriptError(ValueError):
    """The file cannot be read as a transcript; the message says why, for the person."""


@dataclass
class ParsedTurn:
    speaker: str
    start: int
    end: int
    start_ms: int | None = None
    end_ms: int | None = None


@dataclass
class Parsed:
    format: str  # ProjectSource.Format value
    text: str
    turns: list[ParsedTurn] = field(default_factory=list)


_SRT_TIMING = re.compile(r"^\s*\d+\s*\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.MULTILINE)
_SPEAKER = re.compile(r"^(?P<speaker>[^\s:\d][^:\n]{0,59}):\s+(?P<words>\S.*)$", re.DOTALL)
_LINE_TIME = re.compile(r"^\[?(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\]?\s+")


def _milliseconds(value: str) -> int:
    parts = value.replace(",", ".").split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2]) if len(parts) > 1 else 0
    hours = int(parts[-3]) if len(parts) > 2 else 0
    return round(((hours * 60 + minutes) * 60 + seconds) * 1000)


def _timestamp_ms(timestamp: webvtt.models.Timestamp) -> int:
    hours, minutes, seconds, milliseconds = timestamp.to_tuple()
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + milliseconds


def decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TranscriptError(
            "The file must be text saved as UTF-8. Save it again as UTF-8 and upload it again."
        ) from error
    if "\x00" in text:
        raise TranscriptError("The file holds binary data, not text.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def detect(text: str) -> str:
    if text.lstrip().startswith("WEBVTT"):
        return "vtt"
    if _SRT_TIMING.match(text.lstrip()):
        return "srt"
    return "text"


def _from_cues(captions: list[webvtt.Caption], fmt: str) -> Parsed:
    lines: list[str] = []
    turns: list[ParsedTurn] = []
    position = 0
    for caption in captions:
        words = " ".join(line.strip() for line in caption.text.split("\n") if line.strip())
        speaker = caption.voice or "" if fmt == "vtt" else ""
        if not speaker:
            match = _SPEAKER.match(words)
            if match:
                speaker, words = match["speaker"].strip(), match["words"]
        if not words:
            continue
        line = f"{speaker}: {words}" if speaker else words
        turns.append(
            ParsedTurn(
                speaker=speaker,
                start=position,
                end=position + len(line),
                start_ms=_timestamp_ms(caption.start_time),
                end_ms=_timestamp_ms(caption.end_time),
            )
        )
        lines.append(line)
        position += len(line) + 1
    if not turns:
        raise TranscriptError("The file has no captions with words in them.")
    return Parsed(fmt, "\n".join(lines), turns)


def _from_text(text: str) -> Parsed:
    text = text.strip("\n")
    if not text.strip():
        raise TranscriptError("The file is empty.")
    turns: list[ParsedTurn] = []
    position = 0
    for line in text.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        if not line.strip():
            continue
        rest, start_ms = line, None
        timed = _LINE_TIME.match(rest)
        if timed:
            start_ms = _milliseconds(timed["time"])
            rest = rest[timed.end() :]
        match = _SPEAKER.match(rest)
        speaker = match["speaker"].strip() if match else ""
        turns.append(ParsedTurn(speaker=speaker, start=start, end=end, start_ms=start_ms))
    return Parsed("text", text, turns)


def _docx_text(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise TranscriptError("The file is a zip archive but not a Word document.") from error
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def parse(data: bytes) -> Parsed:
    """Read `data` (the uploaded bytes) as a WebVTT, SRT, Word or plain-text transcript."""
    if data.startswith(b"PK\x03\x04"):
        parsed = _from_text(_docx_text(data).replace("\r\n", "\n").replace("\r", "\n"))
        parsed.format = "docx"
        return parsed
    text = decode(data)
    fmt = detect(text)
    if fmt == "text":
        return _from_text(text)
    try:
        if fmt == "vtt":
            captions = list(webvtt.WebVTT.from_buffer(io.StringIO(text), format="vtt").captions)
        else:
            captions = list(webvtt.WebVTT.from_buffer(io.StringIO(text), format="srt").captions)
    except (MalformedFileError, MalformedCaptionError) as error:
        label = "WebVTT" if fmt == "vtt" else "SubRip (SRT)"
        raise TranscriptError(f"The {label} file could not be read: {error}.") from error
    return _from_cues(captions, fmt)
