"""`workbench evaluate-suggestions --fine-tune`: the packaged model fine-tuned on the training half of a
passages file, measured on the other half; seeded, so two runs print the same figures."""
from __future__ import annotations

import json

import pytest

from tests.fine_tuning.conftest import COMPLAINTS, PRAISE

pytestmark = [pytest.mark.model, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

CODEBOOK = """
codes:
  - name: Alpha
    definition: One of the two kinds of remark the team sorts.
  - name: Beta
    definition: The other kind of remark the team sorts.
"""


@pytest.fixture
def files(tmp_path):
    lines = [{"text": t, "codes": ["Alpha"]} for topic in sorted(PRAISE) for t in PRAISE[topic]]
    lines += [{"text": t, "codes": ["Beta"]} for topic in sorted(COMPLAINTS) for t in COMPLAINTS[topic]]
    (tmp_path / "codebook.yaml").write_text(CODEBOOK)
    (tmp_path / "passages.jsonl").write_text("\n".join(json.dumps(line) for line in lines))
    return ["evaluate-suggestions", "--codebook", str(tmp_path / "codebook.yaml"),
            "--passages", str(tmp_path / "passages.jsonl")]


def test_fine_tuned_rows_are_seeded_and_printed_as_clean_json(cli, files):
    args = files + ["--fine-tune", "--max-pairs", "32", "--seed", "3", "--json"]
    first, again = cli(args), cli(args)
    assert first.exit_code == 0, first.output
    figures = json.loads(first.stdout)  # the model's loading messages go to stderr, never into the JSON
    assert set(figures) == {"embedding", "tfidf", "logistic", "fine_tuned", "fine_tuned_logistic"}
    tuned = figures["fine_tuned"]
    assert tuned["pairs"] == 32 and tuned["steps"] == 2 and not tuned["stopped_by_time"]  # 32 pairs, batches of 16
    assert tuned["passages"] == figures["embedding"]["passages"] == 12  # the same held-out half
    assert 0 <= tuned["precision@1"] <= 1 and figures["fine_tuned_logistic"]["steps"] == 2
    drop_time = lambda rows: {k: {m: v for m, v in row.items() if m != "training_seconds"} for k, row in rows.items()}
    assert drop_time(json.loads(again.stdout)) == drop_time(figures)  # same seed, same data: same figures


def test_fine_tuning_needs_coded_examples_and_files(cli, files):
    result = cli(files + ["--fine-tune", "--train-fraction", "0", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["fine_tuned"] is None and figures["fine_tuned_logistic"] is None
    text = cli(files + ["--fine-tune", "--train-fraction", "0"]).stdout
    assert "fine-tuned model + ranker" in text and "(no coded examples)" in text
    assert "--fine-tune works on --codebook" in cli(["evaluate-suggestions", "Some project", "--coder", "ana", "--fine-tune"]).output
    assert "--max-pairs must be" in cli(files + ["--fine-tune", "--max-pairs", "1"]).output
