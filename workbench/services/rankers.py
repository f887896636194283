"""The project's suggestion ranker: built per request from live evidence, with classifiers a job trains.

A ranker has a cheap part and a slow part. Code descriptions and coded passages (the definition
and nearest-passage evidence) are read fresh for every codings version, so a passage coded a
second ago already counts. The per-code logistic-regression classifiers take ~40 ms per code to
train; they are trained by the "suggestion-classifiers" job and stored in the database
(SuggestionClassifier), so every server process uses the same ones and no request trains. When
the codings have moved on since they were trained, a request queues the job (coalesced per
project, at most once a minute: RETRAIN_SECONDS) and uses the stored ones meanwhile; a project
without any ranks by definitions and passages alone. Everything the ranker used is named in its `provenance`."""
from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from datetime import timedelta
from typing import Sequence

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.db import best_effort_write, expect_writes
from workbench.models import AI_CODER_PREFIX, CONSENSUS_CODER, Code, Coding, Document, Job, Project, SuggestionClassifier, User, as_utc, now
from workbench.services import codebook, jobs, project_models
from workbench.services.embeddings import cached_digests, embed_texts, read_then_encode, sha256, store
from workbench.services.recent import Recent
from workbench.suggest import Ranker, RankingSettings, description_texts
from workbench.suggest.ranking import train_classifiers

KIND = "suggestion-classifiers"
PASSAGES = "embed-coded-passages"
SNIPPET = 160
KEEP = 8  # rankers kept per process (projects x evidence scopes)
# Classifiers are trained again at most this often per project: 20 coders add a coding every few
# hundred milliseconds, and back-to-back training (~40 ms per code) would keep a core busy for it.
RETRAIN_SECONDS = 60
RECENT_VECTORS = 20_000  # coded passages' vectors kept per process (~30 MB for a 384-dimension model)
_RANKERS: OrderedDict[tuple, Ranker] = OrderedDict()
_BUILDING: dict[tuple, threading.Lock] = {}
_LOCK = threading.Lock()


def codes_of(session: Session, project: Project) -> list[Code]:
    return [node.code for node in codebook.codebook(session, project.id)]


def coded_passages(session: Session, project: Project, only_coder_id: int | None, skip_document_id: int | None = None,
                   people_only: bool = False):
    """Coded passages, one per distinct span, with every code applied to it (not the AI coder's; with
    `people_only` not the consensus layer's either: fine-tuning learns from each person's codings).

    Asked for by every suggestion request, so the spans are read without their text and each
    passage's text comes from this process's memory (`_fill_texts`); only spans it has not seen
    are sliced from their documents. (Reading SUBSTR(document.text) per coding made PostgreSQL
    decompress the whole transcript once per row: 58 ms a request at 300 codings.)"""
    query = select(Coding.document_id, Document.sha256, Coding.start, Coding.end, Coding.code_id, Document.name, User.username) \
        .join(Document, Coding.document_id == Document.id).join(User, Coding.coder_id == User.id) \
        .where(Document.project_id == project.id).order_by(Coding.id)
    if only_coder_id is not None:
        query = query.where(Coding.coder_id == only_coder_id)
    else:  # the AI coder's own layer is never evidence for the model: it would learn from itself
        query = query.where(User.username.not_like(f"{AI_CODER_PREFIX}%"))
    if people_only:
        query = query.where(User.username != CONSENSUS_CODER)
    if skip_document_id is not None:
        query = query.where(Coding.document_id != skip_document_id)
    spans: dict[tuple, dict] = {}
    for document_id, content, start, end, code_id, name, coder in session.execute(query):
        key = (document_id, start, end)
        if key not in spans:
            spans[key] = {"document_id": document_id, "document": name, "start": start, "end": end,
                          "content": content, "coders": set(), "codes": set()}
        spans[key]["codes"].add(code_id)
        spans[key]["coders"].add(coder)
    passages = list(spans.values())
    _fill_texts(session, passages)
    return passages


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def examples_digest(examples: list[dict]) -> str:
    """What the classifiers learn from: each coded span and its codes (not who coded it)."""
    return _digest(sorted((e["document_id"], e["start"], e["end"], sorted(e["codes"])) for e in examples))


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1].rsplit(" ", 1)[0] + "…"


