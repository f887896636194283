"""Fine-tuning the packaged model with the sentence-transformers trainer: a seed gives the same weights."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from workbench.config import default_embedding_model
from workbench.suggest.embedder import weights_sha256
from workbench.suggest.finetune import Pair, TrainedEmbedder, fine_tune

pytestmark = pytest.mark.model

PAIRS = [Pair("My caseload is far too big.", "There is never enough time in the week.", 1.0),
         Pair("The grant ran out last year.", "The council cut our funding.", 1.0),
         Pair("My caseload is far too big.", "The grant ran out last year.", 0.0),
         Pair("We trust the charity completely.", "The council cut our funding.", 0.0)] * 2


def _sha(folder) -> str:
    return hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()


def test_same_seed_same_weights_and_another_seed_other_weights(tmp_path):
    runs = {name: fine_tune(default_embedding_model(), PAIRS, tmp_path / name, seed=seed, max_steps=2, batch_size=4)
            for name, seed in (("first", 7), ("again", 7), ("other", 8))}
    assert all(r.steps == 2 and not r.stopped_by_time for r in runs.values())
    assert _sha(tmp_path / "first") == _sha(tmp_path / "again")
    assert _sha(tmp_path / "first") != _sha(tmp_path / "other")  # the seed orders the batches
    assert _sha(tmp_path / "first") != weights_sha256(default_embedding_model())  # it did learn something
    first, again = TrainedEmbedder(tmp_path / "first"), TrainedEmbedder(tmp_path / "again")
    texts = [p.first for p in PAIRS[:4]]
    assert np.array_equal(first.encode(texts), again.encode(texts))
    assert first.name == f"first@{_sha(tmp_path / 'first')[:12]}" and first.weights_sha256 == _sha(tmp_path / "first")


def test_the_time_budget_stops_training(tmp_path):
    run = fine_tune(default_embedding_model(), PAIRS, tmp_path / "short", seed=0, max_seconds=0.001, max_steps=50, batch_size=2)
    assert run.stopped_by_time and run.steps == 1 and (tmp_path / "short" / "model.safetensors").is_file()
