"""The parsed-transcript types every importer returns, and the error researchers see."""

from __future__ import annotations

from dataclasses import dataclass

SUPPORTED_EXTENSIONS = (".txt", ".docx", ".vtt", ".srt")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ParsedUtterance:
    """One speaker turn, located by code-point offsets into ParsedDocument.text.

    speaker is None for text that comes before any speaker label (a header,
    say) or when the transcript has no labels at all. [start, end) covers the
    spoken content only: never the label, never a timestamp.
    """

    speaker: str | None
    start: int
    end: int
    timestamp: float | None


@dataclass(frozen=True)
class ParsedDocument:
    """A transcript as plain text plus the utterances found in it.

    text holds one paragraph per line joined with "\\n", with labels and
    timestamps kept as written. encoding is None for Word documents, where
    the question does not arise.
    """

    text: str
    utterances: tuple[ParsedUtterance, ...]
    encoding: str | None
    warnings: tuple[str, ...]


class UnreadableFile(ValueError):
    """Raised with a message a researcher can act on: what is wrong and what to do."""


def quoted(filename: str) -> str:
    """The filename as it should appear inside a message to the researcher."""
    return f'"{filename}"'


def megabytes(size: int) -> str:
    """A byte count written the way researchers read file sizes."""
    value = size / (1024 * 1024)
    if value == int(value):
        return f"{value:.0f} MB"
    return f"{value:.1f} MB"


__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_EXTENSIONS",
    "ParsedDocument",
    "ParsedUtterance",
    "UnreadableFile",
    "megabytes",
    "quoted",
]
