"""The per-code table on a small project, cell by cell, worked out by hand (SQLite and PostgreSQL)."""
import math

import numpy as np
import pytest

from tests.sample_data import SMALL_TRANSCRIPT
from workbench.agreement import Agreement, cohen_kappa, gwet_ac1, krippendorff_alpha, percent_agreement, unitizing_alpha
from workbench.agreement.result import ONE_CATEGORY
from workbench.services import agreement, units
from workbench.services.demo import load_demo
from workbench.services.errors import Invalid, NotFound


def rows_by_code(report):
    return {row.code: row for row in report.rows}


def test_utterance_table_cell_by_cell(session, study):
    report = agreement.compute_agreement(session, study["project"], ["hannah", "tom"], unit="utterance")
    rows = rows_by_code(report)
    assert report.kappa_name == "Cohen's kappa"
    # Between sectors. P01's four turns: hannah 0 1 0 0, tom 1 1 0 0. P02's two turns: hannah 1 0,
    # tom missing (he coded nothing in P02), so only P01's 4 turns are pairable.
    between = rows["Trust/Between sectors"]
    assert between.units == 4
    assert between.prevalence == pytest.approx((2 / 6, 2 / 4))  # hannah 2 of her 6 turns, tom 2 of 4
    assert between.percent == pytest.approx(3 / 4)  # turns 2, 3, 4 agree
    # Cohen: p_o = 3/4, p_e = (1/4)(2/4) + (3/4)(2/4) = 1/2, kappa = (3/4 - 1/2) / (1/2) = 0.5.
    assert between.kappa == pytest.approx(0.5)
    # Alpha: 8 pairable values, three 1s and five 0s; only turn 1 is a 0-1 pair, o_01 = 1:
    # alpha = 1 - (8 - 1) * 1 / (3 * 5) = 8/15.
    assert between.alpha == pytest.approx(8 / 15)
    # AC1: pi_1 = mean over all six rated turns of n1/r = (1/2 + 1 + 0 + 0 + 1 + 0) / 6 = 5/12,
    # p_e = 2 pi_1 (1 - pi_1) = 35/72, AC1 = (3/4 - 35/72) / (1 - 35/72) = 19/37.
    assert between.ac1 == pytest.approx(19 / 37)
    assert between.note == ""
    # Workload: hannah 0 0 0 1 on P01 (0 0 on P02), tom all 0: p_o = 3/4, p_e = (1/4)(0) + (3/4)(1) = 3/4
    # so kappa = 0; alpha = 1 - 7 * 1 / (1 * 7) = 0; pi_1 = (1/2)/6 = 1/12, p_e = 2 (1/12)(11/12) = 11/72,
    # AC1 = (3/4 - 11/72) / (61/72) = 43/61.
    workload = rows["Time and resources/Workload and capacity"]
    assert (workload.percent, workload.kappa, workload.alpha) == pytest.approx((0.75, 0.0, 0.0))
    assert workload.ac1 == pytest.approx(43 / 61)
    # Trust itself was never applied: every value is 0, so chance-corrected figures are undefined.
    trust = rows["Trust"]
    assert trust.percent == 1.0
    for value in (trust.kappa, trust.alpha, trust.ac1):
        assert math.isnan(value) and value.reason == ONE_CATEGORY
    # Pooled: 5 codes × 4 pairable turns; disagreements are Between turn 1 and Workload turn 4.
    assert report.pooled.units == 20 and report.pooled.percent == pytest.approx(18 / 20)


def test_roll_up_marks_a_parent_where_a_child_is(session, study):
    rows = rows_by_code(agreement.compute_agreement(session, study["project"], ["hannah", "tom"], roll_up=True))
    assert rows["Trust"].kappa == pytest.approx(0.5) and rows["Trust"].alpha == pytest.approx(8 / 15)


