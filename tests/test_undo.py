"""Undo and redo of every undoable verb, on SQLite and PostgreSQL: do -> undo gives the state before,
redo the state after; a new session (a page reload) can undo; a changed state is refused; audited."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.models import AuditEntry, Coding, Memo, UndoStep
from workbench.services import codebook, coding, memos, projects, restructure, undo
from workbench.services.errors import Conflict, Invalid


@pytest.fixture
def study(session, small_project):
    project, document = small_project
    owner = projects.get_or_create_user(session, "owner")
    colleague = projects.get_or_create_user(session, "colleague")
    projects.add_member(session, project, colleague, "owner")
    trust = codebook.find_code(session, project.id, "Trust")
    time = codebook.find_code(session, project.id, "Time and resources")
    text = document.text
    at = text.index("I trusted them")
    base = [coding.apply_code(session, document, trust, owner, at, at + 14),
            coding.apply_code(session, document, trust, colleague, at, at + 9),
            coding.apply_code(session, document, time, owner, 0, 11)]
    memos.create_memo(session, project, owner, "On the trust passage.", coding_id=base[0].id)
    memos.create_memo(session, project, owner, "About the code.", code_id=time.id)
    session.info["actor"] = (owner.id, "owner")  # everything before this was set-up, not undoable
    return {"project": project, "document": document, "owner": owner, "colleague": colleague,
            "trust": trust, "time": time, "codings": base}


def act_as(session, user):
    session.info["actor"] = (user.id, user.username)


def snapshot(session: Session, project_id: int) -> dict:
    session.expire_all()
    nodes = codebook.codebook(session, project_id)
    paths = {n.code.id: n.path for n in nodes}
    codings = session.scalars(select(Coding).join(Coding.document).where(Coding.document.has(project_id=project_id)))
    spans = {c.id: (paths[c.code_id], c.coder.username, c.start, c.end) for c in codings}
    notes = session.scalars(select(Memo).where(Memo.project_id == project_id))
    return {
        "codes": [(n.path, n.code.colour, n.code.definition) for n in nodes],
        "codings": sorted((*span, ) for span in spans.values()),
        "memos": sorted((m.text, m.author.username, m.document_id, paths.get(m.code_id), spans.get(m.coding_id), m.quote)
                        for m in notes),
    }


def _code(session, s, path):
    return codebook.find_code(session, s["project"].id, path)


ACTIONS = {
    "apply_code": lambda db, s: coding.apply_code(db, s["document"], s["time"], s["owner"], 20, 30),
    "remove_coding_keeps_memo": lambda db, s: coding.remove_coding(db, s["codings"][0], by=s["owner"]),
    "create_memo": lambda db, s: memos.create_memo(db, s["project"], s["owner"], "New thought.", document_id=s["document"].id),
    "update_memo": lambda db, s: memos.update_memo(db, memos.list_memos(db, s["project"].id)[0], s["owner"], "Rewritten."),
    "delete_memo": lambda db, s: memos.delete_memo(db, memos.list_memos(db, s["project"].id)[0], s["owner"]),
    "create_code": lambda db, s: codebook.create_code(db, s["project"], "Reciprocity", s["trust"], definition="Both gain."),
    "rename_code": lambda db, s: codebook.update_code(db, s["trust"], name="Confidence", colour="#123456"),
    "move_code": lambda db, s: codebook.move_code(db, s["time"], s["trust"], position=0),
    "merge_codes": lambda db, s: restructure.merge_codes(db, s["trust"], s["time"]),
    "delete_code_moving_codings": lambda db, s: restructure.delete_code(db, s["trust"], move_to=s["time"]),
    "delete_code_and_codings": lambda db, s: restructure.delete_code(db, s["trust"], force=True),
    "split_code": lambda db, s: restructure.split_code(db, s["trust"], [s["codings"][0].id], "Trust in GPs"),
    "import_codebook": lambda db, s: codebook.import_yaml(db, s["project"], "codes:\n  - name: Trust\n    definition: Changed.\n  - name: Fresh\n"),
}


@pytest.mark.parametrize("name", ACTIONS)
def test_undo_restores_the_state_before_and_redo_the_state_after(session, study, name):
    pid = study["project"].id
    before = snapshot(session, pid)
    ACTIONS[name](session, study)
    session.flush()
    after = snapshot(session, pid)
    assert after != before
    for _ in range(2):  # twice: the second round replays rows that the first one brought back
        assert undo.pending(session, study["project"], study["owner"])["undo"]
        undo.undo(session, study["project"], study["owner"])
        assert snapshot(session, pid) == before
        undo.redo(session, study["project"], study["owner"])
        assert snapshot(session, pid) == after
    actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.project_id == pid, AuditEntry.target_type == "undo step").order_by(AuditEntry.id)))
    assert actions == ["undo", "redo", "undo", "redo"]


def test_merge_undo_puts_every_moved_coding_back_on_the_source(session, study):
    pid, trust_id = study["project"].id, study["trust"].id
    between = _code(session, study, "Trust/Between sectors")
    coding.apply_code(session, study["document"], between, study["owner"], 40, 50)
    coding.apply_code(session, study["document"], study["time"], study["owner"], 0, 11)  # no-op: exists already
    moved = {c.id for c in session.scalars(select(Coding).where(Coding.code_id == trust_id))}
    before = snapshot(session, pid)
    restructure.merge_codes(session, study["trust"], study["time"])
    assert "Trust" not in [p for p, *_ in snapshot(session, pid)["codes"]]
    undo.undo(session, study["project"], study["owner"])
    assert snapshot(session, pid) == before
    trust = codebook.find_code(session, pid, "Trust")
    assert {c.id for c in session.scalars(select(Coding).where(Coding.code_id == trust.id))} == moved


def test_a_memo_on_a_removed_coding_stays_on_the_document(session, study):
    target = study["codings"][0]
    quote = study["document"].text[target.start:target.end]
    assert coding.remove_coding(session, target, by=study["owner"]) == 1
    kept = session.scalars(select(Memo).where(Memo.text == "On the trust passage.")).one()
    assert (kept.coding_id, kept.document_id, kept.quote, kept.quote_start) == (None, study["document"].id, quote, target.start)
    undo.undo(session, study["project"], study["owner"])
    session.expire_all()
    assert kept.coding_id is not None and kept.quote is None and session.get(Coding, kept.coding_id).start == target.start


def test_undo_works_from_a_new_session_as_after_a_reload(session, study):
    pid = study["project"].id
    before = snapshot(session, pid)
    coding.remove_coding(session, study["codings"][0], by=study["owner"])
    session.flush()
    reloaded = Session(bind=session.connection())
    act_as(reloaded, study["owner"])
    project, owner = reloaded.get(type(study["project"]), pid), reloaded.get(type(study["owner"]), study["owner"].id)
    assert undo.pending(reloaded, project, owner) == {"undo": "Removed coding ‘Trust’", "redo": None}
    undo.undo(reloaded, project, owner)
    reloaded.flush()
    assert snapshot(session, pid) == before
    assert undo.pending(reloaded, project, owner) == {"undo": None, "redo": "Removed coding ‘Trust’"}


def test_undo_refuses_when_a_colleague_changed_the_code_since(session, study):
    pid = study["project"].id
    codebook.update_code(session, study["trust"], name="Confidence")
    act_as(session, study["colleague"])
    codebook.update_code(session, study["trust"], name="Faith")
    changed = snapshot(session, pid)
    act_as(session, study["owner"])
    with pytest.raises(Conflict, match="Cannot undo “Renamed ‘Trust’ to ‘Confidence’”: someone changed the code’s name since"):
        undo.undo(session, study["project"], study["owner"])
    assert snapshot(session, pid) == changed
    assert undo.pending(session, study["project"], study["owner"])["undo"] == "Renamed ‘Trust’ to ‘Confidence’"


def test_undo_refuses_to_take_later_work_with_it(session, study):
    code = codebook.create_code(session, study["project"], "Reciprocity")
    act_as(session, study["colleague"])
    coding.apply_code(session, study["document"], code, study["colleague"], 5, 9)
    act_as(session, study["owner"])
    with pytest.raises(Conflict, match="1 coding"):
        undo.undo(session, study["project"], study["owner"])
    assert codebook.find_code(session, study["project"].id, "Reciprocity")


def test_a_restored_row_keeps_its_id_because_no_other_row_can_take_it(session, study):
    pid, owner, colleague = study["project"].id, study["owner"], study["colleague"]
    act_as(session, colleague)
    newest = coding.apply_code(session, study["document"], study["time"], colleague, 60, 70)  # the highest id
    newest_id = newest.id
    coding.remove_coding(session, newest, by=colleague)
    act_as(session, owner)
    mine = coding.apply_code(session, study["document"], study["trust"], owner, 80, 90)
    assert mine.id == newest_id + 1  # the removed row's id is never handed out again (SQLite AUTOINCREMENT)
    act_as(session, colleague)
    undo.undo(session, study["project"], colleague)  # the colleague's coding comes back, under its own id
    assert (session.get(Coding, newest_id).start, session.get(Coding, newest_id).coder_id) == (60, colleague.id)
    state = snapshot(session, pid)
    assert ("Time and resources", "colleague", 60, 70) in state["codings"] and ("Trust", "owner", 80, 90) in state["codings"]
    act_as(session, owner)
    undo.undo(session, study["project"], owner)  # removes the owner's coding, not the restored one
    assert session.get(Coding, mine.id) is None and session.get(Coding, newest_id) is not None
    act_as(session, colleague)
    undo.redo(session, study["project"], colleague)  # removes the restored row
    assert ("Time and resources", "colleague", 60, 70) not in snapshot(session, pid)["codings"]


def test_undo_is_per_coder_bounded_and_a_new_action_ends_redo(session, study):
    project, owner, colleague = study["project"], study["owner"], study["colleague"]
    for k in range(history_keep() + 3):
        coding.apply_code(session, study["document"], study["time"], owner, k, k + 1)
    assert session.scalar(select(func.count()).select_from(UndoStep).where(UndoStep.user_id == owner.id)) == history_keep()
    with pytest.raises(Invalid, match="Nothing to undo"):
        undo.undo(session, project, colleague)
    undo.undo(session, project, owner)
    coding.apply_code(session, study["document"], study["time"], owner, 100, 101)
    assert undo.pending(session, project, owner)["redo"] is None


def history_keep() -> int:
    from workbench.services.history import KEEP

    return KEEP


def test_the_split_passages_go_to_a_new_subcode(session, study):
    child = restructure.split_code(session, study["trust"], [study["codings"][1].id], "Trust in GPs")
    assert child.parent_id == study["trust"].id
    assert [c.coder.username for c in session.scalars(select(Coding).where(Coding.code_id == child.id))] == ["colleague"]
    with pytest.raises(Invalid, match="Tick"):
        restructure.split_code(session, study["trust"], [], "Empty")


def test_codebook_counts_documents_and_participants_per_coder(session, study):
    nodes = {n.path: n for n in codebook.codebook(session, study["project"].id, with_counts=True)}
    assert (nodes["Trust"].direct_count, nodes["Trust"].documents) == (2, 1)
    mine = {n.path: n for n in codebook.codebook(session, study["project"].id, with_counts=True, coder_id=study["colleague"].id)}
    assert (mine["Trust"].direct_count, mine["Time and resources"].direct_count) == (1, 0)


def test_undo_needs_the_role_the_action_needed(session, study):
    from workbench.services.errors import Forbidden

    project, owner = study["project"], study["owner"]
    codebook.update_code(session, study["trust"], definition="Owners' wording.")
    projects.change_role(session, project, owner, "coder")  # the colleague is an owner too
    with pytest.raises(Forbidden, match="Only a project owner may undo “Edited code ‘Trust’”"):
        undo.undo(session, project, owner)
    cody = projects.get_or_create_user(session, "cody")
    projects.add_member(session, project, cody, "coder")
    act_as(session, cody)  # a coder's own code (as the picker creates them) and coding are theirs to undo
    new = codebook.create_code(session, project, "Cody's idea")
    coding.apply_code(session, study["document"], new, cody, 1, 4)
    assert [undo.undo(session, project, cody).label for _ in range(2)] == ["Coded ‘Cody's idea’", "Created code ‘Cody's idea’"]
