"""Renaming and deleting documents: unique names, the delete guard, and a clean cascade with counts."""
import pytest
from sqlalchemy import func, select

from workbench.models import (
    Adjudication, AuditEntry, Coding, Document, DocumentSetMember, Embedding, Exemplar, Memo, SuggestionRejection, Utterance,
)
from workbench.services import coding, documents, embeddings, exports, projects, reports
from workbench.services.errors import Forbidden, Invalid


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_rename_changes_every_export_and_is_audited(session, study):
    p01 = study["docs"]["P01_gp"]
    documents.rename_document(session, p01, "  GP one   (wave 1) ")
    assert p01.name == "GP one (wave 1)"
    matrix = exports.export(session, study["project"], "matrix", "csv").decode()
    assert "GP one (wave 1)" in matrix and "P01_gp" not in matrix
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "document update")).one()
    assert entry.before == {"name": "P01_gp"} and entry.after == {"name": "GP one (wave 1)"}


@pytest.mark.parametrize("name, message", [("p02_GP", "already a document"), ("", "needs a name"), ("x" * 256, "limited to 255"),
                                           ("tab\x07bell", "control character")])
def test_rename_refuses_taken_empty_long_and_control_names(session, study, name, message):
    with pytest.raises(Invalid, match=message):
        documents.rename_document(session, study["docs"]["P01_gp"], name)


def _everything_on(session, study, document):
    trust, owner = study["trust"], study["owner"]
    made = coding.apply_code(session, document, trust, owner, 0, 11)
    session.add_all([
        Memo(project_id=study["project"].id, author_id=owner.id, document_id=document.id, text="doc memo"),
        Exemplar(code_id=trust.id, coding_id=made.id, pinned_by=owner.id),
        SuggestionRejection(document_id=document.id, code_id=trust.id, coder_id=owner.id, start=0, end=5),
        Adjudication(project_id=study["project"].id, document_id=document.id, code_id=trust.id, start=0, end=11,
                     decision="both", rationale="agreed", reviewer_id=owner.id),
    ])
    texts = embeddings.segment_texts(session, [document.id])
    session.add_all(Embedding(model="fake", sha256=embeddings.sha256(t), dimensions=1, vector=b"\0\0\0\0") for t in texts)
    session.flush()


def test_owner_deletes_a_document_with_everything_on_it(session, study):
    p01, other = study["docs"]["P01_gp"], study["docs"]["P02_gp"]
    _everything_on(session, study, p01)
    summary = documents.delete_document(session, p01, study["owner"])
    assert (summary.codings, summary.memos, summary.coders, summary.consensus_decisions) == (2, 2, 2, 1)
    assert summary.describe() == "2 coding(s) and 2 memo(s) by 2 coder(s), and 1 consensus decision(s)"
    assert count(session, Document, Document.id == p01.id) == 0
    for model in (Utterance, Coding, SuggestionRejection, Adjudication, DocumentSetMember):
        assert count(session, model, model.document_id == p01.id) == 0, model
    assert count(session, Memo) == 2 and count(session, Exemplar) == 0  # the other documents' coding memos stay
    assert count(session, Embedding) == 0
    assert count(session, Coding, Coding.document_id == other.id) == 1
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "document delete")).one()
    assert entry.before["name"] == "P01_gp" and entry.before["codings"] == 2 and entry.before["memos"] == 2
    assert entry.before["coders"] == 2
    assert count(session, AuditEntry, AuditEntry.action == "coding remove") == 0  # one entry for the whole deletion
    assert entry.after["counts"]["coding remove"] == 2 and entry.after["counts"]["memo remove"] == 2
    reports.thematic_rows(session, study["project"])  # the exports still build


def _imported_by(session, study, user, name="P09_mine"):
    session.info["actor"] = (user.id, user.username)
    try:
        document, _ = documents.import_document(session, study["project"], f"{name}.txt", b"P09: my own interview text")
    finally:
        session.info.pop("actor")
    return document


def test_the_importer_may_delete_until_someone_else_codes_it(session, study):
    tom, zoe = study["tom"], study["zoe"]
    mine = _imported_by(session, study, tom)
    coding.apply_code(session, mine, study["trust"], tom, 0, 3)
    assert documents.check_may_delete(session, mine, tom).codings == 1
    with pytest.raises(Forbidden, match="Only a project owner, or the person who imported"):
        documents.check_may_delete(session, mine, zoe)
    coding.apply_code(session, mine, study["trust"], zoe, 0, 3)
    with pytest.raises(Forbidden, match="Others have coded"):
        documents.delete_document(session, mine, tom)
    assert documents.delete_document(session, mine, study["owner"]).coders == 2


def test_a_memo_by_someone_else_also_blocks_the_importer(session, study):
    tom, zoe = study["tom"], study["zoe"]
    mine = _imported_by(session, study, tom)
    session.add(Memo(project_id=study["project"].id, author_id=zoe.id, document_id=mine.id, text="zoe's thought"))
    session.flush()
    with pytest.raises(Forbidden):
        documents.delete_document(session, mine, tom)


def test_the_guard_counts_hidden_codings_in_blind_mode(session, study):
    tom, zoe = study["tom"], study["zoe"]
    mine = _imported_by(session, study, tom)
    coding.apply_code(session, mine, study["trust"], zoe, 0, 3)
    projects.set_blind(session, study["project"], True)
    projects.require(session, tom, study["project"].id)  # scopes the session to tom's own work
    assert count(session, Coding, Coding.document_id == mine.id) == 0
    with pytest.raises(Forbidden, match="Others have coded"):
        documents.delete_document(session, mine, tom)
