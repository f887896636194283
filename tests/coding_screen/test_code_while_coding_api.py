"""Making a code from the picker (named or in vivo) and pinning codes to number keys, through the test client."""
import pytest
from sqlalchemy import func, select

from workbench.models import AuditEntry, Code, CodeShortcut, Coding, Project
from workbench.services import codebook, projects
from workbench.web.offsets import code_point_to_utf16


def url(seeded, document="document"):
    return f"/api/projects/{seeded['project']}/documents/{seeded[document]}/codings/new-code"


def span16(seeded, words):
    text = seeded["text"]
    start = text.index(words)
    return {"start": code_point_to_utf16(text, start), "end": code_point_to_utf16(text, start + len(words))}


def rows(app, model):
    with app.extensions["workbench.sessions"]() as session:
        return session.scalar(select(func.count()).select_from(model))


def code_path(app, seeded, code_id):
    with app.extensions["workbench.sessions"]() as session:
        return {n.code.id: n.path for n in codebook.codebook(session, seeded["project"])}[code_id]


def test_a_new_top_level_and_child_code_is_made_and_applied_in_one_request(seeded, login, app):
    client = login("olivia")
    made = client.post(url(seeded), json={**span16(seeded, "PCN event"), "name": "  Local   networks "})
    assert made.status_code == 201 and made.json["created"] is True
    assert made.json["code"]["path"] == "Local networks"
    [applied] = made.json["codings"]
    assert (applied["code_id"], applied["coder"]) == (made.json["code"]["id"], "olivia")
    child = client.post(url(seeded), json={**span16(seeded, "I trusted them"), "name": "Loneliness", "parent_id": seeded["codes"]["Trust"]})
    assert child.status_code == 201 and child.json["code"]["path"] == "Trust/Loneliness"
    assert code_path(app, seeded, child.json["code"]["id"]) == "Trust/Loneliness"
    with app.extensions["workbench.sessions"]() as session:
        entries = session.execute(select(AuditEntry.action, AuditEntry.sentence).order_by(AuditEntry.id)).all()[-2:]
    assert entries == [  # audited like any codebook edit, one entry per request
        ("code create", "olivia created code ‘Local networks’ and coded P01_gp (turn 2) with it: “PCN event”"),
        ("code create", "olivia created code ‘Trust/Loneliness’ and coded P01_gp (turn 2) with it: “I trusted them”"),
    ]


def test_a_name_that_exists_at_that_level_uses_that_code(seeded, login, app):
    client = login("olivia")
    before = rows(app, Code)
    again = client.post(url(seeded), json={**span16(seeded, "PCN event"), "name": "between SECTORS", "parent_id": seeded["codes"]["Trust"]})
    assert again.status_code == 200 and again.json["created"] is False
    assert again.json["code"]["id"] == seeded["trust"] and rows(app, Code) == before
    # ...but the same name elsewhere in the tree is another code
    elsewhere = client.post(url(seeded), json={**span16(seeded, "PCN event"), "name": "Between sectors"})
    assert elsewhere.status_code == 201 and elsewhere.json["code"]["path"] == "Between sectors"


def test_in_vivo_codes_the_selected_words(seeded, login, app):
    client = login("olivia")
    text = seeded["text"]
    start, end = text.index("stretched"), len(text)  # "stretched 🙂 every single week."
    made = client.post(url(seeded), json={"start": code_point_to_utf16(text, start), "end": code_point_to_utf16(text, end), "in_vivo": True})
    assert made.status_code == 201 and made.json["code"]["path"] == "stretched 🙂 every single week."
    assert made.json["codings"][0]["end"] - made.json["codings"][0]["start"] == end - start + 1  # UTF-16: the emoji is two units


def test_in_vivo_names_are_cleaned_and_capped():
    assert codebook.in_vivo_name(" “we  just\n\tcope/manage” ") == "we just cope-manage"
    long = ("word " * 60).strip() + " e\u0301" * 30
    name = codebook.in_vivo_name(long)
    assert len(name) <= codebook.MAX_NAME and name.endswith("word…")
    accents = codebook.in_vivo_name("e\u0301" * 150)  # no space to cut at: never between a letter and its accent
    assert len(accents) <= codebook.MAX_NAME and not accents[:-1].endswith("e")


@pytest.mark.parametrize("payload, status, message", [
    ({"name": "x" * 201}, 400, "limited to 200 characters"),
    ({"name": "   "}, 400, "needs a name"),
    ({"name": "a/b"}, 400, "cannot contain"),
    ({"name": "Loneliness", "parent_id": 999999}, 404, "No code with id"),
    ({"name": "Loneliness", "parent_id": "Trust"}, 400, "whole numbers"),
    ({"name": "Loneliness", "start": 5, "end": 5}, 400, "empty or reversed"),
])
def test_bad_new_codes_say_why_and_change_nothing(seeded, login, app, payload, status, message):
    client = login("olivia")
    before = rows(app, Code), rows(app, Coding)
    response = client.post(url(seeded), json={**span16(seeded, "PCN event"), **payload})
    assert response.status_code == status and message in response.json["error"]
    assert (rows(app, Code), rows(app, Coding)) == before


