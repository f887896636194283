"""The ranking, its reasons and the fake embedder, without a database."""
import numpy as np
import pytest

from workbench.suggest import FakeEmbedder, ModelUnavailable, Ranker, RankingSettings, SentenceTransformerEmbedder
from workbench.suggest.ranking import description_texts

CODES = {
    "Workload": description_texts("Workload", "Staff stretched by caseload and lack of time.", "",
                                  "My caseload is far too big and there is never enough time."),
    "Funding": description_texts("Funding", "Money, grants and commissioning.", "",
                                 "The grant ran out and the council did not renew the contract."),
    "Trust": description_texts("Trust", "Confidence between people and organisations.", "",
                               "We know the charity will never drop our patients."),
}


def ranker(fake, examples=(), settings=RankingSettings()):
    vectors = fake.encode([text for text, _ in examples]) if examples else None
    return Ranker(list(CODES), [fake.encode(t) for t in CODES.values()], vectors,
                  [codes for _, codes in examples], [{"text": t} for t, _ in examples], settings)


def test_fake_embedder_is_deterministic_normalised_and_counts_its_work():
    a, b = FakeEmbedder(), FakeEmbedder()
    first = a.encode(["The grant ran out", "caseload"])
    assert np.allclose(first, b.encode(["The grant ran out", "caseload"]))
    assert np.allclose(np.linalg.norm(first, axis=1), 1)
    assert (a.calls, a.texts_encoded) == (1, 2)


def test_a_paraphrase_of_a_code_example_ranks_that_code_first(fake):
    found = ranker(fake).suggest(fake.encode(["Honestly my caseload is too big, never enough time"])[0], top_k=3)
    assert [s.code_id for s in found][0] == "Workload"
    # with three codes a z-score cannot reach 1.5, so the best definition is "some" match
    assert found[0].definition_match == "some" and found[0].neighbours == []
    assert found[0].score > found[1].score


def test_reasons_name_the_nearest_coded_passages_best_first(fake):
    examples = [("The council grant ran out again", ["Funding"]), ("No money left in the grant", ["Funding"]),
                ("We trust them", ["Trust"])]
    best = ranker(fake, examples).suggest(fake.encode(["The grant ran out again this year"])[0], top_k=1)[0]
    assert best.code_id == "Funding" and best.examples == 2
    assert [n.info["text"] for n in best.neighbours][0] == "The council grant ran out again"
    assert best.neighbours[0].similarity >= best.neighbours[1].similarity


def test_examples_outweigh_the_definition_as_they_accumulate(fake):
    # By its words the passage fits Workload's description; passages coded Trust say the same thing.
    passage = fake.encode(["the link worker rang back in time, never drop a patient"])[0]
    assert ranker(fake).suggest(passage, top_k=1)[0].code_id == "Workload"
    words = ("today", "quickly", "again", "soon", "always", "twice")
    examples = [(f"link worker rang back {w}", ["Trust"]) for w in words]
    examples += [(f"grant money {w}", ["Funding"]) for w in words] + [(f"staff stretched {w}", ["Workload"]) for w in words]
    assert ranker(fake, examples).suggest(passage, top_k=1)[0].code_id == "Trust"


def test_excluded_codes_and_threshold(fake):
    query = fake.encode(["my caseload is too big"])[0]
    found = ranker(fake).suggest(query, top_k=3, exclude={"Workload"})
    assert "Workload" not in [s.code_id for s in found] and len(found) == 2
    assert [s.code_id for s in ranker(fake).suggest(query, top_k=3, min_score=1.0)] == ["Workload"]


def test_a_classifier_joins_in_once_a_code_has_enough_examples(fake):
    settings = RankingSettings(classifier_min=3)
    examples = [(f"grant money {i}", ["Funding"]) for i in range(3)] + [("caseload", ["Workload"]), ("trust", ["Trust"])]
    r = ranker(fake, examples, settings)
    assert set(r.classifiers) == {list(CODES).index("Funding")}
    best = r.suggest(fake.encode(["grant money"])[0], top_k=1)[0]
    assert best.code_id == "Funding" and 0.5 < best.classifier_probability <= 1


def test_many_passages_at_once_match_one_at_a_time(fake):
    r = ranker(fake, [("grant money", ["Funding"]), ("we trust them", ["Trust", "Funding"])])
    queries = fake.encode(["the grant", "we trust the charity", "no time"])
    together = r.suggest_many(queries, top_k=3)
    assert [[s.code_id for s in row] for row in together] == [[s.code_id for s in r.suggest(q, 3)] for q in queries]


def test_a_missing_model_directory_is_refused_clearly_without_downloading(tmp_path):
    with pytest.raises(ModelUnavailable, match="WORKBENCH_EMBEDDING_MODEL"):
        SentenceTransformerEmbedder(tmp_path / "nowhere")
    with pytest.raises(ModelUnavailable, match="modules.json"):
        SentenceTransformerEmbedder(tmp_path)


def test_the_definition_is_the_normalised_mean_of_the_separately_embedded_description_parts():
    assert description_texts("Trust", " Confidence. ", "", "We know them.") == ["Trust", "Confidence.", "We know them."]
    a, b, c = np.eye(3, dtype=np.float32)
    r = Ranker(["x", "y"], [np.stack([a, b]), c[None]])
    found = r.suggest(a, top_k=2)
    assert found[0].code_id == "x" and found[0].definition_similarity == pytest.approx(1 / np.sqrt(2))
    assert found[1].definition_similarity == pytest.approx(0.0)


def test_description_parts_steady_a_single_example_but_reasons_name_real_passages_only(fake):
    # One Trust passage that happens to share words with the query; Workload's own words match it better.
    examples = [("caseload never enough time link worker", ["Trust"]), ("grant money", ["Funding"])]
    r = ranker(fake, examples)
    query = fake.encode(["my caseload is far too big, never enough time"])[0]
    best = r.suggest(query, top_k=3)
    assert best[0].code_id == "Workload"
    trust = next(s for s in best if s.code_id == "Trust")
    assert [n.info["text"] for n in trust.neighbours] == ["caseload never enough time link worker"]
