"""Per-code thresholds for the AI coder, picked on the project's own coded documents.

Leave-one-document-out: each document with codings is held out in turn; a ranker built from the
other documents' codings (and the code descriptions) scores every participant's turn of it for every
code. A turn's gold codes are those any person (not an AI layer) applied to any part of it. Pooled
over the held-out documents, each code's threshold is the lowest score at which the turns scoring at
least that much reach the wanted precision (workbench/suggest/calibration.py), stored with how many
true codings support it and how many turns carry the code. A run of the AI coder may use them."""
from __future__ import annotations

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workbench.db import expect_writes
from workbench.models import AI_CODER_PREFIX, AiThreshold, Coding, Document, Project, User
from workbench.services import jobs, project_models, projects
from workbench.services.embeddings import embed_texts, memory_only
from workbench.services.errors import Invalid
from workbench.services.rankers import codes_of, held_out_ranker
from workbench.suggest.calibration import pick_threshold

KIND = "ai-calibration"
DEFAULT_PRECISION = 0.8


def start(session: Session, project: Project, user: User, precision=DEFAULT_PRECISION):
    projects.require(session, user, project.id, "owner")
    return queue(session, project, user, precision)


def queue(session: Session, project: Project, user: User | None, precision=DEFAULT_PRECISION):
    """The calibration checked and queued, for whoever may start it (`start`, or the command line)."""
    try:
        wanted = float(precision)
    except (TypeError, ValueError):
        raise Invalid(f"The wanted precision is a number between 0 and 1 (0.8 = 80 %), not {precision!r}.") from None
    if not 0 < wanted <= 1:
        raise Invalid(f"The wanted precision lies between 0 and 1 (0.8 = 80 %), not {precision!r}.")
    if len(coded_documents(session, project)) < 2:
        raise Invalid("Calibration holds out one coded document at a time: code at least two documents first.")
    return jobs.enqueue(session, KIND, project, user, {"precision": wanted})


def coded_documents(session: Session, project: Project) -> list[int]:
    return list(session.scalars(
        select(Document.id).join(Coding, Coding.document_id == Document.id).join(User, User.id == Coding.coder_id)
        .where(Document.project_id == project.id, User.username.not_like(f"{AI_CODER_PREFIX}%"))
        .distinct().order_by(Document.id)))


def turns_and_gold(session: Session, document: Document, code_index: dict[int, int]):
    """The participants' turns of the document and, per turn, which codes a person applied to it."""
    project = document.project
    turns = [u for u in document.utterances if not projects.is_interviewer(project, u.speaker)]
    spans = session.execute(select(Coding.start, Coding.end, Coding.code_id).join(User, User.id == Coding.coder_id)
                            .where(Coding.document_id == document.id, User.username.not_like(f"{AI_CODER_PREFIX}%"))).all()
    gold = np.zeros((len(turns), len(code_index)), dtype=bool)
    for row, u in enumerate(turns):
        for start, end, code_id in spans:
            if start < u.end and u.start < end and code_id in code_index:
                gold[row, code_index[code_id]] = True
    return turns, gold


@jobs.kind(KIND, "Calibrating the AI coder's thresholds")
def calibrate_job(run: jobs.JobRun):
    """One step per held-out document; the thresholds are stored at the end (replacing the old ones)."""
    project = run.session.get(Project, run.job.project_id)
    embedder = project_models.for_job(run, project)  # the run's model: thresholds are stored under its name
    held_out = [] if project is None else coded_documents(run.session, project)
    yield 0, len(held_out)
    codes = codes_of(run.session, project) if project is not None else []
    index = {c.id: i for i, c in enumerate(codes)}
    scores, gold = [], []
    for done, document_id in enumerate(held_out, 1):
        # A step only reads (new vectors stay in memory): SQLite's write lock is never held while the
        # model encodes. The thresholds are written at the end.
        with expect_writes(False), memory_only(run.session):
            document = run.session.get(Document, document_id)
            turns, labels = turns_and_gold(run.session, document, index)
            if turns:
                ranker = held_out_ranker(run.session, embedder, project, document_id)
                vectors = embed_texts(run.session, embedder, [document.text[u.start: u.end] for u in turns])
                scores.append(ranker.scores(vectors)["combined"])
                gold.append(labels)
        yield done, len(held_out)
    if project is not None:
        store(run.session, project, embedder.name, codes, scores, gold, run.job.arguments.get("precision", DEFAULT_PRECISION),
              len(held_out))
        run.result = {"codes": len(codes), "calibrated": sum(1 for t in thresholds(run.session, project) if t.threshold is not None)}


def store(session: Session, project: Project, model: str, codes, scores: list[np.ndarray], gold: list[np.ndarray],
          precision: float, documents: int) -> None:
    session.execute(delete(AiThreshold).where(AiThreshold.project_id == project.id))
    all_scores = np.concatenate(scores) if scores else np.zeros((0, len(codes)))
    all_gold = np.concatenate(gold) if gold else np.zeros((0, len(codes)), dtype=bool)
    for k, code in enumerate(codes):
        found = pick_threshold(all_scores[:, k].tolist(), all_gold[:, k].tolist(), precision)
        session.add(AiThreshold(project_id=project.id, code_id=code.id, model=model, wanted_precision=precision,
                                threshold=found.value if found else None, precision=found.precision if found else None,
                                support=found.support if found else 0, examples=int(all_gold[:, k].sum()), documents=documents))
    session.flush()


def thresholds(session: Session, project: Project) -> list[AiThreshold]:
    return list(session.scalars(select(AiThreshold).where(AiThreshold.project_id == project.id)))


def calibrated(session: Session, project: Project, model: str) -> dict[str, float]:
    """Code id (as text, like a run's overrides) -> calibrated threshold, for this model."""
    return {str(t.code_id): t.threshold for t in thresholds(session, project) if t.model == model and t.threshold is not None}
