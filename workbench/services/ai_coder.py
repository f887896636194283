"""The AI coder: the suggestion model run over chosen documents and codes as a background job,
writing a coding layer of its own, and accepting its codings into a person's layer.

The layer is the codings of the reserved user `ai:<model name>` (no password, nobody's account,
like the consensus layer): never mixed into a person's layer, hidden from a blinded coder by
services/visibility.py like any colleague's codings, left out of "everyone" agreement defaults and
of the suggestion ranker's evidence. Each coded turn is a coding with origin `suggestion` and its
provenance (model, settings, score, evidence, threshold, the run). A code is applied to a turn when
its ranking score reaches the code's threshold (standard deviations above the average code: a
default for the run, overridable per code). Running again replaces the layer's codings of the
chosen codes in the chosen documents, so a run is safe to repeat from the top."""
from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.db import expect_writes, write_phase
from workbench.models import AI_CODER_PREFIX, Code, Coding, CodingProvenance, Document, Job, Project, User
from workbench.services import (
    ai_calibration, audit, codebook, coding, consensus, documents, history, jobs, project_models, projects, provenance, visibility,
)
from workbench.services.embeddings import embed_texts, memory_only
from workbench.services.errors import Invalid, NotFound
from workbench.services.rankers import build_ranker
from workbench.services.suggestions import DOCUMENT_MIN_SCORE, _code_maps, describe
from workbench.suggest import RankingSettings

KIND = "ai-coder"
DEFAULT_THRESHOLD = DOCUMENT_MIN_SCORE
THRESHOLD_RANGE = (-5.0, 10.0)


def layer_name(embedder) -> str:
    return (AI_CODER_PREFIX + embedder.name)[:80]


def is_ai(username: str | None) -> bool:
    return bool(username) and username.casefold().startswith(AI_CODER_PREFIX)


def ai_coder(session: Session, name: str) -> User:
    """The AI layer's user: created on first use, with no password, so never a login."""
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        user = User(username=name, display_name=f"AI coder ({name.removeprefix(AI_CODER_PREFIX)})", password_hash=None)
        session.add(user)
        session.flush()
    return user


