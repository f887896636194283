"""Word frequencies and keywords in context (KWIC) over the transcripts the session's scope sees.

What is counted: the words said in the speaker turns of the documents in scope (a speaker label or a
timestamp is not said), without the interviewers' turns and lines without a speaker unless asked
(`projects.is_interviewer`, as "suggest for this document" skips them), optionally only one speaker's
turns, only participants with a case attribute value (role: GP), or only the words inside passages
coded with one code (by the coders counted; a word touched by a coding counts once however many
coders coded it). A word is a run of letters and digits holding at least one letter, with inner
apostrophes ("don't"), compared case-insensitively; stop words of the chosen language (the
`stop-words` package's lists) are left out of the list but counted in the total, so "per 1,000
words" is per 1,000 words said.

Speed: a transcript's text never changes (see Documents), so each one is split into words once per
process (numpy arrays of offsets and word ids, kept by document id and sha256, `recent.Recent`); a
request then reads the turns (and codings) in one query each and counts with numpy, whatever the
number of documents."""
from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import stop_words
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.models import CaseAttribute, Coding, Document, Project, Utterance
from workbench.services import codebook, projects, scope
from workbench.services.errors import Invalid
from workbench.services.recent import Recent

WORD = re.compile(r"\w*[^\W\d_]\w*(?:['’]\w+)*")
DEFAULT_LANGUAGE = "en"
NO_STOP_WORDS = "none"
TOP = 50
MOST_LINES = 500  # keyword-in-context lines shown or written; the page says how many there were
CONTEXT = 60  # characters of context each side of the keyword, within its turn
FREQUENCY_HEADER = ["word", "count", "per 1,000 words", "documents"]
KWIC_HEADER = ["document", "turn", "speaker", "left context", "keyword", "right context"]
LANGUAGES = dict(sorted(stop_words.LANGUAGE_MAPPING.items()))


@dataclass(frozen=True)
class Filters:
    speaker: str = ""  # one speaker label, as written in the transcripts
    attribute: tuple[str, str] | None = None  # (name, value): participants whose case has it
    code_id: int | None = None  # only words inside passages coded with this code
    language: str = DEFAULT_LANGUAGE  # stop words left out; NO_STOP_WORDS keeps every word
    interviewers: bool = False  # also the interviewers' turns (and lines without a speaker)


@dataclass(frozen=True)
class WordCount:
    word: str
    count: int
    per_thousand: float
    documents: int


@dataclass(frozen=True)
class Frequencies:
    words: list[WordCount]
    total: int  # words said in what was analysed, stop words included
    documents: int
    turns: int
    description: str


@dataclass(frozen=True)
class Line:
    """One occurrence of the keyword: its document, turn, and the words around it in that turn."""

    document_id: int
    document: str
    turn: int  # the turn's position (0-based; shown from 1)
    speaker: str
    left: str
    keyword: str
    right: str
    start: int  # the keyword, in code points of the document text
    end: int


# --- Splitting a transcript into words, once per process ---

_VOCABULARY: dict[str, int] = {}
_WORDS: list[str] = []
_VOCABULARY_LOCK = threading.Lock()
_TOKENS = Recent(1_000)  # documents (~8 bytes x 3 per word: 5,000-word transcripts take ~120 KB each)


@dataclass(frozen=True)
class Tokens:
    starts: np.ndarray
    ends: np.ndarray
    ids: np.ndarray  # into _WORDS


def normal(word: str) -> str:
    return word.casefold().replace("’", "'")


# A transcriber's note, not said: [laughs], [pause], [inaudible 00:12:03], [crosstalk].
ANNOTATION = re.compile(r"\[[^\[\]\n]{1,60}\]")


def tokenise(text: str) -> Tokens:
    notes = [(m.start(), m.end()) for m in ANNOTATION.finditer(text)]
    found = [(m.start(), m.end(), normal(m.group())) for m in WORD.finditer(text)]
    if notes:
        starts = np.array([start for start, _ in notes])
        ends = np.array([end for _, end in notes])
        at = np.searchsorted(starts, [f[0] for f in found], side="right") - 1  # the last note starting before
        found = [f for f, k in zip(found, at) if k < 0 or f[0] >= ends[k]]
    with _VOCABULARY_LOCK:
        ids = []
        for _, _, word in found:
            index = _VOCABULARY.get(word)
            if index is None:
                index = _VOCABULARY[word] = len(_WORDS)
                _WORDS.append(word)
            ids.append(index)
    return Tokens(np.array([f[0] for f in found], dtype=np.int32), np.array([f[1] for f in found], dtype=np.int32),
                  np.array(ids, dtype=np.int32))


