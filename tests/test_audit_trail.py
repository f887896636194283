"""A complete, readable audit trail: one entry per user action, sentences with names, memo text,
and no row leaves the database without an entry (every deletion path, on both backends)."""
import pytest
from sqlalchemy import select

from workbench.models import (
    Adjudication, AuditEntry, Case, CaseAttribute, Code, Coding, Document, DocumentSet, DocumentSetMember, Exemplar, Memo,
    Project, ProjectMember, SavedQuery, SuggestionRejection,
)
from workbench.services import (
    audit, cases, codebook, coding, consensus, document_sets, documents, memos, project_deletion, projects, queries, reports,
    restructure, saved_queries, undo, visibility,
)

TRANSCRIPT = (
    "Interviewer: How did the link with the charity start?\n"
    "P02: We met them at a PCN event. I trusted them from the start.\n"
    "Interviewer: And the workload?\n"
    "P02: Honestly we are stretched every single week."
)
AUDITED_ROWS = [Project, ProjectMember, Document, DocumentSet, DocumentSetMember, Case, CaseAttribute, Code, Coding,
                Memo, Adjudication, Exemplar, SuggestionRejection, SavedQuery]


def act_as(session, user):
    session.info["actor"] = (user.id, user.username)


@pytest.fixture
def team(session):
    """olivia (owner), ana and ben (coders); codes Access, Barriers, Trust; P02 coded by both coders."""
    olivia, ana, ben = (projects.get_or_create_user(session, n) for n in ("olivia", "ana", "ben"))
    act_as(session, olivia)
    project = projects.create_project(session, "Audit study", olivia)
    projects.add_member(session, project, ana, "coder")
    projects.add_member(session, project, ben, "coder")
    document, _ = documents.import_document(session, project, "P02.txt", TRANSCRIPT.encode())
    cases.import_cases_csv(session, project, b"participant_id,role\nP02,Link worker\n")
    access, barriers, trust = (codebook.create_code(session, project, n) for n in ("Access", "Barriers", "Trust"))
    trusted = TRANSCRIPT.index("I trusted them")
    met = TRANSCRIPT.index("We met them")
    made = {}
    for who in (ana, ben):
        act_as(session, who)
        made[who.username] = [coding.apply_code(session, document, trust, who, trusted, trusted + 14),
                              coding.apply_code(session, document, access, who, met, met + 11)]
    act_as(session, olivia)
    return dict(project=project, document=document, olivia=olivia, ana=ana, ben=ben, access=access, barriers=barriers,
                trust=trust, made=made)


def new_entries(session, project_id, after_id):
    return list(session.scalars(select(AuditEntry).where(AuditEntry.project_id == project_id, AuditEntry.id > after_id)
                                .order_by(AuditEntry.id)))


def last_id(session):
    session.flush()
    return session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


def rows_now(session):
    """Every audited row, as (table, primary key as the log writes it)."""
    found = set()
    for model in AUDITED_ROWS:
        for obj in session.scalars(select(model), execution_options={visibility.ALL_CODERS: True}):
            found.add((model.__tablename__, audit._target_id(obj)))
    return found


def named_in(entries):
    """(target type, target id) of every row the entries speak of, summaries' details included."""
    named = set()
    for e in entries:
        named.add((e.target_type, e.target_id))
        for row in (e.after or {}).get("rows", []):
            named.add((row["target_type"], row["target_id"]))
    return named


TABLE_NAMES = {"project": "project", "project_member": "member", "document": "document", "document_set": "document set",
               "document_set_member": "document set membership", "case": "case", "case_attribute": "case attribute",
               "code": "code", "coding": "coding", "memo": "memo", "adjudication": "consensus decision",
               "exemplar": "exemplar", "suggestion_rejection": "suggestion", "saved_query": "saved query"}


def assert_every_removal_audited(session, before, entries):
    gone = before - rows_now(session)
    assert gone, "the path removed nothing: the test would prove nothing"
    missing = {(TABLE_NAMES[t], i) for t, i in gone} - named_in(entries)
    assert not missing, f"removed without an audit entry: {sorted(missing)}"
    return gone


