"""Find, review, apply and check on the demo project, on SQLite and PostgreSQL."""
import pytest
from sqlalchemy import func, select

from workbench.deid import finders
from workbench.models import AuditEntry, CaseAttribute, Case, Coding, DeidFinding, Document, Memo, Utterance
from workbench.services import deid, deid_copy, demo, exports, projects
from workbench.services.errors import Forbidden, Invalid, NotFound


@pytest.fixture
def study(session):
    project, _ = demo.load_demo(session)
    owner = projects.get_or_create_user(session, demo.DEMO_USER)
    # P01 is a GP (cases.csv): give the case a name, so the name's pseudonym takes the role.
    p01 = session.scalar(select(Case).where(Case.project_id == project.id, Case.participant_id == "P01"))
    p01.attributes.append(CaseAttribute(name="name", value="Dr Patel"))
    session.flush()
    return project, owner


def _pseudonyms(session, project, owner):
    return {p.original: p.pseudonym for p in deid.pseudonym_map(session, project, owner)}


def test_find_types_and_consistent_pseudonyms(session, study):
    """cases.csv gives the sites (Northfield, Eastbrook, Riverside: places) and organisations; the
    transcripts name Dr Ashworth. Places are lettered in order of first appearance: the project's
    first field that names a place is P01's transcript, which says Northfield first."""
    project, owner = study
    review = deid.find(session, project, owner)
    names = _pseudonyms(session, project, owner)
    assert names["Northfield"] == "[Town A]"
    assert names["Northfield Health Centre"].startswith("[Organisation ")
    assert names["Dr Patel"] == "[GP 1]"
    assert names["Dr Ashworth"].startswith("[Person ")
    progress = deid.progress(session, review)
    assert progress.reviewed == 0 and progress.words() == f"0 of {progress.total} reviewed"
    # one pseudonym per term: every finding of "Northfield" points at one map entry
    terms = set(session.scalars(select(DeidFinding.term).where(DeidFinding.review_id == review.id, DeidFinding.text.ilike("northfield"))))
    assert terms == {"northfield"}


def test_apply_refused_until_every_finding_is_decided(session, study):
    project, owner = study
    deid.find(session, project, owner)
    with pytest.raises(Invalid, match="reviewed: accept or reject the rest"):
        deid_copy.apply_review(session, project, owner)


def test_only_owners(session, study):
    project, owner = study
    hannah = projects.get_or_create_user(session, "hannah")
    stranger = projects.get_or_create_user(session, "stranger")
    with pytest.raises(Forbidden):
        deid.find(session, project, hannah)
    with pytest.raises(Forbidden):
        deid.pseudonym_map(session, project, hannah)
    with pytest.raises(NotFound):
        deid.pseudonym_map(session, project, stranger)


def _accept_all_but_candidates(session, project, owner):
    deid.find(session, project, owner)
    for kind in finders.TYPES:
        if kind != "name":
            deid.decide(session, project, owner, "accepted", type_=kind)
    deid.decide(session, project, owner, "rejected", type_="name")
    deid.decide(session, project, owner, "accepted", term="Kirsty")


