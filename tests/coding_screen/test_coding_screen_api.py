"""The coding API and pages through Flask's test client: UTF-16 in, code points stored, bad input changes nothing."""
import re

import pytest
from sqlalchemy import func, select

from workbench.models import Coding, Job, Memo
from workbench.web.offsets import code_point_to_utf16


def count(app, model=Coding):
    with app.extensions["workbench.sessions"]() as session:
        return session.scalar(select(func.count(model.id)))


def stored(app, coding_id):
    with app.extensions["workbench.sessions"]() as session:
        c = session.get(Coding, coding_id)
        return c.document.text[c.start:c.end], c.coder.username, c.origin


def api(seeded, path):
    return f"/api/projects/{seeded['project']}{path}"


def test_apply_several_codes_to_a_span_with_emoji(seeded, login, app):
    client = login("cody")
    text = seeded["text"]
    start, end = text.index("stretched"), text.index("every") + 5  # "stretched 🙂 every"
    response = client.post(api(seeded, f"/documents/{seeded['document']}/codings"), json={
        "start": code_point_to_utf16(text, start), "end": code_point_to_utf16(text, end),
        "code_ids": [seeded["codes"]["Trust"], seeded["codes"]["Time and resources/Workload and capacity"]],
    })
    assert response.status_code == 201, response.json
    created = response.json["codings"]
    assert len(created) == 2
    assert {c["end"] - c["start"] for c in created} == {end - start + 1}  # the emoji is two UTF-16 units
    assert stored(app, created[0]["id"]) == ("stretched 🙂 every", "cody", "manual")
    # A worker embeds the new passage before the coder asks for suggestions (one job, coalesced).
    with app.extensions["workbench.sessions"]() as session:
        queued = session.scalars(select(Job.kind).where(Job.status == "queued")).all()
    assert queued.count("embed-coded-passages") == 1


@pytest.mark.parametrize("payload, message", [
    ({"start": 0, "end": 5, "code_ids": []}, "at least one code"),
    ({"start": 5, "end": 2, "code_ids": [1]}, "empty or reversed"),
    ({"start": "a", "end": 2, "code_ids": [1]}, "whole numbers"),
    ({"start": 0, "end": 10_000, "code_ids": [1]}, "past the end"),
    ({"start": 0, "end": 5, "code_ids": ["Trust"]}, "whole numbers"),
])
def test_bad_requests_say_why_and_store_nothing(seeded, login, app, payload, message):
    client = login("cody")
    payload = {**payload, "code_ids": [seeded["trust"] if c == 1 else c for c in payload["code_ids"]]}
    before = count(app)
    response = client.post(api(seeded, f"/documents/{seeded['document']}/codings"), json=payload)
    assert response.status_code == 400 and message in response.json["error"]
    assert count(app) == before


def test_an_offset_inside_an_emoji_and_a_foreign_code_are_refused(seeded, login, app):
    client = login("cody")
    text, before = seeded["text"], count(app)
    inside = code_point_to_utf16(text, text.index("🙂")) + 1
    url = api(seeded, f"/documents/{seeded['document']}/codings")
    assert "inside a character" in client.post(url, json={"start": 0, "end": inside, "code_ids": [seeded["trust"]]}).json["error"]
    # one good code and one from another project: all or nothing
    response = client.post(url, json={"start": 0, "end": 4, "code_ids": [seeded["trust"], seeded["other_code"]]})
    assert response.status_code == 404 and count(app) == before


def test_viewers_and_outsiders_cannot_code(seeded, login, app):
    url = api(seeded, f"/documents/{seeded['document']}/codings")
    payload = {"start": 0, "end": 4, "code_ids": [seeded["trust"]]}
    assert login("vic").post(url, json=payload).status_code == 403
    assert login("nadia").post(url, json=payload).status_code == 404
    assert login("nadia").get(url).status_code == 404
    assert count(app) == 2


def test_a_coder_removes_their_own_codings_only_the_owner_anyones(seeded, login, app):
    client = login("cody")
    assert client.delete(api(seeded, f"/codings/{seeded['owner_coding']}")).status_code == 403
    assert client.delete(api(seeded, f"/codings/{seeded['coder_coding']}")).status_code == 200
    assert count(app) == 1
    assert login("olivia").delete(api(seeded, f"/codings/{seeded['owner_coding']}")).json == {"removed": seeded["owner_coding"], "memos_kept": 0, "message": "Coding removed."}
    assert count(app) == 0
    assert login("olivia").delete(api(seeded, "/codings/999999")).status_code == 404


def test_list_and_detail_of_codings(seeded, login):
    client = login("vic")
    listed = client.get(api(seeded, f"/documents/{seeded['document']}/codings")).json["codings"]
    text = seeded["text"]
    assert listed == [{"id": seeded["owner_coding"], "start": code_point_to_utf16(text, text.index("I trusted")),
                       "end": code_point_to_utf16(text, text.index("I trusted")) + 14, "code_id": seeded["trust"],
                       "coder": "olivia", "origin": "manual", "memos": 0, "lane": 0}]
    assert client.get(api(seeded, f"/documents/{seeded['document']}/codings?coder=cody")).json["codings"] == []
    detail = client.get(api(seeded, f"/codings/{seeded['owner_coding']}")).json
    assert (detail["code"], detail["coder"], detail["text"]) == ("Trust/Between sectors", "olivia", "I trusted them")