def stored_classifiers(session: Session, project: Project, scope: int, model: str) -> SuggestionClassifier | None:
    return session.scalar(select(SuggestionClassifier).where(
        SuggestionClassifier.project_id == project.id, SuggestionClassifier.scope == scope,
        SuggestionClassifier.model == model))


def _unpack(row: SuggestionClassifier) -> dict[int, tuple[np.ndarray, float]]:
    with np.load(io.BytesIO(row.weights)) as data:
        return {int(c): (w, float(b)) for c, w, b in zip(data["codes"], data["weights"], data["intercepts"])}


def _pack(classifiers: dict[int, tuple[np.ndarray, float]]) -> bytes:
    codes = sorted(classifiers)
    out = io.BytesIO()
    np.savez(out, codes=np.asarray(codes, np.int64),
             weights=np.stack([classifiers[c][0] for c in codes]).astype(np.float32) if codes else np.zeros((0, 0), np.float32),
             intercepts=np.asarray([classifiers[c][1] for c in codes], np.float32))
    return out.getvalue()


def _request_training(session: Session, project: Project, scope: int) -> None:
    """Queue the classifiers' training; a read-only request that finds the database busy leaves it
    to the next request rather than wait for the write lock."""
    with best_effort_write(session):
        jobs.enqueue(session, KIND, project, None, {"scopes": [scope]}, coalesce=True)


def build_ranker(session: Session, embedder, project: Project, only_coder_id: int | None = None,
                 settings: RankingSettings = RankingSettings()) -> Ranker:
    """The project's ranker for this evidence scope, reused while its inputs are unchanged."""
    codes = codes_of(session, project)
    examples = coded_passages(session, project, only_coder_id)
    scope = only_coder_id or 0
    stored = stored_classifiers(session, project, scope, embedder.name)
    digest = examples_digest(examples)
    ranker = _cached_or_built(session, embedder, project, codes, examples, scope, settings, stored, digest)
    if examples and (stored is None or (stored.examples_digest != digest
                                        and now() - as_utc(stored.trained_at) >= timedelta(seconds=RETRAIN_SECONDS))):
        _request_training(session, project, scope)  # last: a write holds SQLite's lock to the end of the request
    return ranker


def _cached_or_built(session: Session, embedder, project: Project, codes: list[Code], examples: list[dict], scope: int,
                     settings: RankingSettings, stored: SuggestionClassifier | None, digest: str) -> Ranker:
    key = (project.id, embedder.name, id(embedder), scope, settings, stored and (stored.id, stored.examples_digest),
           _digest(([(c.id, c.name, c.definition, c.inclusion, c.example) for c in codes],
                    [(e["document_id"], e["start"], e["end"], sorted(e["codes"]), sorted(e["coders"])) for e in examples])))
    with _LOCK:
        if key in _RANKERS:
            _RANKERS.move_to_end(key)
            return _RANKERS[key]
        building = _BUILDING.setdefault(key, threading.Lock())
    with building:  # one thread builds a ranker; others asking for the same one wait for it
        with _LOCK:
            if key in _RANKERS:
                return _RANKERS[key]
        ranker = _assemble(session, embedder, codes, examples, settings, _unpack(stored) if stored else {})
        ranker.provenance = {"classifiers": None if stored is None else {
            "trained_at": as_utc(stored.trained_at).isoformat(), "examples": stored.examples,
            "current": stored.examples_digest == digest}}
        with _LOCK:
            _RANKERS[key] = ranker
            _BUILDING.pop(key, None)
            while len(_RANKERS) > KEEP:
                _RANKERS.popitem(last=False)
        return ranker


