"""Ranking codes for a passage from three sources of evidence, with the reasons for each suggestion.

The rule (per passage, over the codes of the codebook):
  definition  d_c = cosine between the passage and the code's description centroid: the name,
                    definition, inclusion and example quote are embedded separately and their
                    normalised mean is the centroid (exclusion is never positive evidence, so it is
                    left out);
  examples    k_c = mean cosine of the passage's k nearest passages already coded with c, where the
                    code's description parts count as coded passages too (so one stray example
                    cannot decide alone; the reasons still name real passages only);
  classifier  l_c = logistic-regression log-odds, only for codes with >= `classifier_min` examples.
Each source is standardised across the codes for this passage (z-scores), because raw cosines to a
definition, to a passage and classifier log-odds live on different scales (and differ by model). Then
  score_c = (1 - w_c) * z(d)_c + w_c * e_c,   w_c = n_c / (n_c + half_weight_at),
  e_c     = z(k)_c, or (1 - classifier_share) * z(k)_c + classifier_share * z(l)_c with a classifier,
so a code with no coded passages is ranked by its definition alone and evidence shifts to the
examples as they accumulate. A score is "standard deviations above the average code".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Sequence

import numpy as np


@dataclass(frozen=True)
class RankingSettings:
    neighbours: int = 3  # k nearest coded passages per code
    half_weight_at: float = 4.0  # a code with this many examples weighs definition and examples equally
    # (tuned leave-one-document-out on the demo and on bench/data/dev-shiftwork, never on the held-out set)
    classifier_min: int = 8
    classifier_share: float = 0.5
    strong_definition: float = 1.5  # z of the definition similarity called a "strong" match
    some_definition: float = 0.5


def description_texts(name: str, definition: str = "", inclusion: str = "", example: str = "") -> list[str]:
    """What a code's description says, as texts to embed one by one: name, definition, inclusion, example.

    Embedded separately rather than as one joined string: the normalised mean of the parts matched
    passages better in tuning (definitions-only precision@1 on the development set 0.54 -> 0.70)."""
    return [part.strip() for part in (name, definition, inclusion, example) if part and part.strip()]


@dataclass(frozen=True)
class Neighbour:
    info: object  # whatever the caller attached to the coded passage (document, snippet, coder ...)
    similarity: float


@dataclass
class Suggestion:
    code_id: Hashable
    score: float
    definition_similarity: float
    definition_match: str  # "strong", "some" or "weak"
    examples: int
    neighbours: list[Neighbour] = field(default_factory=list)
    classifier_probability: float | None = None


def _z(matrix: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Standardise each row over the given columns; other columns stay 0."""
    out = np.zeros_like(matrix)
    if columns.size == 0:
        return out
    part = matrix[:, columns]
    spread = part.std(axis=1, keepdims=True)
    out[:, columns] = (part - part.mean(axis=1, keepdims=True)) / np.where(spread < 1e-9, 1.0, spread)
    return out


def train_classifiers(vectors: np.ndarray, example_codes: Sequence[Sequence[Hashable]],
                      settings: RankingSettings = RankingSettings()) -> dict[Hashable, tuple[np.ndarray, float]]:
    """One-vs-rest logistic regression (weights, intercept) per code with at least `classifier_min`
    coded passages: the slow part of a ranker, so a job trains it (services/suggestion_classifiers.py)."""
    from sklearn.linear_model import LogisticRegression

    members: dict[Hashable, list[int]] = {}
    for row, codes in enumerate(example_codes):
        for code in codes:
            members.setdefault(code, []).append(row)
    trained = {}
    for code, rows in members.items():
        if len(rows) < settings.classifier_min or len(rows) >= len(vectors):
            continue
        y = np.zeros(len(vectors), dtype=int)
        y[rows] = 1
        model = LogisticRegression(class_weight="balanced", max_iter=1000).fit(vectors, y)
        trained[code] = (model.coef_[0].astype(np.float32), float(model.intercept_[0]))
    return trained


