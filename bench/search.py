"""Full-text search over 500 generated transcripts (~5M words), on SQLite (FTS5) and PostgreSQL
(tsvector + GIN), through the search page of the production server (`workbench serve`).

    .venv/bin/python bench/search.py                       # both backends, 500 transcripts
    .venv/bin/python bench/search.py --backend sqlite --transcripts 100

Per query: p50/p95 of the page over HTTP (signed in, 500-hit cap), of the service call alone, and the
baseline measured in the same process: a case-insensitive regular-expression scan of every
document's text (what the search did before the index), with the ratio. Also the import time with
the index written, against parsing alone.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from urllib.parse import quote
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.import_export import transcript  # noqa: E402
from bench.load import PASSWORD, Coder, fresh_postgres, server  # noqa: E402
from workbench.db import make_engine, session_factory, upgrade  # noqa: E402
from workbench.importers import parse_transcript  # noqa: E402
from workbench.models import Document, Project  # noqa: E402
from workbench.services import documents, projects, search  # noqa: E402

QUERIES = ['trust', '"link worker"', 'volunt*', '(charity OR surgery) trust NOT funding', 'data AND system AND feel']


def prepare(url: str, count: int, words: int) -> tuple[int, float, float]:
    upgrade(url)
    rng = random.Random(7)
    texts = [transcript(rng, words, i).encode() for i in range(count)]
    began = time.perf_counter()
    for i, data in enumerate(texts):
        parse_transcript(f"T{i:03d}.txt", data)
    parse_only = time.perf_counter() - began
    engine = make_engine(url)
    with session_factory(engine)() as session:
        owner = projects.get_or_create_user(session, "owner")
        projects.set_password(owner, PASSWORD)
        project = projects.create_project(session, "Search bench", owner)
        session.commit()
        began = time.perf_counter()
        for i, data in enumerate(texts):
            documents.import_document(session, project, f"T{i:03d}.txt", data)
            session.commit()
        imported = time.perf_counter() - began
        project_id = project.id
    engine.dispose()
    return project_id, parse_only, imported


def regex_scan(session, project_id: int, query: str) -> int:
    """The baseline: every word of the query as a whole word, anywhere in the text (a phrase for quotes)."""
    words = [w for w in re.findall(r"\w+", query) if w not in ("AND", "OR", "NOT")]
    pattern = re.compile("|".join(rf"\b{re.escape(w)}" for w in words), re.IGNORECASE)
    found = 0
    for (text,) in session.execute(Document.__table__.select().with_only_columns(Document.text)
                                   .where(Document.project_id == project_id)):
        found += sum(1 for _ in pattern.finditer(text))
    return found


def ms(values: list[float]) -> str:
    values = sorted(values)
    return f"p50 {1000 * statistics.median(values):6.1f}  p95 {1000 * values[int(0.95 * (len(values) - 1))]:6.1f} ms"


def run(backend: str, args) -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix=f"workbench-search-{backend}-"))
    url, drop = fresh_postgres() if backend == "postgresql" else (f"sqlite:///{folder / 'workbench.db'}", lambda: None)
    lines = []
    try:
        project_id, parse_only, imported = prepare(url, args.transcripts, args.words)
        lines.append(f"{backend:<10} import {args.transcripts} transcripts with the index: {imported:.1f} s "
                     f"(parsing alone {parse_only:.1f} s, ratio {imported / parse_only:.1f}x)")
        engine = make_engine(url)
        env = os.environ | {"WORKBENCH_DATABASE_URL": url, "WORKBENCH_INSTANCE": str(folder), "WORKBENCH_SECRET_KEY": "bench",
                            "WORKBENCH_PRELOAD_MODEL": "0"}
        with server(env, 1, folder) as (base, _), session_factory(engine)() as session:
            owner = Coder(base, "owner")
            project = session.get(Project, project_id)
            for query in QUERIES:
                page, service, scan = [], [], []
                hits = len(search.search(session, project, query)[0])
                for _ in range(args.repeat):
                    began = time.perf_counter()
                    status, _ = owner.request("GET", f"/projects/{project_id}/search?q={quote(query)}")
                    page.append(time.perf_counter() - began)
                    assert status == 200, status
                    began = time.perf_counter()
                    search.search(session, project, query)
                    service.append(time.perf_counter() - began)
                for _ in range(max(3, args.repeat // 5)):
                    began = time.perf_counter()
                    regex_scan(session, project_id, query)
                    scan.append(time.perf_counter() - began)
                ratio = statistics.median(scan) / statistics.median(service)
                lines.append(f"{'':<12}{query:<42} hits {hits:>3}{'+' if hits == search.MAX_HITS else ' '}  page {ms(page)}  "
                             f"service {ms(service)}  regex scan {ms(scan)}  ({ratio:.0f}x)")
        engine.dispose()
    finally:
        drop()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], action="append")
    parser.add_argument("--transcripts", type=int, default=500)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    lines = []
    for backend in args.backend or ["sqlite", "postgresql"]:
        lines += run(backend, args)
        print("\n".join(lines), flush=True)
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
