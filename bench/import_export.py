"""Import and export benchmark: generated transcripts through the real services, with baselines.

    .venv/bin/python bench/import_export.py                 # 500 transcripts ≈ 5M words, SQLite
    .venv/bin/python bench/import_export.py --transcripts 50 --database-url postgresql+psycopg://postgres@127.0.0.1/bench

Prints rates and ratios against a baseline measured in the same process (these machines are noisy):
import = parse + store vs parse only; matrix = workbench's CSV/XLSX export vs writing the same
rows with the csv module.
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time

from sqlalchemy import func, insert, select

from workbench.db import make_engine, session_factory, upgrade
from workbench.export import matrix
from workbench.importers import parse_transcript
from workbench.models import Coding, Document
from workbench.services import codebook, documents, exports, projects

WORDS = ("practice referral link worker patient trust the a we they funding charity time really you know "
         "group volunteers surgery community because so and but think feel people service data system").split()


def transcript(rng: random.Random, words: int, index: int) -> str:
    lines, written, minute = [f"Generated interview {index}"], 0, 0
    while written < words:
        n = rng.randint(10, 90)
        speaker = "Interviewer" if len(lines) % 2 else f"P{index:03d}"
        minute += 1
        lines.append(f"[{minute // 60:02d}:{minute % 60:02d}:00] {speaker}: " + " ".join(rng.choices(WORDS, k=n)) + ".")
        written += n
    return "\n".join(lines)


def timed(fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=500)
    parser.add_argument("--words", type=int, default=10_000, help="words per transcript")
    parser.add_argument("--codes", type=int, default=60)
    parser.add_argument("--codings-per-document", type=int, default=200)
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    upgrade(url)
    engine = make_engine(url)
    Session = session_factory(engine)

    files = [(f"T{i:04d}.txt", transcript(rng, args.words, i).encode()) for i in range(args.transcripts)]
    total_words = sum(len(data.split()) for _, data in files)
    total_mb = sum(len(data) for _, data in files) / 1e6

    _, parse_s = timed(lambda: [parse_transcript(name, data) for name, data in files])
    with Session() as session:
        owner = projects.get_or_create_user(session, "bench")
        project = projects.create_project(session, f"bench-{time.time_ns()}", owner)
        for t in range(args.codes // 6):
            theme = codebook.create_code(session, project, f"Theme {t}")
            for c in range(5):
                codebook.create_code(session, project, f"Code {t}.{c}", theme)
        session.commit()

        def import_all():
            for name, data in files:
                documents.import_document(session, project, name, data)
            session.commit()

        _, import_s = timed(import_all)
        codes = [n.code for n in codebook.codebook(session, project.id)]
        coders = [projects.get_or_create_user(session, name) for name in ("coder_a", "coder_b")]
        rows = []
        for doc_id, length in session.execute(select(Document.id, func.length(Document.text)).where(Document.project_id == project.id)):
            for _ in range(args.codings_per_document):
                start = rng.randrange(0, length - 400)
                rows.append(dict(document_id=doc_id, code_id=rng.choice(codes).id, coder_id=rng.choice(coders).id,
                                 start=start, end=start + rng.randint(20, 400), origin="import"))
        session.execute(insert(Coding), rows)
        session.commit()
        segments = sum(len(d.segments) for d in exports.coded_documents(session, project.id)[1])

        (paths, docs), snapshot_s = timed(lambda: exports.coded_documents(session, project.id))
        rows_out = list(matrix.matrix_rows(paths, docs))
        _, baseline_s = timed(lambda: csv.writer(io.StringIO()).writerows(rows_out))
        csv_bytes, csv_s = timed(lambda: exports.export_matrix(session, project, "csv"))
        xlsx_bytes, xlsx_s = timed(lambda: exports.export_matrix(session, project, "xlsx"))

    print(f"database: {engine.dialect.name}")
    print(f"corpus: {args.transcripts} transcripts, {total_words:,} words, {total_mb:.1f} MB")
    print(f"parse only (baseline):   {parse_s:8.2f} s  {total_words / parse_s:12,.0f} words/s")
    print(f"import (parse + store):  {import_s:8.2f} s  {total_words / import_s:12,.0f} words/s  "
          f"ratio to parse-only {import_s / parse_s:.2f}x")
    print(f"matrix: {segments:,} segments x {len(paths)} codes, {len(rows_out):,} rows (segment x coder), {len(rows):,} codings")
    print(f"  snapshot from database: {snapshot_s:8.2f} s")
    print(f"  csv.writer on precomputed rows (baseline): {baseline_s:8.2f} s")
    print(f"  export CSV  (query + rows + write): {csv_s:8.2f} s  {len(csv_bytes) / 1e6:7.1f} MB  ratio to baseline {csv_s / baseline_s:.2f}x")
    print(f"  export XLSX (query + rows + write): {xlsx_s:8.2f} s  {len(xlsx_bytes) / 1e6:7.1f} MB  ratio to baseline {xlsx_s / baseline_s:.2f}x")


if __name__ == "__main__":
    main()
