"""Office files and charts are byte-identical for identical input, even when written seconds apart."""
import time

from workbench.export import charts, codebook_doc, cooccurrence, framework, thematic


def build_all() -> list[bytes]:
    row = thematic.ThemeRow("Trust", "Trust", 0, "Def", 1, 1, 1, [thematic.Passage("a quote", "D", "P1", "GP", "ann", 0)])
    entry = codebook_doc.CodebookEntry("1", "Trust", "Trust", 0, "d", "i", "e", "x", "#ffffff", 1, 1, 1, 1)
    return [
        thematic.to_docx("T", [row], "note"),
        codebook_doc.to_docx("C", [entry]),
        framework.to_xlsx(["role"], ["Trust"], [framework.FrameworkCase("P1", {"role": "GP"}, {"Trust": ["q"]})]),
        cooccurrence.workbook_bytes([("S", ["a"], [[1]])]),
        charts.heatmap(["a", "b"], [[1, 0], [0, 2]], "h", "png"),
        charts.grouped_bars(["a"], {"GP": [1]}, "b", "svg"),
    ]


def test_same_bytes_a_second_later():
    first = build_all()
    time.sleep(1.1)  # zip entry times and "modified" properties have one-second resolution
    assert build_all() == first
