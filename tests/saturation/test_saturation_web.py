"""The saturation page, its downloads and `workbench saturation --json`, on the hand-worked study (study.py)."""
from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import openpyxl
import pytest

from tests.conftest import committed_study, make_blind, signed_in_client
from tests.saturation.study import build


@pytest.fixture
def site(app):
    return committed_study(app, build)


def as_(app, site, name):
    return signed_in_client(app, site["users"][name])


def test_the_page_states_the_result_the_runs_and_the_curve(app, site):
    """Counting ana, T = 0.1: saturation at 7 (see test_saturation_service: runs 0.3, 0.1, 0.1)."""
    olivia, pid = as_(app, site, "olivia"), site["project"]
    page = olivia.get(f"/projects/{pid}/saturation?base=4&run=2&threshold=0.1&coders=ana").get_data(as_text=True)
    assert "Saturation was reached at interview 7 (base 4, run 2, ≤ 10% new information)." in page
    assert "Counting: ana" in page and "Left out (no codings counted): P9." in page
    assert page.count('<tr class="saturating">') == 1
    assert "<td>6–7</td>\n    <td>P3, P8</td>" in page
    svg = page[page.index("<svg"):page.index("</svg>") + 6]
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    points = root.find(f"{ns}polyline").get("points").split()
    assert len(points) == 8  # one point per coded interview
    assert root.find(f"{ns}line[@class='saturation']") is not None
    assert 'href="/projects/{}/saturation.csv?'.format(pid) in page
    assert f'href="/projects/{pid}/saturation">Saturation</a>' in olivia.get(f"/projects/{pid}").get_data(as_text=True)


def test_bad_choices_are_messages_on_the_page_and_errors_in_downloads(app, site):
    olivia, pid = as_(app, site, "olivia"), site["project"]
    page = olivia.get(f"/projects/{pid}/saturation?base=20&coders=ana").get_data(as_text=True)
    assert "The base (20 interviews) is larger than the 8 coded interviews" in page
    assert "must be a number" in olivia.get(f"/projects/{pid}/saturation?run=two").get_data(as_text=True)
    response = olivia.get(f"/projects/{pid}/saturation.csv?threshold=2")
    assert response.status_code == 400 and "between 0 and 1" in response.get_data(as_text=True)
    assert olivia.get(f"/projects/{pid}/saturation.pdf").status_code == 404


def test_downloads_carry_the_table_and_the_about_sheet(app, site):
    olivia, pid = as_(app, site, "olivia"), site["project"]
    query = "base=4&run=2&threshold=0.1&coders=ana&order=list&listed=" + "%0A".join(["P7", "P2", "P10", "P1", "P5", "P3", "P8", "P4"])
    table = list(csv.reader(io.StringIO(olivia.get(f"/projects/{pid}/saturation.csv?{query}").data.decode("utf-8-sig"))))
    assert table[0] == ["run", "first interview", "last interview", "documents", "new codes", "new information (%)", "saturation"]
    assert table[1:] == [["1", "5", "6", "P5, P3", "3", "30.0", ""], ["2", "6", "7", "P3, P8", "1", "10.0", "reached"],
                         ["3", "7", "8", "P8, P4", "1", "10.0", ""]]
    response = olivia.get(f"/projects/{pid}/saturation.xlsx?{query}")
    assert "coder ana" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    about = {r[0].value: r[1].value for r in book["About"].iter_rows()}
    assert about["Counting"] == "ana" and about["Interviews"] == "8 coded, in the order listed"
    assert about["Result"] == "Saturation was reached at interview 7 (base 4, run 2, ≤ 10% new information)."
    svg = olivia.get(f"/projects/{pid}/saturation.svg?{query}")
    assert svg.mimetype == "image/svg+xml" and b"Code emergence: Saturation study (counting: ana)" in svg.data


def test_outsiders_and_blind_coders(app, site):
    pid = site["project"]
    assert as_(app, site, "nadia").get(f"/projects/{pid}/saturation").status_code == 404
    make_blind(app, pid)
    ben = as_(app, site, "ben")
    assert ben.get(f"/projects/{pid}/saturation?coders=ana").status_code == 403
    page = ben.get(f"/projects/{pid}/saturation?base=1&run=1&threshold=0.5").get_data(as_text=True)
    assert "2 coded interviews, in the order they were imported" in page  # only I7 and I9 carry ben's codings


def test_the_command_prints_json(cli, app, site, tmp_path):
    """The same worked case as the page: ana, T = 0.1 -> 7; by name at T = 0.05 -> 7 (runs 0.2, 0.0, 0.2)."""
    result = cli(["saturation", "Saturation study", "--base", "4", "--run", "2", "--threshold", "0.1", "--coders", "ana", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["base_codes"] == 10 and data["saturated_at"] == 7
    assert data["runs"] == [{"start": 5, "end": 6, "new_codes": 3, "new_information": 0.3},
                            {"start": 6, "end": 7, "new_codes": 1, "new_information": 0.1},
                            {"start": 7, "end": 8, "new_codes": 1, "new_information": 0.1}]
    assert data["order"] == "imported" and [c["cumulative_codes"] for c in data["curve"]] == [4, 6, 8, 10, 12, 13, 13, 14]
    by_name = json.loads(cli(["saturation", "Saturation study", "--order", "name", "--coders", "ana", "--json"]).stdout)
    assert by_name["saturated_at"] == 7 and by_name["runs"][1]["new_codes"] == 0
    listing = tmp_path / "order.txt"
    listing.write_text("P5\nP3\nP8\nP4\nP7\nP2\nP10\nP1\n")
    from_file = json.loads(cli(["saturation", "Saturation study", "--order", str(listing), "--threshold", "0.25",
                                "--coders", "ana", "--json"]).stdout)
    assert from_file["saturated_at"] == 6 and from_file["order"] == "list"
    plain = cli(["saturation", "Saturation study", "--coders", "ana"])
    assert "Saturation was not reached within 8 interviews" in plain.output and "run 1: interviews 5-6" in plain.output


@pytest.mark.parametrize("args, message", [
    (["--base", "9", "--coders", "ana"], "The base (9 interviews) is larger than the 8 coded interviews"),
    (["--run", "0"], "The run must be at least 1"),
    (["--threshold", "5"], "between 0 and 1"),
    (["--order", "attribute:wave"], "No case attribute called 'wave'"),
    (["--order", "no-such-file.txt"], "no such file"),
])
def test_the_command_explains_bad_input(cli, site, args, message):
    result = cli(["saturation", "Saturation study", *args])
    assert result.exit_code == 1 and message in result.output


def test_an_unknown_document_in_an_order_file(cli, site, tmp_path):
    listing = tmp_path / "order.txt"
    listing.write_text("P1\nP42\n")
    result = cli(["saturation", "Saturation study", "--order", str(listing)])
    assert result.exit_code == 1 and "No document called 'P42'" in result.output
