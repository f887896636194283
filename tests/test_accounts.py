"""Issue 11 over HTTP: no account takeover through invitations, stored and revocable invitations,
claim links, sessions that end, the Origin check, bounded ids and no oracles about other teams."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import signed_in_client
from tests.sample_data import SMALL_CODEBOOK
from workbench.models import AuditEntry, Invitation, Project, User, now
from workbench.services import codebook, coding, documents, projects

PASSWORD = "correct horse battery"


@pytest.fixture
def study(app):
    """olivia owns a study coded by the placeholder `hannah` (no password, as a CSV import makes
    her); tom is a real coder; mallory has an account and belongs to nothing."""
    with app.extensions["workbench.sessions"]() as session:
        users = {}
        for name in ("olivia", "tom", "mallory"):
            users[name] = projects.get_or_create_user(session, name)
            projects.set_password(users[name], PASSWORD)
        users["hannah"] = projects.get_or_create_user(session, "hannah")
        project = projects.create_project(session, "Link workers", users["olivia"])
        projects.add_member(session, project, users["tom"], "coder")
        projects.add_member(session, project, users["hannah"], "coder")
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        document, _ = documents.import_document(session, project, "P01.txt", b"Interviewer: Hi\nP01: We trust them.")
        coding.apply_code(session, document, codebook.find_code(session, project.id, "Trust"), users["hannah"], 20, 34)
        session.commit()
        return {"project": project.id, "document": document.id, **{name: user.id for name, user in users.items()}}


def login(client, username, password=PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def signed_in(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def invite(client, project_id, username, role="coder") -> str:
    page = client.post(f"/projects/{project_id}/team/invite", data={"username": username, "role": role}, follow_redirects=True)
    assert page.status_code == 200, page.data
    return re.search(r'value="http://localhost(/invite/[^"]+)"', page.get_data(as_text=True)).group(1)


def user(app, user_id) -> User:
    with app.extensions["workbench.sessions"]() as session:
        return session.get(User, user_id)


# --- 1. Accounts ---------------------------------------------------------------------------------

def test_an_outsider_cannot_take_over_a_placeholder_coder_by_inviting_its_name(app, study):
    mallory = signed_in(app, "mallory")
    created = mallory.post("/projects", data={"name": "Bait"})
    bait = int(created.headers["Location"].rsplit("/", 1)[1])
    link = invite(mallory, bait, "hannah")
    page = mallory.get(link).get_data(as_text=True)
    assert "sign in as hannah" in page.lower() and 'type="password"' not in page
    response = mallory.post(link, data={"password": "mallory owns you", "confirm": "mallory owns you"})
    assert response.status_code == 403
    assert user(app, study["hannah"]).password_hash is None
    assert login(app.test_client(), "hannah", "mallory owns you").status_code == 401
    assert mallory.get(f"/projects/{study['project']}").status_code == 404


def test_an_existing_account_joins_only_after_signing_in_with_its_own_password(app, study):
    owner = signed_in(app, "olivia")
    with app.extensions["workbench.sessions"]() as session:
        other = projects.create_project(session, "Second study", session.get(User, study["olivia"]))
        session.commit()
        other_id = other.id
    link = invite(owner, other_id, "tom", "viewer")
    stranger = app.test_client()
    assert stranger.post(link, data={"password": "whatever123", "confirm": "whatever123"}).status_code == 403
    tom = signed_in(app, "tom")
    assert "Join as tom" in tom.get(link).get_data(as_text=True)
    assert tom.post(link).status_code == 302
    assert tom.get(f"/projects/{other_id}").status_code == 200
    assert tom.post(link).status_code == 400  # single use
    assert login(app.test_client(), "tom").status_code == 302  # his password is unchanged


def test_invitations_are_listed_revocable_and_die_with_their_inviters_ownership(app, study):
    owner = signed_in(app, "olivia")
    first = invite(owner, study["project"], "nadia")
    page = owner.get(f"/projects/{study['project']}/team").get_data(as_text=True)
    assert "Pending invitations" in page and "nadia" in page and "UTC" in page
    with app.extensions["workbench.sessions"]() as session:
        invitation = session.scalars(select(Invitation).where(Invitation.username == "nadia")).one()
        assert invitation.created_by_id == study["olivia"] and invitation.expires_at
        invitation_id = invitation.id
    assert owner.post(f"/projects/{study['project']}/team/invitations/{invitation_id}/revoke").status_code == 302
    assert "nadia" not in owner.get(f"/projects/{study['project']}/team").get_data(as_text=True).split("Pending invitations")[1].split("Invite a researcher")[0]
    assert app.test_client().get(first).status_code == 400

    # An invitation made by tom while he was owner dies when he stops being one.
    assert owner.post(f"/projects/{study['project']}/team/{study['tom']}/role", data={"role": "owner"}).status_code == 302
    tom_link = invite(signed_in(app, "tom"), study["project"], "zoe")
    assert app.test_client().get(tom_link).status_code == 200
    assert owner.post(f"/projects/{study['project']}/team/{study['tom']}/role", data={"role": "coder"}).status_code == 302
    refused = app.test_client().post(tom_link, data={"password": "zoe's secret", "confirm": "zoe's secret"})
    assert refused.status_code == 400 and b"not valid any more" in refused.data

    expiring = invite(owner, study["project"], "yusuf")
    with app.extensions["workbench.sessions"]() as session:
        session.scalars(select(Invitation).where(Invitation.username == "yusuf")).one().expires_at = now() - timedelta(seconds=1)
        session.commit()
    assert app.test_client().get(expiring).status_code == 400


def test_an_owner_turns_a_placeholder_into_an_account_with_a_claim_link(app, study):
    owner = signed_in(app, "olivia")
    team_page = owner.get(f"/projects/{study['project']}/team").get_data(as_text=True)
    assert "Create claim link" in team_page
    page = owner.post(f"/projects/{study['project']}/team/{study['hannah']}/claim", follow_redirects=True)
    link = re.search(r'value="http://localhost(/invite/[^"]+)"', page.get_data(as_text=True)).group(1)
    hannah = app.test_client()
    assert "Claim the account hannah" in hannah.get(link).get_data(as_text=True)
    assert hannah.post(link, data={"password": "hannah's own", "confirm": "hannah's own"}).status_code == 302
    assert hannah.get(f"/projects/{study['project']}").status_code == 200
    assert login(app.test_client(), "hannah", "hannah's own").status_code == 302
    assert hannah.post(link, data={"password": "again again", "confirm": "again again"}).status_code == 400
    with app.extensions["workbench.sessions"]() as session:
        actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.project_id == study["project"])))
    assert {"claim link create", "claim link use"} <= actions


def test_a_placeholder_coding_in_another_teams_project_cannot_be_claimed(app, study):
    with app.extensions["workbench.sessions"]() as session:
        elsewhere = projects.create_project(session, "Elsewhere", session.get(User, study["mallory"]))
        projects.add_member(session, elsewhere, session.get(User, study["hannah"]), "coder")
        session.commit()
    owner = signed_in(app, "olivia")
    assert "Create claim link" not in owner.get(f"/projects/{study['project']}/team").get_data(as_text=True)
    refused = owner.post(f"/projects/{study['project']}/team/{study['hannah']}/claim")
    assert refused.status_code == 400 and b"cannot be claimed" in refused.data


# --- 3. Sessions ---------------------------------------------------------------------------------

def test_a_cookie_copied_before_sign_out_no_longer_opens_anything(app, study):
    browser = signed_in(app, "olivia")
    copied = app.test_client()
    copied.set_cookie("session", browser.get_cookie("session").value)
    assert copied.get(f"/projects/{study['project']}").status_code == 200
    assert browser.post("/logout").status_code == 302
    assert copied.get(f"/projects/{study['project']}").status_code == 302  # back to sign-in
    assert copied.get(f"/api/projects/{study['project']}/memos").status_code == 401


def test_a_password_change_ends_every_other_session_and_keeps_this_one(app, study):
    laptop, phone = signed_in(app, "tom"), signed_in(app, "tom")
    wrong = laptop.post("/account", data={"current_password": "nope", "new_password": "brand new secret", "confirm": "brand new secret"})
    assert wrong.status_code == 400
    changed = laptop.post("/account", data={"current_password": PASSWORD, "new_password": "brand new secret", "confirm": "brand new secret"})
    assert changed.status_code == 302
    assert laptop.get(f"/projects/{study['project']}").status_code == 200
    assert phone.get(f"/projects/{study['project']}").status_code == 302
    assert login(app.test_client(), "tom", "brand new secret").status_code == 302


def test_removal_from_the_last_project_ends_the_members_sessions(app, study):
    tom = signed_in(app, "tom")
    owner = signed_in(app, "olivia")
    assert owner.post(f"/projects/{study['project']}/team/{study['tom']}/remove").status_code == 302
    assert tom.get("/").status_code == 302


@pytest.mark.parametrize("key, age", [("seen", 121 * 60), ("since", 13 * 3600)])
def test_idle_and_old_sessions_end(app, study, key, age):
    client = signed_in_client(app, study["olivia"])
    assert client.get("/").status_code == 200
    with client.session_transaction() as flask_session:
        flask_session[key] = time.time() - age
    assert client.get("/").status_code == 302


def test_sign_in_starts_a_new_session_and_the_csrf_token_outlives_an_hour(app, study):
    import itsdangerous

    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    with client.session_transaction() as flask_session:
        flask_session["planted"] = "by an attacker"
    assert client.post("/login", data={"username": "olivia", "password": PASSWORD, "csrf_token": token}).status_code == 302
    with client.session_transaction() as flask_session:
        assert "planted" not in flask_session
    # A token handed out three hours ago (an open coding screen) still works while the session lives.
    client.get(f"/projects/{study['project']}")
    with client.session_transaction() as flask_session:
        raw = flask_session["csrf_token"]

    class ThreeHoursAgo(itsdangerous.TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 3 * 3600

    old_token = itsdangerous.URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token", signer=ThreeHoursAgo).dumps(raw)
    response = client.post(f"/api/projects/{study['project']}/memos", json={"text": "still works", "document_id": study["document"]}, headers={"X-CSRFToken": old_token})
    assert response.status_code in (200, 201), response.get_json()


def test_writes_from_a_foreign_origin_are_refused(app, study):
    client = signed_in(app, "olivia")
    before = _audit_count(app)
    foreign = client.post(f"/api/projects/{study['project']}/memos", json={"text": "csrf", "document_id": study["document"]}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and "another site" in foreign.get_json()["error"]
    by_referer = client.post("/projects", data={"name": "x"}, headers={"Referer": "https://evil.example/page"})
    assert by_referer.status_code == 403
    assert _audit_count(app) == before
    own = client.post(f"/api/projects/{study['project']}/memos", json={"text": "fine", "document_id": study["document"]}, headers={"Origin": "http://localhost"})
    assert own.status_code in (200, 201)


def _audit_count(app) -> int:
    with app.extensions["workbench.sessions"]() as session:
        return session.scalar(select(func.count(AuditEntry.id)))


# --- 4. Sign-in limiting ---------------------------------------------------------------------------

def test_the_delay_grows_and_the_real_user_elsewhere_still_gets_in(app, study):
    attacker = app.test_client()
    for _ in range(3):
        assert login(attacker, "olivia", "guess", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 401
    first = login(attacker, "olivia", "guess", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert first.status_code == 429 and int(first.headers["Retry-After"]) <= 30
    # The real researcher, from her own address, is not locked out by someone else's guesses.
    assert login(app.test_client(), "olivia", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 302
    # After the first window, three more failures bring a longer wait (minutes, not seconds).
    limiter = app.extensions["workbench.sign_in_limiter"]
    from workbench.web.sign_in_limits import TIERS

    limiter.clear(TIERS["pair"][0], "sign-in", "olivia", "203.0.113.9")
    for _ in range(3):
        assert login(attacker, "olivia", "guess", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 401
    second = login(attacker, "olivia", "guess", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert second.status_code == 429 and 30 < int(second.headers["Retry-After"]) <= 300


def test_unknown_and_known_users_cost_the_same_password_hash(app, study, monkeypatch):
    from workbench.services import projects as service

    calls = []
    real = service.check_password_hash
    monkeypatch.setattr(service, "check_password_hash", lambda h, p: calls.append(h[:6]) or real(h, p))
    for name in ("olivia", "nobody-at-all", "hannah"):  # known, unknown, placeholder without password
        assert login(app.test_client(), name, "wrong password").status_code == 401
    assert calls == ["scrypt"] * 3


def test_forwarded_addresses_count_only_behind_a_configured_proxy(database_url, engine, tmp_path):
    from tests.conftest import wipe
    from workbench.app import create_app
    from workbench.config import Settings

    for proxies, separate in ((0, False), (1, True)):
        app = create_app(Settings(database_url=database_url, secret_key="s", instance_path=tmp_path, trusted_proxies=proxies),
                         TESTING=True, WTF_CSRF_ENABLED=False)
        try:
            with app.extensions["workbench.sessions"]() as session:
                projects.set_password(projects.get_or_create_user(session, "olivia"), PASSWORD)
                session.commit()
            client = app.test_client()
            for n in range(3):
                assert login(client, "olivia", "guess", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code == 401
            status = login(client, "olivia", "guess", headers={"X-Forwarded-For": "198.51.100.200"}).status_code
            assert status == (401 if separate else 429)
        finally:
            app.extensions["workbench.engine"].dispose()
            wipe(engine)


# --- 2. The demo account --------------------------------------------------------------------------

def test_the_demo_account_signs_in_only_on_a_loopback_demo_server(app):
    from workbench.services import demo

    with app.extensions["workbench.sessions"]() as session:
        demo.load_demo(session)
        session.commit()
    settings = app.config["WORKBENCH_SETTINGS"]
    assert login(app.test_client(), demo.DEMO_USER, demo.DEMO_PASSWORD).status_code == 401
    settings.demo_sign_in = True
    client = app.test_client()
    assert login(client, demo.DEMO_USER, demo.DEMO_PASSWORD).status_code == 302
    settings.demo_sign_in = False  # the same cookie is worthless on a server that is not the demo
    assert client.get("/").status_code == 302


def test_loopback_detection():
    from workbench.cli.serve import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("::")


# --- 7 (ids) and 9. No oracles ----------------------------------------------------------------------

def test_ids_beyond_what_a_database_holds_are_not_found(app, study):
    client = signed_in(app, "olivia")
    for url in ("/projects/2147483648", "/projects/9223372036854775808", f"/projects/{study['project']}/documents/99999999999999999999999",
                "/api/projects/18446744073709551616/memos"):
        assert client.get(url).status_code == 404, url
    before = _audit_count(app)
    base = f"/api/projects/{study['project']}"
    for method, url, body in [
        ("POST", f"{base}/documents/{study['document']}/codings", {"code_ids": [2**70], "start": 0, "end": 3}),
        ("POST", f"{base}/documents/{study['document']}/codings", {"code_id": 2**40, "start": 0, "end": 3}),
        ("POST", f"{base}/memos", {"text": "x", "document_id": 2**63}),
        ("POST", f"{base}/memos", {"text": "x", "code_id": 2**31}),
        ("GET", f"{base}/memos?document_id={2**64}", None),
        ("GET", f"/projects/{study['project']}/documents/{study['document']}?coder={2**64}", None),
        ("GET", f"{base}/documents/{study['document']}/suggestions?start={2**40}&end={2**40 + 1}", None),
    ]:
        response = client.open(url, method=method, json=body)
        allowed = (400, 404) if method == "POST" else (200, 400, 404)  # a filter may simply match nothing
        assert response.status_code in allowed, (url, body, response.status_code)
    assert _audit_count(app) == before


def test_a_taken_project_name_reveals_nothing_about_other_teams(app, study):
    mallory = signed_in(app, "mallory")
    response = mallory.post("/projects", data={"name": "Link workers"})
    assert response.status_code == 302  # allowed: names are unique per owner, not per server
    again = mallory.post("/projects", data={"name": "link workers"})
    assert again.status_code == 400 and b"You already have a project" in again.data
    with app.extensions["workbench.sessions"]() as session:
        assert session.scalar(select(func.count(Project.id)).where(Project.name == "Link workers")) == 2


def test_member_actions_on_foreign_user_ids_reveal_nothing(app, study):
    owner = signed_in(app, "olivia")
    for target in (study["mallory"], 999999):
        for action in ("role", "remove", "claim"):
            response = owner.post(f"/projects/{study['project']}/team/{target}/{action}", data={"role": "viewer"})
            assert response.status_code == 404 and b"No such member" in response.data
            assert b"mallory" not in response.data
