"""The units agreement is computed on (utterances, sentences or characters) and the codings over them.

Sentences are found inside each utterance by a deliberately simple rule, so
that a researcher can predict it: a sentence ends after a run of ".", "!",
"?" or "…" (plus any closing quotes or brackets) that is followed by
whitespace or the end of the utterance; surrounding whitespace is not part
of the sentence.  "Dr. Patel" is therefore split after "Dr."; transcripts
rarely use such abbreviations, and the rule is the same for every coder.
Every offset is a code point of the document text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.models import Coding, Document, User, Utterance, is_layer_account
from workbench.services.errors import Invalid, NotFound

UNITS = ("utterance", "sentence", "character")
SENTENCE = re.compile(r".*?(?:[.!?…]+[\"'”’)\]]*(?=\s|$)|$)", re.DOTALL)


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) sentences of text[start:end], without leading or trailing whitespace."""
    spans = []
    for match in SENTENCE.finditer(text, start, end):
        piece = match.group()
        if not piece.strip():
            continue
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        spans.append((match.start() + left, match.start() + right))
    return spans


@dataclass(frozen=True)
class Unit:
    document_id: int
    start: int
    end: int
    speaker: str


@dataclass
class UnitData:
    """Units in document order plus every relevant coding, with global offsets for numpy."""

    unit: str
    coders: list[str]
    documents: list[Document]
    units: list[Unit] = field(default_factory=list)  # empty for the character unit (too many to list)
    unit_starts: np.ndarray = None  # global offsets: document offset + position in its text
    unit_ends: np.ndarray = None
    unit_document: np.ndarray = None  # index into documents, per unit
    coded: np.ndarray = None  # coders × documents: coder has at least one coding there
    codings: list[tuple[int, int, int, int, int]] = field(default_factory=list)  # (code_id, coder, doc, start, end)


def project_coders(session: Session, project_id: int, documents: list[Document] | None = None) -> list[str]:
    """User names of everyone with a coding in the project (or in `documents`), the consensus layer included."""
    query = (select(User.username).join(Coding, Coding.coder_id == User.id).join(Document, Document.id == Coding.document_id)
             .where(Document.project_id == project_id))
    if documents is not None:
        query = query.where(Document.id.in_([d.id for d in documents]))
    return sorted(session.scalars(query.distinct()))


def default_coders(session: Session, project_id: int, documents: list[Document] | None = None) -> list[str]:
    """Who is compared unless asked otherwise: everyone who coded the chosen documents but the
    consensus layer (agreeing with a consensus made from the coders' own work says little) and the
    AI coder's layers (compared only when chosen)."""
    return [name for name in project_coders(session, project_id, documents) if not is_layer_account(name)]


def choose_documents(session: Session, project_id: int, names: list[str] | None) -> list[Document]:
    documents = list(session.scalars(select(Document).where(Document.project_id == project_id).order_by(Document.name)))
    if not names:
        return documents
    by_name = {d.name: d for d in documents} | {d.source_filename: d for d in documents}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise NotFound(f"Unknown document(s) {', '.join(map(repr, unknown))}: use the names shown on the project page.")
    chosen = {by_name[n].id for n in names}
    return [d for d in documents if d.id in chosen]


def check_choice(session: Session, project_id: int, coders: list[str] | None, unit: str,
                 documents: list[Document] | None = None) -> list[str]:
    if unit not in UNITS:
        raise Invalid(f"Unknown unit {unit!r}: choose utterance, sentence or character.")
    known = project_coders(session, project_id)
    coders = list(dict.fromkeys(coders or default_coders(session, project_id, documents)))
    unknown = [c for c in coders if c not in known]
    if unknown:
        raise Invalid(f"{', '.join(map(repr, unknown))} coded nothing in this project: choose among {', '.join(known) or 'no one yet'}.")
    if len(coders) < 2:
        raise Invalid("Agreement needs at least two coders: choose two or more.")
    return coders


def load_units(session: Session, project_id: int, coders: list[str], documents: list[Document], unit: str) -> UnitData:
    data = UnitData(unit, coders, documents)
    doc_index = {d.id: i for i, d in enumerate(documents)}
    offsets = np.cumsum([0] + [len(d.text) for d in documents])
    starts, owners = [], []
    if unit == "character":
        for i, d in enumerate(documents):
            starts.append(np.arange(len(d.text)) + offsets[i])
            owners.append(np.full(len(d.text), i))
        starts = np.concatenate(starts) if starts else np.zeros(0, dtype=np.int64)
        data.unit_starts, data.unit_ends = starts, starts + 1
        data.unit_document = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    else:
        rows = session.execute(
            select(Utterance.document_id, Utterance.start, Utterance.end, Utterance.speaker)
            .where(Utterance.document_id.in_(list(doc_index))).order_by(Utterance.document_id, Utterance.position)
        ).all()
        by_doc: dict[int, list] = {}
        for row in rows:
            by_doc.setdefault(row.document_id, []).append(row)
        for i, d in enumerate(documents):
            for u in by_doc.get(d.id, []):
                spans = [(u.start, u.end)] if unit == "utterance" else sentence_spans(d.text, u.start, u.end)
                data.units += [Unit(d.id, s, e, u.speaker or "") for s, e in spans]
        data.unit_starts = np.array([u.start + offsets[doc_index[u.document_id]] for u in data.units], dtype=np.int64)
        data.unit_ends = np.array([u.end + offsets[doc_index[u.document_id]] for u in data.units], dtype=np.int64)
        data.unit_document = np.array([doc_index[u.document_id] for u in data.units], dtype=np.int64)
    coder_index = {name: i for i, name in enumerate(coders)}
    data.coded = np.zeros((len(coders), len(documents)), dtype=bool)
    for code_id, username, doc_id, start, end in session.execute(
        select(Coding.code_id, User.username, Coding.document_id, Coding.start, Coding.end)
        .join(User, User.id == Coding.coder_id)
        .where(Coding.document_id.in_(list(doc_index)), User.username.in_(coders))
        .order_by(Coding.document_id, Coding.start, Coding.id)
    ):
        # A coder has values on a document only if they coded it at all (any code).
        data.coded[coder_index[username], doc_index[doc_id]] = True
        data.codings.append((code_id, coder_index[username], doc_index[doc_id], start, end))
    data.offsets = offsets
    return data
