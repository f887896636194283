"""The suggestions' learning curve on the bench sets: precision@1 against coded examples per code.

Protocol (workbench/suggest/learning_curve.py): for each seed the passages are shuffled and cut in
two halves, each half tested once while the ranker learns from at most n passages per code of the
other half (the same shuffled draw growing with n); precision@1 pools both halves. 0 = the code
descriptions alone; "all" = the whole other half. Run: .venv/bin/python bench/learning_curve.py
[--seeds 1 2 3] [--int8]. dev-shiftwork is the development set, remote-teaching the held-out one."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.config import default_embedding_model  # noqa: E402
from workbench.suggest import SentenceTransformerEmbedder  # noqa: E402
from workbench.suggest.evaluation import read_codebook, read_passages  # noqa: E402
from workbench.suggest.learning_curve import COUNTS, learning_curve, two_halves  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def curve(embedder, name: str, seeds: list[int]) -> None:
    codes = read_codebook((DATA / f"{name}-codebook.yaml").read_bytes())
    passages = read_passages((DATA / f"{name}-passages.jsonl").read_bytes(), codes)
    started = time.perf_counter()
    flat = [t for c in codes for t in c.texts]
    vectors = embedder.encode(flat + [p.text for p in passages])
    descriptions, at = [], 0
    for c in codes:
        descriptions.append(vectors[at: at + len(c.texts)])
        at += len(c.texts)
    labels = [p.codes for p in passages]
    points = learning_curve([c.path for c in codes], descriptions, lambda seed: two_halves(vectors[at:], labels, seed),
                            COUNTS, seeds)
    print(f"\n{name}: {len(codes)} codes, {len(passages)} passages, {np.mean([len(p.codes) for p in passages]):.2f} codes "
          f"per passage; seeds {seeds}; {time.perf_counter() - started:.0f} s")
    print(f"{'examples/code':>13} {'used':>6} {'p@1 mean':>9} {'± sd':>6}  per seed")
    for p in points:
        label = "all" if p.examples is None else str(p.examples)
        print(f"{label:>13} {p.examples_used:6.2f} {p.precision_at_1:9.3f} {p.spread:6.3f}  "
              + " ".join(f"{v:.3f}" for v in p.per_seed), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--int8", action="store_true", help="torch dynamic int8 instead of float32")
    parser.add_argument("--sets", nargs="+", default=["dev-shiftwork", "remote-teaching"])
    args = parser.parse_args()
    embedder = SentenceTransformerEmbedder(default_embedding_model(), int8=args.int8)
    print(f"model {embedder.name}")
    for name in args.sets:
        curve(embedder, name, args.seeds)


if __name__ == "__main__":
    main()
