"""The evaluation metrics, checked by hand, and the codebook/passages file formats."""
import json

import pytest

from workbench.suggest import FakeEmbedder
from workbench.suggest.evaluation import evaluate_files, metrics, read_codebook, read_passages, split

CODEBOOK = """
codes:
  - name: Time
    children:
      - name: Workload
        definition: Too much work for the time there is.
        example: My caseload is far too big.
      - name: Funding
        definition: Money and grants.
  - name: Trust
    definition: Confidence in others.
    children:
      - name: Funding
        definition: Trust that money will keep coming.
"""


def test_metrics_by_hand():
    rankings = [["a", "b", "c"], ["b", "a", "c"], ["c", "b", "a"]]
    gold = [frozenset({"a"}), frozenset({"a", "c"}), frozenset({"b"})]
    m = metrics(rankings, gold)
    assert m["precision@1"] == pytest.approx(1 / 3)
    assert m["precision@3"] == pytest.approx((1 / 3 + 2 / 3 + 1 / 3) / 3)
    assert m["recall@3"] == pytest.approx(1.0)
    # top-1 predictions a, b, c: a tp1 fn1 -> 2/3; b fp1 fn1 -> 0; c fp1 fn1 -> 0
    assert m["macro_f1"] == pytest.approx((2 / 3) / 3)


def test_codebook_file_skips_grouping_themes_and_passages_resolve_leaf_names():
    codes = read_codebook(CODEBOOK)
    assert [c.path for c in codes] == ["Time/Workload", "Time/Funding", "Trust", "Trust/Funding"]
    # each description part is embedded on its own (name, definition, inclusion, example)
    assert codes[0].texts == ("Workload", "Too much work for the time there is.", "My caseload is far too big.")
    lines = [{"text": "too busy", "codes": ["Workload"]}, {"text": "money", "codes": ["Time/Funding", "Trust"]}]
    passages = read_passages("\n".join(json.dumps(x) for x in lines) + "\n\n", codes)
    assert [set(p.codes) for p in passages] == [{"Time/Workload"}, {"Time/Funding", "Trust"}]


@pytest.mark.parametrize("line, message", [
    ('{"text": "x", "codes": ["Funding"]}', "ambiguous"),
    ('{"text": "x", "codes": ["Nope"]}', "not in the codebook"),
    ('{"text": "", "codes": ["Trust"]}', "non-empty"),
    ("not json", "line 1: expected a JSON object"),
])
def test_bad_passages_are_refused_with_the_line(line, message):
    with pytest.raises(ValueError, match=message):
        read_passages(line, read_codebook(CODEBOOK))


def test_split_is_fixed_by_the_seed_and_evaluation_reports_every_method():
    codes = read_codebook(CODEBOOK)
    rows = [{"text": f"caseload far too big {i}", "codes": ["Workload"]} for i in range(6)]
    rows += [{"text": f"grant money ran out {i}", "codes": ["Time/Funding"]} for i in range(6)]
    passages = read_passages("\n".join(json.dumps(r) for r in rows), codes)
    assert split(passages, 0.5, 1) == split(passages, 0.5, 1) != split(passages, 0.5, 2)
    result = evaluate_files(FakeEmbedder(), codes, passages, 0.5, seed=3)
    assert set(result) == {"embedding", "tfidf", "logistic"}
    assert result["embedding"]["precision@1"] == 1.0 and result["embedding"]["passages"] == 6
    assert evaluate_files(FakeEmbedder(), codes, passages, 0, seed=3)["logistic"] is None
    with pytest.raises(ValueError, match="train-fraction"):
        split(passages, 1.0, 0)