# The coded passages' and the codes' description vectors this process used last (keyed by model and
# text digest), so a ranker rebuilt for one new coding reads the other thousands from memory rather
# than the database, and a
# vector a busy SQLite did not let us store is not encoded again (~1.5 KB each); and the coded
# passages' texts (keyed by the document's content digest and the offsets, ~200 bytes each).
# Neither key can go stale.
_RECENT = Recent(RECENT_VECTORS)
_TEXTS = Recent(RECENT_VECTORS)


def _fill_texts(session: Session, passages: list[dict]) -> None:
    """Each passage's text from memory; documents with passages not seen yet are read once each and sliced."""
    keys = [(p["content"], p["start"], p["end"]) for p in passages]
    known = _TEXTS.get(keys)
    missing: dict[int, list[dict]] = {}
    for passage, key in zip(passages, keys):
        if key in known:
            passage["text"] = known[key]
        else:
            missing.setdefault(passage["document_id"], []).append(passage)
    ids = list(missing)
    for at in range(0, len(ids), 50):
        for document_id, text in session.execute(select(Document.id, Document.text).where(Document.id.in_(ids[at: at + 50]))):
            for passage in missing[document_id]:
                passage["text"] = text[passage["start"]: passage["end"]]
    _TEXTS.put({(p["content"], p["start"], p["end"]): p["text"] for group in missing.values() for p in group})


def _remembered_vectors(session: Session, embedder, texts: list[str]) -> np.ndarray:
    digests = [sha256(t) for t in texts]
    known = {d: v for (_, d), v in _RECENT.get([(embedder.name, d) for d in digests]).items()}
    rest = list(dict.fromkeys(t for t, d in zip(texts, digests) if d not in known))
    if rest:
        fresh = dict(zip((sha256(t) for t in rest), embed_texts(session, embedder, rest)))
        _RECENT.put({(embedder.name, d): v for d, v in fresh.items()})
        known.update(fresh)
    if not texts:
        return np.zeros((0, embedder.dimensions), np.float32)
    return np.stack([known[d] for d in digests])


def held_out_ranker(session: Session, embedder, project: Project, held_out_document_id: int,
                    settings: RankingSettings = RankingSettings()) -> Ranker:
    """A ranker built without one document's codings (its own classifiers included), to test on that
    document: leave-one-document-out calibration."""
    examples = coded_passages(session, project, None, skip_document_id=held_out_document_id)
    return _assemble(session, embedder, codes_of(session, project), examples, settings, None)


def _assemble(session: Session, embedder, codes: list[Code], examples: list[dict], settings: RankingSettings,
              classifiers: dict | None) -> Ranker:
    texts = [description_texts(c.name, c.definition, c.inclusion, c.example) for c in codes]
    flat = [t for group in texts for t in group]
    # The codes' description texts go through the same memory as the passages: a ranker is rebuilt
    # after every coding, and it read ~100 description vectors from the database each time (in
    # process, a suggestion right after a coding: 48-52 -> 44-46 ms of CPU).
    vectors = _remembered_vectors(session, embedder, flat + [e["text"] for e in examples])
    descriptions, at = [], 0
    for group in texts:
        descriptions.append(vectors[at: at + len(group)])
        at += len(group)
    info = [{"document_id": e["document_id"], "document": e["document"], "text": _snippet(e["text"]),
             "coders": sorted(e["coders"])} for e in examples]
    return Ranker([c.id for c in codes], descriptions, vectors[at:], [sorted(e["codes"]) for e in examples],
                  info, settings, classifiers=classifiers)


