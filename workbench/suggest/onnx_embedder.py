"""The same sentence-transformers model run by ONNX Runtime: the vectors of `SentenceTransformerEmbedder`
(within 1e-6) without importing torch or transformers, so a web process that only encodes a selection
now and then holds ~250 MB instead of ~580 MB.

`export(model_dir, target)` writes the model as ONNX once (it needs torch, transformers and onnx: run by
`workbench prepare-model` or a worker, never in a request): the transformer with eager attention, so
ONNX Runtime's BERT optimiser fuses attention, layer norms and GELU, and the pooling and normalisation
inside the graph. `OnnxEmbedder` tokenises with the model's own `tokenizer.json` (the `tokenizers`
package), truncating where sentence-transformers would (`max_tokens`), and runs the graph.
Only models made of Transformer → mean Pooling → Normalize (all-MiniLM-L6-v2's modules.json) are
exported; any other layout stays on the torch path."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from workbench.suggest.embedder import ModelUnavailable, model_name, weights_sha256

BATCH = 16  # texts per run: padding to the longest of a few keeps the work (and the memory) small
DEFAULT_TOKENS = 256  # for a model that states no length anywhere (what the ONNX path always used before)
NO_LIMIT = 1_000_000  # a length above this is a "no limit" placeholder, not a model's
SUPPORTED = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
             "sentence_transformers.models.Normalize"]


def supported(model_dir: Path) -> str:
    """Why this model cannot run as ONNX, or "" when it can."""
    try:
        modules = [m["type"] for m in json.loads((model_dir / "modules.json").read_text())]
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError, KeyError):
        return "its modules.json or pooling configuration cannot be read"
    # By class name: sentence-transformers 6 saves them under new module paths
    # (sentence_transformers.base.modules.transformer.Transformer, ...).
    if [m.rsplit(".", 1)[-1] for m in modules] != [m.rsplit(".", 1)[-1] for m in SUPPORTED]:
        return f"its modules are {modules}, not Transformer → Pooling → Normalize"
    if "pooling_mode" in pooling:  # sentence-transformers 6: one "pooling_mode" key
        mean = pooling["pooling_mode"] == "mean"
    else:
        mean = pooling.get("pooling_mode_mean_tokens") and not any(
            pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens"))
    if not mean:
        return "it does not pool by the mean of its tokens"
    if not (model_dir / "tokenizer.json").is_file():
        return "it has no tokenizer.json"
    return ""


def max_tokens(model_dir: Path) -> int:
    """Where the model's input is truncated, as sentence-transformers decides: sentence_bert_config.json's
    `max_seq_length`; without it (sentence-transformers 6 keeps it as the tokenizer's), the tokenizer's
    `model_max_length` capped at the position embeddings (config.json's `max_position_embeddings`)."""
    configured = _config(model_dir / "sentence_bert_config.json").get("max_seq_length")
    if _limit(configured):
        return int(configured)
    # Hugging Face writes int(1e30) for a tokenizer with no limit of its own; -1 positions mean none.
    found = [int(v) for v in (_config(model_dir / "tokenizer_config.json").get("model_max_length"),
                              _config(model_dir / "config.json").get("max_position_embeddings")) if _limit(v)]
    return min(found, default=DEFAULT_TOKENS)


def _limit(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < NO_LIMIT


def _config(path: Path) -> dict:
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def onnx_path(folder: Path, model_dir: Path) -> Path:
    """Where the export of this model (named by its weights, like the cache) lives."""
    return Path(folder) / f"{model_name(model_dir)}.onnx"


def onnx_int8_path(folder: Path, model_dir: Path) -> Path:
    """Where the int8 quantisation of this model's export lives."""
    return Path(folder) / f"{model_name(model_dir)}+int8.onnx"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def quantise(graph: Path, target: Path) -> Path:
    """The exported graph's weights quantised to signed int8 per output channel, every op ONNX Runtime's
    dynamic quantisation takes (MatMul, fused Attention, the word embeddings' Gather; activations are
    quantised as each batch runs). bench/encoder_speed.py measured the variants: per-tensor int8 bent
    the vectors most (mean cosine to float32 0.948), unsigned int8 was slower, leaving the embeddings
    in float lost more precision@1. Written atomically, like the export."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        made = Path(scratch) / "int8.onnx"
        # The fused graph's contrib ops (Attention, SkipLayerNormalization) defeat ONNX's shape
        # inference; their outputs are float, which is what the quantiser needs to be told.
        quantize_dynamic(str(graph), str(made), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        os.replace(made, target)
    return target


def export(model_dir: Path, target: Path) -> Path:
    """Write `model_dir` as an optimised ONNX graph at `target` (atomically: a reader never sees half)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    reason = supported(model_dir)
    if reason:
        raise ModelUnavailable(f"The model in {model_dir} cannot run as ONNX: {reason}.")
    import torch
    from onnxruntime.transformers import optimizer
    from transformers import AutoConfig, AutoModel

    config = AutoConfig.from_pretrained(model_dir, local_files_only=True)
    transformer = AutoModel.from_pretrained(model_dir, local_files_only=True, attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            tokens = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(tokens.dtype)
            mean = (tokens * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        raw, fused = Path(scratch) / "raw.onnx", Path(scratch) / "fused.onnx"
        sample = torch.ones((2, 8), dtype=torch.long)
        names = ["input_ids", "attention_mask", "token_type_ids"]
        with torch.no_grad():  # the TorchScript exporter: the torch.export one needs onnxscript besides
            torch.onnx.export(Pooled(transformer), (sample, sample, torch.zeros_like(sample)), str(raw), input_names=names,
                              output_names=["embedding"], opset_version=17, dynamo=False,
                              dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}})
        optimizer.optimize_model(str(raw), model_type="bert", num_heads=config.num_attention_heads,
                                 hidden_size=config.hidden_size).save_model_to_file(str(fused))
        os.replace(fused, target)
    return target


class OnnxEmbedder:
    """The exported model under ONNX Runtime, one thread per call (the request threads are the parallelism)."""

    def __init__(self, model_dir: str | os.PathLike, graph: Path, int8: bool = False):
        """With `int8`, `graph` is the quantised export: its vectors differ from the model's, so it has
        a name (and a cache) of its own, from the sha256 of the quantised graph."""
        import onnxruntime
        from tokenizers import Tokenizer

        self.path = Path(model_dir)
        reason = supported(self.path)
        if reason or not graph.is_file():
            missing = f"{graph} is missing (run `workbench prepare-model{' --int8' if int8 else ''}`)"
            raise ModelUnavailable(f"No ONNX export of {self.path} to run: {reason or missing}.")
        self.int8 = int8
        if int8:
            self.weights_sha256 = file_sha256(graph)
            self.name = f"{model_name(self.path)}+onnx-int8@{self.weights_sha256[:12]}"
        else:
            self.name = model_name(self.path)  # the torch path's name: the same vectors share one cache
            self.weights_sha256 = weights_sha256(self.path)  # for the provenance of the model's codings
        self._tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_tokens(self.path))
        self._tokenizer.enable_padding(pad_id=self._tokenizer.token_to_id("[PAD]") or 0, pad_token="[PAD]")
        self._tokenizer_lock = threading.Lock()  # a Tokenizer's padding/truncation state is shared
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = False  # the arena kept every batch's peak: 580 MB after one batch of 64
        options.enable_mem_pattern = False
        self._session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self.dimensions = int(self._session.get_outputs()[0].shape[1] or self.encode(["dimensions"]).shape[1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack([self._encode(list(texts[at: at + BATCH])) for at in range(0, len(texts), BATCH)])

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._tokenizer_lock:
            encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
