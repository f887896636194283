"""The packaged model exported for ONNX Runtime gives the torch path's vectors, under the same name,
and a served process encodes with it without loading torch."""
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
import requests

from workbench.config import Settings, default_embedding_model
from workbench.services import embeddings
from workbench.services.errors import Invalid
from workbench.suggest import ModelUnavailable, SentenceTransformerEmbedder, onnx_embedder

pytestmark = pytest.mark.model
MODEL = default_embedding_model()
TEXTS = [
    "My caseload is far too big.",
    "I have too many patients to see.",
    "",  # an empty selection still gets a vector
    "Café au lait — naïve coöperation; 東京の診療所 🙂 with emoji",
    " ".join(["The link worker rang the surgery again about the referral"] * 60),  # beyond 256 tokens: truncated
    "Trust",
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    settings = Settings(embedding_model=MODEL, instance_path=folder.parent / folder.name)
    graph, made = embeddings.prepare_onnx(settings)
    assert made and graph.is_file() and graph.parent == settings.models_path
    assert embeddings.prepare_onnx(settings) == (graph, False)  # there already: nothing done
    return settings, graph


def test_the_onnx_vectors_are_the_torch_vectors(exported):
    _, graph = exported
    onnx = onnx_embedder.OnnxEmbedder(MODEL, graph)
    torch = SentenceTransformerEmbedder(MODEL)
    assert onnx.name == torch.name and onnx.dimensions == torch.dimensions == 384
    a, b = onnx.encode(TEXTS), torch.encode(TEXTS)
    assert a.dtype == np.float32 and a.shape == b.shape == (len(TEXTS), 384)
    assert np.abs(a - b).max() < 1e-5
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    # Batches of any size give the same rows (padding to the batch's longest changes nothing).
    assert np.abs(onnx.encode(TEXTS[3:4]) - a[3:4]).max() < 1e-5
    assert onnx.encode([]).shape == (0, 384)


def test_the_configured_runtime_is_chosen(exported, tmp_path):
    settings, graph = exported
    embeddings._embedder.cache_clear()
    try:
        assert isinstance(embeddings.choose_embedder(None, settings), onnx_embedder.OnnxEmbedder)
        settings_torch = Settings(embedding_model=MODEL, instance_path=settings.instance_path, encoder="torch")
        assert isinstance(embeddings.choose_embedder(None, settings_torch), SentenceTransformerEmbedder)
        nowhere = Settings(embedding_model=MODEL, instance_path=tmp_path)  # auto, no export: torch
        assert isinstance(embeddings.choose_embedder(None, nowhere), SentenceTransformerEmbedder)
        insisting = Settings(embedding_model=MODEL, instance_path=tmp_path, encoder="onnx")
        with pytest.raises(Invalid, match="No ONNX export .* is missing"):
            embeddings.choose_embedder(None, insisting)
    finally:
        embeddings._embedder.cache_clear()
    with pytest.raises(ValueError, match="WORKBENCH_ENCODER"):
        Settings(encoder="cuda")


def test_the_int8_export_is_close_to_float32_and_named_apart(exported):
    """`prepare-model --int8` quantises the export beside it; its vectors are not the float ones
    (so they may never share a cache) but point nearly the same way. Not 0.99 on every text: these
    gave 0.974 (the empty text) to 0.994, mean 0.987; bench/encoder_speed.py's 320 turns mean 0.990,
    lowest 0.965. What the suggestions lose is measured there as precision@1 instead."""
    settings, graph = exported
    small, made = embeddings.prepare_onnx(settings, int8=True)
    assert made and small == onnx_embedder.onnx_int8_path(settings.models_path, MODEL) and small.is_file()
    assert embeddings.prepare_onnx(settings, int8=True) == (small, False)
    assert small.stat().st_size < graph.stat().st_size * 0.75
    fp32, int8 = onnx_embedder.OnnxEmbedder(MODEL, graph), onnx_embedder.OnnxEmbedder(MODEL, small, int8=True)
    a, b = fp32.encode(TEXTS), int8.encode(TEXTS)
    cosines = np.sum(a * b, axis=1)
    assert cosines.min() >= 0.97 and cosines.mean() >= 0.985, cosines
    assert np.abs(a - b).max() > 1e-3  # other vectors ...
    assert int8.name == f"{fp32.name}+onnx-int8@{onnx_embedder.file_sha256(small)[:12]}"  # ... another cache
    assert int8.weights_sha256 == onnx_embedder.file_sha256(small) != fp32.weights_sha256
    assert np.allclose(np.linalg.norm(b, axis=1), 1, atol=1e-5)


def test_the_int8_runtime_is_chosen_by_the_setting(exported, tmp_path):
    settings, _ = exported
    embeddings.prepare_onnx(settings, int8=True)
    embeddings._embedder.cache_clear()
    try:
        chosen = embeddings.choose_embedder(None, Settings(embedding_model=MODEL, instance_path=settings.instance_path,
                                                           encoder="onnx-int8"))
        assert isinstance(chosen, onnx_embedder.OnnxEmbedder) and chosen.int8 and "+onnx-int8@" in chosen.name
        assert not embeddings.choose_embedder(None, settings).int8  # auto stays on the float export
        with pytest.raises(Invalid, match="prepare-model --int8"):
            embeddings.choose_embedder(None, Settings(embedding_model=MODEL, instance_path=tmp_path, encoder="onnx-int8"))
    finally:
        embeddings._embedder.cache_clear()


def _without_max_seq_length(tmp_path, name, tokenizer_limit):
    """A copy of the packaged model saved as sentence-transformers 6 does: no max_seq_length in
    sentence_bert_config.json, the tokenizer's model_max_length set to `tokenizer_limit`."""
    folder = tmp_path / name
    shutil.copytree(MODEL, folder)
    bert = json.loads((folder / "sentence_bert_config.json").read_text())
    bert.pop("max_seq_length")
    (folder / "sentence_bert_config.json").write_text(json.dumps(bert))
    tokenizer = json.loads((folder / "tokenizer_config.json").read_text())
    tokenizer["model_max_length"] = tokenizer_limit
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer))
    return folder