def test_apply_copies_everything_exactly_and_leaves_the_original(session, study):
    project, owner = study
    before = {d.id: d.sha256 for d in session.scalars(select(Document).where(Document.project_id == project.id))}
    codings_before = session.scalar(select(func.count()).select_from(Coding).join(Document).where(Document.project_id == project.id))
    _accept_all_but_candidates(session, project, owner)
    names = _pseudonyms(session, project, owner)
    copy = deid_copy.apply_review(session, project, owner)
    assert {d.id: d.sha256 for d in session.scalars(select(Document).where(Document.project_id == project.id))} == before
    copy_docs = {d.name: d for d in session.scalars(select(Document).where(Document.project_id == copy.id))}
    originals = {d.name: d for d in session.scalars(select(Document).where(Document.project_id == project.id))}
    assert set(copy_docs) == set(originals)  # the demo's file names hold no identifier
    copied = session.scalar(select(func.count()).select_from(Coding).join(Document).where(Document.project_id == copy.id))
    assert copied == codings_before
    # Each coding's quote in the copy is the original quote with the accepted names replaced, worked
    # out here by plain string replacement (longest name first), independent of the offsets.
    accepted = sorted(((f.text, names.get(f.text) or deid.replacement_of(f, {p.term: p.pseudonym for p in deid.pseudonym_map(session, project, owner)}))
                       for f in session.scalars(select(DeidFinding).where(DeidFinding.decision == "accepted", DeidFinding.field == "text",
                                                                           DeidFinding.target == "document"))),
                      key=lambda pair: -len(pair[0]))
    checked = 0
    for name, doc in originals.items():
        new = copy_docs[name]
        old_quotes = sorted((c.code.name, c.coder_id, doc.text[c.start:c.end]) for c in session.scalars(select(Coding).where(Coding.document_id == doc.id)))
        new_quotes = sorted((c.code.name, c.coder_id, new.text[c.start:c.end]) for c in session.scalars(select(Coding).where(Coding.document_id == new.id)))
        for (code, coder, old), (code2, coder2, quote) in zip(old_quotes, new_quotes):
            expected = old
            for text, pseudonym in dict(accepted).items():
                expected = finders.matcher([text]).sub(pseudonym, expected)
            if expected == quote:
                checked += 1
        assert len(old_quotes) == len(new_quotes)
    assert checked >= 0.95 * codings_before  # the rest begin or end inside a name (snapped outward) or sort differently
    assert "Northfield" not in " ".join(d.text for d in copy_docs.values())
    # turns: same count, each turn's text is the copy's text at its remapped span
    n_turns = session.scalar(select(func.count()).select_from(Utterance).join(Document).where(Document.project_id == project.id))
    assert session.scalar(select(func.count()).select_from(Utterance).join(Document).where(Document.project_id == copy.id)) == n_turns
    assert deid.provenance(session, copy.id).startswith(f"De-identified copy of project #{project.id}, made ")
    values = {a.value for c in session.scalars(select(Case).where(Case.project_id == copy.id)) for a in c.attributes}
    assert "[GP 1]" in values and "Northfield" not in values


def test_check_is_clean_then_finds_a_planted_name(session, study):
    project, owner = study
    _accept_all_but_candidates(session, project, owner)
    copy = deid_copy.apply_review(session, project, owner)
    report = deid_copy.check(session, project, owner)
    assert report.clean, report.words()
    for kind, fmt in deid_copy.CHECKED_EXPORTS:
        data = exports.export(session, copy, kind, fmt)
        assert b"Northfield" not in data or data[:2] == b"PK"  # zips are read member by member by the check
    memo = Memo(project_id=copy.id, author_id=owner.id, text="Met Kirsty in Northfield.")
    session.add(memo)
    session.flush()
    m = memo.id
    planted = deid_copy.check(session, project, owner)
    # the memo's two names, and the REFI file, which carries memos
    assert planted.places[:2] == [f"memo #{m} text at 4", f"memo #{m} text at 14"] and planted.places[2:] == ["export refi.qdpx/project.qde"]
    assert "Northfield" not in planted.words()  # the report says where, never the identifier


def test_every_step_is_one_audit_entry(session, study):
    project, owner = study
    session.info["actor"] = (owner.id, owner.username)
    start = session.scalar(select(func.max(AuditEntry.id))) or 0
    deid.find(session, project, owner)
    deid.decide(session, project, owner, "accepted", type_="place")
    deid.decide(session, project, owner, "rejected", finding_ids=[session.scalar(select(DeidFinding.id).where(DeidFinding.decision == "pending").limit(1))])
    actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.id > start).order_by(AuditEntry.id)))
    assert actions == ["deid find", "deid review", "deid review"]
    sentences = " ".join(session.scalars(select(AuditEntry.sentence).where(AuditEntry.id > start)))
    assert "Northfield" not in sentences
