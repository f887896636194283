"""Word frequencies and keywords in context on the hand-counted study (study.py), on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from tests.word_frequency.study import build
from workbench.services import documents, projects, scope
from workbench.services import word_frequency as wf
from workbench.services.errors import Invalid, NotFound


@pytest.fixture
def study(session):
    return build(session)


def table(result):
    return [(w.word, w.count, w.per_thousand, w.documents) for w in result.words]


def test_counts_leave_out_interviewers_and_stop_words(session, study):
    """21 words said by participants; trust 5 (5/21 x 1000 = 238.10), time 2 (95.24), then the words said
    once in alphabetical order (47.62); stop words (we the is and don't more) are counted in the 21 only."""
    result = wf.frequencies(session, study["project"])
    assert result.total == 21 and result.documents == 2 and result.turns == 3
    assert table(result) == [("trust", 5, 238.1, 2), ("time", 2, 95.24, 1), ("charity", 1, 47.62, 1), ("charity's", 1, 47.62, 1),
                             ("rush", 1, 47.62, 1), ("short", 1, 47.62, 1), ("staff", 1, 47.62, 1), ("takes", 1, 47.62, 1)]
    assert result.description == "interviewers' turns left out; English stop words left out"
    assert [w.word for w in wf.frequencies(session, study["project"], top=2).words] == ["trust", "time"]


def test_every_word_and_interviewers_when_asked(session, study):
    """Interviewers too: + do you trust the charity (5) + trust (1) = 27 words; trust 7, the 3, charity 2, and 2, time 2."""
    every = wf.frequencies(session, study["project"], wf.Filters(language="none", interviewers=True), top=5)
    assert every.total == 27
    assert [(w.word, w.count) for w in every.words] == [("trust", 7), ("the", 3), ("and", 2), ("charity", 2), ("time", 2)]


def test_by_speaker_by_attribute_and_by_code(session, study):
    """P02 alone: 5 words, trust 3 (600). Role GP (P01): 16 words, time 2 and trust 2 (125 each, alphabetical).
    Inside Trust's passages: we trust the charity (P01) + more trust (P02) = 6 words (ana's and ben's
    overlapping passages count once), trust 2 (333.33), charity 1 (166.67)."""
    project = study["project"]
    p02 = wf.frequencies(session, project, wf.Filters(speaker="P02"))
    assert p02.total == 5 and table(p02) == [("trust", 3, 600.0, 1)]
    gp = wf.frequencies(session, project, wf.Filters(attribute=("role", "GP")))
    assert gp.total == 16 and table(gp)[:2] == [("time", 2, 125.0, 1), ("trust", 2, 125.0, 1)]
    coded = wf.frequencies(session, project, wf.Filters(code_id=study["trust"].id))
    assert coded.total == 6 and table(coded) == [("trust", 2, 333.33, 2), ("charity", 1, 166.67, 1)]
    assert coded.description.endswith("only words inside passages coded Trust; English stop words left out")
    nothing = wf.frequencies(session, project, wf.Filters(code_id=study["time"].id))
    assert nothing.total == 0 and nothing.words == []


def test_the_coder_scope_and_document_sets_apply(session, study):
    """ben's Trust passage only: trust the charity (3 words) in P01; P02 has none of his."""
    project = study["project"]
    scope.apply(session, scope.Scope(project.id).with_coders(scope.resolve_coders(session, project.id, ["ben"])))
    ben = wf.frequencies(session, project, wf.Filters(code_id=study["trust"].id))
    assert ben.total == 3 and ben.documents == 1 and table(ben) == [("charity", 1, 333.33, 1), ("trust", 1, 333.33, 1)]
    from workbench.services import document_sets

    lw = document_sets.create_set(session, project, "link workers")
    document_sets.add_documents(session, lw, [study["docs"]["P02_lw"].id])
    scope.apply(session, scope.resolve(session, project.id, [lw.id]))
    assert wf.frequencies(session, project).total == 5


def test_a_blind_coder_counts_inside_their_own_passages(session, study):
    project = study["project"]
    project.blind = True
    session.flush()
    projects.require(session, study["users"]["ben"], project.id)
    assert wf.frequencies(session, project, wf.Filters(code_id=study["trust"].id)).total == 3


def test_keywords_in_context(session, study):
    """trust said by participants: twice in P01 turn 2 (position 1), three times in P02 turn 2 (position 1),
    each with the rest of its turn around it; "Trust" matches case-insensitively and keeps its case."""
    lines, total = wf.keywords_in_context(session, study["project"], "Trust")
    assert total == 5
    assert [(l.document, l.turn, l.speaker, l.left, l.keyword, l.right) for l in lines] == [
        ("P01_gp", 1, "P01", "We ", "trust", " the charity. Trust takes time."),
        ("P01_gp", 1, "P01", "We trust the charity. ", "Trust", " takes time."),
        ("P02_lw", 1, "P02", "🙂 ", "Trust", ", trust and more trust."),
        ("P02_lw", 1, "P02", "🙂 Trust, ", "trust", " and more trust."),
        ("P02_lw", 1, "P02", "🙂 Trust, trust and more ", "trust", "."),
    ]
    text = study["docs"]["P02_lw"].text
    assert text[lines[2].start:lines[2].end] == "Trust"
    first, count = wf.keywords_in_context(session, study["project"], "trust", limit=2)
    assert count == 5 and len(first) == 2
    assert wf.keywords_in_context(session, study["project"], "nowhere") == ([], 0)
    coded, count = wf.keywords_in_context(session, study["project"], "charity", wf.Filters(code_id=study["trust"].id))
    assert count == 1 and coded[0].right == ". Trust takes time."  # the context is the turn, not the passage


def test_long_turns_are_cut_on_word_boundaries(session, study):
    """60 characters each side at most, never half a word: the cut side starts or ends with an ellipsis."""
    words = " ".join(f"w{i:02d}x" for i in range(30))  # 5 characters a word with its space
    document, _ = documents.import_document(session, study["project"], "P03.txt", f"P03: {words} keyword {words}".encode())
    (line,), _ = wf.keywords_in_context(session, study["project"], "keyword")
    assert line.left.startswith("…") and line.right.endswith("…")
    assert line.left == "…" + " ".join(f"w{i:02d}x" for i in range(18, 30)) + " "
    assert line.right == " " + " ".join(f"w{i:02d}x" for i in range(12)) + "…"


def test_bad_requests_are_clear(session, study):
    project = study["project"]
    with pytest.raises(Invalid, match="No stop words for 'xx'"):
        wf.frequencies(session, project, wf.Filters(language="xx"))
    with pytest.raises(Invalid, match="for one word"):
        wf.keywords_in_context(session, project, "two words")
    with pytest.raises(NotFound):
        wf.frequencies(session, project, wf.Filters(code_id=999_999))
    with pytest.raises(Invalid, match="between 1 and 1,000"):
        wf.frequencies(session, project, top=0)


def test_other_languages_use_their_own_stop_words(session, study):
    """French: « Nous faisons confiance » — nous is a French stop word, faisons and confiance are not."""
    documents.import_document(session, study["project"], "P04.txt", "P04: Nous faisons confiance à nous.".encode())
    french = wf.frequencies(session, study["project"], wf.Filters(speaker="P04", language="fr"))
    assert french.total == 5 and [w.word for w in french.words] == ["confiance", "faisons"]


def test_transcribers_notes_are_not_words_said():
    """[laughs], [pause], [inaudible 00:12:03] are the transcriber's, not the speaker's: in the demo's
    transcripts "laughs" came second of all words (75 times) before this rule."""
    from workbench.services.word_frequency import _WORDS, tokenise

    said = "Yes [laughs] we did. [pause] It was [inaudible 00:12:03] fine, she laughs."
    tokens = tokenise(said)
    words = [_WORDS[i] for i in tokens.ids]
    assert words == ["yes", "we", "did", "it", "was", "fine", "she", "laughs"]
    assert [said[s:e] for s, e in zip(tokens.starts, tokens.ends)][-1] == "laughs"
