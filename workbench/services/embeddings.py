"""The embedding cache: vectors stored per (model, sha256 of the exact text); only misses are encoded."""
from __future__ import annotations

import contextlib
import functools
import hashlib
from pathlib import Path
from typing import Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.db import best_effort_write, expect_writes, insert_with_conflicts
from workbench.models import Document, Embedding, Job, Project, User, Utterance
from workbench.suggest import Embedder, ModelUnavailable, SentenceTransformerEmbedder, onnx_embedder
from workbench.services import jobs
from workbench.services.errors import Invalid

LOOKUP_CHUNK = 500  # keys per IN (...) query: well under SQLite's and PostgreSQL's parameter limits
ENCODE_BLOCK = 512  # texts per encode call: big enough to batch well, small enough for a live progress bar
_MEMORY_ONLY = "workbench.embeddings_memory_only"


@contextlib.contextmanager
def memory_only(session: Session):
    """Inside, vectors encoded for this session are used but not stored. For a job's read phase that
    encodes more than once (a ranker, then a document's turns): on SQLite the first stored vector
    would take the write lock and hold it through every later encode, so coders' saves would wait
    for the model. What is skipped is only a cache: the upload and coded-passage jobs store it."""
    before = session.info.get(_MEMORY_ONLY, False)
    session.info[_MEMORY_ONLY] = True
    try:
        yield
    finally:
        session.info[_MEMORY_ONLY] = before


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_embedder(path: str, int8: bool = False, models: str = "", encoder: str = "torch") -> Embedder:
    """The local model, loaded once per process, or a clear Invalid when it is not there. With
    `encoder` "auto" or "onnx", its ONNX export in the folder `models` runs it (no torch in the process);
    "auto" falls back to torch when there is no export, "onnx" says so; "onnx-int8" runs the int8
    quantisation of the export (`workbench prepare-model --int8`), and says so when it is missing."""
    try:
        return _embedder(str(path), int8, str(models), encoder)
    except ModelUnavailable as exc:
        raise Invalid(str(exc)) from None


@functools.lru_cache(maxsize=4)
def _embedder(path: str, int8: bool, models: str, encoder: str) -> Embedder:
    # One instance per model: building one hashes the weights (~90 MB) to name the cache, and the
    # ranker cache is keyed by the instance, so a new one per request would rebuild every ranker.
    if encoder == "onnx-int8" and not int8:
        return onnx_embedder.OnnxEmbedder(path, onnx_embedder.onnx_int8_path(Path(models), Path(path)), int8=True)
    if encoder != "torch" and not int8 and models:
        graph = onnx_embedder.onnx_path(Path(models), Path(path))
        if graph.is_file() or encoder == "onnx":
            return onnx_embedder.OnnxEmbedder(path, graph)
    return SentenceTransformerEmbedder(path, int8=int8)


def prepare_onnx(settings, force: bool = False, int8: bool = False) -> tuple[Path, bool]:
    """Export the configured model for ONNX Runtime into the instance's models folder, unless it is
    there already (with `int8`, then its int8 quantisation beside it); returns (the path of the last
    graph, whether it was made now)."""
    from workbench.config import default_embedding_model

    model = Path(settings.embedding_model or default_embedding_model())
    graph = onnx_embedder.onnx_path(settings.models_path, model)
    made = False
    try:
        if force or not graph.is_file():
            onnx_embedder.export(model, graph)
            made = True
        if not int8:
            return graph, made
        small = onnx_embedder.onnx_int8_path(settings.models_path, model)
        if made or force or not small.is_file():
            return onnx_embedder.quantise(graph, small), True
        return small, False
    except ModelUnavailable as exc:
        raise Invalid(str(exc)) from None


def _lookup(session: Session, columns: tuple, model: str, digests: Sequence[str]):
    """Rows of `columns` for the cached digests of `model`, asked LOOKUP_CHUNK keys at a time."""
    unique = list(dict.fromkeys(digests))
    for at in range(0, len(unique), LOOKUP_CHUNK):
        yield from session.execute(select(*columns).where(
            Embedding.model == model, Embedding.sha256.in_(unique[at: at + LOOKUP_CHUNK])))


def cached(session: Session, model: str, digests: Sequence[str]) -> dict[str, np.ndarray]:
    return {digest: np.frombuffer(vector, dtype="<f4")
            for digest, vector in _lookup(session, (Embedding.sha256, Embedding.vector), model, digests)}


def embed_texts(session: Session, embedder: Embedder, texts: Sequence[str], progress: bool = False) -> np.ndarray:
    """Vectors for `texts` (one row each), encoding and storing only texts not cached for this model."""
    digests = [sha256(t) for t in texts]
    vectors = cached(session, embedder.name, digests)
    missing = {d: t for d, t in zip(digests, texts) if d not in vectors}
    if missing:
        # Sorting by length keeps each block's padding small: as fast as encoding everything at once.
        pending = sorted(missing.items(), key=lambda item: len(item[1]))
        bar = _progress(len(pending), progress)
        for at in range(0, len(pending), ENCODE_BLOCK):
            block = pending[at: at + ENCODE_BLOCK]
            encoded = np.asarray(embedder.encode([t for _, t in block]), dtype="<f4")
            _store(session, embedder.name, [d for d, _ in block], encoded)
            vectors.update((d, v) for (d, _), v in zip(block, encoded))
            bar.update(len(block))
        bar.close()
        session.flush()
    if not texts:
        return np.zeros((0, embedder.dimensions), dtype=np.float32)
    return np.stack([vectors[d] for d in digests]).astype(np.float32, copy=False)