def test_memos_on_codings_documents_and_codes(seeded, login, app):
    client = login("cody")
    made = client.post(api(seeded, "/memos"), json={"coding_id": seeded["owner_coding"], "text": "  Early trust, note the PCN event. "})
    assert made.status_code == 201 and made.json["text"] == "Early trust, note the PCN event."
    client.post(api(seeded, "/memos"), json={"document_id": seeded["document"], "text": "Good rapport."})
    client.post(api(seeded, "/memos"), json={"code_id": seeded["trust"], "text": "Split by sector?"})
    assert [m["text"] for m in client.get(api(seeded, f"/memos?coding_id={seeded['owner_coding']}")).json["memos"]] == ["Early trust, note the PCN event."]
    assert client.get(api(seeded, f"/codings/{seeded['owner_coding']}")).json["memos"][0]["author"] == "cody"
    for bad, status in (({"text": "x"}, 400), ({"coding_id": 1, "document_id": 1, "text": "x"}, 400),
                        ({"document_id": seeded["document"], "text": "   "}, 400), ({"coding_id": 999999, "text": "x"}, 404)):
        assert client.post(api(seeded, "/memos"), json=bad).status_code == status
    assert count(app, Memo) == 3
    memo_id = made.json["id"]
    assert login("olivia").put(api(seeded, f"/memos/{memo_id}"), json={"text": "mine now"}).status_code == 403
    assert login("cody").put(api(seeded, f"/memos/{memo_id}"), json={"text": "Revised."}).json["text"] == "Revised."
    assert login("vic").post(api(seeded, "/memos"), json={"document_id": seeded["document"], "text": "x"}).status_code == 403
    assert login("olivia").delete(api(seeded, f"/memos/{memo_id}")).status_code == 200  # owners may tidy up
    assert count(app, Memo) == 2


def test_document_page_filters_and_offsets(seeded, login):
    client = login("olivia")
    url = f"/projects/{seeded['project']}/documents/{seeded['document']}"
    page = client.get(url).data.decode()
    text = seeded["text"]
    last = text.rindex("Honestly")
    assert f'data-start="{code_point_to_utf16(text, last)}" data-end="{code_point_to_utf16(text, len(text))}"' in page
    assert 'class="tag" data-coding' in page and "Trust/Between sectors" in page
    assert "<mark" not in client.get(url + "?coder=cody").data.decode()
    assert "<mark" not in client.get(url + f"?code={seeded['codes']['Trust']}").data.decode()
    assert "<mark" in client.get(url + f"?code={seeded['trust']}&coder=olivia").data.decode()
    assert '_suggestions.html' not in page and "suggestions.js" in page


def test_code_page_lists_passages_filtered_by_attribute_and_coder(seeded, login):
    client = login("vic")
    url = f"/projects/{seeded['project']}/codes/{seeded['trust']}"
    page = client.get(url).data.decode()
    assert "I trusted them" in page and "We trust the surgery now." in page and "role: link worker" in page
    filtered = client.get(url + "?attr.role=GP").data.decode()
    assert "I trusted them" in filtered and "We trust the surgery" not in filtered
    assert "I trusted them" not in client.get(url + "?coder=cody").data.decode()
    parent = client.get(f"/projects/{seeded['project']}/codes/{seeded['codes']['Trust']}").data.decode()
    assert "I trusted them" not in parent
    assert "I trusted them" in client.get(f"/projects/{seeded['project']}/codes/{seeded['codes']['Trust']}?subcodes=1").data.decode()
    assert client.get(f"/projects/{seeded['project']}/codes/{seeded['other_code']}").status_code == 404


def test_search_shows_hits_in_context(seeded, login):
    client = login("vic")
    page = client.get(f"/projects/{seeded['project']}/search?q=TRUST").data.decode()
    assert re.search(r'We <mark class="hit">trust</mark> the surgery', page)
    assert "2 turns found" in page  # "And trust?" and "We trust the surgery" (P02); whole words: not "trusted"
    assert "I trusted them" not in page
    assert "1 turn found" in client.get(f"/projects/{seeded['project']}/search?q=trust*&speaker=Interviewer").data.decode()
    unreadable = client.get(f"/projects/{seeded['project']}/search?q=NOT+trust").data.decode()
    assert "put a word before it" in unreadable
    assert 'role="search"' in client.get(f"/projects/{seeded['project']}").data.decode()


def test_code_names_cannot_break_out_of_the_page_data(seeded, login, app):
    client = login("olivia")
    made = client.post(f"/api/projects/{seeded['project']}/codes", json={"name": "<script>alert(1)<\\script> & 'x'"})
    assert made.status_code == 201
    page = client.get(f"/projects/{seeded['project']}/documents/{seeded['document']}").data.decode()
    assert "<script>alert" not in page and "\\u003cscript\\u003ealert(1)" in page
