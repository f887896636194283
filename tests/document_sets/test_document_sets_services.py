"""Document sets and the Scope they give every analysis, on SQLite and PostgreSQL."""
import pytest
from sqlalchemy import select

from workbench.models import AuditEntry, DocumentSetMember
from workbench.services import document_sets, documents, exports, memos, retrieval, scope, search
from workbench.services.errors import Invalid, NotFound


def test_a_document_can_be_in_several_sets(session, study):
    p01 = study["docs"]["P01_gp"]
    assert document_sets.sets_by_document(session, study["project"].id)[p01.id] == ["GPs", "wave 1"]
    assert [(s.name, n) for s, n in document_sets.list_sets(session, study["project"].id)] == [("GPs", 2), ("wave 1", 2)]


def test_adding_twice_adds_once_and_removing_takes_out(session, study):
    gps, p01 = study["gps"], study["docs"]["P01_gp"]
    assert document_sets.add_documents(session, gps, [p01.id, study["docs"]["P03_vcs"].id]) == 1
    assert document_sets.remove_documents(session, gps, [p01.id]) == 1
    assert set(session.scalars(select(DocumentSetMember.document_id).where(DocumentSetMember.set_id == gps.id))) == {
        study["docs"]["P02_gp"].id, study["docs"]["P03_vcs"].id}


def test_set_names_are_unique_ignoring_case_and_checked(session, study):
    with pytest.raises(Invalid, match="already a document set"):
        document_sets.create_set(session, study["project"], "gps")
    with pytest.raises(Invalid, match="needs a name"):
        document_sets.create_set(session, study["project"], "   ")
    with pytest.raises(Invalid, match="limited to 100"):
        document_sets.create_set(session, study["project"], "x" * 101)
    assert document_sets.rename_set(session, study["gps"], "General practice").name == "General practice"
    assert document_sets.rename_set(session, study["wave"], "Wave 1").name == "Wave 1"  # its own name, new case


def test_documents_of_another_project_cannot_join(session, study):
    from workbench.services import projects

    other = projects.create_project(session, "Other", study["owner"])
    stranger, _ = documents.import_document(session, other, "X.txt", b"A: hello there")
    with pytest.raises(NotFound):
        document_sets.add_documents(session, study["gps"], [stranger.id])


def test_the_audit_log_names_sets_and_documents(session, study):
    from workbench.services import audit

    rows = audit.entries(session, study["project"].id)
    described = [text for entry, text in audit.describe(session, study["project"].id, rows)
                 if entry.action == "document set membership add"]
    assert "system added P01_gp and P03_vcs to set ‘wave 1’" in described, described


def test_deleting_a_set_keeps_its_documents_and_is_audited(session, study):
    document_sets.delete_set(session, study["gps"])
    assert len(documents.list_documents(session, study["project"].id)) == 3
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.project_id == study["project"].id)))
    assert {"document set create", "document set membership add", "document set delete"} <= actions


def test_scope_is_the_documents_in_every_chosen_set(session, study):
    docs = study["docs"]
    one = scope.resolve(session, study["project"].id, [study["gps"].id])
    assert one.document_ids == {docs["P01_gp"].id, docs["P02_gp"].id}
    assert one.describe() == "Documents in set: GPs" and one.file_label() == "set GPs"
    both = scope.resolve(session, study["project"].id, [study["gps"].id, study["wave"].id])
    assert both.document_ids == {docs["P01_gp"].id}
    assert both.describe() == "Documents in every one of the sets: GPs, wave 1"
    assert scope.resolve(session, study["project"].id, []).whole_project
    assert scope.resolve_names(session, study["project"].id, ["wave 1"]).document_ids == {docs["P01_gp"].id, docs["P03_vcs"].id}


def test_unknown_or_foreign_sets_are_not_found(session, study):
    from workbench.services import projects

    other = projects.create_project(session, "Other", study["owner"])
    foreign = document_sets.create_set(session, other, "GPs")
    for ids in ([foreign.id], [study["gps"].id, 999_999]):
        with pytest.raises(NotFound, match="No document set"):
            scope.resolve(session, study["project"].id, ids)
    with pytest.raises(NotFound):
        scope.resolve_names(session, study["project"].id, ["nope"])


def test_an_applied_scope_restricts_retrieval_search_memos_and_exports(session, study):
    project, docs = study["project"], study["docs"]
    scope.apply(session, scope.resolve(session, project.id, [study["wave"].id]))
    passages = retrieval.code_passages(session, project.id, study["trust"])
    assert {p.document for p in passages} == {"P01_gp", "P03_vcs"}
    hits, _ = search.search(session, project, "trust OR workload")  # workload: only in P02, outside the set
    assert {h.document for h in hits} == {"P01_gp", "P03_vcs"}
    assert {d.name for d, _ in documents.list_documents(session, project.id)} == {"P01_gp", "P03_vcs"}
    assert {e.document for e in memos.memo_entries(session, project.id)} == {"P01_gp", "P03_vcs"}
    matrix = exports.export(session, project, "matrix", "csv").decode()
    assert "P01_gp" in matrix and "P03_vcs" in matrix and "P02_gp" not in matrix
    frequency = exports.export(session, project, "frequency", "csv").decode()
    assert "P02_gp" not in frequency and "P03_vcs" in frequency
    thematic = exports.export(session, project, "thematic", "csv").decode()
    assert "Workload is" not in thematic and "We trust" in thematic
    qdpx = exports.export(session, project, "refi", "qdpx")
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(qdpx)).read("project.qde").decode()
    assert "P01_gp" in names and "P02_gp" not in names


def test_scope_and_blind_coding_narrow_together(session, study):
    from workbench.services import coding, projects

    project = study["project"]
    zoe_passage = study["docs"]["P01_gp"]
    coding.apply_code(session, zoe_passage, study["trust"], study["zoe"], 0, 11)
    projects.set_blind(session, project, True)
    projects.require(session, study["zoe"], project.id)
    scope.apply(session, scope.resolve(session, project.id, [study["gps"].id]))
    passages = retrieval.code_passages(session, project.id, study["trust"])
    assert [(p.document, p.coder) for p in passages] == [("P01_gp", "zoe")]


def test_the_scope_test_would_see_the_whole_project(session, study):
    # Without a scope the same calls see all three documents: the assertions above can fail.
    project = study["project"]
    assert len(retrieval.code_passages(session, project.id, study["trust"])) == 3
    assert "P02_gp" in exports.export(session, project, "matrix", "csv").decode()
    assert scope.current(session, project.id).whole_project
