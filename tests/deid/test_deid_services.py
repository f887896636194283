"""Find, review, apply and check on the demo project, on SQLite and PostgreSQL."""
import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from workbench.deid import finders
from workbench.models import AuditEntry, CaseAttribute, Case, Code, Coding, DeidFinding, Document, Memo, Utterance
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


def _expected_quote(text: str, start: int, end: int, accepted: list[tuple[int, int, str]]) -> str:
    """The rule, worked from the findings alone (no offsets of the copy): widen the passage to every
    accepted finding it cuts, then put each finding's replacement in its place. E.g. in
    "I saw Dr Patel in Northfield." a passage "Patel in North" cuts both names, widens to
    "Dr Patel in Northfield" and reads "[GP 1] in [Town A]"."""
    for s, e, _ in accepted:
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    out, at = [], start
    for s, e, replacement in accepted:
        if start <= s and e <= end:
            out += [text[at:s], replacement]
            at = e
    return "".join(out) + text[at:end]


def test_expected_quote_rule_by_hand():
    text = "I saw Dr Patel in Northfield."
    accepted = [(6, 14, "[GP 1]"), (18, 28, "[Town A]")]
    assert _expected_quote(text, 9, 23, accepted) == "[GP 1] in [Town A]"
    assert _expected_quote(text, 0, 5, accepted) == "I saw"
    assert _expected_quote(text, 15, 17, accepted) == "in"
    assert _expected_quote(text, 0, 29, accepted) == "I saw [GP 1] in [Town A]."


def test_apply_copies_everything_exactly_and_leaves_the_original(session, study):
    project, owner = study
    before = {d.id: d.sha256 for d in session.scalars(select(Document).where(Document.project_id == project.id))}
    codings_before = session.scalar(select(func.count()).select_from(Coding).join(Document).where(Document.project_id == project.id))
    _accept_all_but_candidates(session, project, owner)
    pseudonyms = {p.term: p.pseudonym for p in deid.pseudonym_map(session, project, owner)}
    copy = deid_copy.apply_review(session, project, owner)
    assert {d.id: d.sha256 for d in session.scalars(select(Document).where(Document.project_id == project.id))} == before
    copy_docs = {d.name: d for d in session.scalars(select(Document).where(Document.project_id == copy.id))}
    originals = {d.name: d for d in session.scalars(select(Document).where(Document.project_id == project.id))}
    assert set(copy_docs) == set(originals)  # the demo's file names hold no identifier
    copied = session.scalar(select(func.count()).select_from(Coding).join(Document).where(Document.project_id == copy.id))
    assert copied == codings_before  # no two codings of the demo became one
    # EVERY coding: its quote in the copy is the original quote with the replacements applied
    # (the rule of _expected_quote). Codings are copied in the order of their ids.
    wrong, checked = [], 0
    for name, doc in originals.items():
        accepted = sorted((f.start, f.end, deid.replacement_of(f, pseudonyms)) for f in session.scalars(select(DeidFinding).where(
            DeidFinding.decision == "accepted", DeidFinding.target == "document", DeidFinding.target_id == str(doc.id),
            DeidFinding.field == "text")))
        new = copy_docs[name]
        old = list(session.scalars(select(Coding).where(Coding.document_id == doc.id).order_by(Coding.id)))
        now = list(session.scalars(select(Coding).where(Coding.document_id == new.id).order_by(Coding.id)))
        assert len(old) == len(now)
        for a, b in zip(old, now):
            assert (a.code.name, a.coder_id, a.origin) == (b.code.name, b.coder_id, b.origin)
            if _expected_quote(doc.text, a.start, a.end, accepted) != new.text[b.start:b.end]:
                wrong.append((name, a.id))
            checked += 1
        # and the copy's text is the original with every accepted finding replaced
        assert new.text == _expected_quote(doc.text, 0, len(doc.text), accepted)
    assert checked == codings_before and wrong == []
    assert "Northfield" not in " ".join(d.text for d in copy_docs.values())
    # turns: same count, each turn's text is the copy's text at its remapped span
    n_turns = session.scalar(select(func.count()).select_from(Utterance).join(Document).where(Document.project_id == project.id))
    assert session.scalar(select(func.count()).select_from(Utterance).join(Document).where(Document.project_id == copy.id)) == n_turns
    assert deid.provenance(session, copy.id).startswith(f"De-identified copy of project #{project.id}, made ")
    values = {a.value for c in session.scalars(select(Case).where(Case.project_id == copy.id)) for a in c.attributes}
    assert "[GP 1]" in values and "Northfield" not in values


def _members(data: bytes, name: str):
    """(name, text) of an export file, or of every member of a zip (nested zips opened too), read
    here independently of the check: XML tags dropped, entities left as they are."""
    if data[:2] != b"PK":
        yield name, data.decode("utf-8")
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist(), name
        for member in archive.namelist():
            content = archive.read(member)
            if content[:2] == b"PK":
                yield from _members(content, f"{name}/{member}")
            else:
                yield f"{name}/{member}", member + "\n" + re.sub(r"<[^>]+>", "", content.decode("utf-8", "replace"))  # a picture: bytes


