"""Provenance of codings that came from the model: stored on accepting a suggestion, shown in the
coding details, carried in the flat coded-segments export and in REFI-QDA."""
from __future__ import annotations

import csv
import io
import re
import zipfile

from workbench.models import CodingProvenance
from workbench.services import exports, provenance, refi, suggestions
from workbench.suggest import FakeEmbedder

SETTINGS = {"neighbours": 3, "half_weight_at": 4.0, "classifier_min": 8, "classifier_share": 0.5,
            "strong_definition": 1.5, "some_definition": 0.5}
QUOTE = "Honestly my caseload is far too big, there is never enough time in the week."


def _span(study):
    start = study["interview"].text.index(QUOTE)
    return start, start + len(QUOTE)


def test_accepting_a_suggestion_keeps_what_the_panel_showed(session, study, fake):
    """The panel offers Workload for the caseload turn; accepting it stores the model, its weights'
    digest, the settings (values as RankingSettings defines them, and their digest), and exactly the
    score and reasons the panel showed for that code."""
    start, end = _span(study)
    shown = suggestions.suggest_for_span(session, fake, study["interview"], study["users"]["ana"], start, end)
    workload = study["code"]("Time and resources/Workload and capacity")
    offered = next(s for s in shown if s["code_id"] == workload.id)
    made = suggestions.accept(session, study["interview"], study["users"]["ana"], workload, start, end, fake)
    row = session.get(CodingProvenance, made.id)
    assert made.origin == "suggestion" and row.source == "suggestion"
    assert row.model == "fake-bow-64"
    assert re.fullmatch(r"[0-9a-f]{64}", row.model_sha256) and row.model_sha256 == FakeEmbedder.weights_sha256
    assert row.settings == SETTINGS and re.fullmatch(r"[0-9a-f]{64}", row.settings_sha256)
    assert round(row.score, 3) == offered["score"]  # kept exactly; the panel shows it to 3 decimals
    assert row.evidence["definition"] == offered["definition"]
    assert row.evidence["neighbours"] == offered["neighbours"]
    # ana coded the caseload passage of P02: it is the neighbouring coding shown as evidence.
    assert [n["document"] for n in row.evidence["neighbours"]] == ["P02_interview"]
    assert row.evidence["classifier_probability"] is None  # one example per code: no classifier


def test_a_plain_coding_has_no_provenance(session, study):
    from workbench.services import coding

    start, end = _span(study)
    made = coding.apply_code(session, study["interview"], study["code"]("Trust"), study["users"]["ana"], start, end)
    assert session.get(CodingProvenance, made.id) is None


def test_accept_through_the_panel_and_see_it_in_the_coding_details(app, fake):
    from tests.conftest import signed_in_client
    from tests.suggest.conftest import build
    from workbench.web.offsets import code_point_to_utf16

    app.extensions["workbench.embedder"] = fake
    with app.extensions["workbench.sessions"]() as session:
        study = build(session)
        session.commit()
        project, document, ana = study["project"].id, study["interview"], study["users"]["ana"].id
        workload = study["code"]("Time and resources/Workload and capacity").id
        start, end = (code_point_to_utf16(document.text, p) for p in _span(study))
        document_id = document.id
    client = signed_in_client(app, ana)
    base = f"/api/projects/{project}/documents/{document_id}/suggestions"
    response = client.post(f"{base}/accept", json={"code_id": workload, "start": start, "end": end})
    assert response.status_code == 201, response.get_json()
    coding_id = response.get_json()["coding"]["id"]
    details = client.get(f"/api/projects/{project}/codings/{coding_id}").get_json()
    assert details["origin"] == "suggestion"
    shown = details["provenance"]
    assert shown["model"] == "fake-bow-64" and shown["model_sha256"] == FakeEmbedder.weights_sha256
    assert shown["settings"] == SETTINGS and shown["source"] == "suggestion"
    assert shown["summary"].startswith("suggested by fake-bow-64 (weights sha256 ")
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", shown["summary"])


def test_flat_export_and_refi_carry_the_provenance(session, study, fake):
    """Two codings on the caseload turn: an accepted suggestion (Workload, by ana) and a manual one
    (Trust, by ben). Only the first has model columns; REFI puts the line in the selection's description."""
    from workbench.services import coding

    start, end = _span(study)
    workload = study["code"]("Time and resources/Workload and capacity")
    made = suggestions.accept(session, study["interview"], study["users"]["ana"], workload, start, end, fake)
    coding.apply_code(session, study["interview"], study["code"]("Trust"), study["users"]["ben"], start, end)
    row = session.get(CodingProvenance, made.id)
    table = list(csv.DictReader(io.StringIO(exports.export(session, study["project"], "coded-segments", "csv").decode("utf-8-sig"))))
    by_coder = {(r["coder"], r["code"]): r for r in table if r["document"] == "P01_interview"}
    accepted, manual = by_coder[("ana", "Workload and capacity")], by_coder[("ben", "Trust")]
    assert accepted["origin"] == "suggestion" and accepted["model"] == "fake-bow-64"
    assert accepted["model_sha256"] == FakeEmbedder.weights_sha256 and accepted["ranking_settings_sha256"] == row.settings_sha256
    assert float(accepted["score"]) == round(row.score, 6)
    assert "definition match" in accepted["evidence"] and "P02_interview" in accepted["evidence"]
    assert [manual[k] for k in ("model", "model_sha256", "ranking_settings_sha256", "score", "evidence")] == [""] * 5

    qdpx = refi.export_qdpx(session, study["project"])  # checked against the REFI schema as it is written
    xml = zipfile.ZipFile(io.BytesIO(qdpx)).read("project.qde").decode()
    descriptions = re.findall(r"<Description>(.*?)</Description>", xml, re.S)
    assert any("‘Time and resources/Workload and capacity’ suggested by fake-bow-64" in d for d in descriptions)
    assert sum("suggested by" in d for d in descriptions) == 1  # ben's manual coding has none
