"""Full-text search on SQLite FTS5 and PostgreSQL tsvector: whole words, phrases, prefixes, AND/OR/NOT,
filters, the index kept with the turns, and coding the hits."""
import pytest
from sqlalchemy import delete, select

from workbench.models import Coding, Document
from workbench.services import cases, codebook, documents, projects, search, search_query
from workbench.services.errors import Invalid

GP = """Interviewer: Do you trust the practice?
P01: As a GP I trust the link worker completely.
Interviewer: And the trustees of the charity?
P01: The trustees decide the funding, and funding is short.
P01: Volunteers run the café; volunteering keeps people well."""
LINK = """Interviewer: Tell me about the worker.
P02: The worker link was slow, but the link worker now calls weekly.
P02: A nurse and a GP meet monthly; trust grew.
P02: Our volunteer drivers do the rest."""


@pytest.fixture
def study(session):
    owner = projects.get_or_create_user(session, "olivia")
    project = projects.create_project(session, "Search study", owner)
    cases.import_cases_csv(session, project, b"participant_id,role\nP01,GP\nP02,link worker\n")
    codebook.import_yaml(session, project, "codes:\n  - name: Trust\n  - name: Volunteering\n")
    gp, _ = documents.import_document(session, project, "P01_gp.txt", GP.encode())
    link, _ = documents.import_document(session, project, "P02_lw.txt", LINK.encode())
    return {"project": project, "owner": owner, "gp": gp, "link": link}


def found(session, study, query, **filters):
    hits, _ = search.search(session, study["project"], query, **filters)
    return ["".join(p for p, _ in h.parts) for h in hits]


def test_whole_words_not_parts_of_words(session, study):
    assert found(session, study, "trust") == ["Do you trust the practice?", "As a GP I trust the link worker completely.",
                                               "A nurse and a GP meet monthly; trust grew."]
    assert found(session, study, "trustees") == ["And the trustees of the charity?",
                                                  "The trustees decide the funding, and funding is short."]
    assert found(session, study, "TRUST")[0] == "Do you trust the practice?"  # any case


def test_phrases_keep_their_word_order(session, study):
    assert found(session, study, '"link worker"') == ["As a GP I trust the link worker completely.",
                                                       "The worker link was slow, but the link worker now calls weekly."]
    assert found(session, study, '"worker link"') == ["The worker link was slow, but the link worker now calls weekly."]


def test_prefix_wildcards(session, study):
    assert found(session, study, "volunteer*") == ["Volunteers run the café; volunteering keeps people well.",
                                                   "Our volunteer drivers do the rest."]
    assert found(session, study, "volunteer") == ["Our volunteer drivers do the rest."]


def test_and_or_not_and_brackets(session, study):
    assert found(session, study, "GP AND trust") == found(session, study, "GP trust") == [
        "As a GP I trust the link worker completely.", "A nurse and a GP meet monthly; trust grew."]
    assert found(session, study, "nurse OR trustees") == ["And the trustees of the charity?",
                                                          "The trustees decide the funding, and funding is short.",
                                                          "A nurse and a GP meet monthly; trust grew."]
    assert found(session, study, "trust NOT GP") == ["Do you trust the practice?"]
    assert found(session, study, "(nurse OR practice) trust") == ["Do you trust the practice?",
                                                                  "A nurse and a GP meet monthly; trust grew."]


def test_accents_and_the_words_found_are_marked(session, study):
    assert found(session, study, "cafe") == ["Volunteers run the café; volunteering keeps people well."]
    [hit] = search.search(session, study["project"], '"link worker" GP')[0][:1]
    assert [p for p, marked in hit.parts if marked] == ["GP", "link worker"]
    assert (hit.document, hit.speaker, hit.turn) == ("P01_gp", "P01", 1)


def test_filters_by_speaker_and_participant_attribute(session, study):
    assert found(session, study, "trust", speaker="Interviewer") == ["Do you trust the practice?"]
    assert found(session, study, "trust", attribute=("role", "link worker")) == ["A nurse and a GP meet monthly; trust grew."]
    assert found(session, study, "trust", document_ids={study["gp"].id}) == [
        "Do you trust the practice?", "As a GP I trust the link worker completely."]
    assert search.speakers(session, study["project"]) == ["Interviewer", "P01", "P02"]


