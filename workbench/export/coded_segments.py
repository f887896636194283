"""The flat coded-segments table: one row per coding, as R, pandas and former Taguette users load it.

Columns (snake_case, stable; one `case_<attribute>` column per case attribute, in name order):
coding_id, document, case_id, case_<attribute>..., turn, speaker, timestamp, code_path, code, coder,
origin, start, end, quote, memos, coded_at.
- start/end: `[start, end)` in Unicode code points into the document's text (ARCHITECTURE.md,
  "Offsets"), so `text[start:end]` in Python is the quote; R's substr(text, start + 1, end) too.
- turn, speaker, timestamp: the first speaker turn the coding overlaps (turn numbers from 1);
  timestamp is the turn's own time in the recording, ISO 8601 `HH:MM:SS` (with milliseconds when
  the transcript has them), empty when the transcript has none.
- memos: the memos on the coding, oldest first, one per line as "author: text".
- coded_at: when the coding was made, ISO 8601 in UTC (`2026-12-02T09:15:00Z`).
- model, model_sha256, ranking_settings_sha256, score, evidence: for a coding that came from the model
  (an accepted suggestion, the AI coder's layer, an AI coding a reviewer accepted), its provenance:
  the embedding model's name and the sha256 of its weights, the sha256 of the ranking settings, the
  ranking score, and the evidence in words (definition match, coded passages, classifier, when);
  empty for every other coding."""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

BEFORE = ["coding_id", "document", "case_id"]
AFTER = ["turn", "speaker", "timestamp", "code_path", "code", "coder", "origin", "start", "end", "quote", "memos", "coded_at",
         "model", "model_sha256", "ranking_settings_sha256", "score", "evidence"]


@dataclass(frozen=True)
class CodedSegment:
    coding_id: int
    document: str
    case_id: str  # the participant id, "" for a document not linked to a case
    attributes: dict[str, str]
    turn: int | None
    speaker: str
    timestamp: float | None  # seconds into the recording
    code_path: str
    coder: str
    origin: str
    start: int
    end: int
    quote: str
    memos: Sequence[str] = field(default_factory=tuple)
    coded_at: datetime | None = None
    provenance: Provenance | None = None


@dataclass(frozen=True)
class Provenance:
    model: str
    model_sha256: str
    settings_sha256: str
    score: float
    evidence: str  # services/provenance.summary


def snake_case(name: str) -> str:
    """"Interview wave" -> "interview_wave"; letters of any script are kept, the rest becomes _."""
    return re.sub(r"[\W_]+", "_", name.strip().lower()).strip("_") or "attribute"


def attribute_columns(names: Sequence[str]) -> list[str]:
    """`case_<name>` for each attribute, made unique (`case_site`, `case_site_2`) and never a fixed column."""
    taken = set(BEFORE) | set(AFTER)
    out = []
    for name in names:
        column = base = f"case_{snake_case(name)}"
        n = 1
        while column in taken:
            n += 1
            column = f"{base}_{n}"
        taken.add(column)
        out.append(column)
    return out


def clock(seconds: float | None) -> str:
    """3751 -> "01:02:31"; 3751.25 -> "01:02:31.250"."""
    if seconds is None:
        return ""
    millis = round(seconds * 1000)
    whole, fraction = divmod(millis, 1000)
    hours, rest = divmod(whole, 3600)
    text = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{text}.{fraction:03d}" if fraction else text


def iso_utc(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def header(attribute_names: Sequence[str]) -> list[str]:
    return [*BEFORE, *attribute_columns(attribute_names), *AFTER]


def rows(segments: Sequence[CodedSegment], attribute_names: Sequence[str]) -> Iterator[list]:
    for s in segments:
        yield [s.coding_id, s.document, s.case_id, *(s.attributes.get(a, "") for a in attribute_names),
               s.turn if s.turn is not None else "", s.speaker, clock(s.timestamp), s.code_path, s.code_path.rsplit("/", 1)[-1],
               s.coder, s.origin, s.start, s.end, s.quote, "\n".join(s.memos), iso_utc(s.coded_at),
               *((p.model, p.model_sha256, p.settings_sha256, round(p.score, 6), p.evidence) if (p := s.provenance) else ("",) * 5)]
