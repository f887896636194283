"""Undo/redo and the codebook's delete and split over JSON: labels for the buttons, per coder,
owners only for codebook steps, a refusal is a clear 409 that changes nothing."""
from sqlalchemy import func, select

from workbench.models import AuditEntry, Coding
from workbench.services import codebook


def api(seeded, path):
    return f"/api/projects/{seeded['project']}{path}"


def coding_count(app):
    with app.extensions["workbench.sessions"]() as session:
        return session.scalar(select(func.count(Coding.id)))


def test_undo_and_redo_a_coding_over_json_with_labels(seeded, login, app):
    client = login("cody")
    assert client.get(api(seeded, "/undo")).json == {"undo": None, "redo": None}
    before = coding_count(app)
    applied = client.post(api(seeded, f"/documents/{seeded['document']}/codings"), json={"start": 0, "end": 5, "code_ids": [seeded["trust"]]})
    assert applied.status_code == 201 and coding_count(app) == before + 1
    assert client.get(api(seeded, "/undo")).json == {"undo": "Coded ‘Between sectors’", "redo": None}
    assert login("olivia").get(api(seeded, "/undo")).json["undo"] is None  # undo is per coder
    client = login("cody")
    undone = client.post(api(seeded, "/undo"), json={})
    assert undone.status_code == 200 and undone.json["message"] == "Undone: Coded ‘Between sectors’."
    assert undone.json["redo"] == "Coded ‘Between sectors’" and coding_count(app) == before
    assert client.post(api(seeded, "/redo"), json={}).json["undo"] == "Coded ‘Between sectors’"
    assert coding_count(app) == before + 1
    with app.extensions["workbench.sessions"]() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "undo step")).all()
    assert actions == ["undo", "redo"]


def test_several_codes_applied_at_once_are_one_step(seeded, login, app):
    client, before = login("cody"), coding_count(app)
    codes = [seeded["codes"]["Trust"], seeded["codes"]["Time and resources"]]
    client.post(api(seeded, f"/documents/{seeded['document']}/codings"), json={"start": 0, "end": 5, "code_ids": codes})
    assert client.get(api(seeded, "/undo")).json["undo"] == "Coded ‘Trust’ and 1 more"
    client.post(api(seeded, "/undo"), json={})
    assert coding_count(app) == before


def test_a_refused_undo_is_a_409_and_changes_nothing(seeded, login, app):
    olivia = login("olivia")
    base = api(seeded, "/codes")
    olivia.patch(f"{base}/{seeded['trust']}", json={"name": "Across sectors"})
    cody_free = login("cody").post(api(seeded, "/undo"), json={})
    assert cody_free.status_code == 400 and "Nothing to undo" in cody_free.json["error"]
    with app.extensions["workbench.sessions"]() as session:  # a colleague renames it again
        session.info["actor"] = (None, "someone")
        codebook.update_code(session, codebook.get_code(session, seeded["project"], seeded["trust"]), name="Between services")
        session.commit()
    refused = login("olivia").post(api(seeded, "/undo"), json={})
    assert refused.status_code == 409 and "someone changed the code’s name since" in refused.json["error"]
    with app.extensions["workbench.sessions"]() as session:
        assert codebook.get_code(session, seeded["project"], seeded["trust"]).name == "Between services"


def test_removing_a_coding_says_its_memo_stays_on_the_document(seeded, login, app):
    client = login("olivia")
    client.post(api(seeded, "/memos"), json={"coding_id": seeded["owner_coding"], "text": "Why trust?"})
    removed = client.delete(api(seeded, f"/codings/{seeded['owner_coding']}"))
    assert removed.json["message"] == "Coding removed; its memo stays on the document."
    kept = client.get(api(seeded, f"/memos?document_id={seeded['document']}")).json["memos"]
    assert [(m["text"], m["quote"]) for m in kept] == [("Why trust?", "I trusted them")]
    assert client.post(api(seeded, "/undo"), json={}).json["message"] == "Undone: Removed coding ‘Between sectors’."
    assert client.get(api(seeded, f"/memos?document_id={seeded['document']}")).json["memos"] == []


def test_delete_a_code_moving_its_codings_then_undo(seeded, login, app):
    client, base = login("olivia"), api(seeded, "/codes")
    listed = client.get(f"{base}/{seeded['codes']['Trust']}/codings").json["codings"]
    assert sorted(c["document"] for c in listed) == ["P01_gp", "P02_lw"]
    target = seeded["codes"]["Time and resources"]
    assert client.delete(f"{base}/{seeded['codes']['Trust']}", json={}).status_code == 400  # codings: say what happens
    deleted = client.delete(f"{base}/{seeded['codes']['Trust']}", json={"move_to": target})
    assert deleted.status_code == 200 and deleted.json["codings"] == 2
    assert "Trust" not in [n for n in paths(app, seeded)]
    assert client.post(api(seeded, "/undo"), json={}).status_code == 200
    assert "Trust/Between sectors" in paths(app, seeded) and coding_count(app) == 2
    assert login("cody").delete(f"{base}/{target}", json={}).status_code == 403


def test_split_over_json(seeded, login, app):
    client, base = login("olivia"), api(seeded, "/codes")
    split = client.post(f"{base}/{seeded['trust']}/split", json={"coding_ids": [seeded["owner_coding"]], "name": "With charities"})
    assert split.status_code == 201 and "Trust/Between sectors/With charities" in paths(app, seeded)
    assert client.post(f"{base}/{seeded['trust']}/split", json={"coding_ids": "all", "name": "x"}).status_code == 400
    assert client.post(api(seeded, "/undo"), json={}).status_code == 200
    assert "Trust/Between sectors/With charities" not in paths(app, seeded)


def test_codebook_page_counts_documents_and_participants_by_coder(seeded, login, app):
    import re

    client = login("olivia")
    url = f"/projects/{seeded['project']}/codebook"

    def counts(query=""):
        page = client.get(url + query).data.decode()
        row = page[page.index('data-path="Trust/Between sectors"'):]
        return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row[:row.index("</tr>")])]

    page = client.get(url).data.decode()
    assert "Participants" in page and 'id="undo-bar"' in page and "Merge into…" in page and 'id="edit-merge"' not in page
    with app.extensions["workbench.sessions"]() as session:
        from workbench.models import User

        cody = session.scalar(select(User.id).where(User.username == "cody"))
    assert counts() == [2, 2, 2, 2]  # codings, with subcodes, documents, participants (P01 and P02)
    assert counts(f"?coder={cody}") == [1, 1, 1, 1]
    assert counts("?coder=999999") == [2, 2, 2, 2]  # not a coder of the project: everyone's


def paths(app, seeded):
    with app.extensions["workbench.sessions"]() as session:
        return [n.path for n in codebook.codebook(session, seeded["project"])]