def test_check_is_clean_then_finds_a_planted_name(session, study):
    project, owner = study
    _accept_all_but_candidates(session, project, owner)
    copy = deid_copy.apply_review(session, project, owner)
    report = deid_copy.check(session, project, owner)
    assert report.clean, report.words()
    # Every export, zips opened member by member: no accepted identifier, by hand-picked names
    # that the demo says in its transcripts and cases.csv.
    read = 0
    for kind, fmt in deid_copy.CHECKED_EXPORTS + (("coded-segments", "xlsx"), ("matrix", "xlsx")):
        for where, text in _members(exports.export(session, copy, kind, fmt), f"{kind}.{fmt}"):
            read += 1
            for name in ("Northfield", "Eastbrook", "Riverside", "Kirsty", "Dr Patel", "Dr Adeyemi"):
                assert name not in text, (name, where)
    assert read > 10  # the zips were opened
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


def test_a_rejected_finding_stays_and_the_check_allows_it_everywhere_but_nowhere_else(session, study):
    """One "Northfield" in P01's text is rejected (kept on purpose): the copy keeps it, in its text and
    in every export that quotes that passage, and the check is clean. The same word planted in a memo
    is not that finding (other words around it) and is reported."""
    project, owner = study
    _accept_all_but_candidates(session, project, owner)
    p01 = session.scalar(select(Document).where(Document.project_id == project.id, Document.name == "P01_gp_partner"))
    kept = session.scalar(select(DeidFinding).where(DeidFinding.target_id == str(p01.id), DeidFinding.field == "text",
                                                    DeidFinding.text == "Northfield").order_by(DeidFinding.start).limit(1))
    deid.decide(session, project, owner, "rejected", finding_ids=[kept.id])
    copy = deid_copy.apply_review(session, project, owner)
    texts = [d.text for d in session.scalars(select(Document).where(Document.project_id == copy.id))]
    assert sum(t.count("Northfield") for t in texts) == 1
    report = deid_copy.check(session, project, owner)
    assert report.clean, report.words()
    memo = Memo(project_id=copy.id, author_id=owner.id, text="Moved to Northfield last year.")
    session.add(memo)
    session.flush()
    assert [p for p in deid_copy.check(session, project, owner).places if p.startswith("memo")] == [f"memo #{memo.id} text at 9"]


def test_saved_queries_are_copied_onto_the_copys_codes_and_filters(session, study):
    """A query saved as "Trust at Northfield" (code Trust/Between sectors, site Northfield) becomes "Trust at [Town A]"
    with the filter site = [Town A] and the id of the copy's Between sectors, and finds in the copy as many
    passages, in the same documents by name, as it finds in the original."""
    from workbench.services import queries, saved_queries

    project, owner = study
    saved = saved_queries.save(session, project, owner, "Trust at Northfield", "Between sectors",
                               queries.Filters(attributes=(("site", ("Northfield",)),)))
    before = saved_queries.run_saved(session, project, saved)
    assert len(before.hits) > 0
    _accept_all_but_candidates(session, project, owner)
    copy = deid_copy.apply_review(session, project, owner)
    [copied] = saved_queries.list_saved(session, copy)
    assert copied.name == "Trust at [Town A]" and copied.expression == "Between sectors"
    trust = session.scalar(select(Code.id).where(Code.project_id == copy.id, Code.name == "Between sectors"))
    assert copied.options["codes"] == {"between sectors": trust} and copied.options["attributes"] == {"site": ["[Town A]"]}
    after = saved_queries.run_saved(session, copy, copied)
    assert len(after.hits) == len(before.hits)
    assert sorted(after.documents[d][0] for d, _ in after.hits) == sorted(before.documents[d][0] for d, _ in before.hits)
    assert deid_copy.check(session, project, owner).clean


def test_changing_a_terms_type_retypes_its_findings_and_gives_the_new_types_pseudonym(session, study):
    """"Dr Ashworth" is found as a person ("[Person n]"). Made a place, every finding of the term is a
    place and the term takes the next free town letter: Northfield, Eastbrook and Riverside hold
    A to C, so [Town D]. A type that does not exist is refused."""
    project, owner = study
    review = deid.find(session, project, owner)
    entry = deid.set_type(session, project, owner, "Dr Ashworth", "place")
    assert (entry.type, entry.pseudonym) == ("place", "[Town D]")
    kinds = set(session.scalars(select(DeidFinding.type).where(DeidFinding.review_id == review.id, DeidFinding.term == entry.term)))
    assert kinds == {"place"}
    with pytest.raises(Invalid, match="Unknown type"):
        deid.set_type(session, project, owner, "Dr Ashworth", "planet")
    with pytest.raises(NotFound):
        deid.set_type(session, project, owner, "Nobody Atall", "place")


def test_apply_to_chosen_documents_copies_only_those(session, study):
    """Two of the nine documents chosen: the copy holds those two, their cases and their codings only."""
    project, owner = study
    docs = {d.name: d for d in session.scalars(select(Document).where(Document.project_id == project.id))}
    chosen = [docs["P01_gp_partner"].id, docs["P09_patient"].id]
    deid.find(session, project, owner, chosen)
    for kind in finders.TYPES:
        deid.decide(session, project, owner, "rejected" if kind == "name" else "accepted", type_=kind)
    copy = deid_copy.apply_review(session, project, owner)
    assert sorted(session.scalars(select(Document.name).where(Document.project_id == copy.id))) == ["P01_gp_partner", "P09_patient"]
    assert sorted(session.scalars(select(Case.participant_id).where(Case.project_id == copy.id))) == ["P01", "P09"]
    wanted = session.scalar(select(func.count()).select_from(Coding).where(Coding.document_id.in_(chosen)))
    assert session.scalar(select(func.count()).select_from(Coding).join(Document).where(Document.project_id == copy.id)) == wanted
    with pytest.raises(NotFound):
        deid.find(session, project, owner, [999999])