def test_a_merge_is_one_entry_with_a_sentence_and_the_rows_in_its_details(session, team):
    memos.create_memo(session, team["project"], team["olivia"], "Access means getting through the door.", code_id=team["access"].id)
    mark = last_id(session)
    restructure.merge_codes(session, team["access"], team["barriers"])
    entries = new_entries(session, team["project"].id, mark)
    assert len(entries) == 1
    merge = entries[0]
    assert (merge.actor, merge.action) == ("olivia", "code merge")
    assert merge.sentence == "olivia merged ‘Access’ into ‘Barriers’: 2 codings moved, 1 memo on the code moved along"
    assert merge.after["counts"] == {"coding update": 2, "memo edit": 1, "code delete": 1}
    assert merge.code_id == team["barriers"].id
    assert {(r["action"], r["target_id"]) for r in merge.after["rows"]} >= {
        ("coding update", str(team["made"]["ana"][1].id)), ("coding update", str(team["made"]["ben"][1].id)),
        ("code delete", str(team["access"].id))}


def test_sentences_name_people_codes_documents_and_turns(session, team):
    mark = last_id(session)
    act_as(session, team["ana"])
    start = TRANSCRIPT.index("stretched")
    made = coding.apply_code(session, team["document"], team["barriers"], team["ana"], start, start + 9)
    act_as(session, team["ben"])
    codebook.move_code(session, team["access"], team["barriers"])
    act_as(session, team["olivia"])
    coding.remove_coding(session, made, by=team["olivia"])
    codebook.update_code(session, team["barriers"], name="Obstacles")
    sentences = [e.sentence for e in new_entries(session, team["project"].id, mark)]
    assert sentences == [
        "ana coded ‘Barriers’ on P02 (turn 4): “stretched”",
        "ben moved ‘Access’ under ‘Barriers’",
        "olivia removed ana’s coding ‘Barriers’ on P02 (turn 4): “stretched”",
        "olivia renamed ‘Barriers’ to ‘Obstacles’",
    ]  # written then: the first sentences keep the old name


def test_memo_entries_hold_the_text_before_and_after(session, team):
    mark = last_id(session)
    act_as(session, team["ana"])
    memo = memos.create_memo(session, team["project"], team["ana"], "First thought.", coding_id=team["made"]["ana"][0].id)
    memos.update_memo(session, memo, team["ana"], "Second thought.")
    act_as(session, team["olivia"])
    memos.delete_memo(session, memo, team["olivia"], is_owner=True)
    added, edited, deleted = new_entries(session, team["project"].id, mark)
    assert added.after["text"] == "First thought."
    assert (edited.before, edited.after) == ({"text": "First thought."}, {"text": "Second thought."})
    assert deleted.before["text"] == "Second thought."
    assert added.sentence == "ana wrote a memo on the coding ‘Trust’ on P02 (turn 2): “First thought.”"
    assert edited.sentence == "ana edited memo on the coding ‘Trust’ on P02 (turn 2): “First thought.” → “Second thought.”"
    assert deleted.sentence == "olivia deleted ana’s memo on the coding ‘Trust’ on P02 (turn 2): “Second thought.”"


def test_removing_a_coding_audits_its_memo_and_its_pinned_quote(session, team):
    target = team["made"]["ana"][0]
    act_as(session, team["ana"])
    memos.create_memo(session, team["project"], team["ana"], "Why trust?", coding_id=target.id)
    reports.pin_exemplar(session, team["project"], target.id, team["olivia"])
    before, mark = rows_now(session), last_id(session)
    coding.remove_coding(session, target, by=team["ana"])
    entries = new_entries(session, team["project"].id, mark)
    gone = assert_every_removal_audited(session, before, entries)
    assert {t for t, _ in gone} == {"coding", "exemplar"}
    assert len(entries) == 1 and entries[0].sentence.startswith("ana removed coding ‘Trust’ on P02 (turn 2)")
    kept = session.scalars(select(Memo).where(Memo.text == "Why trust?")).one()
    assert (kept.coding_id, kept.document_id, kept.quote) == (None, team["document"].id, "I trusted them")


@pytest.mark.parametrize("path", ["code force", "code move", "merge", "document", "memo", "set membership", "set",
                                  "project member", "project", "consensus", "undo"])
