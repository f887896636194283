"""`workbench embed` and `workbench evaluate-suggestions` with the fake embedder."""
import json

from tests.suggest.conftest import build
from workbench.suggest import FakeEmbedder

CODEBOOK = """
codes:
  - name: Workload
    definition: Too much work for the time there is.
  - name: Funding
    definition: Money and grants.
"""


def test_embed_then_evaluate_a_project(app, cli):
    fake = app.extensions["workbench.embedder"] = FakeEmbedder()
    with app.extensions["workbench.sessions"]() as session:
        build(session)
        session.commit()
    result = cli(["embed", "Suggest study"])
    assert result.exit_code == 0 and "10 segment(s)" in result.output and fake.texts_encoded == 10
    assert cli(["embed", "Suggest study"]).exit_code == 0 and fake.texts_encoded == 10
    result = cli(["evaluate-suggestions", "Suggest study", "--coder", "ben"])
    assert result.exit_code == 0 and "TF-IDF + same ranking" in result.output
    assert "Give either" in cli(["evaluate-suggestions"]).output
    assert "--coder" in cli(["evaluate-suggestions", "Suggest study"]).output


def test_evaluate_files_as_json_and_bad_lines(app, cli, tmp_path):
    app.extensions["workbench.embedder"] = FakeEmbedder()
    (tmp_path / "codebook.yaml").write_text(CODEBOOK)
    lines = [{"text": f"too much work, no time {i}", "codes": ["Workload"]} for i in range(5)]
    lines += [{"text": f"grant money ran out {i}", "codes": ["Funding"]} for i in range(5)]
    (tmp_path / "passages.jsonl").write_text("\n".join(json.dumps(x) for x in lines))
    args = ["evaluate-suggestions", "--codebook", str(tmp_path / "codebook.yaml"), "--passages", str(tmp_path / "passages.jsonl")]
    result = cli(args + ["--train-fraction", "0", "--seed", "2", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert set(figures["embedding"]) >= {"precision@1", "precision@3", "recall@3", "macro_f1"}
    assert figures["tfidf"]["passages"] == 10 and figures["logistic"] is None
    (tmp_path / "passages.jsonl").write_text('{"text": "x", "codes": ["Trust"]}\n')
    result = cli(args)
    assert result.exit_code != 0 and "line 1: code 'Trust' is not in the codebook" in result.output
