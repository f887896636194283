"""Measuring suggestions like a retrieval system: precision@1, precision@3, recall@3 and macro-F1.

A code counts as *predicted* for a passage when it is the top-ranked code (k = 1): every ranker is
then judged on the same single decision per passage, with no threshold to tune per method. Macro-F1
averages the per-code F1 over the codes that occur in the gold labels or the predictions of the test
passages (a code absent from both has no defined F1). In a codebook file, a theme without a
definition, inclusion or example is a grouping node and is not ranked."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import yaml

from workbench.suggest.ranking import Ranker, RankingSettings, description_texts

METRICS = ("precision@1", "precision@3", "recall@3", "macro_f1")


@dataclass(frozen=True)
class CodeEntry:
    path: str
    name: str
    texts: tuple[str, ...]  # description texts to embed


@dataclass(frozen=True)
class Passage:
    text: str
    codes: frozenset[str]  # code paths


def read_codebook(data: bytes | str) -> list[CodeEntry]:
    """Codes of a codebook YAML (the format of `workbench codebook import`), depth first."""
    document = yaml.safe_load(data) or {}
    if not isinstance(document, dict) or not isinstance(document.get("codes"), list):
        raise ValueError("The codebook YAML needs a top-level `codes:` list.")
    entries: list[CodeEntry] = []

    def walk(items, prefix):
        for item in items:
            if not isinstance(item, dict) or not str(item.get("name") or "").strip():
                raise ValueError(f"Every code needs a name (under {prefix or 'the top level'!r}).")
            name = str(item["name"]).strip()
            path = f"{prefix}/{name}" if prefix else name
            fields = [str(item.get(k) or "") for k in ("definition", "inclusion", "example")]
            if any(f.strip() for f in fields):  # a theme with no description only groups its subcodes
                entries.append(CodeEntry(path, name, tuple(description_texts(name, *fields))))
            walk(item.get("children") or [], path)

    walk(document["codes"], "")
    return entries


def read_passages(data: bytes | str, codebook: Sequence[CodeEntry]) -> list[Passage]:
    """JSONL lines {"text": ..., "codes": [...]}, codes by full path or by an unambiguous leaf name."""
    by_path = {c.path: c.path for c in codebook}
    by_leaf: dict[str, list[str]] = {}
    for c in codebook:
        by_leaf.setdefault(c.name.casefold(), []).append(c.path)
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    passages = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            words, codes = row["text"], row["codes"]
        except (ValueError, KeyError, TypeError):
            raise ValueError(f"line {number}: expected a JSON object with `text` and `codes`.") from None
        if not isinstance(words, str) or not words.strip() or not isinstance(codes, list) or not codes:
            raise ValueError(f"line {number}: `text` must be non-empty and `codes` a non-empty list.")
        paths = set()
        for code in codes:
            leaf = by_leaf.get(str(code).casefold(), [])
            if code in by_path:
                paths.add(code)
            elif len(leaf) == 1:
                paths.add(leaf[0])
            else:
                why = "is ambiguous (give its full path)" if leaf else "is not in the codebook"
                raise ValueError(f"line {number}: code {code!r} {why}.")
        passages.append(Passage(words, frozenset(paths)))
    if not passages:
        raise ValueError("The passages file holds no passages.")
    return passages


def split(passages: Sequence[Passage], train_fraction: float, seed: int) -> tuple[list[Passage], list[Passage]]:
    if not 0 <= train_fraction < 1:
        raise ValueError("--train-fraction must be at least 0 and below 1.")
    order = list(passages)
    random.Random(seed).shuffle(order)
    cut = int(round(train_fraction * len(order)))
    return order[:cut], order[cut:]


def metrics(rankings: Sequence[Sequence[str]], gold: Sequence[frozenset[str]]) -> dict[str, float]:
    """Retrieval figures for ranked code lists against gold code sets (one of each per passage)."""
    p1 = np.mean([r[0] in g for r, g in zip(rankings, gold)])
    hits3 = [len(set(r[:3]) & g) for r, g in zip(rankings, gold)]
    p3 = np.mean([h / 3 for h in hits3])
    r3 = np.mean([h / len(g) for h, g in zip(hits3, gold)])
    codes = set().union(*gold) | {r[0] for r in rankings}
    f1s = []
    for code in codes:
        tp = sum(r[0] == code and code in g for r, g in zip(rankings, gold))
        fp = sum(r[0] == code and code not in g for r, g in zip(rankings, gold))
        fn = sum(r[0] != code and code in g for r, g in zip(rankings, gold))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return {"precision@1": float(p1), "precision@3": float(p3), "recall@3": float(r3),
            "macro_f1": float(np.mean(f1s)), "passages": len(gold)}


def rank_with(embedder, codebook: Sequence[CodeEntry], train: Sequence[Passage], test: Sequence[Passage],
              settings: RankingSettings = RankingSettings()) -> list[list[str]]:
    """Rank every code for each test passage with the combined ranker on this embedder's vectors."""
    paths = [c.path for c in codebook]
    flat = [t for c in codebook for t in c.texts]
    vectors = embedder.encode(flat + [p.text for p in train] + [p.text for p in test])
    descriptions, at = [], 0
    for c in codebook:
        descriptions.append(vectors[at: at + len(c.texts)])
        at += len(c.texts)
    train_vectors, test_vectors = vectors[at: at + len(train)], vectors[at + len(train):]
    ranker = Ranker(paths, descriptions, train_vectors, [sorted(p.codes) for p in train], settings=settings)
    return [[paths[i] for i in row] for row in ranker.ranked_codes(test_vectors)]


