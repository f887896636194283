"""Quality of code suggestions on the held-out remote-teaching set (bench/data/), several seeds.

Embedding ranker vs TF-IDF + the same ranking vs one-vs-rest logistic regression on the same
embeddings, at train fractions 0 and 0.5, for the float32 model and its dynamic int8 version; the last
column gives each seed's precision@1. Run: .venv/bin/python bench/suggest_quality.py [--seeds 5]
[--first-seed 1] [--data dev-shiftwork] [--fine-tune] (adds the model fine-tuned on each seed's training
half, as `workbench evaluate-suggestions --fine-tune` does; minutes per seed). The ranking settings were tuned on the demo project
(leave-one-document-out) and the development set bench/data/dev-shiftwork-*, never on the held-out
set. All three sets were written for this project (see README: they are not independent data)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.config import default_embedding_model  # noqa: E402
from workbench.suggest import SentenceTransformerEmbedder  # noqa: E402
from workbench.suggest.evaluation import METRICS, Memo, evaluate_files, evaluate_fine_tuned, read_codebook, read_passages  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--data", choices=("remote-teaching", "dev-shiftwork"), default="remote-teaching",
                        help="the held-out set (default) or the development set")
    parser.add_argument("--no-int8", action="store_true")
    parser.add_argument("--fine-tune", action="store_true", help="also fine-tune on each seed's training half (float32)")
    args = parser.parse_args()
    codes = read_codebook((DATA / f"{args.data}-codebook.yaml").read_bytes())
    passages = read_passages((DATA / f"{args.data}-passages.jsonl").read_bytes(), codes)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    print(f"{args.data}: {len(codes)} codes, {len(passages)} passages, "
          f"{np.mean([len(p.codes) for p in passages]):.2f} codes per passage; seeds {seeds[0]}..{seeds[-1]}")
    models = [("float32", False)] + ([] if args.no_int8 else [("int8", True)])
    print(f"{'model':8} {'train':>5}  {'method':32} " + " ".join(f"{m:>13}" for m in METRICS) + "  precision@1 per seed")
    for label, int8 in models:
        embedder = Memo(SentenceTransformerEmbedder(default_embedding_model(), int8=int8))
        for fraction in (0.0, 0.5):
            runs = [evaluate_files(embedder, codes, passages, fraction, seed) for seed in seeds]
            methods = ["embedding", "tfidf", "logistic"]
            if args.fine_tune and fraction > 0 and not int8:
                for run, seed in zip(runs, seeds):
                    run.update(evaluate_fine_tuned(default_embedding_model(), codes, passages, fraction, seed))
                    tuned = run["fine_tuned"]
                    print(f"  seed {seed}: fine-tuned on {tuned['pairs']} pairs, {tuned['steps']} steps, "
                          f"{tuned['training_seconds']} s", flush=True)
                methods += ["fine_tuned", "fine_tuned_logistic"]
            for method in methods:
                if runs[0][method] is None:
                    continue
                cells = []
                for m in METRICS:
                    values = [r[method][m] for r in runs]
                    cells.append(f"{np.mean(values):.3f}±{np.std(values):.3f}")
                per_seed = " ".join(f"{r[method]['precision@1']:.3f}" for r in runs)
                print(f"{label:8} {fraction:5.1f}  {method:32} " + " ".join(f"{c:>13}" for c in cells) + f"  {per_seed}",
                      flush=True)


if __name__ == "__main__":
    main()