def test_every_deletion_path_leaves_entries(session, team, path):
    project, olivia, document = team["project"], team["olivia"], team["document"]
    # Things a database cascade would take silently: a memo on a coding, one on a code, a pinned quote,
    # a consensus decision and a rejected suggestion on the code.
    memos.create_memo(session, project, team["ben"], "Ben on his coding.", coding_id=team["made"]["ben"][0].id)
    memos.create_memo(session, project, olivia, "On the code.", code_id=team["trust"].id)
    session.add(Exemplar(code_id=team["trust"].id, coding_id=team["made"]["ana"][0].id, pinned_by=olivia.id))
    session.add(SuggestionRejection(document_id=document.id, code_id=team["trust"].id, coder_id=team["ana"].id, start=0, end=5))
    wave = document_sets.create_set(session, project, "Wave 1")
    document_sets.add_documents(session, wave, [document.id])
    turn = TRANSCRIPT.index("P02: We") + 5, TRANSCRIPT.index("\nInterviewer: And")
    consensus.adjudicate(session, project, olivia, team["trust"].id, document.id, *turn, "coder", "Ana's span is the claim.",
                         "ana", ["ana", "ben"])
    consensus_coding = session.scalars(select(Coding).where(Coding.coder_id == consensus.consensus_coder(session).id)).one()
    memos.create_memo(session, project, olivia, "Consensus note.", coding_id=consensus_coding.id)
    saved_queries.save(session, project, team["ana"], "Trust alone", "Trust", queries.Filters())  # goes with the project
    session.flush()
    before, mark = rows_now(session), last_id(session)
    if path == "code force":
        restructure.delete_code(session, team["trust"], force=True)
    elif path == "code move":
        restructure.delete_code(session, team["trust"], move_to=team["barriers"])
    elif path == "merge":
        restructure.merge_codes(session, team["trust"], team["access"])
    elif path == "document":
        documents.delete_document(session, document, by=olivia)
    elif path == "memo":
        memos.delete_memo(session, session.scalars(select(Memo).where(Memo.text == "On the code.")).one(), olivia)
    elif path == "set membership":
        document_sets.remove_documents(session, wave, [document.id])
    elif path == "set":
        document_sets.delete_set(session, wave)
    elif path == "project member":
        projects.remove_member(session, project, team["ben"])
    elif path == "project":
        project_deletion.delete_project(session, project, by=olivia)
    elif path == "consensus":  # a second decision rewrites the consensus layer; the memo on it must survive, audited
        consensus.adjudicate(session, project, olivia, team["trust"].id, document.id, *turn, "neither", "Not trust after all.",
                             None, ["ana", "ben"])
        assert session.scalars(select(Memo).where(Memo.text == "Consensus note.")).one().coding_id is None
    else:
        act_as(session, team["ben"])
        undo.undo(session, project, team["ben"])  # ben's newest action: his memo
    entries = new_entries(session, project.id, mark)
    assert_every_removal_audited(session, before, entries)
    assert len(entries) == 1, [e.sentence for e in entries]  # one user action, one entry
    assert entries[0].sentence and "#" not in entries[0].sentence
    if path == "project":  # the inner document deletions' context does not stay on the project's entry
        assert (entries[0].action, entries[0].target_type, entries[0].document_id, entries[0].code_id) == ("project delete", "project", None, None)


def test_the_one_entry_of_each_action_reads_as_a_sentence(session, team):
    project, olivia = team["project"], team["olivia"]
    mark = last_id(session)
    restructure.delete_code(session, team["trust"], force=True)
    documents.delete_document(session, team["document"], by=olivia)
    sentence = project_deletion.delete_project(session, project, by=olivia)
    assert [e.sentence for e in new_entries(session, project.id, mark)] == [
        "olivia deleted code ‘Trust’: 2 codings removed",
        "olivia deleted document P02 with 2 coding(s) and 0 memo(s) by 2 coder(s), and 0 consensus decision(s)",
        "olivia deleted project ‘Audit study’: 0 documents, 2 codes, 0 codings, 0 memos, 3 members",
    ]
    assert sentence.startswith("olivia deleted project")
    deleted = new_entries(session, project.id, mark)[-1]
    assert (deleted.target_type, deleted.target_id, deleted.document_id, deleted.code_id) == ("project", str(project.id), None, None)
    assert session.get(Project, project.id) is None


def test_code_these_hits_and_undo_are_one_entry_each(session, team):
    from workbench.models import Utterance
    from workbench.services import search

    turns = list(session.scalars(select(Utterance.id).where(Utterance.document_id == team["document"].id).order_by(Utterance.position)))
    act_as(session, team["ana"])
    mark = last_id(session)
    search.code_hits(session, team["project"], team["ana"], team["barriers"], [turns[1], turns[3]])
    undo.undo(session, team["project"], team["ana"])
    hits, undone = new_entries(session, team["project"].id, mark)
    assert hits.sentence == "ana coded 2 search hits as ‘Barriers’ (2 codings added)"
    assert (hits.action, hits.after["counts"]) == ("coding add", {"coding add": 2})
    assert undone.sentence == "ana undid “Coded 2 search hits as ‘Barriers’” (2 codings removed)"
    assert undone.action == "undo"


