"""Office files that read well: every XLSX sheet has fitted widths, wrapped long text and a frozen
header; the co-occurrence heatmap stays legible at 60 codes; the by-attribute chart counts participants."""
import csv
import io

import openpyxl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from workbench.export import charts, xlsx_stream
from workbench.services import agreement, exports

# Where each export freezes its panes: the header row, and the row labels of a matrix.
FROZEN = {"matrix": "B2", "coded-segments": "B2", "frequency": "B2", "thematic": "A2", "codebook": "A2",
          "framework": "D2", "cooccurrence": "B2", "frequency-by-attribute": "B2"}


def workbooks(session, project):
    for kind, (_, formats) in exports.KINDS.items():
        if "xlsx" in formats:
            yield kind, openpyxl.load_workbook(io.BytesIO(exports.export(session, project, kind, "xlsx")))
    report = agreement.compute_agreement(session, project, coders=["hannah", "tom"])
    yield "agreement", openpyxl.load_workbook(io.BytesIO(agreement.export_agreement(report, "xlsx")))


def test_every_xlsx_sheet_has_widths_wrap_and_a_frozen_header(session, coded):
    project, _, _ = coded
    seen = set()
    for kind, book in workbooks(session, project):
        seen.add(kind)
        for sheet in (s for s in book.worksheets if s.title != "About"):  # About: label and value rows
            assert sheet.freeze_panes == FROZEN.get(kind, "A2"), (kind, sheet.title)
            for cell in sheet[1]:
                width = sheet.column_dimensions[cell.column_letter].width
                assert xlsx_stream.MIN_WIDTH <= width <= 60, (kind, sheet.title, cell.column_letter, width)
                assert cell.alignment.wrap_text and cell.font.b, (kind, sheet.title, cell.coordinate)
            for row in sheet.iter_rows(min_row=2):
                for cell in row:
                    if isinstance(cell.value, str) and (len(cell.value) > 60 or "\n" in cell.value):
                        assert cell.alignment.wrap_text, (kind, sheet.title, cell.coordinate)
    assert seen >= set(FROZEN) | {"agreement"}


def test_widths_are_fitted_cell_by_cell(session, coded):
    project, _, _ = coded
    report = agreement.compute_agreement(session, project, coders=["hannah", "tom"])
    sheet = openpyxl.load_workbook(io.BytesIO(agreement.export_agreement(report, "xlsx"))).active
    header = [c.value for c in sheet[1]]
    alpha = sheet.cell(row=1, column=header.index("Krippendorff's alpha (nominal)") + 1).column_letter
    # The header the issue found cut off: 30 characters (the most a header counts, it wraps) + 2.
    assert sheet.column_dimensions[alpha].width == 32
    frequency = openpyxl.load_workbook(io.BytesIO(exports.export(session, project, "frequency", "xlsx"))).active
    # "Time and resources/Workload and capacity" is 40 characters; document names and counts are short.
    assert [frequency.column_dimensions[letter].width for letter in "ABCD"] == [42, 10, 10, 10]
    # Rows as tall as their wrapped cells: P01's Trust cell is 3 quotes with blank lines between, 5 lines.
    framework = openpyxl.load_workbook(io.BytesIO(exports.export(session, project, "framework", "xlsx"))).active
    assert framework["D2"].value.count("\n") == 4 and framework.row_dimensions[2].height == 5 * 15
    assert framework.page_setup.orientation == "landscape" and framework.page_setup.fitToWidth == 1


def test_stream_writer_values_styles_and_limits():
    data = xlsx_stream.write(["name", "n", "note"], [["=1+1", 3, "x" * 70], [" padded ", 2.5, None], ["a\nb", float("nan"), ""]],
                             "Sheet: one/two", looks_like_formula=lambda v: v.startswith("="))
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet.title == "Sheet  one two"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["name", "n", "note"], ["=1+1", 3, "x" * 70], [" padded ", 2.5, None], ["a\nb", None, None]]
    assert sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix and not sheet["A3"].quotePrefix
    assert sheet["C2"].alignment.wrap_text and sheet["A4"].alignment.wrap_text and not sheet["A3"].alignment.wrap_text
    assert [sheet.column_dimensions[c].width for c in "ABC"] == [10, 10, 60]  # " padded " is 8 + 2; 70 is capped
    assert sheet.freeze_panes == "A2"
    # Rows as tall as their wrapped text: 70 characters in a 60-wide column, and "a\nb", take 2 lines.
    assert [sheet.row_dimensions[r].height for r in (1, 2, 3, 4)] == [None, 30, None, 30]
    assert xlsx_stream.wrapped_lines("y" * 117) == 3 and xlsx_stream.wrapped_lines("a\n\nb") == 3
    assert data == xlsx_stream.write(["name", "n", "note"], [["=1+1", 3, "x" * 70], [" padded ", 2.5, None], ["a\nb", float("nan"), ""]],
                                     "Sheet: one/two", looks_like_formula=lambda v: v.startswith("="))
    long = xlsx_stream.write(["quote"], [["y" * 40_000]], "Long")
    value = openpyxl.load_workbook(io.BytesIO(long)).active["A2"].value
    assert len(value) == xlsx_stream.EXCEL_CELL_LIMIT and value.endswith(xlsx_stream.CUT_NOTE)
    emoji = openpyxl.load_workbook(io.BytesIO(xlsx_stream.write(["quote"], [["🙂" * 20_000]], "Long"))).active["A2"].value
    # Excel counts UTF-16 units: 20,000 emoji are 40,000; what is kept plus the note is at most 32,767.
    assert emoji.endswith(xlsx_stream.CUT_NOTE) and len(emoji.encode("utf-16-le")) // 2 <= xlsx_stream.EXCEL_CELL_LIMIT
    assert emoji.count("🙂") == (xlsx_stream.EXCEL_CELL_LIMIT - len(xlsx_stream.CUT_NOTE)) // 2