class Ranker:
    """Scores every code for passages; built once from description and example vectors."""

    def __init__(
        self,
        code_ids: Sequence[Hashable],
        descriptions: Sequence[np.ndarray],
        example_vectors: np.ndarray | None = None,
        example_codes: Sequence[Sequence[Hashable]] = (),
        example_info: Sequence[object] = (),
        settings: RankingSettings = RankingSettings(),
        classifiers: dict[Hashable, tuple[np.ndarray, float]] | None = None,
    ):
        """`classifiers` (code id -> weights, intercept), when given, were trained elsewhere (a job);
        without them the ranker trains its own from the examples."""
        self.code_ids = list(code_ids)
        self.settings = settings
        index = {c: i for i, c in enumerate(self.code_ids)}
        rows = [np.atleast_2d(np.asarray(v, dtype=np.float32)) for v in descriptions]
        sized = [r for r in rows if r.size]
        dims = sized[0].shape[1] if sized else (0 if example_vectors is None else example_vectors.shape[1])
        # One centroid per code (normalised mean of its description parts); a code without any has none.
        self.has_description = np.array([r.size > 0 for r in rows], dtype=bool)
        centroids = np.zeros((len(rows), dims), np.float32)
        for i, r in enumerate(rows):
            if r.size:
                mean = r.mean(axis=0)
                centroids[i] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        self.description_vectors = centroids
        self.parts = np.concatenate(sized) if sized else np.zeros((0, dims), np.float32)
        owner = np.repeat(np.arange(len(rows)), [len(r) if r.size else 0 for r in rows])
        self.part_rows = [np.flatnonzero(owner == i) for i in range(len(rows))]
        self.examples = np.zeros((0, dims), np.float32) if example_vectors is None else np.asarray(example_vectors, np.float32)
        self.example_info = list(example_info) or [None] * len(self.examples)
        self.members = [[] for _ in self.code_ids]
        for row, codes in enumerate(example_codes):
            for code in codes:
                if code in index:
                    self.members[index[code]].append(row)
        self.members = [np.asarray(m, dtype=np.int64) for m in self.members]
        self.counts = np.array([len(m) for m in self.members], dtype=np.float32)
        self.weights = self.counts / (self.counts + settings.half_weight_at)
        if classifiers is None:
            classifiers = train_classifiers(self.examples, example_codes, settings)
        self.classifiers = {index[c]: (np.asarray(w, np.float32), float(b)) for c, (w, b) in classifiers.items() if c in index}

    def scores(self, queries: np.ndarray) -> dict[str, np.ndarray]:
        """All score components for a (n, dims) matrix of normalised passage vectors."""
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        n, m = len(queries), len(self.code_ids)
        definition = np.full((n, m), -1.0, np.float32)
        if self.has_description.any():
            definition[:, self.has_description] = queries @ self.description_vectors[self.has_description].T
        knn = np.zeros((n, m), np.float32)
        with_examples = np.flatnonzero(self.counts > 0)
        example_sims = queries @ self.examples.T if len(self.examples) else np.zeros((n, 0), np.float32)
        part_sims = queries @ self.parts.T
        for i in with_examples:
            sims = np.concatenate([example_sims[:, self.members[i]], part_sims[:, self.part_rows[i]]], axis=1)
            k = min(self.settings.neighbours, sims.shape[1])
            knn[:, i] = np.partition(sims, -k, axis=1)[:, -k:].mean(axis=1)
        logits = np.zeros((n, m), np.float32)
        with_classifier = np.array(sorted(self.classifiers), dtype=np.int64)
        for i in with_classifier:
            coef, intercept = self.classifiers[i]
            logits[:, i] = queries @ coef + intercept
        z_def, z_knn, z_clf = _z(definition, np.arange(m)), _z(knn, with_examples), _z(logits, with_classifier)
        share = np.zeros(m, np.float32)
        share[with_classifier] = self.settings.classifier_share
        evidence = (1 - share) * z_knn + share * z_clf
        combined = (1 - self.weights) * z_def + self.weights * evidence
        return {"combined": combined, "definition": definition, "definition_z": z_def,
                "logits": logits, "example_sims": example_sims}

    def suggest(self, query: np.ndarray, top_k: int = 5, exclude: set = frozenset(), min_score: float | None = None) -> list[Suggestion]:
        return self.suggest_many(np.atleast_2d(query), top_k, [exclude], min_score)[0]

    def suggest_many(self, queries: np.ndarray, top_k: int = 5, exclude: Sequence[set] | None = None,
                     min_score: float | None = None) -> list[list[Suggestion]]:
        """Top codes per passage with their reasons; codes in exclude[i] are never offered for passage i."""
        parts = self.scores(queries)
        results = []
        for row, combined in enumerate(parts["combined"]):
            banned = exclude[row] if exclude and row < len(exclude) else set()
            order = [i for i in np.argsort(-combined, kind="stable") if self.code_ids[i] not in banned]
            chosen = [i for i in order[:top_k] if min_score is None or combined[i] >= min_score]
            results.append([self._explain(parts, row, i) for i in chosen])
        return results

    def _explain(self, parts: dict, row: int, i: int) -> Suggestion:
        z = float(parts["definition_z"][row, i])
        match = "strong" if z >= self.settings.strong_definition else "some" if z >= self.settings.some_definition else "weak"
        neighbours = []
        if len(self.members[i]):
            sims = parts["example_sims"][row, self.members[i]]
            for j in np.argsort(-sims)[: self.settings.neighbours]:
                neighbours.append(Neighbour(self.example_info[self.members[i][j]], float(sims[j])))
        probability = None
        if i in self.classifiers:
            probability = float(1 / (1 + np.exp(-parts["logits"][row, i])))
        return Suggestion(self.code_ids[i], float(parts["combined"][row, i]), float(parts["definition"][row, i]),
                          match, int(self.counts[i]), neighbours, probability)

    def ranked_codes(self, queries: np.ndarray) -> np.ndarray:
        """Code indices per passage, best first (for evaluation)."""
        return np.argsort(-self.scores(queries)["combined"], axis=1, kind="stable")
