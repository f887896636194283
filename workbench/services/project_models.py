"""A project's fine-tuned embedding models: its versions, the active one, and the embedder suggestions use.

Suggestions, their classifiers, the coded passages' vectors and the AI coder (its run and its
calibration) use the project's active version when there is one (services/fine_tuning.py activates a
version only when it beats the base model on held-out documents), else the base model. The tuned model
is a sentence-transformers folder under the instance's models/ directory, loaded like the base
(`SentenceTransformerEmbedder`), so its name ("project-7-v2@<12 digits of its sha256>") keys its own
embedding cache, classifiers, AI layer (`ai:<name>`) and calibrated thresholds, and goes into the
provenance of the codings made or accepted from it. Blind coding and "only my codings" keep the base
model: the tuned one learned from every person's codings, and would leak them."""
from __future__ import annotations

import functools
import logging
import shutil
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from workbench.db import expect_writes
from workbench.models import Project, ProjectModel
from workbench.suggest import SentenceTransformerEmbedder, onnx_embedder

log = logging.getLogger("workbench.project_models")


def folder_name(project_id: int, version: int) -> str:
    """The version's folder under models/; also the first part of the model's name."""
    return f"project-{project_id}-v{version}"


def versions(session: Session, project: Project) -> list[ProjectModel]:
    return list(session.scalars(select(ProjectModel).where(ProjectModel.project_id == project.id)
                                .order_by(ProjectModel.version.desc())))


def active(session: Session, project: Project) -> ProjectModel | None:
    return session.scalar(select(ProjectModel).where(ProjectModel.project_id == project.id, ProjectModel.active.is_(True)))


def next_version(session: Session, project: Project) -> int:
    return max((v.version for v in versions(session, project)), default=0) + 1


def embedder_for(session: Session, project: Project | None, base, models_path, only_coder_id: int | None = None):
    """The embedder for this project's suggestions: its active fine-tuned version if it was tuned
    from `base` and its folder still holds those weights, else `base`."""
    version = _usable(session, project, base, only_coder_id)
    return base if version is None else _tuned(version, base, Path(models_path))


def _usable(session: Session, project: Project | None, base, only_coder_id: int | None) -> tuple | None:
    """(project id, version, folder, sha256) of the active version that may stand in for `base`, or None.
    Plain values: a job ends its read transaction before the folder loads."""
    if project is None or only_coder_id is not None or project.blind:
        return None
    row = active(session, project)
    if row is None or not row.path or row.base_model != getattr(base, "name", None):
        return None
    return project.id, row.version, row.path, row.weights_sha256


def _tuned(version: tuple, base, models: Path):
    project_id, number, folder, sha = version
    path = models / folder
    try:
        tuned = _load(str(path), str(_onnx_graph(base, models, path)))
    except Exception as exc:  # a folder deleted or copied without its model: suggestions go on, on the base
        log.warning("Project %s: its fine-tuned model %s cannot be loaded (%s); using the base model", project_id, path, exc)
        return base
    if tuned.weights_sha256 != sha:
        log.warning("Project %s: %s holds other weights than version %s; using the base model", project_id, path, number)
        return base
    return tuned


def _onnx_graph(base, models: Path, folder: Path) -> Path | str:
    """The version's ONNX export when the base model runs on ONNX Runtime (float, not int8) and the
    fine-tuning job exported it; "" otherwise: then it runs on torch, as the base would."""
    if not isinstance(base, onnx_embedder.OnnxEmbedder) or base.int8:
        return ""
    graph = onnx_embedder.onnx_path(models, folder)  # named by the folder's weights, as the job named it
    return graph if graph.is_file() else ""


def remove_onnx(models: Path, folder: Path) -> None:
    """The export of a version whose folder is gone (onnx_path names it by the folder's weights)."""
    for graph in Path(models).glob(f"{folder.name}@*.onnx"):
        graph.unlink(missing_ok=True)


def remove_files_after_commit(session: Session, models: Path, project: Project) -> None:
    """The folders and ONNX exports of the project's versions, removed once `session` commits (its
    deletion of the project): a rolled-back deletion keeps them, with the rows that name them."""
    doomed = session.info.setdefault(_DOOMED, [])
    for row in versions(session, project):
        doomed += {Path(models) / name for name in (row.path, folder_name(project.id, row.version)) if name}
    if not event.contains(session, "after_commit", _remove_doomed):
        event.listen(session, "after_commit", _remove_doomed)
        event.listen(session, "after_rollback", _forget_doomed)


_DOOMED = "workbench.project_model_files"


def _remove_doomed(session: Session) -> None:
    for folder in session.info.pop(_DOOMED, []):
        shutil.rmtree(folder, ignore_errors=True)
        remove_onnx(folder.parent, folder)


def _forget_doomed(session: Session) -> None:
    session.info.pop(_DOOMED, None)


@functools.lru_cache(maxsize=8)
def _load(path: str, graph: str = ""):
    # One instance per folder per process, as for the base model: the ranker cache is keyed by it.
    # With its ONNX export the vectors are the torch model's (same name, same cache), without torch.
    if graph:
        return onnx_embedder.OnnxEmbedder(path, Path(graph))
    return SentenceTransformerEmbedder(path)


def for_job(run, project: Project | None, only_coder_id: int | None = None):
    """`embedder_for` in a job: the worker's base model, or the project's active version of it.
    Call it before the step changes anything: the version is looked up in a read transaction that
    is then ended, so SQLite's write lock is not held while its folder loads (seconds)."""
    base = run.embedder()
    if run.settings is None:
        return base
    with expect_writes(False):
        version = _usable(run.session, project, base, only_coder_id)
    if not (run.session.new or run.session.dirty or run.session.deleted):
        run.session.commit()  # nothing written: as in embeddings.read_then_encode, this ends the read
    return base if version is None else _tuned(version, base, Path(run.settings.models_path))
