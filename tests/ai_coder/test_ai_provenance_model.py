"""The packaged model's provenance names the sha256 of its actual weight file (one model load)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from workbench.config import default_embedding_model
from workbench.services import provenance
from workbench.suggest import SentenceTransformerEmbedder

pytestmark = pytest.mark.model


def test_the_weights_digest_is_the_sha256_of_the_weight_file():
    embedder = SentenceTransformerEmbedder(default_embedding_model())
    weights = next(p for p in (Path(default_embedding_model()) / name for name in ("model.safetensors", "pytorch_model.bin")) if p.is_file())
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    assert provenance.model_sha256(embedder) == digest
    assert embedder.name.endswith("@" + digest[:12])  # the cache key still uses its first 12 digits
