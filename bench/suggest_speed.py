"""Speed of code suggestions: the cached embedding path against raw SentenceTransformer.encode,
ranking one segment against 100,000 cached embeddings, and dynamic int8 quantisation.

Run: .venv/bin/python bench/suggest_speed.py [--segments 10000]. Each run uses a fresh SQLite file,
so the cache starts empty and every segment goes through lookup + batching + storing."""
from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.config import REPO_ROOT, default_embedding_model  # noqa: E402
from workbench.db import make_engine, session_factory, upgrade  # noqa: E402
from workbench.importers import SUPPORTED_EXTENSIONS, parse_transcript  # noqa: E402
from workbench.services.embeddings import embed_texts  # noqa: E402
from workbench.suggest import Ranker, RankingSettings, SentenceTransformerEmbedder, normalise  # noqa: E402


def realistic_segments(count: int, seed: int = 0) -> list[str]:
    """Segments of one to four sentences recombined from the sample transcripts' speaker turns."""
    sentences = []
    for path in sorted((REPO_ROOT / "transcripts_sample").iterdir()):
        if path.suffix.lower() in SUPPORTED_EXTENSIONS:
            parsed = parse_transcript(path.name, path.read_bytes())
            for u in parsed.utterances:
                sentences += [s for s in re.split(r"(?<=[.?!])\s+", parsed.text[u.start:u.end]) if len(s) > 3]
    rng = random.Random(seed)
    return [" ".join(rng.choice(sentences) for _ in range(rng.randint(1, 4))) for _ in range(count)]


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.1f} segments/s ({seconds:6.1f} s)"


def encode_speed(texts: list[str]) -> None:
    embedder = SentenceTransformerEmbedder(default_embedding_model())
    embedder.encode(texts[:64])  # load and warm up outside the timings
    started = time.perf_counter()
    embedder.model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    raw = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        engine = make_engine(url)
        with session_factory(engine)() as session:
            started = time.perf_counter()
            embed_texts(session, embedder, texts)
            session.commit()
            cached = time.perf_counter() - started
            started = time.perf_counter()
            embed_texts(session, embedder, texts)  # all hits now
            hits = time.perf_counter() - started
        engine.dispose()
    print(f"{len(texts)} segments ({len(set(texts))} distinct), mean {np.mean([len(t) for t in texts]):.0f} characters")
    print(f"  raw SentenceTransformer.encode : {rate(len(texts), raw)}")
    print(f"  workbench path (empty cache)   : {rate(len(texts), cached)}")
    print(f"  ratio workbench / raw          : {raw / cached:8.2f}   (target >= 0.9)")
    print(f"  workbench path (all cached)    : {rate(len(texts), hits)}")


def int8_speed(texts: list[str]) -> None:
    full = SentenceTransformerEmbedder(default_embedding_model())
    small = SentenceTransformerEmbedder(default_embedding_model(), int8=True)
    small.encode(texts[:64])
    timings = {}
    for label, embedder in (("float32", full), ("int8", small)):
        started = time.perf_counter()
        vectors = embedder.encode(texts)
        timings[label] = (time.perf_counter() - started, vectors)
    agreement = float(np.mean(np.sum(timings["float32"][1] * timings["int8"][1], axis=1)))
    print(f"dynamic int8 quantisation on {len(texts)} segments:")
    for label, (seconds, _) in timings.items():
        print(f"  {label:8}: {rate(len(texts), seconds)}")
    print(f"  speed-up int8 / float32: {timings['float32'][0] / timings['int8'][0]:.2f}; "
          f"mean cosine between their vectors: {agreement:.4f}")


def ranking_speed(examples: int = 100_000, codes: int = 30, dims: int = 384, queries: int = 300) -> None:
    rng = np.random.default_rng(0)
    vectors = normalise(rng.standard_normal((examples, dims)))
    labels = [[int(c)] for c in rng.integers(0, codes, examples)]
    descriptions = [normalise(rng.standard_normal((2, dims))) for _ in range(codes)]
    ranker = Ranker(list(range(codes)), descriptions, vectors, labels, [{"i": i} for i in range(examples)],
                    settings=RankingSettings(classifier_min=10**9))
    # Query cost of classifiers is one dot product per code: add random ones rather than train 30 on 100k rows.
    ranker.classifiers = {i: (rng.standard_normal(dims).astype(np.float32), 0.0) for i in range(codes)}
    timings = []
    for q in normalise(rng.standard_normal((queries, dims))):
        started = time.perf_counter()
        ranker.suggest(q, top_k=5)
        timings.append((time.perf_counter() - started) * 1000)
    print(f"ranking one segment against {examples:,} cached embeddings ({codes} codes, with reasons): "
          f"p50 {np.percentile(timings, 50):.1f} ms, p95 {np.percentile(timings, 95):.1f} ms (target p95 <= 20 ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=10_000)
    parser.add_argument("--int8-segments", type=int, default=3_000)
    args = parser.parse_args()
    ranking_speed()
    texts = realistic_segments(args.segments)
    encode_speed(texts)
    int8_speed(texts[: args.int8_segments])