def test_without_max_seq_length_it_truncates_where_sentence_transformers_does(exported, tmp_path):
    """The tokenizer's own limit (128), or, for Hugging Face's int(1e30) "no limit", the 512 position
    embeddings of config.json: torch truncates there, and the ONNX path gives its vectors (it cut
    every model at 256). The long text of TEXTS has ~600 tokens, so each limit changes its vector."""
    _, graph = exported
    long_text = TEXTS[4]
    at_256 = onnx_embedder.OnnxEmbedder(MODEL, graph).encode([long_text])
    for limit, expected in ((128, 128), (int(1e30), 512)):
        folder = _without_max_seq_length(tmp_path, f"tokens-{expected}", limit)
        torch = SentenceTransformerEmbedder(folder)
        assert onnx_embedder.max_tokens(folder) == torch.model.max_seq_length == expected
        onnx = onnx_embedder.OnnxEmbedder(folder, graph)  # same weights as the packaged model: its export serves
        vectors = onnx.encode([long_text, TEXTS[0]])
        assert np.abs(vectors - torch.encode([long_text, TEXTS[0]])).max() < 1e-5
        assert np.abs(vectors[0] - at_256[0]).max() > 1e-3


def test_the_length_rule_when_configs_say_less(tmp_path):
    """sentence_bert_config.json wins; absurd or missing values fall through to the next; 256 when
    nothing states a length."""
    def folder(name, **files):
        made = tmp_path / name
        made.mkdir()
        for file, content in files.items():
            (made / f"{file}.json").write_text(json.dumps(content))
        return made

    limits = onnx_embedder.max_tokens
    assert limits(folder("nothing")) == 256
    assert limits(folder("bert", sentence_bert_config={"max_seq_length": 384}, tokenizer_config={"model_max_length": 128})) == 384
    assert limits(folder("huge", tokenizer_config={"model_max_length": int(1e30)})) == 256
    assert limits(folder("positions", tokenizer_config={"model_max_length": int(1e30)}, config={"max_position_embeddings": 8192})) == 8192
    assert limits(folder("capped", tokenizer_config={"model_max_length": 1024}, config={"max_position_embeddings": 512})) == 512
    assert limits(folder("none", tokenizer_config={"model_max_length": int(1e30)}, config={"max_position_embeddings": -1})) == 256


def test_a_model_of_another_layout_stays_on_torch(tmp_path):
    odd = tmp_path / "odd"
    shutil.copytree(MODEL, odd)
    modules = json.loads((odd / "modules.json").read_text())
    (odd / "modules.json").write_text(json.dumps(modules[:2]))  # no Normalize module
    assert "Normalize" in onnx_embedder.supported(odd)
    with pytest.raises(ModelUnavailable, match="cannot run as ONNX"):
        onnx_embedder.export(odd, tmp_path / "odd.onnx")


def test_a_served_process_encodes_without_torch(exported, tmp_path):
    """`workbench serve` with the export: the model is ready, a selection is encoded, and neither
    torch nor transformers is loaded in the server process (its memory maps have no libtorch)."""
    settings, graph = exported
    instance = tmp_path / "instance"
    (instance / "models").mkdir(parents=True)
    shutil.copy(graph, instance / "models" / graph.name)
    url = f"sqlite:///{instance / 'w.db'}"
    env = os.environ | {"WORKBENCH_DATABASE_URL": url, "WORKBENCH_INSTANCE": str(instance), "WORKBENCH_SECRET_KEY": "x",
                        "WORKBENCH_WORKER": "external", "HF_HUB_OFFLINE": "1"}
    workbench = os.path.join(os.path.dirname(sys.executable), "workbench")
    subprocess.run([workbench, "migrate"], env=env, check=True, capture_output=True)
    with socket_port() as port:
        server = subprocess.Popen([workbench, "serve", "--port", str(port), "--workers", "1", "--threads", "2"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, model = time.monotonic() + 90, None
        while model != "ready" and time.monotonic() < deadline:
            try:
                model = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()["model"]
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        assert model == "ready"
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        assert children, "no gunicorn worker process"
        for pid in children:
            maps = open(f"/proc/{pid}/maps").read()
            assert "onnxruntime" in maps and not re.search(r"libtorch|/torch/lib/", maps)
    finally:
        server.terminate()
        server.wait(20)


class socket_port:
    def __enter__(self):
        import socket

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        port = self.socket.getsockname()[1]
        self.socket.close()
        return port

    def __exit__(self, *exc):
        return False
