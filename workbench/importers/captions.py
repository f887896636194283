"""Reads WebVTT (.vtt) and SubRip (.srt) caption files into speaker turns."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .model import ParsedDocument, UnreadableFile, quoted
from .speakers import Turn, clock_seconds, find_turn
from .transcript import Paragraph, assemble

_CUE_CLOCK = r"(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?"
_TIMING = re.compile(rf"\s*{_CUE_CLOCK}\s*-->\s*{_CUE_CLOCK}(?:\s.*)?")
_SKIPPED_BLOCK = re.compile(r"(?:WEBVTT|NOTE|STYLE|REGION)(?:\s|\Z)")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]*)>")
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<\d[\d:.]*>")


@dataclass
class _Segment:
    speaker: str | None
    start: float
    text: str


def _blocks(text: str) -> list[list[str]]:
    """Groups of consecutive non-blank lines: captions separate cues with a blank line."""
    blocks: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _cues(blocks: list[list[str]]) -> list[tuple[float, list[str]]]:
    """(start seconds, text lines) per cue, skipping headers, notes and cue ids."""
    cues: list[tuple[float, list[str]]] = []
    for block in blocks:
        if _SKIPPED_BLOCK.match(block[0]) and not any("-->" in line for line in block):
            continue
        current: list[str] | None = None
        for index, line in enumerate(block):
            timing = _TIMING.fullmatch(line)
            if timing is None:
                if current is not None:
                    current.append(line)
                continue
            # Some SRT files omit the blank line, leaving the next cue number in the text.
            if current is not None and current and current[-1].isdigit():
                current.pop()
            start = clock_seconds(*timing.groups()[:4])
            current = []
            cues.append((start if start is not None else 0.0, current))
    return cues


def _clean(text: str) -> str:
    return html.unescape(_TAG.sub("", text)).strip()


def _voiced_pieces(line: str) -> list[tuple[str | None, str]]:
    """Splits a cue line at <v Name> tags into (voice or None, text) pieces."""
    tags = list(_VOICE.finditer(line))
    if not tags:
        return [(None, _clean(line))]
    pieces = [(None, _clean(line[: tags[0].start()]))]
    for tag, following in zip(tags, tags[1:] + [None]):
        end = following.start() if following else len(line)
        pieces.append((" ".join(tag.group(1).split()) or None, _clean(line[tag.end() : end])))
    return pieces


def _segments(cues: list[tuple[float, list[str]]]) -> list[_Segment]:
    """Text pieces with their speakers; a cue with no speaker of its own continues the last one."""
    segments: list[_Segment] = []
    speaker: str | None = None
    for start, lines in cues:
        for line in lines:
            for voice, text in _voiced_pieces(line):
                if voice is not None:
                    speaker = voice
                else:
                    turn = find_turn(text)
                    if turn is not None and turn.speaker is not None:
                        speaker, text = turn.speaker, text[turn.content_start :].strip()
                if not text:
                    continue
                if segments and segments[-1].speaker == speaker:
                    segments[-1].text += " " + text
                else:
                    segments.append(_Segment(speaker, start, text))
    return segments


def read_captions(filename: str, text: str, encoding: str, warnings: tuple[str, ...] = ()) -> ParsedDocument:
    """Parses caption text, merging consecutive cues by the same speaker into one utterance."""
    cues = _cues(_blocks(text))
    if not cues:
        raise UnreadableFile(
            f"{quoted(filename)} contains no captions: no lines like "
            "'00:00:01.000 --> 00:00:04.000' were found. Check it is a WebVTT or SubRip "
            "caption file, or upload the transcript as .txt or .docx instead."
        )
    paragraphs = []
    for segment in _segments(cues):
        if segment.speaker is None:
            paragraphs.append(Paragraph(segment.text, Turn(None, 0, segment.start)))
        else:
            label = f"{segment.speaker}: "
            paragraphs.append(
                Paragraph(label + segment.text, Turn(segment.speaker, len(label), segment.start))
            )
    return assemble(filename, paragraphs, encoding=encoding, warnings=warnings, one_utterance_per_paragraph=True)
