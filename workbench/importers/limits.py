"""How big one document may be, checked before the expensive parsing starts.

A transcript of five hours is ~60,000 words (~350,000 characters) and ~2,000 turns, so the
defaults (5,000,000 characters, 50,000 turns) are far above real interviews and far below what
would make an import, the coding screen or the suggestion index grind. A Word file is measured
by its paragraphs, counted in the raw XML before python-docx builds a tree: every paragraph
counts, empty or not, because empty paragraphs cost python-docx as much as full ones."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .model import DEFAULT_MAX_BYTES, UnreadableFile, quoted

DEFAULT_MAX_CHARACTERS = 5_000_000
DEFAULT_MAX_TURNS = 50_000

# <w:p> and <w:p ...> but not <w:pPr>, <w:proofErr>, ...
_WORD_PARAGRAPH = re.compile(rb"<w:p[\s/>]")
_WORD_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_characters: int = DEFAULT_MAX_CHARACTERS
    max_turns: int = DEFAULT_MAX_TURNS


def _too_long(filename: str, what: str, count: int, limit: int) -> UnreadableFile:
    return UnreadableFile(
        f"{quoted(filename)} has {count:,} {what}, over the limit of {limit:,} for one document. "
        "Split it into smaller files (or remove empty paragraphs), then upload again."
    )


def check_characters(filename: str, count: int, limits: Limits) -> None:
    if count > limits.max_characters:
        raise _too_long(filename, "characters", count, limits.max_characters)


def check_turns(filename: str, count: int, limits: Limits, what: str = "turns") -> None:
    if count > limits.max_turns:
        raise _too_long(filename, what, count, limits.max_turns)


def check_text(filename: str, text: str, limits: Limits, captions: bool) -> None:
    """Before parsing a decoded text file: its length, and its turns (cues, or non-blank lines)."""
    check_characters(filename, len(text), limits)
    if captions:
        check_turns(filename, text.count("-->"), limits, "captions")
    elif text.count("\n") >= limits.max_turns:  # only then is counting the non-blank lines worth it
        check_turns(filename, sum(1 for line in text.splitlines() if line.strip()), limits, "lines")


def check_word_xml(filename: str, xml: bytes, limits: Limits) -> None:
    """Before python-docx: paragraphs of word/document.xml, and the characters of its text runs."""
    check_turns(filename, len(_WORD_PARAGRAPH.findall(xml)), limits, "paragraphs")
    check_characters(filename, sum(len(t.decode("utf-8", "replace")) for t in _WORD_TEXT.findall(xml)), limits)
