"""The export and agreement pages with their figures, on the production server, charts drawn vs cached.

    .venv/bin/python bench/chart_pages.py                      # SQLite, 2 server processes
    .venv/bin/python bench/chart_pages.py --postgresql         # a fresh database on the local PostgreSQL

Builds a project straight into the tables (50 documents × 100 turns, 60 codes, two coders, 100 codings
per document, a role per case), starts `workbench serve --workers 2` (gunicorn), signs in, and times
each page and every figure on it (the <img> sources, fetched one after another as a browser would):
- drawn: the chart cache emptied before every load (what every load cost before the cache), the baseline;
- cached: the same loads once the charts are stored (a load that follows one by another process).
Medians of --runs loads; the ratio is drawn / cached, measured in the same process."""
from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from load import Coder, server  # bench/load.py: the gunicorn server and a lean signed-in client
from matrix_xlsx import build  # bench/matrix_xlsx.py: a generated project, straight into the tables
import load

from workbench.db import make_engine, session_factory, upgrade
from workbench.models import Project
from workbench.services import cases, projects

ROLES = ("GP", "Link worker", "VCS", "Patient")


def prepare(url: str, documents: int) -> int:
    upgrade(url)
    engine = make_engine(url)
    Session = session_factory(engine)
    project_id = build(Session, documents, 100, 60, 100, random.Random(11))
    with Session() as session:
        owner = projects.get_or_create_user(session, "bench")
        projects.set_password(owner, load.PASSWORD)
        project = session.get(Project, project_id)
        rows = "".join(f"P{d:03d},{ROLES[d % 4]},T{d:04d}.txt\n" for d in range(documents))
        cases.import_cases_csv(session, project, f"participant_id,role,document\n{rows}".encode())
        session.commit()
    engine.dispose()
    return project_id


def load_page(client: Coder, path: str) -> tuple[float, float, int]:
    """(seconds for the page, seconds for the page and its figures, number of figures)."""
    start = time.perf_counter()
    status, body = client.request("GET", path)
    page = time.perf_counter() - start
    assert status == 200, (path, status)
    figures = [src.replace("&amp;", "&") for src in re.findall(r'<img[^>]* src="([^"]+)"', body.decode())]
    for src in figures:
        status, data = client.request("GET", src)
        assert status == 200 and len(data) > 1000, (src, status)
    return page, time.perf_counter() - start, len(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgresql", action="store_true", help="a fresh database on the local PostgreSQL server")
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url, drop = load.fresh_postgres() if args.postgresql else (f"sqlite:///{folder / 'bench.db'}", lambda: None)
    try:
        run(url, folder, args)
    finally:
        drop()


def run(url: str, folder: Path, args) -> None:
    project_id = prepare(url, args.documents)
    env = dict(load.os.environ, WORKBENCH_DATABASE_URL=url, WORKBENCH_SECRET_KEY="bench-secret", WORKBENCH_INSTANCE=str(folder),
               WORKBENCH_PRELOAD_MODEL="0", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    pages = {"export page": f"/projects/{project_id}/exports", "agreement page": f"/projects/{project_id}/agreement"}
    empty = create_engine(url)
    with server(env, 2, folder) as (base, _process):
        client = Coder(base, "bench")
        print(f"{make_engine(url).dialect.name}: {args.documents} documents × 100 turns, 60 codes, "
              f"{args.documents * 100:,} codings, `workbench serve --workers 2`; medians of {args.runs} loads")
        for name, path in pages.items():
            drawn, cached = [], []
            for _ in range(args.runs):
                with empty.begin() as connection:
                    connection.execute(text("DELETE FROM chart_cache"))
                drawn.append(load_page(client, path))
            load_page(client, path)  # both server processes may answer: store what each needs
            for _ in range(args.runs):
                cached.append(load_page(client, path))
            figures = drawn[0][2]
            d_page, d_all = statistics.median(p for p, _, _ in drawn), statistics.median(a for _, a, _ in drawn)
            c_page, c_all = statistics.median(p for p, _, _ in cached), statistics.median(a for _, a, _ in cached)
            print(f"  {name} ({figures} figures): drawn {d_all * 1000:6.0f} ms (page alone {d_page * 1000:4.0f} ms)   "
                  f"cached {c_all * 1000:6.0f} ms (page alone {c_page * 1000:4.0f} ms)   ratio {d_all / c_all:4.1f}x   "
                  f"target <= 150 ms: {'met' if c_all <= 0.150 else 'NOT met'}")
    empty.dispose()


if __name__ == "__main__":
    main()
