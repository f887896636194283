"""Encoding speed and quality of the runtimes: torch float32, torch dynamic int8, ONNX Runtime float32 and
ONNX Runtime dynamic int8 (onnxruntime.quantization.quantize_dynamic on the exported graph).

All in one process on the same texts (transcript turns recombined, as bench/suggest_speed.py makes
them), one thread each (torch.set_num_threads(1), ONNX Runtime's one intra-op thread: a server's
request thread), the runtimes timed in turn and the round repeated, every timing printed. Then the
vectors' cosine to torch float32 and precision@1 of the embedding ranker on the held-out
remote-teaching set (train fractions 0 and 0.5, seeds 1-3, workbench/suggest/evaluation.py).
Run: .venv/bin/python bench/encoder_speed.py [--texts 320] [--repeats 3]."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.suggest_speed import realistic_segments  # noqa: E402
from workbench.config import default_embedding_model  # noqa: E402
from workbench.suggest import SentenceTransformerEmbedder, onnx_embedder  # noqa: E402
from workbench.suggest.evaluation import Memo, evaluate_files, read_codebook, read_passages  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def quantised(graph: Path, folder: Path) -> dict[str, Path]:
    """The exported graph quantised dynamically in the variants onnxruntime offers."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out = {}
    every = None  # onnxruntime's default: every op it can quantise, the word embeddings' Gather included
    for number, (label, weight, per_channel, ops) in enumerate((
            ("onnx int8 (QInt8)", QuantType.QInt8, False, every),
            ("onnx int8 (QInt8, per channel)", QuantType.QInt8, True, every),
            ("onnx int8 (QUInt8, per channel)", QuantType.QUInt8, True, every),
            ("onnx int8 (QInt8, per ch., MatMul+Attention)", QuantType.QInt8, True, ["MatMul", "Attention"]))):
        target = folder / f"int8-{number}.onnx"
        # The fused graph's contrib ops (Attention, SkipLayerNormalization) defeat shape inference: name float.
        quantize_dynamic(str(graph), str(target), weight_type=weight, per_channel=per_channel, op_types_to_quantize=ops,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        out[label] = target
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=320)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-quality", action="store_true")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    model = Path(default_embedding_model())
    texts = realistic_segments(args.texts)
    print(f"{len(texts)} texts, mean {np.mean([len(t) for t in texts]):.0f} characters; one thread each; "
          f"onnxruntime {__import__('onnxruntime').__version__}, torch {torch.__version__}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        graph = onnx_embedder.export(model, folder / "fp32.onnx")
        print(f"export {time.perf_counter() - started:.0f} s, {graph.stat().st_size / 1e6:.1f} MB")
        variants = quantised(graph, folder)
        for label, path in variants.items():
            print(f"  {label}: {path.stat().st_size / 1e6:.1f} MB")
        embedders = {"torch fp32": SentenceTransformerEmbedder(model), "torch int8": SentenceTransformerEmbedder(model, int8=True),
                     "onnx fp32": onnx_embedder.OnnxEmbedder(model, graph)}
        embedders.update({label: onnx_embedder.OnnxEmbedder(model, path) for label, path in variants.items()})
        vectors = {label: e.encode(texts[:32]) for label, e in embedders.items()}  # warm up
        # Wall time and this process's CPU time: on a shared machine the wall clock also counts other
        # people's work; one thread each, CPU time is what the encoding itself cost.
        wall: dict[str, list[float]] = {label: [] for label in embedders}
        cpu: dict[str, list[float]] = {label: [] for label in embedders}
        for _ in range(args.repeats):
            for label, embedder in embedders.items():
                begun, begun_cpu = time.perf_counter(), time.process_time()
                vectors[label] = embedder.encode(texts)
                wall[label].append(time.perf_counter() - begun)
                cpu[label].append(time.process_time() - begun_cpu)
        reference = vectors["torch fp32"]
        width = 46
        for title, timings in (("wall clock", wall), ("CPU time", cpu)):
            base = np.median(timings["torch fp32"])
            print(f"\n{'runtime (' + title + ')':{width}} {'texts/s per repeat':>28} {'median ×':>9}")
            for label, seconds in timings.items():
                rates = " ".join(f"{len(texts) / s:8.1f}" for s in seconds)
                print(f"{label:{width}} {rates:>28} {base / np.median(seconds):9.2f}", flush=True)
        print(f"\n{'cosine to torch fp32':{width}} {'mean':>9} {'min':>8}")
        for label in embedders:
            cos = np.sum(vectors[label] * reference, axis=1)
            print(f"{label:{width}} {cos.mean():9.4f} {cos.min():8.4f}")
        if args.no_quality:
            return
        codes = read_codebook((DATA / "remote-teaching-codebook.yaml").read_bytes())
        passages = read_passages((DATA / "remote-teaching-passages.jsonl").read_bytes(), codes)
        print(f"\nprecision@1 of the embedding ranker, remote-teaching ({len(passages)} passages), seeds 1-3")
        print(f"{'runtime':46} {'train 0':>9} {'train 0.5':>10}   per seed (0 | 0.5)")
        rows = {}
        for label, embedder in embedders.items():
            memo = Memo(embedder)
            rows[label] = {f: [evaluate_files(memo, codes, passages, f, s)["embedding"]["precision@1"] for s in (1, 2, 3)]
                           for f in (0.0, 0.5)}
            r = rows[label]
            print(f"{label:46} {np.mean(r[0.0]):9.4f} {np.mean(r[0.5]):10.4f}   "
                  + " ".join(f"{v:.3f}" for v in r[0.0]) + " | " + " ".join(f"{v:.3f}" for v in r[0.5]), flush=True)
        ref = rows["torch fp32"]
        print("\npoints of precision@1 lost against torch fp32 (mean over seeds; negative = gained), train 0 / 0.5:")
        for label, r in rows.items():
            if label != "torch fp32":
                print(f"  {label:44} {100 * (np.mean(ref[0.0]) - np.mean(r[0.0])):+5.1f} / {100 * (np.mean(ref[0.5]) - np.mean(r[0.5])):+5.1f}")


if __name__ == "__main__":
    main()
