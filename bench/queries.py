"""Coding queries and the matrix coding query on 500 transcripts and 100k codings, SQLite and PostgreSQL.

    .venv/bin/python bench/queries.py                          # both backends
    .venv/bin/python bench/queries.py --backends sqlite --documents 100

Builds the coded-matrix bench's project straight into the tables (bench/matrix_xlsx.py: 500 documents
× 200 turns, 60 codes, two coders, 200 codings per document = 100,000 codings) and gives every document
a case with a `role` of three values. Then, in process, p50/p95 of: each query's service call alone
(`queries.run`: load the codings of its codes and the turns of their documents, combine per document),
the same plus the page's first 200 passages with text (`queries.passages`), and the matrix coding
query of all 60 codes × role (3 columns). Target: ≤ 300 ms each."""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, update  # noqa: E402

from bench.load import fresh_postgres  # noqa: E402
from bench.matrix_xlsx import build  # noqa: E402
from workbench.db import make_engine, session_factory, upgrade  # noqa: E402
from workbench.models import Case, CaseAttribute, Code, Document, Project  # noqa: E402
from workbench.services import queries, query_matrix  # noqa: E402

ROLES = ("GP", "Link worker", "VCS")
QUERIES = [("Code 0.1 AND Code 0.2", "overlap"), ("Code 0.1 AND Code 0.2", "turn"), ("Code 0.1 NOT Code 0.2", "overlap"),
           ("Code 0.1 NEAR/2 Code 0.2", "overlap"), ("(Code 0.1 OR Code 1.1) FOLLOWED BY/3 Code 2.1", "overlap")]


def add_cases(Session, project_id: int) -> None:
    with Session() as session:
        documents = list(session.scalars(select(Document.id).where(Document.project_id == project_id).order_by(Document.id)))
        case_ids = session.execute(insert(Case).returning(Case.id), [
            {"project_id": project_id, "participant_id": f"P{i:04d}"} for i in range(len(documents))]).scalars().all()
        session.execute(insert(CaseAttribute), [{"case_id": c, "name": "role", "value": ROLES[i % 3]} for i, c in enumerate(case_ids)])
        session.execute(update(Document), [{"id": d, "case_id": c} for d, c in zip(documents, case_ids)])
        session.commit()


def timed(function, repeat: int) -> tuple[list[float], object]:
    values, out = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        out = function()
        values.append(time.perf_counter() - began)
    return values, out


def ms(values: list[float]) -> str:
    values = sorted(values)
    return f"p50 {1000 * statistics.median(values):6.1f}  p95 {1000 * values[int(0.95 * (len(values) - 1))]:6.1f} ms"


def bench(url: str, args) -> list[str]:
    upgrade(url)
    engine = make_engine(url)
    Session = session_factory(engine)
    began = time.perf_counter()
    project_id = build(Session, args.documents, args.turns, args.codes, args.codings, random.Random(args.seed))
    add_cases(Session, project_id)
    lines = [f"{engine.dialect.name}: {args.documents} documents × {args.turns} turns, {args.documents * args.codings:,} codings, "
             f"{args.codes} codes (built in {time.perf_counter() - began:.0f} s)"]
    with Session() as session:
        project = session.get(Project, project_id)
        for expression, within in QUERIES:
            filters = queries.Filters(within=within)
            service, result = timed(lambda: queries.run(session, project, expression, filters), args.repeat)
            page, _ = timed(lambda: queries.passages(session, project, queries.run(session, project, expression, filters), queries.PAGE),
                            args.repeat)
            lines.append(f"  {expression + ' (' + within + ')':<56} {len(result.hits):>6} passages in {result.document_count:>3} docs  "
                         f"run {ms(service)}  + first {queries.PAGE} with text {ms(page)}")
        rows = [("code", i) for i in session.scalars(select(Code.id).where(Code.project_id == project_id).order_by(Code.id))]
        spent, found = timed(lambda: query_matrix.matrix(session, project, rows, "attribute", "role"), args.repeat)
        total = sum(cell.passages for cells in found.cells for cell in cells)
        lines.append(f"  matrix {len(found.rows)} codes × role ({len(found.columns)} values): {total:,} passages counted  {ms(spent)}")
    engine.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--codes", type=int, default=60)
    parser.add_argument("--codings", type=int, default=200, help="codings per document")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for backend in args.backends.split(","):
        if backend == "sqlite":
            url, drop = f"sqlite:///{tempfile.mkdtemp()}/bench.db", (lambda: None)
        else:
            url, drop = fresh_postgres()
        try:
            print("\n".join(bench(url, args)), flush=True)
        finally:
            drop()


if __name__ == "__main__":
    main()