@pytest.mark.parametrize("query, message", [
    ("", "Type a word"), ("NOT trust", "put a word before it"), ("trust AND", "at the end"),
    ("(trust", "never closed"), ("trust)", "no opening bracket"), ("OR trust", "before OR"),
    (" ".join(f"w{i}" for i in range(31)), "at most 30")])
def test_queries_that_cannot_be_read_say_why(session, study, query, message):
    with pytest.raises(Invalid, match=message):
        search.search(session, study["project"], query)


def test_the_index_follows_the_turns(session, study):
    assert found(session, study, "drivers")
    session.execute(delete(Document).where(Document.id == study["link"].id))  # the database's own cascade
    session.expire_all()
    assert found(session, study, "drivers") == []
    again, _ = documents.import_document(session, study["project"], "P03.txt", b"P03: The drivers came back.")
    assert found(session, study, "drivers") == ["The drivers came back."]  # and no stale turn under a reused id
    assert found(session, study, "nurse") == []


def test_coding_the_hits_makes_normal_codings(session, study):
    trust = codebook.find_code(session, study["project"].id, "Trust")
    hits, _ = search.search(session, study["project"], "trust NOT Interviewer", speaker="P01")
    made = search.code_hits(session, study["project"], study["owner"], trust, [h.utterance_id for h in hits])
    assert [(c.document.text[c.start:c.end], c.origin, c.coder.username) for c in made] == [
        ("As a GP I trust the link worker completely.", "manual", "olivia")]
    assert search.code_hits(session, study["project"], study["owner"], trust, [hits[0].utterance_id])[0].id == made[0].id
    other = projects.create_project(session, "Elsewhere", study["owner"])
    stranger, _ = documents.import_document(session, other, "X.txt", b"P09: trust me.")
    with pytest.raises(Invalid, match="not turns of this project"):
        search.code_hits(session, study["project"], study["owner"], trust, [stranger.utterances[0].id])
    with pytest.raises(Invalid, match="Tick at least one"):
        search.code_hits(session, study["project"], study["owner"], trust, [])
    assert session.scalar(select(Coding.id).where(Coding.document_id == stranger.id)) is None


def test_queries_are_written_for_both_engines():
    tree = search_query.parse('(GP OR nurse) "link worker" volunteer* NOT funding')
    assert search_query.fts5(tree) == '(("gp" OR "nurse") AND "link worker" AND "volunteer"*) NOT "funding"'
    assert search_query.tsquery(tree) == "(('gp' | 'nurse') & ('link' <-> 'worker') & 'volunteer':* & !'funding')"


def test_the_search_page_codes_the_ticked_turns(app):
    from tests.conftest import signed_in_client

    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "olivia")
        project = projects.create_project(session, "Web search", owner)
        codebook.import_yaml(session, project, "codes:\n  - name: Trust\n")
        documents.import_document(session, project, "P01.txt", GP.encode())
        session.commit()
        ids = (project.id, owner.id, codebook.find_code(session, project.id, "Trust").id)
    client = signed_in_client(app, ids[1])
    page = client.get(f"/projects/{ids[0]}/search?q=trust&speaker=P01").get_data(as_text=True)
    turns = sorted(set(__import__("re").findall(r'name="turn" value="(\d+)"', page)))
    assert len(turns) == 1 and "1 turn found" in page and "said by P01" in page
    answer = client.post(f"/projects/{ids[0]}/search/code", data={"code_id": ids[2], "turn": turns, "q": "trust"},
                         follow_redirects=True)
    assert answer.status_code == 200 and "Coded 1 turn(s) as Trust." in answer.get_data(as_text=True)
    with app.extensions["workbench.sessions"]() as session:
        [made] = session.scalars(select(Coding)).all()
        assert made.document.text[made.start:made.end] == "As a GP I trust the link worker completely."
    assert client.post(f"/projects/{ids[0]}/search/code", data={"turn": turns}).status_code == 400
