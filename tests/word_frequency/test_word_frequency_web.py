"""The words page and its downloads on the hand-counted study (study.py)."""
from __future__ import annotations

import csv
import io
from xml.etree import ElementTree

import openpyxl
import pytest

from tests.conftest import committed_study, make_blind, signed_in_client
from tests.word_frequency.study import build


@pytest.fixture
def site(app):
    return committed_study(app, build, lambda built: {"trust": built["trust"].id, "docs": {k: d.id for k, d in built["docs"].items()}})


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_page_lists_the_words_draws_the_bars_and_shows_the_keyword_in_context(app, site):
    """21 words said; trust 5 = 238.10 per 1,000. KWIC of trust: five lines; the third is P02's first
    "Trust", at code points 27-32 of P02_lw ("Interviewer: Trust?\\n" is 20, "P02: " 5, the emoji 1 and a
    space 1): UTF-16 units 28-33, since the emoji is two units there."""
    olivia, pid = signed_in_client(app, site["users"]["olivia"]), site["project"]
    page = olivia.get(f"/projects/{pid}/words?word=trust").get_data(as_text=True)
    assert "21 words said in 3 turns of 2 documents; interviewers&#39; turns left out; English stop words left out." in page
    assert '<td class="num">5</td><td class="num">238.10</td><td class="num">2</td>' in page
    chart = ElementTree.fromstring(page[page.index("<svg"):page.index("</svg>") + 6])
    bars = chart.findall("{http://www.w3.org/2000/svg}rect")
    assert len(bars) == 8 and float(bars[0].get("width")) > float(bars[1].get("width"))
    assert "5 occurrences." in page and page.count('<td class="keyword">') == 5
    assert f'/documents/{site["docs"]["P02_lw"]}#passage-28-33"' in page
    assert f'href="/projects/{pid}/words">Words</a>' in olivia.get(f"/projects/{pid}").get_data(as_text=True)


def test_filters_and_scope_on_the_page(app, site):
    olivia, pid = signed_in_client(app, site["users"]["olivia"]), site["project"]
    p02 = olivia.get(f"/projects/{pid}/words?speaker=P02").get_data(as_text=True)
    assert "5 words said in 1 turn of 1 document" in p02
    coded = olivia.get(f"/projects/{pid}/words?code={site['trust']}&coders=ben").get_data(as_text=True)
    assert "3 words said" in coded and "Counting: ben" in coded
    assert "No stop words for &#39;xx&#39;" in olivia.get(f"/projects/{pid}/words?language=xx").get_data(as_text=True)
    assert "for one word" in olivia.get(f"/projects/{pid}/words?word=two+words").get_data(as_text=True)
    assert olivia.get(f"/projects/{pid}/words?code=abc").status_code == 200  # a message on the page
    assert olivia.get(f"/projects/{pid}/words.csv?code=999999").status_code == 404


def test_downloads(app, site):
    olivia, pid = signed_in_client(app, site["users"]["olivia"]), site["project"]
    table = rows(olivia.get(f"/projects/{pid}/words.csv?top=2").data)
    assert table == [["word", "count", "per 1,000 words", "documents"], ["trust", "5", "238.1", "2"], ["time", "2", "95.24", "1"]]
    response = olivia.get(f"/projects/{pid}/words.xlsx?attribute=role%3DGP")
    about = {r[0].value: r[1].value for r in openpyxl.load_workbook(io.BytesIO(response.data))["About"].iter_rows()}
    assert about["Words"] == "16 words said; interviewers' turns left out; participants with role: GP; English stop words left out"
    kwic = rows(olivia.get(f"/projects/{pid}/words/kwic.csv?word=trust&speaker=P01").data)
    assert kwic == [KWIC_HEADER, ["P01_gp", "2", "P01", "We ", "trust", " the charity. Trust takes time."],
                    ["P01_gp", "2", "P01", "We trust the charity. ", "Trust", " takes time."]]
    book = openpyxl.load_workbook(io.BytesIO(olivia.get(f"/projects/{pid}/words/kwic.xlsx?word=trust").data))
    assert book.sheetnames == ["Keywords in context", "About"] and book["Keywords in context"].max_row == 6
    svg = olivia.get(f"/projects/{pid}/words.svg")
    assert svg.mimetype == "image/svg+xml" and b"Most frequent words: Words study" in svg.data


KWIC_HEADER = ["document", "turn", "speaker", "left context", "keyword", "right context"]


def test_outsiders_and_blind_coders(app, site):
    pid = site["project"]
    assert signed_in_client(app, site["users"]["nadia"]).get(f"/projects/{pid}/words").status_code == 404
    make_blind(app, pid)
    ben = signed_in_client(app, site["users"]["ben"])
    assert ben.get(f"/projects/{pid}/words?coders=ana").status_code == 403
    assert "3 words said" in ben.get(f"/projects/{pid}/words?code={site['trust']}").get_data(as_text=True)