def rank_logistic(train_vectors: np.ndarray, train_codes: Sequence[frozenset[str]], test_vectors: np.ndarray,
                  paths: Sequence[str]) -> list[list[str]] | None:
    """The plain baseline: one-vs-rest logistic regression on the embeddings, no definitions."""
    from sklearn.linear_model import LogisticRegression

    if len(train_vectors) == 0:
        return None
    scores = np.full((len(test_vectors), len(paths)), -np.inf)
    for i, path in enumerate(paths):
        y = np.array([path in codes for codes in train_codes], dtype=int)
        if 0 < y.sum() < len(y):
            scores[:, i] = LogisticRegression(max_iter=1000).fit(train_vectors, y).decision_function(test_vectors)
    return [[paths[i] for i in row] for row in np.argsort(-scores, axis=1, kind="stable")]


class Memo:
    """Encodes each distinct text once per evaluation run (the ranker and the baseline share vectors)."""

    def __init__(self, embedder):
        self.embedder, self.name, self.dimensions = embedder, embedder.name, embedder.dimensions
        self.seen: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.seen))
        if missing:
            self.seen.update(zip(missing, self.embedder.encode(missing)))
        return np.array([self.seen[t] for t in texts], dtype=np.float32).reshape(len(texts), self.dimensions)


def evaluate_files(embedder, codebook: Sequence[CodeEntry], passages: Sequence[Passage], train_fraction: float,
                   seed: int, settings: RankingSettings = RankingSettings()) -> dict[str, dict | None]:
    """Embedding ranker, TF-IDF + the same ranking, and one-vs-rest logistic regression on one split."""
    from workbench.suggest.tfidf import TfidfEmbedder

    embedder = Memo(embedder)
    train, test = split(passages, train_fraction, seed)
    if not test:
        raise ValueError("No passages are left to test on: lower --train-fraction.")
    gold = [p.codes for p in test]
    corpus = [t for c in codebook for t in c.texts] + [p.text for p in passages]
    result: dict[str, dict | None] = {
        "embedding": metrics(rank_with(embedder, codebook, train, test, settings), gold),
        "tfidf": metrics(rank_with(TfidfEmbedder(corpus), codebook, train, test, settings), gold),
    }
    logistic = rank_logistic(embedder.encode([p.text for p in train]), [p.codes for p in train],
                             embedder.encode([p.text for p in test]), [c.path for c in codebook])
    result["logistic"] = metrics(logistic, gold) if logistic is not None else None
    return result


def evaluate_fine_tuned(base_model, codebook: Sequence[CodeEntry], passages: Sequence[Passage], train_fraction: float,
                        seed: int, settings: RankingSettings = RankingSettings(), max_pairs: int | None = None,
                        max_seconds: float | None = None) -> dict[str, dict | None]:
    """The same split as `evaluate_files`, after fine-tuning the model in `base_model` (a folder) on the
    training passages only, as the project's fine-tuning job does (suggest/finetune.py: pairs from
    shared codes and the codes' descriptions, seeded with `seed`, bounded in pairs and seconds). Then
    the ranker ("fine_tuned") and the logistic baseline ("fine_tuned_logistic") on the tuned vectors;
    each row also says how the model was trained. Both are None with no coded examples (nothing to
    learn from). The tuned model lives in a temporary folder and is gone afterwards."""
    import tempfile
    from pathlib import Path

    from workbench.suggest import finetune

    train, test = split(passages, train_fraction, seed)
    if not test:
        raise ValueError("No passages are left to test on: lower --train-fraction.")
    if not train:
        return {"fine_tuned": None, "fine_tuned_logistic": None}
    pairs = finetune.build_pairs([(p.text, sorted(p.codes)) for p in train], {c.path: c.texts for c in codebook},
                                 max_pairs=max_pairs or finetune.DEFAULT_MAX_PAIRS, seed=seed)
    gold = [p.codes for p in test]
    with tempfile.TemporaryDirectory(prefix="workbench-evaluate-") as folder:
        tuned = finetune.fine_tune(base_model, pairs, Path(folder) / "tuned", seed=seed,
                                   max_seconds=finetune.DEFAULT_MAX_SECONDS if max_seconds is None else max_seconds)
        embedder = Memo(finetune.TrainedEmbedder(tuned.path))
        ranked = rank_with(embedder, codebook, train, test, settings)
        logistic = rank_logistic(embedder.encode([p.text for p in train]), [p.codes for p in train],
                                 embedder.encode([p.text for p in test]), [c.path for c in codebook])
    training = {"pairs": tuned.pairs, "steps": tuned.steps, "training_seconds": round(tuned.seconds, 1),
                "stopped_by_time": tuned.stopped_by_time}
    return {"fine_tuned": metrics(ranked, gold) | training,
            "fine_tuned_logistic": None if logistic is None else metrics(logistic, gold) | training}
