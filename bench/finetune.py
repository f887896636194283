"""Fine-tuning time and held-out quality on 500 coded passages, with the packaged model, on this machine.

The project is generated from bench/data/*.jsonl (the remote-teaching and shift-work sets, written
for this project): both codebooks are imported into one project, 500 of the 518 passages are taken
in a seeded order and laid out as 20 interviews of 25 participant turns, each turn coded by one
coder with its passage's codes. The `fine-tune-model` job then runs as a worker would run it, with
the defaults of `workbench fine-tune` (or the options given): it holds out a quarter of the documents,
fine-tunes on the rest and measures the project's ranker with the base and the tuned model.
Run: HF_HUB_OFFLINE=1 .venv/bin/python bench/finetune.py [--seed 0] [--max-pairs N] [--max-seconds S]."""
from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.config import Settings  # noqa: E402
from workbench.db import make_engine, session_factory, upgrade  # noqa: E402
from workbench.models import Job, ProjectModel  # noqa: E402
from workbench.services import codebook, coding, documents, fine_tuning, projects  # noqa: E402
from workbench.suggest.evaluation import read_codebook, read_passages  # noqa: E402
from workbench.suggest.finetune import DEFAULT_MAX_PAIRS, DEFAULT_MAX_SECONDS, LEARNING_RATE  # noqa: E402
from workbench.worker.runner import Runtime, run_job  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
SETS = ("remote-teaching", "dev-shiftwork")


def build(Session, passages_wanted: int, per_document: int) -> int:
    with Session() as session:
        owner = projects.get_or_create_user(session, "bench")
        ana = projects.get_or_create_user(session, "ana")
        project = projects.create_project(session, "Fine-tuning bench", owner)
        projects.add_member(session, project, ana, "coder")
        passages = []
        for name in SETS:
            book = (DATA / f"{name}-codebook.yaml").read_bytes()
            codebook.import_yaml(session, project, book)
            passages += read_passages((DATA / f"{name}-passages.jsonl").read_bytes(), read_codebook(book))
        random.Random(5).shuffle(passages)
        passages = passages[:passages_wanted]
        codes = {}
        for number, at in enumerate(range(0, len(passages), per_document), 1):
            chunk = passages[at: at + per_document]
            text = "\n".join(f"P{number:02}: {' '.join(p.text.split())}" for p in chunk)
            document, _ = documents.import_document(session, project, f"P{number:02}.txt", text.encode())
            for passage, turn in zip(chunk, document.utterances):
                for path in sorted(passage.codes):
                    code = codes.get(path) or codes.setdefault(path, codebook.find_code(session, project.id, path))
                    coding.apply_code(session, document, code, ana, turn.start, turn.end)
        session.commit()
        return project.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-pairs", type=int, default=DEFAULT_MAX_PAIRS)
    parser.add_argument("--max-seconds", type=int, default=int(DEFAULT_MAX_SECONDS))
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--learning-rate", type=float, default=LEARNING_RATE)
    parser.add_argument("--passages", type=int, default=500)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="workbench-finetune-bench-"))
    url = f"sqlite:///{folder / 'workbench.db'}"
    upgrade(url)
    engine = make_engine(url)
    Session = session_factory(engine)
    project_id = build(Session, args.passages, 25)
    with Session() as session:
        project = session.get(fine_tuning.Project, project_id)
        job = fine_tuning.queue(session, project, None, args.seed, args.max_pairs, args.max_seconds, None, args.epochs,
                                args.learning_rate)
        session.commit()
        job_id = job.id
    runtime = Runtime(Session, Settings(database_url=url, instance_path=folder))
    started = time.monotonic()
    run_job(runtime, job_id)
    wall = time.monotonic() - started
    with Session() as session:
        job = session.get(Job, job_id)
        if job.status != "done":
            raise SystemExit(f"job {job.status}: {job.error}")
        row = session.query(ProjectModel).one()
        r = job.result
        print(f"{args.passages} coded passages in 20 documents; seed {args.seed}, max pairs {args.max_pairs}, "
              f"max seconds {args.max_seconds}, epochs {args.epochs}, learning rate {args.learning_rate:g}")
        print(f"training: {row.pairs} pairs, {row.steps} steps, {row.seconds:.1f} s"
              f"{' (stopped by the time budget)' if r['stopped_by_time'] else ''}; whole job {wall:.1f} s; "
              f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        print(f"held out: {row.heldout_documents} documents, {row.heldout_passages} coded passages; "
              f"trained on {row.training_passages}")
        print("| model | precision@1 | precision@3 |\n|---|---|---|")
        print(f"| base {row.base_model} | {r['base_p1']:.3f} | {r['base_p3']:.3f} |")
        print(f"| tuned {row.name} | {r['tuned_p1']:.3f} | {r['tuned_p3']:.3f} |")
        print(f"active: {row.active}")
    engine.dispose()


if __name__ == "__main__":
    main()
