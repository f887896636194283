"""Fine-tuning the embedding model on a project's codings: the `fine-tune-model` job, measured before use.

The job reads the people's codings (not an AI layer, not the consensus layer), holds out a seeded
share of the coded documents, fine-tunes a copy of the base model on contrastive pairs from the
other documents' passages and the code descriptions (workbench/suggest/finetune.py), and measures
the project's ranker (code descriptions, nearest coded passages and per-code classifiers, from the
training documents only) on the held-out documents' coded passages with the base model and with the
tuned one: precision@1, a passage counting when its top code is one that people applied to it. The
version is stored in `project_model` either way; it becomes the project's active model only when it
ranks strictly better than the base, and a version that does not is not kept on disk.

SQLite: the job reads in a read transaction and ends it (`read_then_encode`), trains and encodes
with no transaction open, and writes the row and the new vectors in one short transaction."""
from __future__ import annotations

import logging
import random
import shutil
from pathlib import Path

import numpy as np
from sqlalchemy import update
from sqlalchemy.orm import Session

from workbench.db import expect_writes
from workbench.models import Project, ProjectModel, User
from workbench.services import jobs, project_models, projects
from workbench.services.ai_calibration import coded_documents
from workbench.services.embeddings import read_then_encode, sha256, store
from workbench.services.errors import Invalid
from workbench.services.rankers import codes_of, coded_passages
from workbench.suggest import ModelUnavailable, Ranker, RankingSettings, description_texts, onnx_embedder
from workbench.suggest.evaluation import metrics
from workbench.suggest.finetune import (DEFAULT_MAX_PAIRS, DEFAULT_MAX_SECONDS, LEARNING_RATE, TrainedEmbedder, build_pairs,
                                        fine_tune)

log = logging.getLogger("workbench.fine_tuning")

KIND = "fine-tune-model"
HELD_OUT_SHARE = 0.25  # of the coded documents, at least one
MAX_SECONDS_ALLOWED = 3600
MAX_PAIRS_ALLOWED = 50_000


def start(session: Session, project: Project, user: User, seed=0, max_pairs=DEFAULT_MAX_PAIRS,
          max_seconds=DEFAULT_MAX_SECONDS, max_steps=None, **training):
    projects.require(session, user, project.id, "owner")
    return queue(session, project, user, seed, max_pairs, max_seconds, max_steps, **training)