@jobs.kind(KIND, "Training the suggestion classifiers", listed=False)
def train_job(run: jobs.JobRun):
    """Train and store the classifiers of each asked-for evidence scope on the codings as they are now."""
    project = run.session.get(Project, run.job.project_id)
    scopes = sorted(set(run.job.arguments.get("scopes", [0])))
    # Classifiers are stored per model: a project with an active fine-tuned model needs its own
    # (evidence scope 0 only; one coder's scope stays on the base model, see project_models).
    embedders = {scope: project_models.for_job(run, project, scope or None) for scope in scopes}
    yield 0, len(scopes)
    project_id = project.id if project is not None else None
    for done, scope in enumerate(scopes, 1):
        embedder = embedders[scope]
        if project_id is not None:
            # Read, encode and train outside any write transaction (SQLite: the one write lock is
            # taken only for the short store at the end of the step).
            with expect_writes(False):
                examples = coded_passages(run.session, run.session.get(Project, project_id), scope or None)
            vectors, new, encoded = read_then_encode(run.session, embedder, [e["text"] for e in examples])
            trained = train_classifiers(vectors, [sorted(e["codes"]) for e in examples]) if examples else {}
            store(run.session, embedder.name, new, encoded)
            _store(run.session, run.session.get(Project, project_id), scope, embedder.name, examples_digest(examples),
                   len(examples), _pack(trained))
        yield done, len(scopes)


def _store(session: Session, project: Project, scope: int, model: str, digest: str, examples: int, weights: bytes) -> None:
    values = {"examples_digest": digest, "examples": examples, "weights": weights, "trained_at": now()}
    row = stored_classifiers(session, project, scope, model)
    if row is None:
        try:
            with session.begin_nested():  # another worker may store the same scope at this moment
                session.add(SuggestionClassifier(project_id=project.id, scope=scope, model=model, **values))
            return
        except IntegrityError:
            row = stored_classifiers(session, project, scope, model)
    for name, value in values.items():
        setattr(row, name, value)


def embed_passages_later(session: Session, project: Project) -> None:
    """After a coding: a worker embeds the new passage, so the next suggestion request finds its
    vector cached instead of encoding it while the coder waits (4 new passages took 30-50 ms of a
    ~70 ms request on 2 busy cores). Coalesced per project; a request that comes first still encodes
    what is missing itself, so a passage coded a second ago always counts."""
    jobs.enqueue(session, PASSAGES, project, None, {}, coalesce=True)


@jobs.kind(PASSAGES, "Embedding coded passages for suggestions", listed=False)
def embed_passages_job(run: jobs.JobRun):
    """Encode the coded passages added since the last such job (by coding id) that are not cached."""
    project = run.session.get(Project, run.job.project_id)
    embedder = project_models.for_job(run, project)  # the project's active fine-tuned model, if any
    earlier = run.session.scalar(select(Job).where(Job.kind == PASSAGES, Job.project_id == run.job.project_id,
                                                   Job.status == "done", Job.id < run.job.id).order_by(Job.id.desc()).limit(1))
    since = int(((earlier.result if earlier else None) or {}).get("through", 0))
    rows = [] if project is None else run.session.execute(
        select(Coding.id, Coding.document_id, Coding.start, Coding.end).join(Document, Coding.document_id == Document.id)
        .where(Document.project_id == project.id, Coding.id > since).order_by(Coding.id)).all()
    texts: dict[str, str] = {}
    documents = {d: t for d, t in run.session.execute(select(Document.id, Document.text).where(
        Document.id.in_(sorted({r.document_id for r in rows}))))} if rows else {}
    for row in rows:
        text = documents[row.document_id][row.start: row.end]
        texts[sha256(text)] = text
    have = cached_digests(run.session, embedder.name, list(texts))
    pending = [t for d, t in texts.items() if d not in have]
    yield 0, len(pending)  # the worker commits here: no transaction stays open while the model runs
    for at in range(0, len(pending), run.batch_size):
        block = pending[at: at + run.batch_size]  # encoded before the step's first statement: no lock held
        store(run.session, embedder.name, [sha256(t) for t in block], np.asarray(embedder.encode(block), dtype="<f4"))
        yield min(at + run.batch_size, len(pending)), len(pending)
    # (A PostgreSQL coding committed late with a lower id is missed here; its first suggestion
    # request encodes it instead.) Upkeep leaves one row, not one per coding.
    run.result = {"through": rows[-1].id if rows else since, "embedded": len(pending)}
    run.session.execute(delete(Job).where(Job.kind == PASSAGES, Job.project_id == run.job.project_id,
                                          Job.status == "done", Job.id < run.job.id))