def test_filters_by_kind_and_date(session, team):
    from datetime import date, timedelta

    project = team["project"]
    kinds = audit.kinds(session, project.id)
    assert "coding add" in kinds and "code create" in kinds
    assert {e.action for e in audit.entries(session, project.id, kind="coding add")} == {"coding add"}
    today = date.today()
    assert len(audit.entries(session, project.id, since=today, until=today)) == len(audit.entries(session, project.id))
    assert audit.entries(session, project.id, until=today - timedelta(days=1)) == []


def test_the_audit_page_shows_one_line_times_sentences_and_filters(app):
    from tests.conftest import signed_in_client

    with app.extensions["workbench.sessions"]() as s:
        olivia = projects.get_or_create_user(s, "olivia")
        act_as(s, olivia)
        project = projects.create_project(s, "Page study", olivia)
        access, barriers = (codebook.create_code(s, project, n) for n in ("Access", "Barriers"))
        codebook.move_code(s, access, barriers)
        s.commit()
        pid, oid = project.id, olivia.id
    client = signed_in_client(app, oid)
    page = client.get(f"/projects/{pid}/audit").data.decode()
    assert "olivia moved ‘Access’ under ‘Barriers’" in page and "parent:" not in page
    assert '<td class="when"><time datetime="' in page and 'white-space: nowrap' in page
    assert ' UTC">' in page  # the full date and time as the tooltip
    moved = client.get(f"/projects/{pid}/audit?kind=code+move").data.decode()
    assert "moved ‘Access’" in moved and "created code ‘Barriers’" not in moved
    assert "created code" not in client.get(f"/projects/{pid}/audit?until=2000-01-01").data.decode()
    bad = client.get(f"/projects/{pid}/audit?since=yesterday")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.data.decode()


def test_delete_project_command_asks_then_deletes_with_one_entry(app, cli):
    with app.extensions["workbench.sessions"]() as s:
        olivia = projects.get_or_create_user(s, "olivia")
        project = projects.create_project(s, "Closing study", olivia)
        documents.import_document(s, project, "P02.txt", TRANSCRIPT.encode())
        s.commit()
        pid = project.id
    asked = cli(["delete-project", "Closing study"])
    assert asked.exit_code == 0 and "--yes" in asked.output
    done = cli(["delete-project", "Closing study", "--yes"])
    assert done.exit_code == 0, done.output
    assert "deleted project ‘Closing study’: 1 document, 0 codes, 0 codings, 0 memos, 1 member" in done.output
    with app.extensions["workbench.sessions"]() as s:
        assert s.get(Project, pid) is None
        assert [e.action for e in audit.entries(s, pid)][:1] == ["project delete"]
    assert cli(["delete-project", "Closing study", "--yes"]).exit_code != 0  # gone: a clear error, not a traceback


def test_undoing_a_new_code_audits_the_decision_and_rejection_on_it(session, team):
    """Undo deletes the code it created; what hangs on it goes through the ORM, not a silent cascade."""
    from workbench.models import Utterance

    project, olivia, document = team["project"], team["olivia"], team["document"]
    fresh = codebook.create_code(session, project, "Fresh")
    turn = session.scalars(select(Utterance).where(Utterance.document_id == document.id).order_by(Utterance.position)).first()
    session.add(SuggestionRejection(document_id=document.id, code_id=fresh.id, coder_id=team["ana"].id, start=turn.start, end=turn.end))
    session.add(Adjudication(project_id=project.id, document_id=document.id, code_id=fresh.id, start=turn.start, end=turn.end,
                             decision="neither", rationale="nobody used it", reviewer_id=olivia.id))
    session.flush()
    before, mark = rows_now(session), last_id(session)
    undo.undo(session, project, olivia)  # olivia's newest step: creating ‘Fresh’
    entries = new_entries(session, project.id, mark)
    gone = assert_every_removal_audited(session, before, entries)
    assert {t for t, _ in gone} == {"code", "suggestion_rejection", "adjudication"}
    assert [e.sentence for e in entries] == ["olivia undid “Created code ‘Fresh’” (1 code deleted, 1 consensus decision deleted, 1 suggestion forgotten)"]
