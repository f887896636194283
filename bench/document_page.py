"""Coding-screen benchmark: server time of the document page for a long, heavily coded transcript.

    .venv/bin/python bench/document_page.py                    # 2,000 turns, 5,000 codings, SQLite
    .venv/bin/python bench/document_page.py --turns 500 --codings 1000 --runs 9

Builds the transcript in a temporary SQLite database through the real services, then times GET of
the document page with Flask's test client (median of several runs) next to a baseline measured in
the same process: the same text in a second document with no codings. Prints both and the ratio.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from workbench.app import create_app
from workbench.config import Settings
from workbench.db import upgrade
from workbench.models import Coding, Document
from workbench.services import codebook, documents, projects, retrieval
from workbench.web import document_view

WORDS = ("practice referral link worker patient trust the a we they funding charity time really you know "
         "group volunteers surgery community because so and but think feel people café naïve 🙂 e\u0301").split()
PASSWORD = "bench-password"


def transcript(rng: random.Random, turns: int) -> str:
    lines = ["Generated interview"]
    for t in range(turns):
        speaker = "Interviewer" if t % 2 == 0 else "P001"
        lines.append(f"[{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}] {speaker}: " + " ".join(rng.choices(WORDS, k=rng.randint(8, 60))) + ".")
    return "\n".join(lines)


def build(app, rng: random.Random, turns: int, codings: int) -> tuple[int, int, int]:
    """(project id, coded document id, uncoded document id)."""
    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "bench")
        projects.set_password(owner, PASSWORD)
        coders = [owner] + [projects.get_or_create_user(session, f"coder{i}") for i in range(2)]
        project = projects.create_project(session, "bench", owner)
        codes = []
        for t in range(8):
            theme = codebook.create_code(session, project, f"Theme {t}")
            codes += [theme] + [codebook.create_code(session, project, f"Code {t}.{c}", theme) for c in range(4)]
        text = transcript(rng, turns)
        coded, _ = documents.import_document(session, project, "coded.txt", text.encode())
        plain, _ = documents.import_document(session, project, "plain.txt", text.encode() + b"\n")
        spans = [(u.start, u.end) for u in coded.utterances]
        rows = []
        for _ in range(codings):
            first = rng.randrange(len(spans))
            last = min(len(spans) - 1, first + (rng.random() < 0.1))  # one in ten spans two turns
            a = rng.randint(spans[first][0], spans[first][1] - 1)
            b = rng.randint(a + 1, spans[last][1]) if last == first else rng.randint(spans[last][0] + 1, spans[last][1])
            rows.append({"document_id": coded.id, "code_id": rng.choice(codes).id, "coder_id": rng.choice(coders).id,
                         "start": a, "end": b, "origin": "manual"})
        session.execute(insert(Coding), rows)
        session.commit()
        return project.id, coded.id, plain.id


def old_turns(text: str, utterances, codings) -> list:
    """The view model before issue 6: every coding tested against every turn (O(turns × codings))."""
    result = []
    ordered = sorted(codings, key=lambda c: (c.start, -c.end))
    for u in utterances:
        touching = [c for c in ordered if c.start < u.end and c.end > u.start]
        cuts = sorted({u.start, u.end, *(max(c.start, u.start) for c in touching), *(min(c.end, u.end) for c in touching)})
        result.append([(text[a:b], [c for c in touching if c.start <= a and c.end >= b]) for a, b in zip(cuts, cuts[1:])])
    return result


def view_model_ms(app, document_id: int, runs: int) -> tuple[float, float]:
    """(sweep, old) milliseconds to cut the coded document into pieces, outside the page."""
    with app.extensions["workbench.sessions"]() as session:
        text = session.get(Document, document_id).text
        turns, shown = retrieval.document_turns(session, document_id), retrieval.document_codings(session, document_id)
    timings = []
    for split in (document_view.turns, old_turns):
        runs_ms = []
        for _ in range(runs):
            start = time.perf_counter()
            split(text, turns, shown)
            runs_ms.append((time.perf_counter() - start) * 1000)
        timings.append(statistics.median(runs_ms))
    return timings[0], timings[1]


def median_ms(client, url: str, runs: int) -> tuple[float, float]:
    """Median (wall, CPU) milliseconds per GET. CPU time is this process's only, so it stays
    meaningful when other work shares the machine; wall time is what a researcher waits."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--codings", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, secret_key="bench", instance_path=folder), WTF_CSRF_ENABLED=False)
    project_id, coded, plain = build(app, random.Random(args.seed), args.turns, args.codings)
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": PASSWORD})
    page = f"/projects/{project_id}/documents/"
    client.get(page + str(coded))  # warm the template cache and the database file
    size = len(client.get(page + str(coded)).data)
    baseline = median_ms(client, page + str(plain), args.runs)
    measured = median_ms(client, page + str(coded), args.runs)
    print(f"document page, {args.turns} turns, SQLite, median of {args.runs} GETs through Flask's test client")
    print("                                        wall ms    CPU ms")
    print(f"  baseline (same text, no codings):   {baseline[0]:8.1f}  {baseline[1]:8.1f}")
    print(f"  with {args.codings} codings:             {measured[0]:8.1f}  {measured[1]:8.1f}   ({size / 1e6:.1f} MB of HTML)")
    print(f"  ratio coded / baseline:             {measured[0] / baseline[0]:8.2f}x {measured[1] / baseline[1]:8.2f}x  (target: ≤ 200 ms)")
    sweep, old = view_model_ms(app, coded, 3)
    print(f"splitting turns at coding boundaries alone: sweep {sweep:.1f} ms vs old per-turn scan {old:.1f} ms ({old / sweep:.0f}x)")


if __name__ == "__main__":
    main()
