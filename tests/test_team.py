"""Accounts and teams on the web: invitations, roles, blind mode switch, audit page, sign-in limits."""
import re

import pytest

from tests.conftest import signed_in_client
from tests.sample_data import SMALL_CODEBOOK
from workbench.services import codebook, documents, projects

PASSWORD = "correct horse battery"


@pytest.fixture
def team(app):
    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "olivia")
        projects.set_password(owner, PASSWORD)
        coder = projects.get_or_create_user(session, "tom")
        projects.set_password(coder, PASSWORD)
        project = projects.create_project(session, "Team study", owner)
        projects.add_member(session, project, coder, "coder")
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        documents.import_document(session, project, "P01.txt", b"Interviewer: Hi\nP01: Hello")
        session.commit()
        return {"project": project.id, "owner": owner.id, "coder": coder.id}


def login(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def test_invitation_creates_an_account_and_membership(app, team):
    owner = app.test_client()
    login(owner, "olivia")
    response = owner.post(f"/projects/{team['project']}/team/invite", data={"username": "nadia", "role": "viewer"}, follow_redirects=True)
    link = re.search(r'value="(http://localhost/invite/[^"]+)"', response.data.decode()).group(1)
    guest = app.test_client()
    assert b"Join Team study as nadia" in guest.get(link).data
    assert guest.post(link, data={"password": "short", "confirm": "short"}).status_code == 400
    response = guest.post(link, data={"password": "a long enough secret", "confirm": "a long enough secret"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/projects/{team['project']}")
    assert guest.get(f"/projects/{team['project']}").status_code == 200
    assert guest.post(link, data={"password": "another secret!", "confirm": "another secret!"}).status_code == 400  # used once
    assert app.test_client().get(link[:-3] + "xyz").status_code == 400


def test_roles_change_and_the_last_owner_stays(app, team):
    client = app.test_client()
    login(client, "olivia")
    p = team["project"]
    assert client.post(f"/projects/{p}/team/{team['coder']}/role", data={"role": "viewer"}).status_code == 302
    response = client.post(f"/projects/{p}/team/{team['owner']}/role", data={"role": "coder"})
    assert response.status_code == 400 and b"at least one owner" in response.data
    assert client.post(f"/projects/{p}/team/{team['coder']}/remove").status_code == 302
    tom = app.test_client()
    login(tom, "tom")
    assert tom.get(f"/projects/{p}").status_code == 404


def test_only_owners_manage_the_team_and_read_the_audit_log(app, team):
    tom = app.test_client()
    login(tom, "tom")
    p = team["project"]
    assert tom.get(f"/projects/{p}/team").status_code == 403
    assert tom.get(f"/projects/{p}/audit").status_code == 403
    assert tom.post(f"/projects/{p}/blind", data={"blind": "on"}).status_code == 403


def test_blind_switch_and_audit_page(app, team):
    client = app.test_client()
    login(client, "olivia")
    p = team["project"]
    client.post(f"/projects/{p}/blind", data={"blind": "on"})
    client.post(f"/projects/{p}/blind", data={"blind": "off"})
    page = client.get(f"/projects/{p}/audit").data.decode()
    assert "project start blind coding" in page and "project reveal" in page and "olivia" in page
    assert "project reveal" in client.get(f"/projects/{p}/audit.csv?user=olivia").data.decode("utf-8-sig")


def test_failed_sign_ins_are_rate_limited(app, team):
    client = app.test_client()
    for _ in range(3):
        assert login(client, "olivia", "wrong guess").status_code == 401
    response = login(client, "olivia", PASSWORD)
    assert response.status_code == 429 and b"Too many failed sign-ins" in response.data
    assert 0 < int(response.headers["Retry-After"]) <= 30  # the first step of the delay is short
    assert login(client, "tom").status_code == 302  # another account is not slowed down


def test_session_cookie_flags(app, team):
    client = app.test_client()
    response = login(client, "olivia")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_api_calls_need_the_csrf_header(app, team):
    app.config["WTF_CSRF_ENABLED"] = True
    client = signed_in_client(app, team["owner"])
    url = f"/api/projects/{team['project']}/memos"
    refused = client.post(url, json={"text": "a note", "project": True})
    assert refused.status_code == 400 and "expired or came from elsewhere" in refused.get_json()["error"]
    page = client.get(f"/projects/{team['project']}").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    with app.extensions["workbench.sessions"]() as session:
        document_id = documents.find_document(session, team["project"], "P01").id
    accepted = client.post(url, json={"text": "a note", "document_id": document_id}, headers={"X-CSRFToken": token})
    assert accepted.status_code in (200, 201), accepted.get_json()


def test_cookies_are_secure_when_served_over_https(database_url, engine, tmp_path):
    from tests.conftest import wipe
    from workbench.app import create_app
    from workbench.config import Settings

    app = create_app(Settings(database_url=database_url, secret_key="s", instance_path=tmp_path, secure_cookies=True), TESTING=True)
    try:
        with app.extensions["workbench.sessions"]() as session:
            user = projects.get_or_create_user(session, "olivia")
            projects.set_password(user, PASSWORD)
            session.commit()
        client = app.test_client()
        page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        # Over HTTPS, Flask-WTF also checks that the form came from this site (the Referer header).
        response = client.post("/login", data={"username": "olivia", "password": PASSWORD, "csrf_token": token},
                               base_url="https://localhost", headers={"Referer": "https://localhost/login"})
        assert response.status_code == 302
        assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    finally:
        app.extensions["workbench.engine"].dispose()
        wipe(engine)


def test_owners_name_whose_turns_are_not_coded_and_it_is_audited(app, team):
    p = team["project"]
    coder = app.test_client()
    login(coder, "tom")
    assert coder.post(f"/projects/{p}/interviewers", data={"speakers": "P01"}).status_code == 403
    owner = app.test_client()
    login(owner, "olivia")
    answer = owner.post(f"/projects/{p}/interviewers", data={"speakers": "Interviewer\nModerator"}, follow_redirects=True)
    assert answer.status_code == 200 and "skip turns by Interviewer, Moderator" in answer.data.decode()
    assert ">Interviewer\nModerator</textarea>" in owner.get(f"/projects/{p}/team").data.decode()
    assert "Moderator" in owner.get(f"/projects/{p}/audit").data.decode()
    assert owner.post(f"/projects/{p}/interviewers", data={"speakers": "x" * 101}).status_code == 400