def test_a_parent_from_another_project_is_not_found(seeded, login, app):
    response = login("olivia").post(url(seeded), json={**span16(seeded, "PCN event"), "name": "X", "parent_id": seeded["other_code"]})
    assert response.status_code == 404 and rows(app, Code) == 10


def test_only_owners_make_codes_outsiders_learn_nothing(seeded, login, app):
    payload = {**span16(seeded, "PCN event"), "name": "Loneliness"}
    assert login("cody").post(url(seeded), json=payload).status_code == 403
    assert login("vic").post(url(seeded), json=payload).status_code == 403
    assert login("nadia").post(url(seeded), json=payload).status_code == 404
    assert rows(app, Code) == 10 and rows(app, Coding) == 2


def test_blind_mode_shows_only_the_coders_own_coding(seeded, login, app):
    with app.extensions["workbench.sessions"]() as session:
        projects.set_blind(session, session.get(Project, seeded["project"]), True)
        session.commit()
    client = login("olivia")
    second = "We trust the surgery now."  # cody coded it as Trust/Between sectors
    start = "Interviewer: And trust?\nP02: ".__len__()
    response = client.post(url(seeded, "second"), json={"start": start, "end": start + len(second), "name": "Between sectors",
                                                         "parent_id": seeded["codes"]["Trust"]})
    assert response.status_code == 200 and response.json["created"] is False
    assert [c["coder"] for c in response.json["codings"]] == ["olivia"]
    listed = client.get(f"/api/projects/{seeded['project']}/documents/{seeded['second']}/codings").json["codings"]
    assert [c["coder"] for c in listed] == ["olivia"]


def test_pins_take_the_lowest_free_key_and_keep_it(seeded, login, app):
    client = login("cody")
    base = f"/api/projects/{seeded['project']}/shortcuts"
    codes = seeded["codes"]
    assert client.put(f"{base}/{codes['Time and resources']}").json["pins"] == {"1": codes["Time and resources"]}
    assert client.put(f"{base}/{codes['Trust/Patient trust']}").json["pins"] == {"1": codes["Time and resources"], "2": codes["Trust/Patient trust"]}
    assert client.put(f"{base}/{codes['Trust/Patient trust']}").json["pins"]["2"] == codes["Trust/Patient trust"]  # pinning twice: no change
    assert client.delete(f"{base}/{codes['Time and resources']}").json["pins"] == {"2": codes["Trust/Patient trust"]}
    assert client.put(f"{base}/{codes['Trust']}").json["pins"] == {"1": codes["Trust"], "2": codes["Trust/Patient trust"]}
    # pins are the coder's own: another member's screen is unchanged
    assert login("olivia").put(f"{base}/{codes['Trust']}").json["pins"] == {"1": codes["Trust"]}
    page = login("cody").get(f"/projects/{seeded['project']}/documents/{seeded['document']}").data.decode()
    assert f'"pins": {{"1": {codes["Trust"]}, "2": {codes["Trust/Patient trust"]}}}' in page


def test_ten_pins_are_refused_viewers_cannot_pin(seeded, login, app):
    client = login("olivia")
    base = f"/api/projects/{seeded['project']}/shortcuts"
    with app.extensions["workbench.sessions"]() as session:
        project = session.get(Project, seeded["project"])
        made = [codebook.create_code(session, project, f"Extra {k}").id for k in range(5)]
        session.commit()
    for code_id in [*seeded["codes"].values(), *made][:9]:
        assert client.put(f"{base}/{code_id}").status_code == 200
    refused = client.put(f"{base}/{made[-1]}")
    assert refused.status_code == 400 and "All nine number keys" in refused.json["error"]
    assert login("vic").put(f"{base}/{seeded['trust']}").status_code == 403
    assert login("nadia").put(f"{base}/{seeded['trust']}").status_code == 404
    assert client.put(f"{base}/{seeded['other_code']}").status_code == 404
    assert rows(app, CodeShortcut) == 9


def test_the_title_line_is_a_heading_not_a_speaker_dash(seeded, login, app):
    with app.extensions["workbench.sessions"]() as session:
        from workbench.services import documents
        document, _ = documents.import_document(session, session.get(Project, seeded["project"]), "titled.txt",
                                                "Focus group 3, March\nInterviewer: Hello?\nP01: Hi.".encode())
        session.commit()
        document_id = document.id
    page = login("vic").get(f"/projects/{seeded['project']}/documents/{document_id}").data.decode()
    assert '<h2 class="said" tabindex="0" data-start="0" data-end="20">Focus group 3, March</h2>' in page
    assert "—" not in page and page.count('<span class="speaker">') == 2
    assert page.index('id="skip-to-transcript"') < page.index("<header")
