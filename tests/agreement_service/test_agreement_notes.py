"""The agreement table's notes, each condition on hand-worked data: 20 turns, two coders.

Rare:    hannah turn 1, tom turn 2.  18/20 agree = 0.900; prevalence 5% each; pe = .05² + .95² = .905,
         kappa = (.900 - .905) / (1 - .905) = -0.053: the kappa paradox, rare code.
Common:  hannah every turn but 1, tom every turn but 2: the mirror image, 0.900 and -0.053 at 95%.
Never:   hannah turn 1, tom never: 19/20 = 0.950, kappa 0; the reason is that tom never applied it.
Plain:   hannah turns 1-10, tom 1-8 and 11-12: 16/20 = 0.800, pe = .5, kappa 0.600; no note.
Agreed:  both turn 3 only: 1.000, kappa 1; rare but no paradox."""
import pytest
from sqlalchemy import select

from workbench.models import Utterance
from workbench.services import agreement, codebook, coding, documents, projects
from workbench.export import agreement_table

TRANSCRIPT = "\n".join(f"P01: this is what was said in turn {k}." for k in range(1, 21))
PLAN = {
    "Rare": {"hannah": [1], "tom": [2]},
    "Common": {"hannah": list(range(2, 21)), "tom": [1, *range(3, 21)]},
    "Never": {"hannah": [1], "tom": []},
    "Plain": {"hannah": list(range(1, 11)), "tom": [*range(1, 9), 11, 12]},
    "Agreed": {"hannah": [3], "tom": [3]},
}


@pytest.fixture
def report(session):
    owner = projects.get_or_create_user(session, "olivia")
    project = projects.create_project(session, "Notes study", owner)
    coders = {n: projects.get_or_create_user(session, n) for n in ("hannah", "tom")}
    for user in coders.values():
        projects.add_member(session, project, user, "coder")
    document, _ = documents.import_document(session, project, "P01.txt", TRANSCRIPT.encode())
    turns = list(session.scalars(select(Utterance).where(Utterance.document_id == document.id).order_by(Utterance.position)))
    assert len(turns) == 20
    for name, plan in PLAN.items():
        code = codebook.create_code(session, project, name)
        for who, numbers in plan.items():
            for k in numbers:
                coding.apply_code(session, document, code, coders[who], turns[k - 1].start, turns[k - 1].end)
    return agreement.compute_agreement(session, project, coders=["hannah", "tom"])


def test_each_note_only_where_its_condition_holds(report):
    rows = {r.code: r for r in report.rows}
    figures = {name: (round(float(rows[name].percent), 3), round(float(rows[name].kappa), 3)) for name in PLAN}
    assert figures == {"Rare": (0.9, -0.053), "Common": (0.9, -0.053), "Never": (0.95, 0.0), "Plain": (0.8, 0.6), "Agreed": (1.0, 1.0)}
    assert {name: rows[name].note for name in PLAN} == {
        "Rare": agreement.PARADOX_NOTE,
        "Common": agreement.PARADOX_COMMON_NOTE,
        "Never": "tom never applied this code",
        "Plain": "",
        "Agreed": "",
    }
    assert rows["Rare"].prevalence == (0.05, 0.05) and rows["Never"].prevalence == (0.05, 0.0)


def test_the_notes_reach_the_downloaded_table(report):
    head, rows = report.table()
    notes = {row[0]: row[head.index("note")] for row in rows}
    assert notes["Never"] == "tom never applied this code" and notes["Plain"] == ""


def test_the_heatmap_scale_is_fixed_and_labelled_in_every_view():
    from matplotlib import pyplot as plt

    views = {"all positive": [[0.2], [0.9]], "some negative": [[-0.4], [0.9]], "all undefined": [[float("nan")], [float("nan")]]}
    for name, values in views.items():
        figure = agreement_table.heatmap_figure(["A", "B"], ["hannah – tom"], values, "Cohen's kappa")
        image = figure.axes[0].images[0]
        bar = figure.axes[1]
        assert image.get_clim() == (-1.0, 1.0), name
        assert [t.get_text() for t in bar.get_yticklabels()] == ["−1", "−0.5", "0", "0.5", "1"], name
        assert bar.get_ylabel() == "Cohen's kappa (fixed scale −1 to 1)"
        plt.close(figure)
