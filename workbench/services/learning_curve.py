"""The learning curve of the project's suggestions, precision@1 against coded examples per code: a job.

The protocol is workbench/suggest/learning_curve.py's, leave-one-document-out on the project: each
document with people's codings (an AI layer's never count) is held out in turn. Its test passages are
its participants' turns that a person coded, with the codes any person applied to any part of the turn
as gold (the turns and gold of calibration, services/ai_calibration.py). Its pool is the coded passages
of the *other* documents (one per distinct span, with every code people applied to it:
`rankers.coded_passages`), subsampled per code; the held-out document's codings are never in it.
The `learning-curve` job reads and encodes first (no write lock held while the model runs), computes
one number of examples per step, and keeps the curve in the chart cache (kind "learning-curve", one
row per model) with the state of the codings it rests on, so the page can say when they moved on."""
from __future__ import annotations

import hashlib
import json

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.db import expect_writes
from workbench.models import AI_CODER_PREFIX, ChartCache, Coding, Document, Project, User, now
from workbench.services import ai_calibration, jobs, projects, visibility
from workbench.services.embeddings import read_then_encode, store as store_vectors
from workbench.services.errors import Invalid
from workbench.services.rankers import codes_of, coded_passages
from workbench.suggest import description_texts
from workbench.suggest.learning_curve import COUNTS, SEEDS, Fold, point

KIND = "learning-curve"


def start(session: Session, project: Project, user: User):
    projects.require(session, user, project.id, "owner")
    if len(ai_calibration.coded_documents(session, project)) < 2:
        raise Invalid("The learning curve holds out one coded document at a time: code at least two documents first.")
    return jobs.enqueue(session, KIND, project, user, {}, coalesce=True)


def codings_state(session: Session, project: Project) -> str:
    """People's codings as they are (count, highest id, sums of code and span), whoever asks: the
    curve is computed from everyone's codings, so a blinded owner's view must not change it."""
    row = session.execute(
        select(func.count(Coding.id), func.max(Coding.id), func.sum(Coding.code_id), func.sum(Coding.start), func.sum(Coding.end))
        .join(Document, Document.id == Coding.document_id).join(User, User.id == Coding.coder_id)
        .where(Document.project_id == project.id, User.username.not_like(f"{AI_CODER_PREFIX}%")),
        execution_options={visibility.ALL_CODERS: True}).one()
    return hashlib.sha256(repr([int(v or 0) for v in row]).encode()).hexdigest()


def gather(session: Session, embedder, project: Project):
    """The codes, their description vectors and one fold per held-out document, encoded (the new
    vectors are returned for the caller to store in a short write)."""
    with expect_writes(False):
        codes = codes_of(session, project)
        index = {c.id: i for i, c in enumerate(codes)}
        examples = coded_passages(session, project, None)
        tests = []  # (held-out document id, texts, gold)
        for document_id in ai_calibration.coded_documents(session, project):
            document = session.get(Document, document_id)
            turns, labels = ai_calibration.turns_and_gold(session, document, index)
            rows = [r for r in range(len(turns)) if labels[r].any()]
            tests.append((document_id, [document.text[turns[r].start: turns[r].end] for r in rows],
                          [frozenset(codes[k].id for k in np.flatnonzero(labels[r])) for r in rows]))
        state = codings_state(session, project)
    groups = [description_texts(c.name, c.definition, c.inclusion, c.example) for c in codes]
    texts = [t for g in groups for t in g] + [e["text"] for e in examples] + [t for _, ts, _ in tests for t in ts]
    vectors, new, encoded = read_then_encode(session, embedder, texts)
    descriptions, at = [], 0
    for g in groups:
        descriptions.append(vectors[at: at + len(g)])
        at += len(g)
    pool_vectors, at = vectors[at: at + len(examples)], at + len(examples)
    folds = []
    for document_id, turn_texts, gold in tests:
        pool = [i for i, e in enumerate(examples) if e["document_id"] != document_id]
        folds.append(Fold(pool_vectors[pool], [frozenset(examples[i]["codes"]) for i in pool], vectors[at: at + len(turn_texts)], gold))
        at += len(turn_texts)
    return [c.id for c in codes], descriptions, folds, state, (new, encoded)


@jobs.kind(KIND, "Measuring the suggestions' learning curve")
def curve_job(run: jobs.JobRun):
    """Read and encode, then one step per number of examples per code; stored at the end."""
    counts = [None if c is None else int(c) for c in run.job.arguments.get("counts", list(COUNTS))]
    seeds = [int(s) for s in run.job.arguments.get("seeds", list(SEEDS))]
    embedder = run.embedder()
    project_id = run.job.project_id
    yield 0, len(counts) + 1
    project = run.session.get(Project, project_id)
    if project is None:
        return
    code_ids, descriptions, folds, state, (new, encoded) = gather(run.session, embedder, project)
    store_vectors(run.session, embedder.name, new, encoded)
    yield 1, len(counts) + 1
    points = []
    for done, n in enumerate(counts, 2):
        points.append(point(code_ids, descriptions, lambda _seed: folds, n, seeds, fixed_folds=True))  # no statement while it computes
        yield done, len(counts) + 1
    keep(run.session, run.session.get(Project, project_id), embedder.name, state, {
        "model": embedder.name, "seeds": seeds, "documents": len(folds), "codes": len(code_ids),
        "protocol": "leave-one-document-out", "points": [p.as_dict() for p in points]})
    run.result = {"points": len(points), "documents": len(folds)}


def keep(session: Session, project: Project, model: str, state: str, curve: dict) -> None:
    """Store the curve as the model's row of the chart cache, replacing the last one."""
    key = hashlib.sha256(model.encode()).hexdigest()
    content = json.dumps(dict(curve, computed_at=now().isoformat()), sort_keys=True).encode()
    row = session.get(ChartCache, (project.id, KIND, key))
    if row is None:
        try:
            with session.begin_nested():  # another worker may store the same curve at this moment
                session.add(ChartCache(project_id=project.id, kind=KIND, key=key, version=state, content=content, drawn_at=now()))
            return
        except IntegrityError:
            row = session.get(ChartCache, (project.id, KIND, key))
    row.version, row.content, row.drawn_at = state, content, now()


def latest(session: Session, project: Project) -> dict | None:
    """The last curve computed (any model), with `current`: whether people's codings are as they were then."""
    row = session.scalar(select(ChartCache).where(ChartCache.project_id == project.id, ChartCache.kind == KIND)
                         .order_by(ChartCache.drawn_at.desc()).limit(1))
    if row is None:
        return None
    return dict(json.loads(row.content), current=row.version == codings_state(session, project))
