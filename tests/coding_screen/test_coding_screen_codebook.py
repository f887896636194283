"""The codebook page's JSON API: create, rename, edit, move and merge; owners only; bad input changes nothing."""
from workbench.services import codebook


def paths(app, project_id):
    with app.extensions["workbench.sessions"]() as session:
        return [n.path for n in codebook.codebook(session, project_id)]


def test_owner_creates_renames_moves_and_merges(seeded, login, app):
    client, base = login("olivia"), f"/api/projects/{seeded['project']}/codes"
    created = client.post(base, json={"name": " Reciprocity ", "parent_id": seeded["codes"]["Trust"], "colour": "#AABBCC"})
    assert created.status_code == 201 and created.json["colour"] == "#aabbcc"
    new = created.json["id"]
    assert "Trust/Reciprocity" in paths(app, seeded["project"])
    edited = client.patch(f"{base}/{new}", json={"name": "Give and take", "definition": "Both sides gain.", "example": "They help us back."})
    assert edited.json["definition"] == "Both sides gain."
    assert client.post(f"{base}/{new}/move", json={"parent_id": None}).status_code == 200
    assert "Give and take" in paths(app, seeded["project"])
    merged = client.post(f"{base}/{seeded['codes']['Trust/Patient trust']}/merge", json={"target_id": seeded["trust"]})
    assert merged.status_code == 200 and "Trust/Patient trust" not in paths(app, seeded["project"])


def test_codebook_edits_are_refused_with_a_reason(seeded, login, app):
    client, base = login("olivia"), f"/api/projects/{seeded['project']}/codes"
    before = paths(app, seeded["project"])
    trust = seeded["codes"]["Trust"]
    cases = [
        (client.post(base, json={"name": "Trust"}), 400, "already a code"),
        (client.post(base, json={"name": "a/b"}), 400, "cannot contain"),
        (client.patch(f"{base}/{trust}", json={"colour": "red"}), 400, "#rrggbb"),
        (client.patch(f"{base}/{trust}", json={"owner": "me"}), 400, "Unknown code field"),
        (client.post(f"{base}/{trust}/move", json={"parent_id": seeded["trust"]}), 400, "under itself"),
        (client.post(f"{base}/{trust}/merge", json={"target_id": trust}), 400, "into itself"),
        (client.post(f"{base}/{trust}/merge", json={}), 400, "merge into"),
        (client.post(f"{base}/{trust}/merge", json={"target_id": seeded["other_code"]}), 404, "No code"),
    ]
    for response, status, message in cases:
        assert response.status_code == status and message in response.json["error"], response.json
    assert paths(app, seeded["project"]) == before
    assert login("cody").post(base, json={"name": "New"}).status_code == 403


def test_codebook_page_shows_editing_tools_to_owners_only(seeded, login):
    url = f"/projects/{seeded['project']}/codebook"
    owner_page = login("olivia").get(url).data.decode()
    assert 'id="new-code"' in owner_page and 'draggable="true"' in owner_page and 'aria-expanded="true"' in owner_page
    coder_page = login("cody").get(url).data.decode()
    assert 'id="new-code"' not in coder_page and 'draggable="true"' not in coder_page and "Passages" in coder_page
