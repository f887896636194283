"""Suggesting codes for a span or a whole document, accepting and rejecting them, and evaluating them.

Evidence comes from the code descriptions and the project's coded passages (see
workbench/suggest/ranking.py for the rule). With `only_coder_id` only that coder's codings count as
evidence: blind coding must not leak a colleague's decisions through suggestions."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.models import Code, Coding, Document, Project, SuggestionRejection, User
from workbench.services import codebook, projects, provenance
from workbench.services.rankers import build_ranker, codes_of, coded_passages
from workbench.services.coding import apply_code, check_span
from workbench.services.embeddings import embed_texts
from workbench.services.errors import Invalid, NotFound
from workbench.suggest import Ranker, RankingSettings, Suggestion, description_texts

DOCUMENT_TOP_K = 3
# A selected passage shows codes scoring above the average code (0 standard deviations), and at least
# the best one: a panel of weak, negative-scoring codes is noise a researcher has to read past.
SPAN_MIN_SCORE = 0.0
DOCUMENT_MIN_SCORE = 1.0  # standard deviations above the average code; tuned on the demo project


def _excluded(session: Session, document: Document, coder: User, spans: list[tuple[int, int]]) -> list[set[int]]:
    """Per span: codes this coder rejected for exactly that span or already applied over any of it."""
    rejected = session.execute(select(SuggestionRejection.start, SuggestionRejection.end, SuggestionRejection.code_id)
                               .where(SuggestionRejection.document_id == document.id,
                                      SuggestionRejection.coder_id == coder.id)).all()
    applied = session.execute(select(Coding.start, Coding.end, Coding.code_id)
                              .where(Coding.document_id == document.id, Coding.coder_id == coder.id)).all()
    out = []
    for start, end in spans:
        banned = {code for s, e, code in rejected if (s, e) == (start, end)}
        banned |= {code for s, e, code in applied if s < end and start < e}
        out.append(banned)
    return out


def explain_score(suggestion: Suggestion) -> tuple[str, str]:
    """The score in words: a label, and what it means and rests on."""
    score = suggestion.score
    fit = "Strong fit" if score >= 2 else "Good fit" if score >= 1 else "Possible fit" if score >= 0 else "Weak fit"
    sources = ["its definition"]
    if suggestion.examples:
        sources.append(f"{suggestion.examples} passage{'s' if suggestion.examples != 1 else ''} already coded with it")
    if suggestion.classifier_probability is not None:
        sources.append("a classifier trained on the team's codings")
    where = "above" if score >= 0 else "below"
    return fit, (f"{fit}: {abs(score):.1f} standard deviations {where} the average code of the codebook for this "
                 f"passage, judged from {', '.join(sources[:-1]) + ' and ' + sources[-1] if len(sources) > 1 else sources[0]}.")


def describe(suggestion: Suggestion, codes: dict[int, Code], paths: dict[int, str]) -> dict:
    code = codes[suggestion.code_id]
    fit, meaning = explain_score(suggestion)
    return {
        "code_id": code.id, "code": code.name, "path": paths[code.id], "colour": code.colour,
        "score": round(suggestion.score, 3), "fit": fit, "meaning": meaning,
        "definition": {"similarity": round(suggestion.definition_similarity, 3), "match": suggestion.definition_match},
        "examples": suggestion.examples,
        "classifier_probability": None if suggestion.classifier_probability is None else round(suggestion.classifier_probability, 3),
        "neighbours": [dict(n.info, similarity=round(n.similarity, 3)) for n in suggestion.neighbours],
    }


def _code_maps(session: Session, project: Project) -> tuple[dict[int, Code], dict[int, str]]:
    nodes = codebook.codebook(session, project.id)
    return {n.code.id: n.code for n in nodes}, {n.code.id: n.path for n in nodes}


def suggest_for_span(session: Session, embedder, document: Document, coder: User, start: int, end: int,
                     top_k: int = 5, only_coder_id: int | None = None, min_score: float | None = SPAN_MIN_SCORE) -> list[dict]:
    """Top codes for [start, end) of the document (code points), with reasons; None = no score floor."""
    check_span(document, start, end)
    project = document.project
    # The passage first: on SQLite, caching its vector takes the write lock, and whatever writes
    # first holds it to the end of the request; encoding before that keeps colleagues' codings waiting least.
    query = embed_texts(session, embedder, [document.text[start:end]])
    ranker = build_ranker(session, embedder, project, only_coder_id)
    codes, paths = _code_maps(session, project)
    found = ranker.suggest(query[0], top_k, _excluded(session, document, coder, [(start, end)])[0])
    if min_score is not None:
        found = found[:1] + [s for s in found[1:] if s.score > min_score]
    return [describe(s, codes, paths) for s in found]


def suggest_for_document(session: Session, embedder, document: Document, coder: User, top_k: int = DOCUMENT_TOP_K,
                         min_score: float = DOCUMENT_MIN_SCORE, only_coder_id: int | None = None,
                         every_turn: bool = False) -> dict:
    """For each coded speaker's turn, the best codes scoring at least `min_score` (turns with none are
    left out). Interviewers' turns and lines without a speaker are skipped unless `every_turn`."""
    project = document.project
    utterances = list(document.utterances)
    skipped = 0 if every_turn else sum(1 for u in utterances if projects.is_interviewer(project, u.speaker))
    if not every_turn:
        utterances = [u for u in utterances if not projects.is_interviewer(project, u.speaker)]
    found = []
    if utterances:
        ranker = build_ranker(session, embedder, project, only_coder_id)
        spans = [(u.start, u.end) for u in utterances]
        vectors = embed_texts(session, embedder, [document.text[s:e] for s, e in spans])
        codes, paths = _code_maps(session, project)
        found = ranker.suggest_many(vectors, top_k, _excluded(session, document, coder, spans), min_score)
    turns = [{"utterance": u.position, "speaker": u.speaker, "start": u.start, "end": u.end,
              "text": document.text[u.start: u.end], "suggestions": [describe(s, codes, paths) for s in suggestions]}
             for u, suggestions in zip(utterances, found) if suggestions]
    return {"turns": turns, "considered": len(utterances), "skipped": skipped}


