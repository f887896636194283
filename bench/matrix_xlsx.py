"""Coded-matrix XLSX for 100k segments × 60 codes: time and peak memory, SQLite and PostgreSQL.

    .venv/bin/python bench/matrix_xlsx.py                       # SQLite and the local PostgreSQL
    .venv/bin/python bench/matrix_xlsx.py --backends sqlite --documents 50

Builds a project of generated transcripts (500 documents × 200 turns = 100,000 segments, 60 codes,
two coders, 200 codings per document) straight into the tables, then runs workbench's XLSX export
(query + rows + streamed sheet) and, as the baseline in the same process, openpyxl's write-only
writer on the same rows (the writer before 2026-12). Each run happens in a forked child, so its
peak memory (the child's peak RSS above the parent's RSS at the fork) is its own. The baseline is
timed on `--baseline-rows` rows and scaled, since it takes a minute for the whole matrix."""
from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import random
import tempfile
import threading
import time
import uuid

from sqlalchemy import create_engine, insert, text

from workbench.db import make_engine, session_factory, upgrade
from workbench.export import matrix, tables
from workbench.export.package import stable_package
from workbench.models import Code, Coding, Document, Project, Utterance
from workbench.services import exports, projects

WORDS = ("practice referral link worker patient trust the a we they funding charity time really you know "
         "group volunteers surgery community because so and but think feel people service data system").split()
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def build_codes(session, project, themes: int) -> list[int]:
    """`themes` themes of five codes each; their ids."""
    code_ids = []
    for t in range(themes):
        theme = Code(project_id=project.id, name=f"Theme {t}", position=t)
        session.add(theme)
        session.flush()
        code_ids.append(theme.id)
        for c in range(5):
            child = Code(project_id=project.id, parent_id=theme.id, name=f"Code {t}.{c}", position=c)
            session.add(child)
            session.flush()
            code_ids.append(child.id)
    return code_ids


def build(Session, documents: int, turns: int, codes: int, codings: int, rng: random.Random) -> int:
    with Session() as session:
        owner = projects.get_or_create_user(session, "bench")
        project = projects.create_project(session, f"matrix-{time.time_ns()}", owner)
        coders = [projects.get_or_create_user(session, name).id for name in ("coder_a", "coder_b")]
        session.flush()
        code_ids = build_codes(session, project, codes // 6)
        for d in range(documents):
            lines, spans, at = [], [], 0
            for u in range(turns):
                label = ("Interviewer" if u % 2 == 0 else f"P{d:03d}") + ": "
                said = " ".join(rng.choices(WORDS, k=rng.randint(10, 90))) + "."
                spans.append((at + len(label), at + len(label) + len(said), label[:-2]))
                lines.append(label + said)
                at += len(label) + len(said) + 1
            body = "\n".join(lines)
            doc_id = session.execute(insert(Document).returning(Document.id), [dict(
                project_id=project.id, name=f"T{d:04d}", source_filename=f"T{d:04d}.txt", text=body, sha256=uuid.uuid4().hex,
                encoding="utf-8")]).scalar_one()
            session.execute(insert(Utterance), [dict(document_id=doc_id, position=i, speaker=speaker, start=s, end=e)
                                                for i, (s, e, speaker) in enumerate(spans)])
            rows = []
            for _ in range(codings):
                start = rng.randrange(0, len(body) - 400)
                rows.append(dict(document_id=doc_id, code_id=rng.choice(code_ids), coder_id=rng.choice(coders),
                                 start=start, end=start + rng.randint(20, 400), origin="import"))
            session.execute(insert(Coding), rows)
        session.commit()
        return project.id


def old_writer(header, rows) -> bytes:
    """openpyxl write-only, every text cell a Cell object: how the matrix was written before."""
    workbook = tables.new_workbook(write_only=True)
    sheet = workbook.create_sheet("Coded matrix")
    sheet.append(tables.xlsx_cells(sheet, header))
    for row in rows:
        sheet.append(tables.xlsx_cells(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return stable_package(buffer.getvalue())


def in_child(function):
    """(seconds, peak RSS growth in MB, result) of function() run in a forked child; the peak is
    sampled every 10 ms from /proc, above the child's RSS when it started."""
    receive, send = multiprocessing.Pipe(duplex=False)

    def run():
        start_rss, peak, done = _rss_mb(), [0.0], threading.Event()

        def sample():
            while not done.wait(0.01):
                peak[0] = max(peak[0], _rss_mb())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        send.send((seconds, max(peak[0], _rss_mb()) - start_rss, result))

    child = multiprocessing.get_context("fork").Process(target=run)
    child.start()
    outcome = receive.recv()
    child.join()
    return outcome


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def bench(url: str, args) -> None:
    upgrade(url)
    engine = make_engine(url)
    Session = session_factory(engine)
    t0 = time.perf_counter()
    project_id = build(Session, args.documents, args.turns, args.codes, args.codings, random.Random(args.seed))
    built = time.perf_counter() - t0
    engine.dispose()  # the children open their own connections

    def export_xlsx():
        with session_factory(make_engine(url))() as session:
            project = session.get(Project, project_id)
            data = exports.export_matrix(session, project, "xlsx")
            return len(data)

    def snapshot():
        with session_factory(make_engine(url))() as session:
            paths, documents = exports.coded_documents(session, project_id)
            rows = sum(1 for _ in matrix.matrix_rows(paths, documents))
            return rows, sum(len(d.segments) for d in documents), len(paths)

    def baseline():
        with session_factory(make_engine(url))() as session:
            paths, documents = exports.coded_documents(session, project_id)
            rows = matrix.matrix_rows(paths, documents)
            limited = (row for _, row in zip(range(args.baseline_rows), rows))
            start = time.perf_counter()
            old_writer(matrix.matrix_header(paths), limited)
            return time.perf_counter() - start

    snap_s, _, (rows, segments, codes) = in_child(snapshot)
    new_s, new_mb, size = in_child(export_xlsx)
    _, old_mb, old_write_s = in_child(baseline)
    sample = min(rows, args.baseline_rows)
    old_s = snap_s + old_write_s * rows / sample
    print(f"\n{engine.dialect.name}: {segments:,} segments × {codes} codes, {rows:,} rows (segment × coder), "
          f"{args.documents * args.codings:,} codings (built in {built:.0f} s)")
    print(f"  query + rows only:                          {snap_s:7.2f} s")
    print(f"  workbench XLSX (query + rows + stream):     {new_s:7.2f} s  peak +{new_mb:6.0f} MB  {size / 1e6:6.1f} MB file")
    print(f"  baseline openpyxl write-only (scaled from {sample:,} rows): {old_s:7.2f} s  peak +{old_mb:6.0f} MB")
    print(f"  ratio baseline / workbench: {old_s / new_s:.1f}x   target <= 15 s: {'met' if new_s <= 15 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--turns", type=int, default=200, help="turns (segments) per document")
    parser.add_argument("--codes", type=int, default=60)
    parser.add_argument("--codings", type=int, default=200, help="codings per document")
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    on_each_backend(bench, args, "bench_matrix")


def on_each_backend(bench, args, prefix: str) -> None:
    """bench(url, args) on a new SQLite file and/or a new PostgreSQL database (dropped after), as --backends says."""
    for backend in args.backends.split(","):
        if backend == "sqlite":
            bench(f"sqlite:///{tempfile.mkdtemp()}/bench.db", args)
            continue
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            bench(admin.url.set(database=name).render_as_string(hide_password=False), args)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