def _tokens(session: Session, digests: dict[int, str]) -> dict[int, Tokens]:
    keys = {document_id: (document_id, digest) for document_id, digest in digests.items()}
    known = _TOKENS.get(list(keys.values()))
    missing = [document_id for document_id, key in keys.items() if key not in known]
    if missing:
        fresh = {keys[i]: tokenise(text) for i, text in session.execute(select(Document.id, Document.text).where(Document.id.in_(missing)))}
        _TOKENS.put(fresh)
        known |= fresh
    return {document_id: known[key] for document_id, key in keys.items()}


@functools.lru_cache(maxsize=64)
def _stop_words(language: str) -> frozenset[str]:
    if language == NO_STOP_WORDS:
        return frozenset()
    if language not in LANGUAGES:
        raise Invalid(f"No stop words for {language!r}: choose a language code among {', '.join(LANGUAGES)} "
                      f"(or {NO_STOP_WORDS!r} to keep every word).")
    return frozenset(normal(w) for w in stop_words.get_stop_words(language))


# --- What is analysed: the chosen turns of the documents in scope, and inside which codings ---


@dataclass
class _Document:
    name: str
    tokens: Tokens
    mask: np.ndarray  # which tokens are analysed
    turn_of: np.ndarray  # per token, the index into `turns` of its turn (valid where mask)
    turns: list  # (position, speaker, start, end) of the chosen turns


