"""The suggestion API through Flask's test client: offsets, permissions, errors, embedding uploads by a job."""
import pytest
from sqlalchemy import func, select

from tests.suggest.conftest import INTERVIEW, build
from workbench.models import Coding, Embedding
from werkzeug.security import generate_password_hash
from workbench.suggest import FakeEmbedder
from workbench.web.offsets import code_point_to_utf16
from workbench.worker.loop import drain
from workbench.worker.runner import Runtime

PASSWORD = "correct horse battery"


@pytest.fixture
def api(app, client):
    fake = FakeEmbedder()
    app.extensions["workbench.embedder"] = fake
    with app.extensions["workbench.sessions"]() as session:
        study = build(session)
        for user in study["users"].values():  # a cheap hash: these are test accounts
            user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        session.commit()
        ids = {"project": study["project"].id, "document": study["interview"].id,
               "funding": study["code"]("Time and resources/Funding").id}
    base = f"/api/projects/{ids['project']}/documents/{ids['document']}/suggestions"
    yield {"client": client, "base": base, "ids": ids, "fake": fake, "app": app}


def sign_in(client, name):
    assert client.post("/login", data={"username": name, "password": PASSWORD}).status_code == 302


def utf16_span(quote):
    start = INTERVIEW.index(quote)
    return code_point_to_utf16(INTERVIEW, start), code_point_to_utf16(INTERVIEW, start + len(quote))


def test_suggestions_for_a_span_given_in_utf16(api):
    sign_in(api["client"], "ana")
    start, end = utf16_span("and the council did not renew the contract.")  # after an emoji: offsets differ
    assert start == INTERVIEW.index("and the council") + 1
    answer = api["client"].get(f"{api['base']}?start={start}&end={end}").get_json()
    assert (answer["start"], answer["end"]) == (start, end)
    assert answer["suggestions"][0]["path"] == "Time and resources/Funding"
    by_turn = api["client"].get(f"{api['base']}?utterance=3").get_json()
    assert by_turn["suggestions"][0]["path"] == "Time and resources/Funding"


def test_accept_returns_a_suggestion_coding_and_reject_hides_the_code(api, app):
    sign_in(api["client"], "ana")
    start, end = utf16_span("The grant ran out 😞 and the council did not renew the contract.")
    body = {"code_id": api["ids"]["funding"], "start": start, "end": end}
    rejected = api["client"].post(f"{api['base']}/reject", json=body)
    assert rejected.status_code == 200 and rejected.get_json()["rejected"]["end"] == end
    listed = api["client"].get(f"{api['base']}?start={start}&end={end}").get_json()["suggestions"]
    assert api["ids"]["funding"] not in [s["code_id"] for s in listed]
    accepted = api["client"].post(f"{api['base']}/accept", json=body)
    coding = accepted.get_json()["coding"]
    assert accepted.status_code == 201 and coding["origin"] == "suggestion" and coding["coder"] == "ana"
    assert (coding["start"], coding["end"]) == (start, end)
    with app.extensions["workbench.sessions"]() as session:
        stored = session.get(Coding, coding["id"])
        assert stored.end - stored.start == len("The grant ran out 😞 and the council did not renew the contract.")


def test_document_suggestions_use_utf16_offsets(api):
    sign_in(api["client"], "ben")
    answer = api["client"].post(f"{api['base']}/document", json={}).get_json()
    last = [t for t in answer["turns"] if t["utterance"] == 3]
    assert last and last[0]["end"] == code_point_to_utf16(INTERVIEW, INTERVIEW.index("contract.") + len("contract."))
    assert last[0]["text"].startswith("The grant ran out 😞")
    # The three "Interviewer:" questions are skipped by default, and offered on request.
    assert answer["skipped"] == 3 and answer["considered"] == 3
    assert all(t["speaker"] == "P01" for t in answer["turns"])
    every = api["client"].post(f"{api['base']}/document?every_turn=1", json={}).get_json()
    assert every["skipped"] == 0 and every["considered"] == 6


@pytest.mark.parametrize("user, status", [("vic", 403), ("nadia", 404)])
def test_viewers_get_403_and_non_members_404(api, user, status):
    sign_in(api["client"], user)
    assert api["client"].get(f"{api['base']}?start=0&end=5").status_code == status
    assert api["client"].post(f"{api['base']}/accept", json={"code_id": 1, "start": 0, "end": 5}).status_code == status
    assert api["client"].post(f"{api['base']}/document", json={}).status_code == status


@pytest.mark.parametrize("body, message", [
    (None, "JSON object"),
    ({"code_id": "x", "start": 0, "end": 5}, "code_id"),
    ({"code_id": 999999, "start": 0, "end": 5}, "Unknown code"),
    ({"code_id": "FUNDING", "start": 5, "end": 2}, "empty or reversed"),
    ({"code_id": "FUNDING", "start": 0, "end": 10**6}, "past the end"),
    ({"code_id": "FUNDING", "start": "a", "end": 3}, "whole-number"),
])
def test_bad_requests_are_clear_400s_and_change_nothing(api, app, body, message):
    sign_in(api["client"], "ana")
    body = dict(body) if body else None  # the parameters are shared by the SQLite and PostgreSQL runs
    if body and body["code_id"] == "FUNDING":
        body["code_id"] = api["ids"]["funding"]
    for verb in ("accept", "reject"):
        response = api["client"].post(f"{api['base']}/{verb}", data="{not json" if body is None else None, json=body,
                                      content_type="application/json")
        assert response.status_code == 400 and message in response.get_json()["error"]
    with app.extensions["workbench.sessions"]() as session:
        assert session.scalar(select(func.count()).select_from(Coding).where(Coding.origin == "suggestion")) == 0


def test_inside_an_emoji_and_unknown_turn_are_400(api):
    sign_in(api["client"], "ana")
    inside = code_point_to_utf16(INTERVIEW, INTERVIEW.index("😞")) + 1
    assert "inside a character" in api["client"].get(f"{api['base']}?start=0&end={inside}").get_json()["error"]
    assert api["client"].get(f"{api['base']}?utterance=99").status_code == 400


def test_an_upload_is_embedded_by_one_job_once(api, app):
    sign_in(api["client"], "ana")
    url = f"/projects/{api['ids']['project']}/documents"
    data = "Interviewer: New question?\nP03: A brand new answer about grants.\n".encode()
    import io

    assert api["client"].post(url, data={"files": (io.BytesIO(data), "P03_new.txt")}).status_code == 302
    assert api["fake"].texts_encoded == 0  # the request only queued the job
    assert drain(Runtime.of_app(app)) == 1
    assert api["fake"].texts_encoded == 2
    with app.extensions["workbench.sessions"]() as session:
        assert session.scalar(select(func.count()).select_from(Embedding)) == 2
    api["client"].post(url, data={"files": (io.BytesIO(data), "P03_new.txt")})  # unchanged: nothing new
    assert drain(Runtime.of_app(app)) == 0
    assert api["fake"].texts_encoded == 2
