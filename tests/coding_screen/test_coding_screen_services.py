"""Memos and retrieval services on SQLite and PostgreSQL."""
import pytest

from workbench.services import cases, codebook, coding, memos, projects, retrieval, search
from workbench.services.errors import Forbidden, Invalid, NotFound


def test_memo_lifecycle_and_rules(session, small_project):
    project, document = small_project
    owner = projects.get_or_create_user(session, "owner")
    other = projects.get_or_create_user(session, "other")
    code = codebook.find_code(session, project.id, "Trust")
    applied = coding.apply_code(session, document, code, owner, 0, 5)
    memo = memos.create_memo(session, project, owner, "About the opening.", coding_id=applied.id)
    memos.create_memo(session, project, other, "Whole interview.", document_id=document.id)
    assert [m.text for m in memos.list_memos(session, project.id, coding_id=applied.id)] == ["About the opening."]
    assert len(memos.list_memos(session, project.id)) == 2
    with pytest.raises(Forbidden):
        memos.update_memo(session, memo, other, "hijack")
    with pytest.raises(Invalid, match="exactly one"):
        memos.create_memo(session, project, owner, "x", code_id=code.id, document_id=document.id)
    with pytest.raises(NotFound):
        memos.create_memo(session, project, owner, "x", code_id=10**6)
    memos.delete_memo(session, memo, other, is_owner=True)
    assert len(memos.list_memos(session, project.id)) == 1


def test_code_passages_carry_speaker_case_and_coder(session, small_project):
    project, document = small_project
    cases.import_cases_csv(session, project, b"participant_id,role,document\nP01,GP,P01_gp.txt\n")
    tom = projects.get_or_create_user(session, "tom")
    code = codebook.find_code(session, project.id, "Trust/Between sectors")
    start = document.text.index("I trusted")
    coding.apply_code(session, document, code, tom, start, start + 9)
    passages = retrieval.code_passages(session, project.id, code)
    assert [(p.text, p.speaker, p.turn, p.participant, p.attributes, p.coder) for p in passages] == [
        ("I trusted", "P01", 1, "P01", {"role": "GP"}, "tom")]
    assert retrieval.code_passages(session, project.id, code, attributes={"role": "VCS"}) == []
    assert retrieval.code_passages(session, project.id, code, coder="nobody") == []
    parent = codebook.find_code(session, project.id, "Trust")
    assert len(retrieval.code_passages(session, project.id, parent, include_subcodes=True)) == 1
    assert retrieval.case_attribute_names(session, project.id) == {"role": ["GP"]}


def test_search_hits_keep_code_point_offsets_after_emoji(session, small_project):
    project, document = small_project
    hits, truncated = search.search(session, project, '"every  single"')
    assert not truncated and len(hits) == 1
    hit = hits[0]
    said = document.text[hit.start:hit.end]
    assert "".join(piece for piece, _ in hit.parts) == said and "stretched 🙂 every single" in said
    assert [piece for piece, marked in hit.parts if marked] == ["every single"] and hit.speaker == "P01"
    with pytest.raises(Invalid, match="Type a word"):
        search.search(session, project, " ! ")
    with pytest.raises(Invalid, match="never closed"):
        search.search(session, project, "(unbalanced[ OR every")
