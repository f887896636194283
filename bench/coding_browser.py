"""Coding in a real browser: from choosing a code for a selection to its highlight on screen.

    .venv/bin/python bench/coding_browser.py                 # 20 warm codings, two cold starts
    .venv/bin/python bench/coding_browser.py --codings 40 --think 0

Starts the production server (`workbench serve`, gunicorn, one process, as bench/load.py does) on a
fresh SQLite database with a 120-turn transcript, opens the coding screen in headless Chromium
(Debian's /usr/bin/chromium) and codes words with the number keys. coding.js marks the moments
(`coding:chosen` when the key is pressed, `coding:answered` when the server answered,
`coding:rendered` after the frame with the highlight) and measures "select→highlighted"; this script
reads those measures. Reported against the targets of issue 13 (≤150 ms warm, ≤300 ms for the first
coding after a cold server start), next to a baseline taken in the same page and run: a plain
fetch() of the document's codings list.

`--think` is the pause between selecting and pressing the key (a person's, 400 ms by default): the
selection settles after 250 ms, so the suggestion panel asks the server for suggestions meanwhile,
as it does for a researcher. The cold start is measured twice: with that pause, and with the key
pressed at once (no suggestion request in flight), so their difference is the suggestions' share.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import interview, server  # noqa: E402  (the same server start and transcripts as the load bench)

from workbench.config import REPO_ROOT  # noqa: E402
from workbench.db import make_engine, session_factory, upgrade  # noqa: E402
from workbench.services import codebook, documents, projects  # noqa: E402

PASSWORD = "browser-bench-password"
CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
SELECT_WORD = """(i) => { // the second word of turn i (a new span each time)
  const said = document.querySelectorAll('.said')[i], text = said.textContent, from = text.indexOf(' ') + 1;
  const to = text.indexOf(' ', from), range = document.createRange(), node = said.firstChild;
  range.setStart(node, from); range.setEnd(node, to); getSelection().removeAllRanges(); getSelection().addRange(range); }"""
MEASURES = "performance.getEntriesByName('select→highlighted').length"
LAST = """() => { const m = performance.getEntriesByName('select→highlighted').at(-1);
  const answered = performance.getEntriesByName('coding:answered').at(-1);
  return [m.duration, answered.startTime - m.startTime]; }"""
SUGGESTIONS = """() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/suggestions?')).map((e) => e.duration)"""
FETCH = """async (url) => { const t = performance.now(); const r = await fetch(url, {headers: {Accept: 'application/json'}, cache: 'no-store'});
  await r.json(); return performance.now() - t; }"""


def prepare(folder: Path) -> tuple[str, int, int]:
    url = f"sqlite:///{folder / 'workbench.db'}"
    upgrade(url)
    with session_factory(make_engine(url))() as session:
        owner = projects.get_or_create_user(session, "owner")
        projects.set_password(owner, PASSWORD)
        project = projects.create_project(session, "Browser bench", owner)
        codebook.import_yaml(session, project, (REPO_ROOT / "codebooks" / "gp-vcs-collaboration.yaml").read_bytes())
        document, _ = documents.import_document(session, project, "T1.txt", interview(901, 120))
        session.commit()
        return url, project.id, document.id


def code_word(page, turn: int, key: str, think_ms: int) -> tuple[float, float]:
    before = page.evaluate(MEASURES)
    page.evaluate(SELECT_WORD, turn)
    if think_ms:
        page.wait_for_timeout(think_ms)
    page.keyboard.press(key)
    deadline = 2400  # 60 s: a cold server may be loading the embedding model for the suggestion panel
    while page.evaluate(MEASURES) == before:
        deadline -= 1
        if deadline < 0:
            raise SystemExit(f"no highlight after pressing {key} on turn {turn}: {page.locator('#passage-status').inner_text()}")
        page.wait_for_timeout(25)
    return tuple(page.evaluate(LAST))


def open_screen(browser, base: str, project: int, document: int):
    page = browser.new_page(viewport={"width": 1360, "height": 860})
    page.goto(base + "/login")
    page.get_by_label("User name").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("text=Sign out")
    page.goto(f"{base}/projects/{project}/documents/{document}")
    page.wait_for_selector(".said")
    return page


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--codings", type=int, default=20)
    parser.add_argument("--think", type=int, default=400, help="ms between selecting and pressing the key")
    parser.add_argument("--log", action="store_true", help="print the end of the servers' logs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        url, project, document = prepare(folder)
        env = os.environ | {"WORKBENCH_DATABASE_URL": url, "WORKBENCH_INSTANCE": str(folder), "WORKBENCH_SECRET_KEY": "bench"}
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        cold, warm, baseline, suggestions = {}, [], [], {}
        starts = [(f"key pressed {args.think} ms after selecting (a suggestion request in flight)", args.think)] if args.think else []
        for label, think in [*starts, ("key pressed at once (no suggestion request)", 0)]:
            with server(env, 1, folder) as (address, _process):
                base = f"http://{address[0]}:{address[1]}"
                page = open_screen(browser, base, project, document)
                cold[label] = code_word(page, 1 + 2 * len(cold), "1", think)
                if not warm:
                    # Warm means warm: wait for the suggestion panel's first answer (a cold server loads
                    # the embedding model for it) before timing the steady state.
                    for _ in range(1800 if think else 0):  # up to 3 minutes
                        if page.evaluate(SUGGESTIONS):
                            break
                        page.wait_for_timeout(100)
                    suggestions["the first, after the cold start"] = page.evaluate(SUGGESTIONS)[:1]
                    warm = [code_word(page, 5 + 2 * k, str(1 + k % 9), args.think) for k in range(args.codings)]
                    listing = f"{base}/api/projects/{project}/documents/{document}/codings"
                    baseline = [page.evaluate(FETCH, listing) for _ in range(args.codings)]
                    suggestions["during the warm codings"] = page.evaluate(SUGGESTIONS)[1:]
                page.close()
        browser.close()
        log = "\n".join(p.read_text()[-1500:] for p in folder.glob("server-*.log"))

    totals, server_part = [w[0] for w in warm], [w[1] for w in warm]
    print(f"select→highlighted, {args.codings} warm codings (think {args.think} ms): "
          f"median {statistics.median(totals):.0f} ms, p95 {p95(totals):.0f} ms   (target ≤150 ms)")
    print(f"  of which until the server's answer arrived: median {statistics.median(server_part):.0f} ms, p95 {p95(server_part):.0f} ms")
    for label, (total, answered) in cold.items():
        print(f"first coding after a cold server start, {label}: {total:.0f} ms (server answer after {answered:.0f} ms)   (target ≤300 ms)")
    for label, durations in suggestions.items():
        if durations:
            print(f"  suggestion requests ({label}): {len(durations)}, slowest {max(durations):.0f} ms, median {statistics.median(durations):.0f} ms")
    print(f"baseline, fetch() of the codings list in the same page: median {statistics.median(baseline):.0f} ms, p95 {p95(baseline):.0f} ms")
    if args.log:
        print(log)


if __name__ == "__main__":
    main()
