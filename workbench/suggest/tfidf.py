"""The baseline: TF-IDF vectors behind the same Embedder protocol, so the same ranking runs on them."""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from workbench.suggest.embedder import normalise

# Enough for the vocabulary of a study (or more), small enough for the classifiers to train quickly.
MAX_FEATURES = 5000


class TfidfEmbedder:
    """Word uni- and bigram TF-IDF (sublinear tf) fitted on the project's or evaluation's texts."""

    name = "tfidf"

    def __init__(self, corpus: Iterable[str]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        # Fitted without labels on every text available (as a project has all its transcripts).
        self.vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, stop_words="english", max_features=MAX_FEATURES)
        self.vectorizer.fit(list(corpus))
        self.dimensions = len(self.vectorizer.vocabulary_)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return normalise(self.vectorizer.transform(list(texts)).toarray())
