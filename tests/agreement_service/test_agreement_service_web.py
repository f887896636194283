"""The agreement page, its downloads and heatmap, and the disagreement review through the test client."""
import io

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.agreement_service.conftest import build
from workbench.models import Adjudication, Code


@pytest.fixture
def seeded(app):
    with app.extensions["workbench.sessions"]() as session:
        study = build(session)
        ids = {"project": study["project"].id, "p01": study["p01"].id, "between": study["between"].id,
               "turn": (study["p01"].utterances[0].start, study["p01"].utterances[0].end)}
        session.commit()
    return ids


def login(client, name):
    assert client.post("/login", data={"username": name, "password": "correct horse battery"}).status_code == 302


def adjudications(app):
    with app.extensions["workbench.sessions"]() as session:
        return session.scalar(select(func.count(Adjudication.id)))


def test_agreement_page_table_heatmap_and_downloads(client, seeded):
    login(client, "vic")
    p = seeded["project"]
    page = client.get(f"/projects/{p}/agreement?coders=hannah&coders=tom&unit=utterance").data.decode()
    assert "Cohen&#39;s kappa" in page and "Trust/Between sectors" not in page and "Between sectors" in page
    assert 'title="only one category observed">—</td>' in page  # Trust itself: undefined, reason on hover
    assert "0.500" in page and "heatmap.png" in page
    assert client.get(f"/projects/{p}/agreement/heatmap.png?coders=hannah&coders=tom").data.startswith(b"\x89PNG")
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/projects/{p}/agreement.xlsx?coders=hannah&coders=tom").data))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("code", "units") and rows[0][5] == "Cohen's kappa"
    between = next(r for r in rows if r[0] == "Trust/Between sectors")
    assert between[5] == pytest.approx(0.5)
    csv_text = client.get(f"/projects/{p}/agreement.csv?unit=character&roll_up=1").data.decode("utf-8-sig")
    assert "unitizing alpha" in csv_text.splitlines()[0]
    assert "at least two coders" in client.get(f"/projects/{p}/agreement?coders=hannah").data.decode()
    assert client.get(f"/projects/{p}/agreement.pdf").status_code == 404


def test_non_members_get_404(client, seeded):
    login(client, "nadia")
    p = seeded["project"]
    for url in (f"/projects/{p}/agreement", f"/projects/{p}/agreement.csv", f"/projects/{p}/agreement/heatmap.svg",
                f"/projects/{p}/disagreements"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/projects/{p}/disagreements", data={}).status_code == 404


def decision(seeded, **extra):
    start, end = seeded["turn"]
    return {"code": seeded["between"], "document": seeded["p01"], "start": start, "end": end, "decision": "coder",
            "chosen_coder": "tom", "rationale": "the question sets up trust", **extra}


def test_review_page_and_adjudication(client, seeded, app):
    login(client, "hannah")
    p = seeded["project"]
    page = client.get(f"/projects/{p}/disagreements?code={seeded['between']}&unit=utterance").data.decode()
    assert "1 unit(s) where the coders differ" in page and "How did the link with the charity start?" in page
    assert "Save definition" not in page  # coders review; the owner edits the codebook
    response = client.post(f"/projects/{p}/disagreements", data=decision(seeded))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).data.decode()
    assert "the question sets up trust" in page and "hannah accepted tom’s coding" in page and "Decided: coder" not in page
    assert "1 of 1 decided" in page and '<details class="unit decided-unit"' in page
    assert "Turn 1 · Interviewer" in page and "characters 0–" not in page.split("<h2>History")[0].split("<details class=\"card definition\">")[0]


def test_the_review_compares_the_coders_counted(client, seeded):
    """One choice of coders, not two: the review compares whom the scope counts. Counting hannah
    alone leaves nobody to disagree with; counting hannah and tom shows their one disagreement."""
    login(client, "hannah")
    base = f"/projects/{seeded['project']}/disagreements?code={seeded['between']}&unit=utterance"
    page = client.get(base).data.decode()
    assert "Coders compared: everyone who coded, except the consensus layer" in page
    assert page.count('name="coders"') == 3  # the scope's checkboxes only: hannah, olivia (the owner), tom
    both = client.get(base + "&coders=hannah&coders=tom").data.decode()
    assert "Coders compared: hannah, tom" in both and "1 unit(s) where the coders differ" in both
    alone = client.get(base + "&coders=hannah")
    assert alone.status_code == 400 and "at least two coders" in alone.data.decode()


def test_viewer_cannot_adjudicate_and_rationale_is_required(client, seeded, app):
    login(client, "vic")
    p = seeded["project"]
    assert client.post(f"/projects/{p}/disagreements", data=decision(seeded)).status_code == 403
    client.post("/logout")
    login(client, "tom")
    response = client.post(f"/projects/{p}/disagreements", data=decision(seeded, rationale=""))
    assert response.status_code == 400 and b"rationale" in response.data
    assert adjudications(app) == 0


def test_owner_edits_the_definition_from_the_review_page(client, seeded, app):
    login(client, "olivia")
    p, code = seeded["project"], seeded["between"]
    assert "Save definition" in client.get(f"/projects/{p}/disagreements?code={code}").data.decode()
    fields = {"definition": "Trust between practices and charities.", "inclusion": "Explicit trust", "exclusion": "", "example": "We trust them."}
    assert client.post(f"/projects/{p}/codes/{code}/definition", data=fields).status_code == 302
    with app.extensions["workbench.sessions"]() as session:
        assert session.get(Code, code).definition == "Trust between practices and charities."
    client.post("/logout")
    login(client, "tom")
    assert client.post(f"/projects/{p}/codes/{code}/definition", data=fields).status_code == 403


def test_the_agreement_table_is_computed_once_per_codings_version(app, client, seeded, monkeypatch):
    """A second load serves the stored table without computing (compute_agreement made to fail shows
    it is not called); a new coding changes the version, and the table is computed again. Hand-worked:
    on P01's four turns hannah has Between sectors on turn 2, tom on turns 1-2: kappa 0.5; once hannah
    codes turn 1 too, both say [1, 1, 0, 0] and kappa is 1."""
    from workbench.services import agreement, coding
    from workbench.models import Document, User

    login(client, "vic")
    page = f"/projects/{seeded['project']}/agreement?coders=hannah&coders=tom&unit=utterance"
    assert "0.500" in client.get(page).data.decode()
    real = agreement.compute_agreement

    def fails(*args, **kwargs):
        raise AssertionError("computed again although no coding changed")

    monkeypatch.setattr(agreement, "compute_agreement", fails)
    assert "0.500" in client.get(page).data.decode()
    with app.extensions["workbench.sessions"]() as session:
        document = session.get(Document, seeded["p01"])
        hannah = session.scalar(select(User).where(User.username == "hannah"))
        start, end = seeded["turn"]
        coding.apply_code(session, document, session.get(Code, seeded["between"]), hannah, start, end)
        session.commit()
    with pytest.raises(AssertionError, match="computed again"):
        client.get(page)
    monkeypatch.setattr(agreement, "compute_agreement", real)
    text = client.get(page).data.decode()
    assert "1.000" in text and "0.500" not in text
