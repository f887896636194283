"""The figures of the paper's own illustration, as far as they could be found.

Guest, Namey & Chen (2020), PLoS ONE 15(5): e0232076, illustrate the method on a base of four
interviews holding 37 themes (base size 4, run length 2, threshold 5 %). The full text was not in the
stored sources; a stored page quoting passages of it
(https://amdcargoexpressniogo.com/DUX/can-you-use-thematic-analysis-in-quantitative-research, read
2026-12-02) gives: a run whose new themes make "a quotient of 11%, still not below our 5% threshold",
and then "the number of new themes in the latest run (one) divided by the number of themes in the
base set (37)", i.e. 1/37 = 2.7 %, where saturation is reached. Summaries of the paper also give a
first run with 7 new themes (7/37 = 19 %). Which interviews each run covers is NOT in those passages,
so this test builds interviews that give those counts with runs moving one interview at a time (this
product's definition) and checks the quotients the paper reports: 19 %, 11 %, 2.7 %, saturated at the
last interview of the run with one new theme."""
from workbench.services.saturation import assess


def test_the_papers_quotients_37_themes_in_the_base():
    base = [set(range(0, 10)), set(range(10, 20)), set(range(20, 30)), set(range(30, 37))]  # 37 themes
    # First appearances: 3 new in interview 5, 4 in interview 6, none in 7, 1 in 8, none in 9.
    # Runs of two: 5-6 holds 3 + 4 = 7 new; 6-7 holds 4 (new against 1..5); 7-8 holds 1; 8-9 holds 1.
    later = [{37, 38, 39, 1}, {40, 41, 42, 43, 2}, {3, 4}, {44, 5}, {6}]
    result = assess([f"I{n}" for n in range(1, 10)], base + later, base=4, run=2, threshold=0.05)
    assert result.base_codes == 37
    found = [(r.start, r.end, r.new_codes, round(100 * r.new_information, 1)) for r in result.runs]
    assert found == [(5, 6, 7, 18.9), (6, 7, 4, 10.8), (7, 8, 1, 2.7), (8, 9, 1, 2.7)]
    assert [round(100 * r.new_information) for r in result.runs[:2]] == [19, 11]  # the paper's rounded figures
    assert result.saturated_at == 8