def score_code(session: Session, embedder, document: Document, code: Code, start: int, end: int,
               only_coder_id: int | None = None, settings: RankingSettings = RankingSettings()) -> tuple[Suggestion, dict, dict | None]:
    """The suggestion of `code` for [start, end) as the panel shows it (score and reasons), whatever
    its rank, with what the ranker's classifiers were: the evidence a provenance record keeps."""
    check_span(document, start, end)
    query = embed_texts(session, embedder, [document.text[start:end]])
    ranker = build_ranker(session, embedder, document.project, only_coder_id, settings)
    codes, paths = _code_maps(session, document.project)
    found = next(s for s in ranker.suggest(query[0], len(ranker.code_ids)) if s.code_id == code.id)
    return found, describe(found, codes, paths), (getattr(ranker, "provenance", None) or {}).get("classifiers")


def accept(session: Session, document: Document, coder: User, code: Code, start: int, end: int,
           embedder=None, only_coder_id: int | None = None) -> Coding:
    """The suggestion becomes a normal coding by this coder, marked as coming from a suggestion; with
    the embedder, its provenance (model, settings, score, evidence) is kept beside it. The evidence
    is computed again here, from the same model, settings and codings the panel used, rather than
    taken from the browser."""
    if code.project_id != document.project_id:
        raise Invalid("That code belongs to another project's codebook.")
    shown = score_code(session, embedder, document, code, start, end, only_coder_id) if embedder is not None else None
    made = apply_code(session, document, code, coder, start, end, origin="suggestion")
    if shown is not None and made.origin == "suggestion":
        found, described, classifiers = shown
        provenance.record(session, made, embedder, RankingSettings(), found.score, described, "suggestion", classifiers)
    return made


