"""Provenance of the codings that came from the model: which model, which ranking settings, the
score and the evidence shown, and when, kept beside the coding (table coding_provenance).

Written when a coder accepts a suggestion, when the AI coder codes a turn, and when a reviewer
accepts an AI coding into their own layer (the AI coding's record is copied). Read by the coding
details, the flat coded-segments export and the REFI-QDA export (one line of words, `summary`)."""
from __future__ import annotations

import dataclasses
import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.export.coded_segments import iso_utc
from workbench.models import Coding, CodingProvenance, now
from workbench.suggest import RankingSettings

SOURCES = ("suggestion", "ai coder", "ai accepted")


def settings_record(settings: RankingSettings) -> tuple[dict, str]:
    """The ranking settings as values and their sha256 (of the sorted JSON), so two runs can be compared."""
    values = dataclasses.asdict(settings)
    return values, hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def model_sha256(embedder) -> str:
    """The sha256 of the model's weights (the embedder computed it to name its cache)."""
    return getattr(embedder, "weights_sha256", None) or hashlib.sha256(embedder.name.encode()).hexdigest()


def evidence(described: dict, classifiers: dict | None = None, **extra) -> dict:
    """What the researcher was shown for a suggestion (`suggestions.describe`): definition match,
    the neighbouring coded passages, the classifier's probability and when it was trained."""
    return {"definition": described["definition"], "examples": described["examples"],
            "neighbours": described["neighbours"], "classifier_probability": described["classifier_probability"],
            "classifiers": classifiers, **extra}


def record(session: Session, coding: Coding, embedder, settings: RankingSettings, score: float, described: dict, source: str,
           classifiers: dict | None = None, job_id: int | None = None, **extra) -> CodingProvenance:
    """Keep (or replace) the provenance of `coding` from the suggestion `described` (its exact
    `score`: the panel shows it rounded)."""
    values, digest = settings_record(settings)
    row = session.get(CodingProvenance, coding.id) or CodingProvenance(coding_id=coding.id)
    row.source, row.model, row.model_sha256 = source, embedder.name, model_sha256(embedder)
    row.settings, row.settings_sha256, row.score = values, digest, float(score)
    row.evidence, row.job_id, row.suggested_at = evidence(described, classifiers, **extra), job_id, now()
    session.add(row)
    session.flush()
    return row


def copy(session: Session, original: CodingProvenance, coding: Coding, source: str = "ai accepted") -> CodingProvenance:
    """The AI coding's provenance, kept on the coding a reviewer accepted from it (same model,
    settings, score and evidence; the time of the suggestion stays the model's)."""
    row = session.get(CodingProvenance, coding.id) or CodingProvenance(coding_id=coding.id)
    for column in ("model", "model_sha256", "settings", "settings_sha256", "score", "evidence", "job_id", "suggested_at"):
        setattr(row, column, getattr(original, column))
    row.source = source
    session.add(row)
    session.flush()
    return row


def of_codings(session: Session, coding_ids) -> dict[int, CodingProvenance]:
    ids = sorted(set(coding_ids))
    out: dict[int, CodingProvenance] = {}
    for at in range(0, len(ids), 500):
        out.update({p.coding_id: p for p in session.scalars(
            select(CodingProvenance).where(CodingProvenance.coding_id.in_(ids[at: at + 500])))})
    return out


def as_json(row: CodingProvenance | None) -> dict | None:
    if row is None:
        return None
    return {"source": row.source, "model": row.model, "model_sha256": row.model_sha256, "settings": row.settings,
            "settings_sha256": row.settings_sha256, "score": row.score, "evidence": row.evidence, "job_id": row.job_id,
            "suggested_at": iso_utc(row.suggested_at), "summary": summary(row)}


WHO = {"suggestion": "suggested by", "ai coder": "coded by the AI coder with", "ai accepted": "accepted from the AI coder with"}


def summary(row: CodingProvenance) -> str:
    """One line: "suggested by all-minilm-l6-v2@3a2f… (weights sha256 …), settings sha256 …: score 1.84;
    definition match strong (0.62); 3 coded passages, nearest 0.71; classifier 88%; at 2026-12-03T13:00:00Z"."""
    ev = row.evidence or {}
    parts = [f"score {row.score:.3f}"]
    definition = ev.get("definition") or {}
    if definition:
        parts.append(f"definition match {definition.get('match')} ({definition.get('similarity')})")
    neighbours = ev.get("neighbours") or []
    if neighbours:
        parts.append(f"{ev.get('examples', len(neighbours))} coded passage(s), nearest {neighbours[0].get('similarity')}"
                     f" in {neighbours[0].get('document', '')}")
    if ev.get("classifier_probability") is not None:
        parts.append(f"classifier {100 * ev['classifier_probability']:.0f}%")
    if ev.get("threshold") is not None:
        parts.append(f"threshold {ev['threshold']}")
    moment = iso_utc(row.suggested_at)
    return (f"{WHO.get(row.source, row.source)} {row.model} (weights sha256 {row.model_sha256}), ranking settings sha256 "
            f"{row.settings_sha256}: " + "; ".join(parts) + (f"; at {moment}" if moment else ""))
