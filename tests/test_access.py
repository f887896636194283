"""Every registered route × every role: anonymous, non-member, viewer, coder, owner.

A route missing from RULES fails the test, so no new route ships without a decision on who may use
it. Non-members get 404 for every project URL (never a hint the project exists); a role below the
route's rule gets 403; a refused request changes nothing (the audit log does not grow)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.sample_data import SMALL_CODEBOOK
from workbench.app import create_app
from workbench.config import Settings
from workbench.models import AuditEntry, Invitation, Job, Memo
from workbench.services import codebook, coding, document_sets, documents, invitations, projects, queries, saved_queries
from tests.conftest import signed_in_client

# (endpoint, method) -> who may use it: "public", "signed-in", or the least project role.
RULES = {
    ("static", "GET"): "public",
    ("auth.login", "GET"): "public",
    ("health.healthz", "GET"): "public",
    ("auth.login", "POST"): "public",
    ("team.accept", "GET"): "public",
    ("team.accept", "POST"): "public",
    ("auth.logout", "POST"): "signed-in",
    ("auth.account", "GET"): "signed-in",
    ("auth.account", "POST"): "signed-in",
    ("team.claim_link", "POST"): "owner",
    ("team.revoke", "POST"): "owner",
    ("projects.index", "GET"): "signed-in",
    ("projects.create", "POST"): "signed-in",
    ("projects.show", "GET"): "viewer",
    ("projects.upload_documents", "POST"): "coder",
    ("projects.upload_cases", "POST"): "owner",
    ("documents.show", "GET"): "viewer",
    ("codebook.show", "GET"): "viewer",
    ("codebook.export_yaml", "GET"): "viewer",
    ("codebook.import_yaml", "POST"): "owner",
    ("codebook.api_create", "POST"): "owner",
    ("codebook.api_update", "PATCH"): "owner",
    ("codebook.api_merge", "POST"): "owner",
    ("codebook.api_move", "POST"): "owner",
    ("codebook.api_codings", "GET"): "viewer",
    ("codebook.api_delete", "DELETE"): "owner",
    ("codebook.api_split", "POST"): "owner",
    ("undo_api.pending", "GET"): "viewer",
    ("undo_api.replay", "POST"): "coder",  # undo and redo; a codebook step needs an owner (services/undo.py)
    ("coding_api.list_codings", "GET"): "viewer",
    ("coding_api.apply", "POST"): "coder",
    ("coding_api.apply_new", "POST"): "owner",  # it adds a code: a codebook edit
    ("coding_api.shortcut", "PUT"): "coder",
    ("coding_api.shortcut", "DELETE"): "coder",
    ("coding_api.detail", "GET"): "viewer",
    ("coding_api.remove", "DELETE"): "owner",  # the coding belongs to the owner: a coder removes only their own
    ("coding_api.list_memos", "GET"): "viewer",
    ("coding_api.create_memo", "POST"): "coder",
    ("coding_api.update_memo", "PUT"): "owner",  # the memo is the owner's
    ("coding_api.delete_memo", "DELETE"): "owner",
    ("retrieval.code", "GET"): "viewer",
    ("retrieval.download_passages", "GET"): "viewer",
    ("scope.remember", "POST"): "viewer",
    ("retrieval.search", "GET"): "viewer",
    ("retrieval.code_hits", "POST"): "coder",
    ("suggestions.for_span", "GET"): "coder",
    ("suggestions.accept", "POST"): "coder",
    ("suggestions.reject", "POST"): "coder",
    ("suggestions.for_document", "POST"): "coder",
    ("agreement.show", "GET"): "viewer",
    ("agreement.download", "GET"): "viewer",
    ("agreement.heatmap", "GET"): "viewer",
    ("agreement.disagreements", "GET"): "viewer",
    ("agreement.adjudicate", "POST"): "coder",
    ("agreement.edit_definition", "POST"): "owner",
    ("exports.download", "GET"): "viewer",
    ("export_page.show", "GET"): "viewer",
    ("export_page.frequency_by", "GET"): "viewer",
    ("export_page.exemplar", "POST"): "coder",
    ("export_page.import_refi", "POST"): "owner",
    ("team.show", "GET"): "owner",
    ("team.invite", "POST"): "owner",
    ("team.change_role", "POST"): "owner",
    ("team.remove", "POST"): "owner",
    ("team.blind", "POST"): "owner",
    ("team.interviewers", "POST"): "owner",
    ("audit_log.show", "GET"): "owner",
    ("audit_log.download", "GET"): "owner",
    ("jobs.list_jobs", "GET"): "viewer",
    ("jobs.retry", "POST"): "coder",
    ("jobs.output_file", "GET"): "viewer",
    ("export_page.export_later", "POST"): "viewer",
    ("documents.rename", "POST"): "coder",
    # the importer may delete while nobody else coded it; here the owner imported it, so coders are refused
    ("documents.confirm_delete", "GET"): "owner",
    ("documents.delete", "POST"): "owner",
    ("document_sets.create", "POST"): "coder",
    ("document_sets.rename", "POST"): "coder",
    ("document_sets.delete", "POST"): "owner",
    ("document_sets.members", "POST"): "coder",
    ("memos.show", "GET"): "viewer",
    ("saturation.show", "GET"): "viewer",
    ("saturation.download", "GET"): "viewer",
    ("word_frequency.show", "GET"): "viewer",
    ("word_frequency.download", "GET"): "viewer",
    ("word_frequency.download_kwic", "GET"): "viewer",
    ("network.show", "GET"): "viewer",
    ("network.download", "GET"): "viewer",
    ("queries.show", "GET"): "viewer",
    ("queries.download", "GET"): "viewer",
    ("queries.save", "POST"): "coder",
    ("queries.delete", "POST"): "owner",  # the saved query is the owner's: a coder deletes only their own
    ("queries.code_results", "POST"): "coder",
    ("queries.matrix", "GET"): "viewer",
    ("queries.download_matrix", "GET"): "viewer",
    ("ai_coder.show", "GET"): "owner",
    ("ai_coder.run", "POST"): "owner",
    ("ai_coder.accept", "POST"): "coder",
    ("ai_coder.calibrate", "POST"): "owner",
    ("ai_coder.measure_curve", "POST"): "owner",
    ("ai_coder.fine_tune", "POST"): "owner",
    # De-identification: the findings and the pseudonym map are the owners' alone.
    ("deid.show", "GET"): "owner",
    ("deid.find", "POST"): "owner",
    ("deid.decide", "POST"): "owner",
    ("deid.add_term", "POST"): "owner",
    ("deid.set_pseudonym", "POST"): "owner",
    ("deid.set_type", "POST"): "owner",
    ("deid.download_map", "GET"): "owner",
    ("deid.apply", "POST"): "owner",
    ("deid.check", "POST"): "owner",
}
# Path values that differ from the defaults in the `world` fixture.
VALUES = {"agreement.heatmap": {"fmt": "svg"}, "export_page.frequency_by": {"fmt": "csv"}}
# Query strings some routes need to reach their checks (a query to run, matrix rows).
QUERY_STRINGS = {"queries.download": "?q=Trust", "queries.download_matrix": "?row=code:{code_id}&columns=cases"}
RANK = {"viewer": 0, "coder": 1, "owner": 2}
ROLES = ["anonymous", "non-member", "viewer", "coder", "owner"]


def _routes() -> list[tuple[str, str, str]]:
    app = create_app(Settings(database_url="sqlite://", secret_key="routes"))
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


ROUTES = _routes()


def test_every_route_has_a_rule():
    missing = [f"{endpoint} {method} {path}" for endpoint, method, path in ROUTES if (endpoint, method) not in RULES]
    stale = [key for key in RULES if key not in {(e, m) for e, m, _ in ROUTES}]
    assert not missing, "routes without an access rule in tests/test_access.py: " + "; ".join(missing)
    assert not stale, f"rules for routes that no longer exist: {stale}"


@pytest.fixture
def world(app):
    with app.extensions["workbench.sessions"]() as session:
        users = {name: projects.get_or_create_user(session, name) for name in ("olivia", "tom", "vic", "nadia")}
        project = projects.create_project(session, "Access study", users["olivia"])
        projects.add_member(session, project, users["tom"], "coder")
        projects.add_member(session, project, users["vic"], "viewer")
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        document, _ = documents.import_document(session, project, "P01.txt", "Interviewer: Why?\nP01: Because we trust them 🙂.".encode())
        code = codebook.find_code(session, project.id, "Trust")
        made = coding.apply_code(session, document, code, users["olivia"], 18, 25)
        memo = Memo(project_id=project.id, author_id=users["olivia"].id, document_id=document.id, text="owner's note")
        session.add(memo)
        saved = saved_queries.save(session, project, users["olivia"], "Trust", "Trust", queries.Filters())
        wave = document_sets.create_set(session, project, "wave 1")
        document_sets.add_documents(session, wave, [document.id])
        token = invitations.create_invitation(session, project, users["olivia"], "newcomer", "viewer")
        invitation_id = session.scalar(select(Invitation.id))
        job = Job(kind="embed", project_id=project.id, status="failed", error="database is locked", arguments={})
        session.add(job)
        export = Job(kind="export", project_id=project.id, status="done", payload=b"matrix", arguments={},
                     result={"summary": "ready", "filename": "matrix-project.csv"})
        session.add(export)
        session.commit()
        return {
            "users": {role: users[name].id for role, name in (("owner", "olivia"), ("coder", "tom"), ("viewer", "vic"), ("non-member", "nadia"))},
            "values": {
                "project_id": project.id, "document_id": document.id, "code_id": code.id, "coding_id": made.id,
                "memo_id": memo.id, "user_id": users["tom"].id, "kind": "matrix", "fmt": "csv", "attribute": "role",
                "action": "pin", "filename": "workbench.css", "job_id": job.id, "export_id": export.id,
                "token": token, "invitation_id": invitation_id, "set_id": wave.id, "query_id": saved.id,
            },
        }


def _url(path: str, values: dict) -> str:
    import re

    def fill(match):
        name = match.group(2)
        return str(values[name])

    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, path)


def _audit_count(app) -> int:
    with app.extensions["workbench.sessions"]() as session:
        return session.scalar(select(func.count(AuditEntry.id)))


@pytest.mark.parametrize("endpoint, method, path", ROUTES, ids=[f"{m} {p}" for _, m, p in ROUTES])
def test_route_by_role(app, world, endpoint, method, path):
    rule = RULES.get((endpoint, method))
    if rule is None:
        pytest.fail(f"no access rule for {endpoint} {method}")
    url = _url(path, world["values"] | VALUES.get(endpoint, {})) + QUERY_STRINGS.get(endpoint, "").format(**world["values"])
    for role in ROLES:
        client = app.test_client() if role == "anonymous" else signed_in_client(app, world["users"][role])
        before = _audit_count(app)
        kwargs = {"json": {}} if path.startswith("/api/") and method != "GET" else {}
        status = client.open(url, method=method, **kwargs).status_code
        assert status < 500, f"{role}: {method} {url} -> {status}"
        if rule == "public":
            continue
        if role == "anonymous":
            expected = 401 if path.startswith("/api/") else 302
        elif rule == "signed-in":
            expected = None
        elif role == "non-member":
            expected = 404
        elif RANK[role] < RANK[rule]:
            expected = 403
        else:
            expected = None
        if expected is None:
            assert status not in (401, 403, 404), f"{role} may use {method} {url} but got {status}"
        else:
            assert status == expected, f"{role}: {method} {url} -> {status}, expected {expected}"
            assert _audit_count(app) == before, f"refused {method} {url} by {role} changed something"