def reject(session: Session, document: Document, coder: User, code: Code, start: int, end: int) -> SuggestionRejection:
    """Remember that this coder turned the code down for this span; rejecting twice is a no-op."""
    if code.project_id != document.project_id:
        raise Invalid("That code belongs to another project's codebook.")
    check_span(document, start, end)
    existing = session.scalar(select(SuggestionRejection).where(
        SuggestionRejection.document_id == document.id, SuggestionRejection.code_id == code.id,
        SuggestionRejection.coder_id == coder.id, SuggestionRejection.start == start, SuggestionRejection.end == end))
    if existing is not None:
        return existing
    rejection = SuggestionRejection(document_id=document.id, code_id=code.id, coder_id=coder.id, start=start, end=end)
    session.add(rejection)
    session.flush()
    return rejection


def evaluate_project(session: Session, embedder, project: Project, coder_name: str,
                     settings: RankingSettings = RankingSettings()) -> dict[str, dict | None]:
    """Leave-one-document-out against one coder: each document's coded utterances are ranked from
    the code descriptions and that coder's codings in the *other* documents.

    Gold codes of an utterance are the codes the coder applied to any part of it. The embedding
    ranker, TF-IDF + the same ranking, and one-vs-rest logistic regression see the same splits."""
    from workbench.suggest.evaluation import metrics, rank_logistic
    from workbench.suggest.tfidf import TfidfEmbedder

    coder = session.scalar(select(User).where(User.username == coder_name))
    if coder is None:
        raise NotFound(f"No coder called {coder_name!r}.")
    codes = codes_of(session, project)
    examples = coded_passages(session, project, coder.id)
    if not examples:
        raise Invalid(f"{coder_name} has coded nothing in {project.name!r}: choose a coder with codings.")
    units = []  # (document id, text, gold code ids)
    for document in session.scalars(select(Document).where(Document.id.in_({e["document_id"] for e in examples}))):
        spans = [e for e in examples if e["document_id"] == document.id]
        for u in document.utterances:
            gold = frozenset(c for e in spans if e["start"] < u.end and u.start < e["end"] for c in e["codes"])
            if gold:
                units.append((document.id, document.text[u.start: u.end], gold))
    texts = [description_texts(c.name, c.definition, c.inclusion, c.example) for c in codes]
    flat = [t for group in texts for t in group]
    corpus = flat + [e["text"] for e in examples] + [u[1] for u in units]
    rankings: dict[str, list] = {"embedding": [], "tfidf": [], "logistic": []}
    gold_all = []
    embedders = {"embedding": _CachedEmbedder(session, embedder), "tfidf": TfidfEmbedder(corpus)}
    for held_out in sorted({u[0] for u in units}):
        train = [e for e in examples if e["document_id"] != held_out]
        test = [u for u in units if u[0] == held_out]
        gold_all.extend(u[2] for u in test)
        for label, emb in embedders.items():
            vectors = emb.encode(flat + [e["text"] for e in train] + [u[1] for u in test])
            descriptions, at = [], 0
            for group in texts:
                descriptions.append(vectors[at: at + len(group)])
                at += len(group)
            ranker = Ranker([c.id for c in codes], descriptions, vectors[at: at + len(train)],
                            [sorted(e["codes"]) for e in train], settings=settings)
            ids = [c.id for c in codes]
            rankings[label].extend([ids[i] for i in row] for row in ranker.ranked_codes(vectors[at + len(train):]))
            if label == "embedding":
                rankings["logistic"].extend(rank_logistic(vectors[at: at + len(train)], [frozenset(e["codes"]) for e in train],
                                                          vectors[at + len(train):], ids) or [])
    # With a single coded document there is nothing to train the plain classifier on.
    return {label: metrics(r, gold_all) if len(r) == len(gold_all) else None for label, r in rankings.items()}


class _CachedEmbedder:
    """The cache-backed view of an embedder, for the evaluation's many encode calls."""

    def __init__(self, session: Session, embedder):
        self.session, self.embedder = session, embedder
        self.name, self.dimensions = embedder.name, embedder.dimensions

    def encode(self, texts):
        return embed_texts(self.session, self.embedder, texts)