def read_then_encode(session: Session, embedder: Embedder, texts: Sequence[str]) -> tuple[np.ndarray, list[str], np.ndarray]:
    """For a job on SQLite: look the cached vectors up in a read transaction, end it, and only then
    encode the rest, so the write lock is never held while the model runs (a lowered or busy job
    thread holding it made every coder's save wait). Returns (all vectors, the new digests, their
    vectors); the caller stores the new ones with `store` in its next, short write transaction."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("read_then_encode ends the transaction: call it before the step changes anything")
    digests = [sha256(t) for t in texts]
    with expect_writes(False):
        known = cached(session, embedder.name, digests)
    # Only reads happened in this step so far: committing writes nothing and ends the read
    # transaction (the one exception to "services never commit", for job steps that read first).
    session.commit()
    missing = list(dict.fromkeys(d for d in digests if d not in known))
    by_digest = dict(zip(digests, texts))
    encoded = np.asarray(embedder.encode([by_digest[d] for d in missing]), dtype="<f4") if missing else \
        np.zeros((0, embedder.dimensions), dtype="<f4")
    known.update(zip(missing, encoded))
    matrix = np.stack([known[d] for d in digests]).astype(np.float32, copy=False) if digests else \
        np.zeros((0, embedder.dimensions), dtype=np.float32)
    return matrix, missing, encoded


def store(session: Session, model: str, digests: list[str], encoded: np.ndarray) -> None:
    if digests:
        _store(session, model, digests, encoded)


def _store(session: Session, model: str, digests: list[str], encoded: np.ndarray) -> None:
    """Insert the new vectors. Another process may store the same texts at the same moment; theirs
    are identical, so a conflicting row is simply left as it is (ON CONFLICT DO NOTHING).

    A request that only reads (a suggestion GET begins deferred on SQLite) caches what it encoded
    when it can. If another change holds or has just taken the write lock, it skips caching: one
    re-encode later costs less than holding every coder's save behind this request's model work.
    The same when PostgreSQL picks its insert as a deadlock's victim. Work that expects to write (a
    job, a command) still fails, so that it is retried."""
    if session.info.get(_MEMORY_ONLY):
        return
    # In key order: two processes storing overlapping texts then take the keys' index locks in the
    # same order, and one waits for the other instead of deadlocking (seen on PostgreSQL under load).
    rows = sorted(({"model": model, "sha256": d, "dimensions": int(v.shape[0]), "vector": v.tobytes()}
                   for d, v in zip(digests, encoded)), key=lambda row: row["sha256"])
    insert = insert_with_conflicts(session.get_bind())
    with best_effort_write(session):
        session.execute(insert(Embedding).on_conflict_do_nothing(), rows)


def _progress(total: int, shown: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="Embedding segments", unit="segment", disable=not shown)


def segment_texts(session: Session, document_ids: Sequence[int]) -> list[str]:
    """The text of every utterance (segment) of these documents."""
    texts = []
    for document in session.scalars(select(Document).where(Document.id.in_(list(document_ids)))):
        texts.extend(document.text[u.start: u.end] for u in document.utterances)
    return texts


def embed_documents(session: Session, embedder: Embedder, document_ids: Sequence[int], progress: bool = False) -> int:
    """Make sure every segment of these documents is cached; returns how many segments there are."""
    texts = segment_texts(session, document_ids)
    embed_texts(session, embedder, texts, progress=progress)
    return len(texts)


def embed_project(session: Session, embedder: Embedder, project: Project, progress: bool = False) -> int:
    ids = list(session.scalars(select(Document.id).where(Document.project_id == project.id)))
    return embed_documents(session, embedder, ids, progress=progress)


def count_segments(session: Session, project: Project) -> int:
    return len(list(session.scalars(select(Utterance.id).join(Document).where(Document.project_id == project.id))))


def embed_later(session: Session, project: Project, user: User | None, document_ids: Sequence[int]) -> Job:
    """Queue the embedding of these documents; while a job for the project waits, they join it."""
    return jobs.enqueue(session, "embed", project, user, {"document_ids": list(document_ids)}, coalesce=True)


def cached_digests(session: Session, model: str, digests: Sequence[str]) -> set[str]:
    """Which digests are cached, without loading their vectors."""
    return {digest for (digest,) in _lookup(session, (Embedding.sha256,), model, digests)}


# Two workers (or a worker and a suggestion request) may store the same text at once: _store lets
# the second insert do nothing, so that race is no failure at all.
@jobs.kind("embed", "Embedding new documents for suggestions")
def embed_job(run: jobs.JobRun):
    """Encode the documents' segments missing from the cache, one fixed batch per step."""
    embedder = run.embedder()  # before any query: loading the model takes seconds
    texts = {sha256(t): t for t in segment_texts(run.session, run.job.arguments.get("document_ids", []))}
    have = cached_digests(run.session, embedder.name, list(texts))
    pending = sorted(((d, t) for d, t in texts.items() if d not in have), key=lambda item: len(item[1]))
    done, total = len(texts) - len(pending), len(texts)
    yield done, total  # the worker commits here: no transaction stays open while the model runs
    for at in range(0, len(pending), run.batch_size):
        block = pending[at: at + run.batch_size]
        encoded = np.asarray(embedder.encode([t for _, t in block]), dtype="<f4")
        _store(run.session, embedder.name, [d for d, _ in block], encoded)
        done += len(block)
        yield done, total


def choose_embedder(override: Embedder | None, settings, int8: bool = False) -> Embedder:
    """The embedder installed by the caller (tests install a fake), else the configured local model
    on the configured runtime (`settings.encoder`)."""
    if override is not None:
        return override
    from workbench.config import default_embedding_model

    return load_embedder(settings.embedding_model or default_embedding_model(), int8=int8,
                         models=str(settings.models_path), encoder=settings.encoder)