def _whole(value, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid(f"The {name} is a whole number from {low} to {high}, not {value!r}.") from None
    if not low <= number <= high:
        raise Invalid(f"The {name} lies between {low} and {high}, not {value!r}.")
    return number


def queue(session: Session, project: Project, user: User | None, seed=0, max_pairs=DEFAULT_MAX_PAIRS,
          max_seconds=DEFAULT_MAX_SECONDS, max_steps=None, epochs=1, learning_rate=LEARNING_RATE):
    """The fine-tuning checked and queued, for whoever may start it (`start`, or the command line)."""
    arguments = {"seed": _whole(seed, "seed", 0, 2**31 - 1), "max_pairs": _whole(max_pairs, "number of pairs", 2, MAX_PAIRS_ALLOWED),
                 "max_seconds": _whole(max_seconds, "time budget in seconds", 1, MAX_SECONDS_ALLOWED)}
    if max_steps not in (None, ""):
        arguments["max_steps"] = _whole(max_steps, "number of training steps", 1, 100_000)
    arguments["epochs"] = _whole(epochs, "number of passes over the pairs", 1, 50)
    try:
        arguments["learning_rate"] = float(learning_rate)
    except (TypeError, ValueError):
        raise Invalid(f"The learning rate is a number such as 5e-5, not {learning_rate!r}.") from None
    if not 0 < arguments["learning_rate"] <= 1e-3:
        raise Invalid(f"The learning rate lies above 0 and at most 0.001, not {learning_rate!r}.")
    if project.blind:
        raise Invalid("Fine-tuning learns from every person's codings, which blind coding keeps apart: "
                      "reveal the codings (team page) before fine-tuning.")
    if len(coded_documents(session, project)) < 2:
        raise Invalid("Fine-tuning is measured on coded documents it did not learn from: code at least two documents first.")
    return jobs.enqueue(session, KIND, project, user, arguments)


def _split(document_ids: list[int], seed: int) -> set[int]:
    """The held-out documents: a seeded share of the coded ones, at least one, never all."""
    order = sorted(document_ids)
    random.Random(seed).shuffle(order)
    count = min(max(1, round(HELD_OUT_SHARE * len(order))), len(order) - 1)
    return set(order[:count])


def precision_at_1(vectors: np.ndarray, groups: list[int], code_ids: list[int], train_codes: list[list[int]],
                   test_codes: list[frozenset[int]], settings: RankingSettings = RankingSettings()) -> dict:
    """The ranker's figures on the test passages. `vectors`: each code's description texts (`groups`
    of them per code, in order), then the training passages, then the test passages."""
    descriptions, at = [], 0
    for size in groups:
        descriptions.append(vectors[at: at + size])
        at += size
    train, test = vectors[at: at + len(train_codes)], vectors[at + len(train_codes):]
    ranker = Ranker(code_ids, descriptions, train, train_codes, settings=settings)  # trains its own classifiers
    ranked = [[code_ids[i] for i in row] for row in ranker.ranked_codes(test)]
    return metrics(ranked, test_codes)


@jobs.kind(KIND, "Fine-tuning the suggestion model on the team's codings")
def fine_tune_job(run: jobs.JobRun):
    """Read and train (step 1), measure base and tuned on the held-out documents (2), store (3)."""
    base = run.embedder()
    if not getattr(base, "path", None):
        raise Invalid("The suggestion model is not a local sentence-transformers folder: there is nothing to fine-tune.")
    settings = run.settings
    if settings is None:
        raise RuntimeError("The fine-tuning job needs the worker's settings (its models folder).")
    arguments = run.job.arguments
    seed = int(arguments.get("seed", 0))
    yield 0, 3
    with expect_writes(False):
        project = run.session.get(Project, run.job.project_id)
        if project is None:
            return
        project_id = project.id
        codes = codes_of(run.session, project)
        passages = coded_passages(run.session, project, None, people_only=True)
        version = project_models.next_version(run.session, project)
    coded = sorted({p["document_id"] for p in passages})
    if len(coded) < 2:  # the check when queued counted consensus-only documents too
        raise Invalid("Fine-tuning needs people's codings in at least two documents: one to learn from, one to measure on.")
    held_out = _split(coded, seed)
    training = [p for p in passages if p["document_id"] not in held_out]
    test = [p for p in passages if p["document_id"] in held_out]
    code_ids = [c.id for c in codes]
    described = {c.id: description_texts(c.name, c.definition, c.inclusion, c.example) for c in codes}
    texts = [t for c in code_ids for t in described[c]] + [p["text"] for p in training] + [p["text"] for p in test]
    base_vectors, new_base, encoded_base = read_then_encode(run.session, base, texts)  # ends the read transaction
    pairs = build_pairs([(p["text"], sorted(p["codes"])) for p in training], described,
                        max_pairs=int(arguments.get("max_pairs", DEFAULT_MAX_PAIRS)), seed=seed)
    out = Path(settings.models_path) / project_models.folder_name(project_id, version)
    tuned = fine_tune(base.path, pairs, out, seed=seed, max_seconds=float(arguments.get("max_seconds", DEFAULT_MAX_SECONDS)),
                      max_steps=arguments.get("max_steps"), epochs=int(arguments.get("epochs", 1)),
                      learning_rate=float(arguments.get("learning_rate", LEARNING_RATE)))
    yield 1, 3
    embedder = TrainedEmbedder(out)
    tuned_vectors = embedder.encode(texts)
    name, weights = embedder.name, embedder.weights_sha256
    groups = [len(described[c]) for c in code_ids]
    train_codes = [sorted(p["codes"]) for p in training]
    gold = [frozenset(p["codes"]) for p in test]
    before = precision_at_1(base_vectors, groups, code_ids, train_codes, gold)
    after = precision_at_1(tuned_vectors, groups, code_ids, train_codes, gold)
    del embedder  # the weights are on disk; the web processes load them when suggestions ask
    yield 2, 3
    better = after["precision@1"] > before["precision@1"]
    exported = better and _export_onnx(out, Path(settings.models_path))
    project = run.session.get(Project, project_id)
    if project is None:
        shutil.rmtree(out, ignore_errors=True)
        project_models.remove_onnx(Path(settings.models_path), out)
        return
    store(run.session, base.name, new_base, encoded_base)
    if better:
        # The held-out passages' and descriptions' vectors are the tuned model's first cache entries.
        unique = dict(zip((sha256(t) for t in texts), tuned_vectors))
        store(run.session, name, list(unique), np.stack(list(unique.values())) if unique else tuned_vectors)
        run.session.execute(update(ProjectModel).where(ProjectModel.project_id == project_id).values(active=False))
    row = ProjectModel(project_id=project_id, version=version, path=out.name if better else None,
                       name=name, weights_sha256=weights, base_model=base.name, seed=seed,
                       pairs=tuned.pairs, steps=tuned.steps, seconds=round(tuned.seconds, 2), training_passages=len(training),
                       heldout_documents=len(held_out), heldout_passages=len(test), heldout_base_p1=before["precision@1"],
                       heldout_tuned_p1=after["precision@1"], active=better, job_id=run.job.id)
    run.session.add(row)
    run.session.flush()
    if not better:
        shutil.rmtree(out, ignore_errors=True)  # it can never be used: suggestions take only a better version
    run.result = {"version": version, "active": better, "onnx": bool(exported), "pairs": tuned.pairs, "steps": tuned.steps,
                  "seconds": round(tuned.seconds, 1), "stopped_by_time": tuned.stopped_by_time,
                  "held_out_documents": len(held_out), "held_out_passages": len(test),
                  "base_p1": round(before["precision@1"], 4), "tuned_p1": round(after["precision@1"], 4),
                  "base_p3": round(before["precision@3"], 4), "tuned_p3": round(after["precision@3"], 4)}
    yield 3, 3


def _export_onnx(folder: Path, models: Path) -> bool:
    """The ONNX export of an activated version, beside the base model's, so web processes that encode
    with ONNX Runtime serve it without loading torch (project_models.embedder_for). A model that
    cannot be exported is still used, on torch: said in the log, not a failed job."""
    try:
        onnx_embedder.export(folder, onnx_embedder.onnx_path(models, folder))
        return True
    except (ModelUnavailable, RuntimeError, OSError, ValueError) as exc:
        log.warning("The fine-tuned model %s was not exported for ONNX Runtime (%s); it runs on torch", folder, exc)
        return False