def sixty_codes(dense: bool = False):
    labels = [f"Theme {i // 6}" if i % 6 == 0 else f"Theme {i // 6}/Code {i // 6}.{i % 6}: a long descriptive code name" for i in range(60)]
    if dense:
        return labels, [[(i * 7 + j * 3) % 150 + 1 if i != j else 400 + i for j in range(60)] for i in range(60)]
    # Each code co-occurs with its neighbours: 118 off-diagonal cells, up to 3 digits.
    return labels, [[400 + i if i == j else (i + j) * 3 if abs(i - j) == 1 else 0 for j in range(60)] for i in range(60)]


def boxes(texts, renderer):
    return [t.get_window_extent(renderer) for t in texts if t.get_text()]


def test_heatmap_of_60_codes_is_legible():
    labels, values = sixty_codes()
    figure = charts.heatmap_figure(labels, values, "Co-occurring codings")
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    axes = figure.axes[0]
    # Sized for the codes: 60 cells of 0.2" (14.4 pt), labels at 8 pt, numbers at 0.45 × 14.4 = 6.48 pt.
    assert figure.get_size_inches()[0] >= 60 * 0.2 and figure.get_size_inches()[1] >= 60 * 0.2
    x_labels, y_labels = boxes(axes.get_xticklabels(), renderer), boxes(axes.get_yticklabels(), renderer)
    assert len(x_labels) == len(y_labels) == 60
    for line in (x_labels, y_labels):
        assert not any(a.overlaps(b) for a, b in zip(line, line[1:])), "neighbouring labels overlap"
    assert all(label.get_fontsize() >= 5.5 for label in axes.get_yticklabels())
    assert axes.get_yticklabels()[1].get_text() == "…" + labels[1][-39:]  # long paths cut from the left
    # Every number drawn lies inside its own cell, and 3-digit numbers (the diagonal) fit too.
    cell = axes.transData.transform((1, 0))[0] - axes.transData.transform((0, 0))[0]
    numbers = [t for t in axes.texts]
    # Sparse: every co-occurrence has its number (and the diagonal, each code's own count).
    assert len(numbers) == sum(1 for row in values for v in row if v) == 60 + 2 * 59
    for text in numbers:
        box = text.get_window_extent(renderer)
        centre = axes.transData.transform(text.get_position())
        assert box.width <= cell and abs(box.x0 + box.width / 2 - centre[0]) < cell / 2
    assert figure.axes[1].get_ylabel() == "coded segments with both codes"  # the colour bar


def test_heatmap_leaves_out_numbers_that_do_not_fit():
    cell, _, size = charts.heatmap_geometry(60)
    assert (cell, size) == (0.2, pytest.approx(6.48))
    assert charts.number_fits("400", cell, size) and not charts.number_fits("12345", cell, size)
    assert charts.heatmap_geometry(5) == (0.45, 8.0, 7.0)
    figure = charts.heatmap_figure(["A", "B"], [[12345, 3], [3, 2]], "t")
    assert sorted(t.get_text() for t in figure.axes[0].texts) == ["12345", "2", "3", "3"]  # 0.45" cells hold 5 digits
    labels, values = sixty_codes()
    values[0][1] = values[1][0] = 123456
    figure = charts.heatmap_figure(labels, values, "t")
    assert "123456" not in {t.get_text() for t in figure.axes[0].texts}
    # Dense: 3,540 co-occurrences are more than MOST_NUMBERS; the colour bar says, the diagonal stays.
    labels, values = sixty_codes(dense=True)
    figure = charts.heatmap_figure(labels, values, "t")
    assert sorted(t.get_text() for t in figure.axes[0].texts) == sorted(str(400 + i) for i in range(60))


def test_frequency_by_attribute_counts_participants(session, coded):
    project, _, _ = coded
    from workbench.services import reports

    data = reports.export_frequency_by_attribute(session, project, "csv", "role", count="participants")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    # Hand-worked from tests/exports/coded_project.py: P01 is the GP, P02 the link worker.
    assert table == [["code", "GP", "Link worker", "total"], ["Trust", "1", "0", "1"], ["Trust/Between sectors", "1", "1", "2"],
                     ["Trust/Patient trust", "0", "0", "0"], ["Time and resources", "0", "0", "0"],
                     ["Time and resources/Workload and capacity", "1", "1", "2"]]
    codings = reports.export_frequency_by_attribute(session, project, "png", "role")
    participants = reports.export_frequency_by_attribute(session, project, "png", "role", count="participants")
    assert participants.startswith(b"\x89PNG") and participants != codings
    from workbench.services.errors import Invalid

    with pytest.raises(Invalid, match="codings or participants"):
        reports.export_frequency_by_attribute(session, project, "csv", "role", count="people")