def _threshold(value, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Invalid(f"The {what} must be a number (standard deviations above the average code), not {value!r}.") from None
    low, high = THRESHOLD_RANGE
    if not math.isfinite(number) or not low <= number <= high:
        raise Invalid(f"The {what} must lie between {low:g} and {high:g}, not {value!r}.")
    return number


def start(session: Session, project: Project, user: User, document_ids: list[int], code_ids: list[int],
          threshold=DEFAULT_THRESHOLD, per_code: dict | None = None, calibrated: bool = False) -> Job:
    """Queue a run of the AI coder (owners only: it writes a layer everyone compares with). With
    `calibrated`, codes without a threshold of their own take the calibrated one where there is one."""
    projects.require(session, user, project.id, "owner")
    return queue(session, project, user, document_ids, code_ids, threshold, per_code, calibrated)


def queue(session: Session, project: Project, user: User | None, document_ids: list[int], code_ids: list[int],
          threshold=DEFAULT_THRESHOLD, per_code: dict | None = None, calibrated: bool = False) -> Job:
    """The run checked and queued, for whoever may start it (`start`, or the command line)."""
    if not document_ids:
        raise Invalid("Choose at least one document for the AI coder.")
    if not code_ids:
        raise Invalid("Choose at least one code for the AI coder.")
    chosen_documents = sorted({documents.get_document(session, project.id, int(d)).id for d in document_ids})
    chosen_codes = sorted({codebook.get_code(session, project.id, int(c)).id for c in code_ids})
    default = _threshold(threshold, "threshold")
    overrides = {}
    for code_id, value in (per_code or {}).items():
        if value in (None, ""):
            continue
        try:
            code = codebook.get_code(session, project.id, int(code_id))
        except ValueError:
            raise Invalid(f"Per-code thresholds are keyed by code id, not {code_id!r}: reload the page and try again.") from None
        overrides[str(code.id)] = _threshold(value, f"threshold of ‘{code.name}’")
    return jobs.enqueue(session, KIND, project, user, {"documents": chosen_documents, "codes": chosen_codes,
                                                       "threshold": default, "thresholds": overrides,
                                                       "calibrated": bool(calibrated)})


@jobs.kind(KIND, "Running the AI coder")
def run_job(run: jobs.JobRun):
    """One step per document: its turns scored, the layer's codings of the chosen codes replaced."""
    arguments = run.job.arguments
    project = run.session.get(Project, run.job.project_id)
    # The model suggestions use (the project's active fine-tuned version, if any): it names the layer,
    # and the calibrated thresholds are looked up under its name. Loaded before the step writes.
    embedder = project_models.for_job(run, project)
    found = [] if project is None else list(run.session.scalars(
        select(Document).where(Document.project_id == project.id, Document.id.in_(arguments.get("documents", [])))
        .order_by(Document.name, Document.id)))
    layer = ai_coder(run.session, layer_name(embedder))
    limits = dict(arguments.get("thresholds", {}))
    if arguments.get("calibrated") and project is not None:
        limits = ai_calibration.calibrated(run.session, project, embedder.name) | limits  # a code's own threshold wins
    yield 0, len(found)  # commits the layer's account: each document's step then begins with reads
    made = 0
    for done, document in enumerate(found, 1):
        made += len(code_document(run.session, embedder, document, layer, arguments.get("codes", []),
                                  arguments.get("threshold", DEFAULT_THRESHOLD), limits, run.job.id))
        yield done, len(found)
    run.result = {"layer": layer.username, "documents": len(found), "codings": made}


def code_document(session: Session, embedder, document: Document, layer: User, code_ids: list[int], threshold: float,
                  thresholds: dict, job_id: int | None = None, settings: RankingSettings = RankingSettings()) -> list[Coding]:
    """The AI layer's codings of `code_ids` in the document, made again: each participant's turn
    (interviewers and lines without a speaker skipped, as "suggest for this document" does) gets
    every chosen code whose score reaches its threshold."""
    project = document.project
    chosen = set(code_ids)
    limit = {c: float(thresholds.get(str(c), threshold)) for c in chosen}
    # Read and score without SQLite's write lock (the model may encode for seconds; new vectors stay
    # in memory), then write the layer in a short transaction of its own.
    with expect_writes(False), memory_only(session):
        turns = [u for u in document.utterances if not projects.is_interviewer(project, u.speaker)]
        vectors = embed_texts(session, embedder, [document.text[u.start: u.end] for u in turns])
        # Last: the ranker may queue its classifiers' training, a write (it takes SQLite's lock).
        ranker = build_ranker(session, embedder, project, None, settings)
        classifiers = (getattr(ranker, "provenance", None) or {}).get("classifiers")
        codes, paths = _code_maps(session, project)
        ranked = ranker.suggest_many(vectors, len(ranker.code_ids)) if turns else []
    with write_phase(session), audit.action(session) as act:
        for old in session.scalars(select(Coding).where(Coding.document_id == document.id, Coding.coder_id == layer.id,
                                                        Coding.code_id.in_(chosen))):
            coding.remove_dependents(session, old)
            session.delete(old)
        session.flush()
        made = []
        for turn, suggestions in zip(turns, ranked):
            for rank, s in enumerate(suggestions, 1):
                if s.code_id in chosen and s.code_id in codes and s.score >= limit[s.code_id]:
                    row = Coding(document_id=document.id, code_id=s.code_id, coder_id=layer.id, start=turn.start,
                                 end=turn.end, origin="suggestion")
                    session.add(row)
                    session.flush()
                    provenance.record(session, row, embedder, settings, s.score, describe(s, codes, paths), "ai coder", classifiers,
                                      job_id, threshold=limit[s.code_id], rank=rank)
                    made.append(row)
        act.describe("coding add", f"{layer.username} coded {document.name}: {len(made)} coding(s) of "
                     f"{len(chosen)} code(s) in {len(turns)} turn(s)", target_type="document", target_id=str(document.id),
                     document_id=document.id, project_id=project.id)
    return made


def layers(session: Session, project: Project) -> list[str]:
    """The AI layers with codings in the project."""
    return sorted(n for n in session.scalars(
        select(User.username).join(Coding, Coding.coder_id == User.id).join(Document, Document.id == Coding.document_id)
        .where(Document.project_id == project.id, User.username.like(f"{AI_CODER_PREFIX}%")).distinct()))


def _layer(session: Session, project: Project, name: str) -> User:
    if not is_ai(name) or name not in layers(session, project):
        raise NotFound(f"{name!r} is not an AI coder's layer of this project: choose one of {', '.join(layers(session, project)) or 'none yet'}.")
    return session.scalar(select(User).where(User.username == name))


def _copy(session: Session, document: Document, code: Code, reviewer: User, originals: list[Coding]) -> list[Coding]:
    kept = provenance.of_codings(session, [c.id for c in originals])
    out = []
    for original in originals:
        made = coding.apply_code(session, document, code, reviewer, original.start, original.end, origin="suggestion")
        if original.id in kept and made.origin == "suggestion":
            provenance.copy(session, kept[original.id], made)
        out.append(made)
    return out


def accept(session: Session, project: Project, reviewer: User, layer_name_: str, code_id: int, document_id: int,
           start: int, end: int) -> list[Coding]:
    """Copy the AI layer's codings of the code overlapping [start, end) into the reviewer's own layer
    (origin `suggestion`, with their provenance): one undo step removes them."""
    visibility.require_revealed(project)
    projects.require(session, reviewer, project.id, "coder")
    layer = _layer(session, project, layer_name_)
    code = codebook.get_code(session, project.id, code_id)
    document = documents.get_document(session, project.id, document_id)
    coding.check_span(document, start, end)
    originals = consensus.overlapping(session, document.id, code.id, start, end, [layer.id])
    if not originals:
        raise Invalid(f"The AI coder did not code ‘{code.name}’ there: nothing to accept.")
    with history.action(session, f"Accepted the AI coder’s ‘{code.name}’"):
        return _copy(session, document, code, reviewer, originals)


def accept_all(session: Session, project: Project, reviewer: User, layer_name_: str, code_id: int,
               unit: str = "utterance") -> list[Coding]:
    """Every AI coding of the code that the disagreement review between the AI layer and the
    reviewer lists (the AI applied it, the reviewer did not), copied into the reviewer's layer as
    one undo step."""
    visibility.require_revealed(project)
    projects.require(session, reviewer, project.id, "coder")
    layer = _layer(session, project, layer_name_)
    code = codebook.get_code(session, project.id, code_id)
    review = consensus.disagreements(session, project, code, unit, [layer.username, reviewer.username])
    out = []
    with history.action(session, f"Accepted the AI coder’s ‘{code.name}’ in {len(review)} place(s)"):
        for unit_ in review:
            if any(v.coder == layer.username and v.applied for v in unit_.versions):
                originals = consensus.overlapping(session, unit_.document.id, code.id, unit_.start, unit_.end, [layer.id])
                out += _copy(session, unit_.document, code, reviewer, originals)
    if not out:
        raise Invalid(f"No AI coding of ‘{code.name}’ is left to accept: you agree with it, or it coded nothing you did not.")
    return out
