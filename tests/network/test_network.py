"""The code co-occurrence network on a hand-worked project, on SQLite and PostgreSQL, the page and its SVG.

One transcript of five one-line turns; ana's codings (and ben's, on t3):

    turn  ana     ben
    t0    A B     -
    t1    A B     -
    t2    A C     -
    t3    B       A B
    t4    C D     -

Unit: a coded segment = one turn as coded by one coder (export/cooccurrence.py). Code E is never used.
ana only: n_A = 3, n_B = 3, n_C = 2, n_D = 1; n_AB = 2 -> c = 2/(3+3-2) = 0.5; n_AC = 1 -> 1/(3+2-1) = 0.25;
n_CD = 1 -> 1/(2+1-1) = 0.5; every other pair 0.
Every coder (ben's t3 is one more coded segment with A and B): n_A = 4, n_B = 4, n_AB = 3 -> c = 3/5 = 0.6;
n_AC = 1 -> 1/(4+2-1) = 0.2; CD stays 0.5."""
from __future__ import annotations

from xml.etree import ElementTree

import pytest

from tests.conftest import committed_study, make_blind, signed_in_client
from tests.sample_data import team
from workbench.services import codebook, coding, documents, network, scope
from workbench.services.errors import Invalid

LINES = ["We trust them.", "They trust us.", "Trust takes time.", "We share records.", "Time is money."]
CODINGS = [(0, "ana", "AB"), (1, "ana", "AB"), (2, "ana", "AC"), (3, "ana", "B"), (3, "ben", "AB"), (4, "ana", "CD")]
SVG = "{http://www.w3.org/2000/svg}"


def build(session) -> dict:
    project, users = team(session, "Network study")
    codebook.import_yaml(session, project, "codes:\n" + "".join(f"  - name: {c}\n" for c in "ABCDE"))
    text = "\n".join(f"P01: {line}" for line in LINES)
    doc, _ = documents.import_document(session, project, "P01.txt", text.encode())
    for turn, coder, letters in CODINGS:
        start = text.index(LINES[turn])
        for letter in letters:
            coding.apply_code(session, doc, codebook.find_code(session, project.id, letter), users[coder], start, start + len(LINES[turn]))
    session.flush()
    return {"project": project, "users": users}


def pairs(found):
    return [(e.a, e.b, e.both, round(e.c, 3)) for e in found.edges]


def test_edges_are_exactly_the_pairs_above_the_threshold(session):
    built = build(session)
    project = built["project"]
    scope.apply(session, scope.Scope(project.id).with_coders(scope.resolve_coders(session, project.id, ["ana"])))
    found = network.code_network(session, project, 0.25)
    assert [(n.code, n.segments) for n in found.nodes] == [("A", 3), ("B", 3), ("C", 2), ("D", 1)]  # E: never coded
    assert pairs(found) == [("A", "B", 2, 0.5), ("C", "D", 1, 0.5)]  # A–C is 0.25: not above
    assert pairs(network.code_network(session, project, 0.2)) == [("A", "B", 2, 0.5), ("A", "C", 1, 0.25), ("C", "D", 1, 0.5)]
    assert pairs(network.code_network(session, project, 0.5)) == []
    assert pairs(network.code_network(session, project, 0)) == pairs(network.code_network(session, project, 0.2))


def test_every_coder_counts_by_default(session):
    built = build(session)
    found = network.code_network(session, built["project"], 0.1)
    assert [(n.code, n.segments) for n in found.nodes] == [("A", 4), ("B", 4), ("C", 2), ("D", 1)]
    assert pairs(found) == [("A", "B", 3, 0.6), ("A", "C", 1, 0.2), ("C", "D", 1, 0.5)]
    assert pairs(network.code_network(session, built["project"], 0.2)) == [("A", "B", 3, 0.6), ("C", "D", 1, 0.5)]


def test_the_drawing_and_bad_thresholds(session):
    built = build(session)
    found = network.code_network(session, built["project"], 0.2)
    root = ElementTree.fromstring(network.network_svg(session, built["project"], found))
    assert len(root.findall(f"{SVG}circle")) == 4 and len(root.findall(f"{SVG}line")) == 2
    radii = [float(c.get("r")) for c in root.findall(f"{SVG}circle")]
    assert radii[0] == radii[1] > radii[2] > radii[3]  # A, B (4 segments) > C (2) > D (1)
    assert root.find(f"{SVG}title").text == "Codes co-occurring with c > 0.2 (counting: all coders)"
    for bad in (-0.1, 1, 1.5):
        with pytest.raises(Invalid, match="between 0 and 1"):
            network.code_network(session, built["project"], bad)


@pytest.fixture
def site(app):
    return committed_study(app, build)


def test_the_page_shows_the_pairs_above_the_threshold(app, site):
    olivia, pid = signed_in_client(app, site["users"]["olivia"]), site["project"]
    page = olivia.get(f"/projects/{pid}/network?threshold=0.2&coders=ana").get_data(as_text=True)
    assert "4 codes with codings, 3 pairs with c above 0.2." in page
    assert "<td>A</td><td>B</td><td class=\"num\">2</td><td class=\"num\">0.500</td>" in page
    assert "<td>A</td><td>C</td><td class=\"num\">1</td><td class=\"num\">0.250</td>" in page
    everyone = olivia.get(f"/projects/{pid}/network?threshold=0.2").get_data(as_text=True)
    assert "2 pairs with c above 0.2." in everyone and "<td>A</td><td>C</td>" not in everyone
    drawing = olivia.get(f"/projects/{pid}/network.svg?threshold=0.2")
    assert drawing.mimetype == "image/svg+xml" and len(ElementTree.fromstring(drawing.data).findall(f"{SVG}line")) == 2
    assert "between 0 and 1" in olivia.get(f"/projects/{pid}/network?threshold=2").get_data(as_text=True)
    assert olivia.get(f"/projects/{pid}/network.svg?threshold=x").status_code == 400
    assert f'href="/projects/{pid}/network">Code network</a>' in olivia.get(f"/projects/{pid}").get_data(as_text=True)


def test_outsiders_and_blind_coders(app, site):
    pid = site["project"]
    assert signed_in_client(app, site["users"]["nadia"]).get(f"/projects/{pid}/network").status_code == 404
    make_blind(app, pid)
    ben = signed_in_client(app, site["users"]["ben"])
    assert ben.get(f"/projects/{pid}/network?coders=ana").status_code == 403
    # ben's only coded segment is t3 with A and B: c = 1/(1+1-1) = 1.
    page = ben.get(f"/projects/{pid}/network?threshold=0.5").get_data(as_text=True)
    assert "2 codes with codings, 1 pair with c above 0.5." in page
