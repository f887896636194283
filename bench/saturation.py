"""Saturation, word frequencies and the code network on 500 transcripts with 100k codings, SQLite and PostgreSQL.

    .venv/bin/python bench/saturation.py                          # both backends
    .venv/bin/python bench/saturation.py --backends sqlite --documents 100

Builds the project straight into the tables as bench/matrix_xlsx.py does (500 documents x 100 turns,
half of them the interviewer's, 10-90 words a turn: ~2.5M words; 60 codes; 200 codings per document
by two coders = 100,000 codings), then times the service calls in this process: saturation (base 4,
run 2, 5%), word frequencies (top 50, English stop words) the first time (every transcript split into
words) and again (from the process's tokens), keywords in context for one frequent word, and the
code network the first time (co-occurrence of every pair, stored in the chart cache) and again (from
the cache). Medians of --repeat calls; target <= 300 ms each."""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from bench.matrix_xlsx import build, on_each_backend  # noqa: E402
from workbench.db import make_engine, session_factory, upgrade  # noqa: E402
from workbench.models import Coding, Project  # noqa: E402
from workbench.services import network, saturation  # noqa: E402
from workbench.services import word_frequency as wf  # noqa: E402

TARGET = 0.3


def timed(function, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def line(label: str, seconds: float, note: str = "", target: bool = True) -> str:
    verdict = ("met" if seconds <= TARGET else "NOT met") if target else "(first call, no target)"
    return f"  {label:<42} {1000 * seconds:8.1f} ms  {verdict}  {note}"


def bench(url: str, args) -> None:
    upgrade(url)
    engine = make_engine(url)
    Session = session_factory(engine)
    began = time.perf_counter()
    project_id = build(Session, args.documents, args.turns, args.codes, args.codings, random.Random(args.seed))
    built = time.perf_counter() - began
    with Session() as session:
        project = session.get(Project, project_id)
        codings = session.scalar(select(func.count(Coding.id)))
        sat_s, result = timed(lambda: saturation.saturation(session, project, 4, 2, 0.05), args.repeat)
        cold_s, words = timed(lambda: wf.frequencies(session, project))
        warm_s, words = timed(lambda: wf.frequencies(session, project), args.repeat)
        kwic_s, (lines, hits) = timed(lambda: wf.keywords_in_context(session, project, "trust"), args.repeat)
        drawn_s, found = timed(lambda: network.code_network(session, project, 0.01))
        session.commit()  # the chart cache row
        cached_s, found = timed(lambda: network.code_network(session, project, 0.01), args.repeat)
        svg_s, _ = timed(lambda: network.network_svg(session, project, found), args.repeat)
    engine.dispose()
    print(f"\n{engine.dialect.name}: {args.documents} documents x {args.turns} turns, {codings:,} codings, "
          f"{words.total:,} words said by participants (built in {built:.0f} s)")
    print(line("saturation (service call)", sat_s, f"{len(result.interviews)} interviews, {len(result.runs)} runs"))
    print(line("word frequencies, first call", cold_s, "splits every transcript into words", target=False))
    print(line("word frequencies, again", warm_s, f"top {len(words.words)} of {words.total:,} words"))
    print(line("keywords in context ('trust')", kwic_s, f"{len(lines)} of {hits:,} lines"))
    print(line("code network, first call", drawn_s, "every pair's c-coefficient, into the chart cache", target=False))
    print(line("code network, from the chart cache", cached_s, f"{len(found.nodes)} codes, {len(found.edges)} edges above 0.01"))
    print(line("code network SVG", svg_s))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--turns", type=int, default=100, help="turns per document (every other one the interviewer's)")
    parser.add_argument("--codes", type=int, default=60)
    parser.add_argument("--codings", type=int, default=200, help="codings per document")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    on_each_backend(bench, args, "bench_saturation")

if __name__ == "__main__":
    main()
