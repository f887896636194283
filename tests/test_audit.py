"""The audit log: every change recorded with who, when, what, before and after; append-only."""
import pytest
from sqlalchemy import select

from workbench.models import AuditEntry
from workbench.services import audit, cases, codebook, coding, documents, projects


def actions(session, project_id, **filters):
    return [(e.actor, e.action) for e in reversed(audit.entries(session, project_id, **filters))]


def test_changes_are_recorded_with_actor_before_and_after(session):
    owner = projects.get_or_create_user(session, "olivia")
    session.info["actor"] = (owner.id, "olivia")
    project = projects.create_project(session, "Audited", owner)
    document, _ = documents.import_document(session, project, "P01.txt", b"Interviewer: Why?\nP01: Because we trust them.")
    code = codebook.create_code(session, project, "Trust", definition="first")
    codebook.update_code(session, code, definition="second")
    made = coding.apply_code(session, document, code, owner, 18, 25)
    coding.remove_coding(session, made)
    cases.import_cases_csv(session, project, b"participant_id,role\nP01,GP\n")
    session.info["actor"] = (None, "tom")
    projects.add_member(session, project, projects.get_or_create_user(session, "tom"), "coder")
    log = actions(session, project.id)
    assert log[:7] == [
        ("olivia", "project create"), ("olivia", "member add"), ("olivia", "document import"), ("olivia", "code create"),
        ("olivia", "code update"), ("olivia", "coding add"), ("olivia", "coding remove"),
    ]
    assert ("tom", "member add") in log and ("olivia", "cases import") in log
    update = next(e for e in audit.entries(session, project.id) if e.action == "code update")
    assert (update.before, update.after) == ({"definition": "first"}, {"definition": "second"})
    imported = next(e for e in audit.entries(session, project.id) if e.action == "document import")
    assert imported.after["text"] == f"{len(document.text)} characters"  # the transcript itself is not copied
    removed = next(e for e in audit.entries(session, project.id) if e.action == "coding remove")
    assert removed.before["start"] == 18 and removed.after is None and removed.document_id == document.id


def test_filters_by_user_document_and_code(session, small_project):
    project, document = small_project
    session.info["actor"] = (None, "hannah")
    trust = codebook.find_code(session, project.id, "Trust")
    coding.apply_code(session, document, trust, projects.get_or_create_user(session, "hannah"), 0, 5)
    assert actions(session, project.id, user="hannah") == [("hannah", "coding add")]
    assert ("hannah", "coding add") in actions(session, project.id, document_id=document.id)
    assert actions(session, project.id, code_id=trust.id)[-1] == ("hannah", "coding add")


def test_a_rolled_back_change_leaves_no_entry(session, small_project):
    project, document = small_project
    before = len(audit.entries(session, project.id))
    with pytest.raises(Exception):
        with session.begin_nested():
            codebook.create_code(session, project, "Doomed")
            raise RuntimeError("the request failed")
    assert len(audit.entries(session, project.id)) == before


def test_log_is_append_only(session, small_project):
    project, _ = small_project
    entry = session.scalars(select(AuditEntry).where(AuditEntry.project_id == project.id)).first()
    entry.action = "rewritten history"
    with pytest.raises(PermissionError, match="append-only"):
        session.flush()


def test_csv_export(session, small_project):
    project, _ = small_project
    data = audit.to_csv(audit.entries(session, project.id)).decode("utf-8-sig")
    assert data.splitlines()[0] == "at,actor,action,sentence,target,document_id,code_id,before,after"
    assert "code create" in data


def test_entries_read_as_sentences_with_names_and_quotes(session, small_project):
    project, document = small_project
    hannah = projects.get_or_create_user(session, "hannah")
    session.info["actor"] = (hannah.id, "hannah")
    trust = codebook.find_code(session, project.id, "Trust/Between sectors")
    start = document.text.index("I trusted them")
    made = coding.apply_code(session, document, trust, hannah, start, start + 14)
    codebook.update_code(session, trust, definition="Trust across the divide.")
    described = dict((e.action, text) for e, text in audit.describe(session, project.id, audit.entries(session, project.id)))
    assert described["coding add"] == "hannah coded ‘Trust/Between sectors’ on P01_gp (turn 2): “I trusted them”"
    assert described["code update"] == ("hannah changed the definition of ‘Trust/Between sectors’ from "
                                        "“Trust between general practice and the voluntary sector.” to “Trust across the divide.”")
    assert next(e for e in audit.entries(session, project.id) if e.action == "coding add").target_id == str(made.id)


def test_a_place_names_the_same_turn_asked_once_or_many_times(session, small_project):
    """The first question about a document counts turns in the database; later ones read the turn
    starts once. Both give the 1-based turn holding the offset, and none before the first turn."""
    from workbench.services.audit_sentences import Namer

    _, document = small_project
    starts = [u.start for u in document.utterances]
    expected = [sum(1 for s in starts if s <= offset) or None for offset in range(len(document.text))]
    assert [Namer(session).turn(document.id, offset) for offset in range(len(document.text))] == expected
    many = Namer(session)
    assert [many.turn(document.id, offset) for offset in range(len(document.text))] == expected
    assert expected[starts[1]] == 2 and expected[starts[1] - 1] == 1 and many.turn(document.id, None) is None