def test_character_table_cell_by_cell(session, study):
    report = agreement.compute_agreement(session, study["project"], ["hannah", "tom"], unit="character")
    between = rows_by_code(report)["Trust/Between sectors"]
    n = len(SMALL_TRANSCRIPT)  # P01's characters are the pairable units; tom is missing on P02
    # 2 × 2 table on P01: hannah's 14 characters ("I trusted them") lie inside tom's 40 + 58 characters.
    both, tom_only, hannah_only = 14, 98 - 14, 0
    neither = n - both - tom_only - hannah_only
    assert between.units == n
    assert between.percent == pytest.approx((both + neither) / n)
    p_e = (14 / n) * (98 / n) + ((n - 14) / n) * ((n - 98) / n)
    assert between.kappa == pytest.approx(((both + neither) / n - p_e) / (1 - p_e))
    # Alpha: N_1 = 14 + 98 = 112 ones among 2n pairable values, o_01 = 84 disagreeing characters.
    assert between.alpha == pytest.approx(1 - (2 * n - 1) * 84 / (112 * (2 * n - 112)))
    # u-alpha on P01 only (the one document both coded), against the validated unitizing_alpha.
    p01 = study["p01"].text
    spans = {
        "hannah": [(p01.index("I trusted them"), p01.index("I trusted them") + 14)],
        "tom": [(p01.index("How did"), p01.index("How did") + 40), (p01.index("We met"), p01.index("We met") + 58)],
    }
    assert between.unitizing == pytest.approx(unitizing_alpha(spans, n))
    assert report.table()[0][-2] == "unitizing alpha"


def test_every_figure_equals_the_scalar_functions(session, study):
    report = agreement.compute_agreement(session, study["project"], ["hannah", "tom"], unit="sentence")
    data = units.load_units(session, study["project"].id, ["hannah", "tom"], units.choose_documents(session, study["project"].id, None), "sentence")
    row = rows_by_code(report)["Trust/Between sectors"]
    # Rebuild the 0/1/None matrix by hand from the sentence units and compare with the pure functions.
    matrix = []
    for c in range(2):
        values = []
        for u, doc in zip(data.units, data.unit_document):
            if not data.coded[c, doc]:
                values.append(None)
                continue
            values.append(int(any(code == study["between"].id and coder == c and d == doc and s < u.end and e > u.start
                                  for code, coder, d, s, e in data.codings)))
        matrix.append(values)
    assert row.kappa == pytest.approx(cohen_kappa(*matrix)) and row.alpha == pytest.approx(krippendorff_alpha(matrix))
    assert row.percent == pytest.approx(percent_agreement(matrix)) and row.ac1 == pytest.approx(gwet_ac1(matrix))


def test_bad_choices_are_refused(session, study):
    project = study["project"]
    with pytest.raises(Invalid, match="at least two coders"):
        agreement.compute_agreement(session, project, ["hannah"])
    with pytest.raises(Invalid, match="coded nothing"):
        agreement.compute_agreement(session, project, ["hannah", "nobody"])
    with pytest.raises(Invalid, match="Unknown unit"):
        agreement.compute_agreement(session, project, ["hannah", "tom"], unit="paragraph")
    with pytest.raises(NotFound, match="Unknown document"):
        agreement.compute_agreement(session, project, ["hannah", "tom"], documents=["P99"])


def test_three_coders_use_fleiss_and_pairwise_heatmap(session, study):
    from workbench.services import coding, projects

    olivia = projects.get_or_create_user(session, "olivia")
    coding.apply_code(session, study["p01"], study["between"], olivia, 0, 5)
    report = agreement.compute_agreement(session, study["project"], ["hannah", "tom", "olivia"])
    assert report.kappa_name == "Fleiss' kappa" and len(report.pairs) == 3
    assert report.pairwise["kappa"].shape == (len(report.rows), 3)
    assert agreement.agreement_heatmap(report, "alpha", "svg").startswith(b"<?xml")


def test_demo_hannah_and_tom_all_figures_finite_for_codes_both_used(session):
    project, _ = load_demo(session)
    report = agreement.compute_agreement(session, project, ["hannah", "tom"], unit="utterance")
    assert len(report.rows) == 23
    for row in report.rows:
        if min(row.prevalence) > 0:
            assert all(np.isfinite([row.percent, row.kappa, row.alpha, row.ac1])), row
    assert all(np.isfinite([report.pooled.percent, report.pooled.kappa, report.pooled.alpha, report.pooled.ac1]))
    assert isinstance(report.pooled.kappa, Agreement)