def _merged(spans: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return np.array([s for s, _ in out], dtype=np.int64), np.array([e for _, e in out], dtype=np.int64)


def _selection(session: Session, project: Project, filters: Filters) -> list[tuple[int, _Document]]:
    query = (select(Utterance.document_id, Utterance.position, Utterance.speaker, Utterance.start, Utterance.end, Document.name,
                    Document.sha256).join(Document, Document.id == Utterance.document_id).where(Document.project_id == project.id))
    if filters.speaker:
        query = query.where(Utterance.speaker == filters.speaker)
    if filters.attribute:
        name, value = filters.attribute
        query = query.where(Document.case_id.in_(select(CaseAttribute.case_id).where(CaseAttribute.name == name, CaseAttribute.value == value)))
    interviewer = functools.lru_cache(maxsize=None)(lambda speaker: projects.is_interviewer(project, speaker))
    turns: dict[int, list] = {}
    names, digests = {}, {}
    for document_id, position, speaker, start, end, name, digest in session.execute(query.order_by(Document.name, Document.id, Utterance.position)):
        names[document_id], digests[document_id] = name, digest
        if filters.interviewers or not interviewer(speaker):
            turns.setdefault(document_id, []).append((position, speaker or "", start, end))
    coded = None
    if filters.code_id is not None:
        codebook.get_code(session, project.id, filters.code_id)  # an unknown code is a 404
        coded = {}
        for document_id, start, end in session.execute(
                select(Coding.document_id, Coding.start, Coding.end).join(Document, Document.id == Coding.document_id)
                .where(Document.project_id == project.id, Coding.code_id == filters.code_id)):
            coded.setdefault(document_id, []).append((start, end))
    chosen = [i for i in names if i in turns and (coded is None or i in coded)]
    tokens = _tokens(session, {i: digests[i] for i in chosen})
    out = []
    for document_id in chosen:
        found, rows = tokens[document_id], turns[document_id]
        starts = np.array([r[2] for r in rows], dtype=np.int64)
        ends = np.array([r[3] for r in rows], dtype=np.int64)
        turn_of = np.searchsorted(starts, found.starts, side="right") - 1
        mask = (turn_of >= 0) & (found.starts < ends[np.maximum(turn_of, 0)])
        if coded is not None:  # a word touched by a coded passage of the code
            first, last = _merged(coded[document_id])
            inside = np.searchsorted(first, found.ends, side="left") - 1
            mask &= (inside >= 0) & (last[np.maximum(inside, 0)] > found.starts)
        out.append((document_id, _Document(names[document_id], found, mask, turn_of, rows)))
    return out


def describe(session: Session, project: Project, filters: Filters) -> str:
    """What the words come from, in words: "Turns said by P01; participants with role: GP; ..."."""
    parts = ["every turn (interviewers' too)" if filters.interviewers else "interviewers' turns left out"]
    if filters.speaker:
        parts.append(f"said by {filters.speaker}")
    if filters.attribute:
        parts.append(f"participants with {filters.attribute[0]}: {filters.attribute[1]}")
    if filters.code_id is not None:
        path = next(n.path for n in codebook.codebook(session, project.id) if n.code.id == filters.code_id)
        parts.append(f"only words inside passages coded {path}")
    parts.append("every word kept" if filters.language == NO_STOP_WORDS else f"{LANGUAGES[filters.language].capitalize()} stop words left out")
    return "; ".join(parts)


def frequencies(session: Session, project: Project, filters: Filters = Filters(), top: int = TOP) -> Frequencies:
    """The `top` most frequent words (ties in alphabetical order) with counts, per 1,000 words and documents."""
    stops = _stop_words(filters.language)
    if not 1 <= top <= 1000:
        raise Invalid(f"Show between 1 and 1,000 words, not {top}.")
    selection = _selection(session, project, filters)
    chosen = [d.tokens.ids[d.mask] for _, d in selection]
    size = len(_WORDS)
    counts = np.bincount(np.concatenate(chosen), minlength=size) if chosen else np.zeros(size, dtype=np.int64)
    in_documents = np.bincount(np.concatenate([np.unique(ids) for ids in chosen]), minlength=size) if chosen else counts
    total = int(counts.sum())
    candidates = [i for i in np.flatnonzero(counts).tolist() if _WORDS[i] not in stops]
    best = sorted(candidates, key=lambda i: (-counts[i], _WORDS[i]))[:top]
    words = [WordCount(_WORDS[i], int(counts[i]), round(1000 * counts[i] / total, 2), int(in_documents[i])) for i in best]
    turns = sum(len(np.unique(d.turn_of[d.mask])) for _, d in selection)
    return Frequencies(words, total, sum(1 for ids in chosen if len(ids)), turns, describe(session, project, filters))


def keywords_in_context(session: Session, project: Project, word: str, filters: Filters = Filters(),
                        limit: int = MOST_LINES) -> tuple[list[Line], int]:
    """Every occurrence of `word` in what is analysed, in document and turn order: (the first `limit`, how many)."""
    wanted = normal(word.strip())
    if not WORD.fullmatch(wanted):
        raise Invalid(f"Keywords in context are for one word (letters, digits, inner apostrophes), not {word!r}.")
    _stop_words(filters.language)  # the same check of the language as the list
    selection = _selection(session, project, filters)  # first: it splits documents not seen yet into words
    index = _VOCABULARY.get(wanted)
    hits = []
    for document_id, d in selection if index is not None else ():
        hits += [(document_id, d, int(k)) for k in np.flatnonzero(d.mask & (d.tokens.ids == index))]
    shown = hits[:limit]
    texts = dict(session.execute(select(Document.id, Document.text).where(Document.id.in_({h[0] for h in shown}))).all()) if shown else {}
    return [_line(texts[document_id], document_id, d, k) for document_id, d, k in shown], len(hits)


def _line(text: str, document_id: int, d: _Document, k: int) -> Line:
    position, speaker, turn_start, turn_end = d.turns[int(d.turn_of[k])]
    start, end = int(d.tokens.starts[k]), int(d.tokens.ends[k])
    left, right = text[max(turn_start, start - CONTEXT):start], text[end:min(turn_end, end + CONTEXT)]
    # Cut inside the turn: on a word boundary (no half word at the edge), marked with an ellipsis.
    if start - CONTEXT > turn_start:
        left = "…" + (left if text[start - CONTEXT - 1].isspace() else left.split(" ", 1)[-1])
    if end + CONTEXT < turn_end:
        right = (right if text[end + CONTEXT].isspace() else right.rsplit(" ", 1)[0]) + "…"
    return Line(document_id, d.name, position, speaker, left, text[start:end], right, start, end)


def frequency_rows(result: Frequencies) -> Iterator[list]:
    return ([w.word, w.count, w.per_thousand, w.documents] for w in result.words)


def kwic_rows(lines: list[Line]) -> Iterator[list]:
    return ([line.document, line.turn + 1, line.speaker, line.left, line.keyword, line.right] for line in lines)


def export(session: Session, project: Project, header: list[str], rows, sheet: str, about: list[tuple[str, str]],
           fmt: str, raw: bool = False) -> bytes:
    """The frequency list or the KWIC lines as CSV or XLSX; the XLSX's About sheet says what was analysed."""
    from workbench.services.exports import write_table  # imported here: exports imports services that import scope

    return write_table(fmt, header, rows, sheet, raw=raw, about=[*scope.about(session, project), *about])
