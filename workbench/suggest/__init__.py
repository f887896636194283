"""Code suggestions: embedders, the ranking with its reasons, the TF-IDF baseline and the evaluation.

Pure: imports neither Flask nor SQLAlchemy (the cache and the project data live in services)."""
from workbench.suggest.embedder import Embedder, FakeEmbedder, ModelUnavailable, SentenceTransformerEmbedder, normalise
from workbench.suggest.ranking import Neighbour, Ranker, RankingSettings, Suggestion, description_texts

__all__ = [
    "Embedder", "FakeEmbedder", "ModelUnavailable", "SentenceTransformerEmbedder", "normalise",
    "Neighbour", "Ranker", "RankingSettings", "Suggestion", "description_texts",
]
