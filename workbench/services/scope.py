"""What an analysis looks at: the project's documents (or only those in chosen document sets) and
whose codings it counts (every coder, some of them, or the consensus layer only).

A `Scope` is resolved once (set ids -> document ids, coder names -> user ids) and applied to the
session like blind coding (`visibility.py`): loader criteria on documents, turns, codings, memos,
cases and consensus decisions, so retrieval, agreement and every export see the same documents and
codings without a filter of their own. Both listeners add their criteria to the same query, so a
blind coder's session keeps only their own codings whatever coders a scope names (and `resolve`
refuses to name others). It is the one object analyses take; `about()` says it inside each file."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import event, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from workbench.models import (CONSENSUS_CODER, Adjudication, Case, Code, Coding, Document, DocumentSet, DocumentSetMember,
                              Memo, ProjectMember, ScopePreference, User, Utterance, is_layer_account)
from workbench.services import visibility
from workbench.services.errors import Forbidden, NotFound

APPLIED = "workbench.scope"


@dataclass(frozen=True)
class Scope:
    project_id: int
    sets: tuple[tuple[int, str], ...] = ()  # (id, name) of the chosen sets, in the order asked
    document_ids: frozenset[int] | None = None  # None: the whole project
    coders: tuple[tuple[int, str], ...] = ()  # (user id, user name) of the counted coders; () = every coder

    @property
    def whole_project(self) -> bool:
        return self.document_ids is None

    @property
    def all_coders(self) -> bool:
        return not self.coders

    @property
    def coder_ids(self) -> frozenset[int] | None:
        return None if self.all_coders else frozenset(user_id for user_id, _ in self.coders)

    @property
    def coder_names(self) -> list[str]:
        return [name for _, name in self.coders]

    def counting(self) -> str:
        """Whose codings count, in words: "all coders", "ana, ben", "consensus only"."""
        if self.all_coders:
            return "all coders"
        if self.coder_names == [CONSENSUS_CODER]:
            return "consensus only"
        return ", ".join(self.coder_names)

    @property
    def set_ids(self) -> list[int]:
        return [set_id for set_id, _ in self.sets]

    def describe(self) -> str:
        """The filter in words, for a page or a file: "Documents in set: wave 1"."""
        if self.whole_project:
            return ""
        names = [name for _, name in self.sets]
        if len(names) == 1:
            return f"Documents in set: {names[0]}"
        return f"Documents in every one of the sets: {', '.join(names)}"

    def statement(self) -> str:
        """Both halves for a title or a page: "Documents in set: wave 1; counting: ana, ben"."""
        return "; ".join(filter(None, [self.describe(), f"counting: {self.counting()}"]))

    def file_label(self) -> str:
        """A short part of a file name: "set wave 1", "sets wave 1 + GPs", "set GPs-coders ana + ben"."""
        parts = []
        if not self.whole_project:
            names = [name for _, name in self.sets]
            parts.append(("set " if len(names) == 1 else "sets ") + " + ".join(names))
        if self.coder_names == [CONSENSUS_CODER]:
            parts.append("consensus only")
        elif self.coders:
            parts.append(("coder " if len(self.coders) == 1 else "coders ") + " + ".join(self.coder_names))
        return "-".join(parts)

    def query_args(self) -> dict:
        """For links that keep the filter: url_for(..., **scope.query_args())."""
        args = {"set": self.set_ids} if self.sets else {}
        return args | ({"coders": self.coder_names} if self.coders else {})

    def with_coders(self, coders: tuple[tuple[int, str], ...]) -> "Scope":
        return Scope(self.project_id, self.sets, self.document_ids, tuple(coders))


def resolve(session: Session, project_id: int, set_ids: list[int]) -> Scope:
    """The documents in *every* chosen set (none chosen: the whole project). Unknown sets are 404."""
    if not set_ids:
        return Scope(project_id)
    wanted = list(dict.fromkeys(set_ids))
    rows = session.execute(
        select(DocumentSet.id, DocumentSet.name, DocumentSetMember.document_id)
        .outerjoin(DocumentSetMember, DocumentSetMember.set_id == DocumentSet.id)
        .where(DocumentSet.project_id == project_id, DocumentSet.id.in_(wanted))
    ).all()
    names = {set_id: name for set_id, name, _ in rows}
    missing = [set_id for set_id in wanted if set_id not in names]
    if missing:
        raise NotFound(f"No document set with id {missing[0]} in this project: choose one of the project's sets.")
    members: dict[int, set[int]] = {set_id: set() for set_id in wanted}
    for set_id, _, document_id in rows:
        if document_id is not None:
            members[set_id].add(document_id)
    documents = frozenset(set.intersection(*members.values()))
    return Scope(project_id, tuple((set_id, names[set_id]) for set_id in wanted), documents)


def resolve_names(session: Session, project_id: int, names: list[str], coders: list[str] | None = None) -> Scope:
    """The same from set names (and coder names), as the command line gives them."""
    ids = dict(session.execute(select(DocumentSet.name, DocumentSet.id).where(DocumentSet.project_id == project_id)).all())
    for name in names:
        if name not in ids:
            raise NotFound(f"No document set called {name!r} in this project: `workbench sets` lists them.")
    chosen = resolve(session, project_id, [ids[name] for name in names])
    return chosen.with_coders(resolve_coders(session, project_id, coders or []))


def coder_choices(session: Session, project_id: int) -> list[tuple[int, str]]:
    """(id, name) of everyone whose codings a scope may count: the project's coders and owners and anyone
    with a coding in it (imported coders, the consensus layer once it has codings), consensus last. In
    blind mode a coder sees only themself (`resolve_coders` refuses the rest with a 403)."""
    with_codings = select(Coding.coder_id).join(Document, Document.id == Coding.document_id).where(Document.project_id == project_id)
    members = select(ProjectMember.user_id).where(ProjectMember.project_id == project_id, ProjectMember.role != "viewer")
    # Not narrowed by a coder scope already applied to the session: the choices are everyone's.
    rows = session.execute(
        select(User.id, User.username).where(or_(User.id.in_(with_codings), User.id.in_(members))),
        execution_options={visibility.ALL_CODERS: True},
    ).all()
    visible = session.info.get(visibility.VISIBLE_CODERS)
    if visible is not None:
        rows = [r for r in rows if r[0] in visible]
    return sorted(((i, n) for i, n in rows), key=lambda r: (r[1] == CONSENSUS_CODER, r[1].lower()))


def _check_visible(session: Session, found: list[tuple[int, str]]) -> None:
    visible = session.info.get(visibility.VISIBLE_CODERS)
    hidden = [name for user_id, name in found if visible is not None and user_id not in visible]
    if hidden:
        raise Forbidden(f"This project is in blind coding: you see only your own codings until an owner reveals them, "
                        f"so you cannot count {hidden[0]}'s.")


def resolve_coders(session: Session, project_id: int, names: list[str]) -> tuple[tuple[int, str], ...]:
    """Coder names (as the page and the command line give them) -> (id, name), in codebook-independent
    order: as chosen, duplicates dropped. No names: every coder. An unknown name is a 404."""
    wanted = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    if not wanted:
        return ()
    choices = dict((name, user_id) for user_id, name in _all_choices(session, project_id))
    missing = [n for n in wanted if n not in choices]
    if missing:
        raise NotFound(f"No coder called {missing[0]!r} in this project: choose among {', '.join(choices) or 'no one yet'}.")
    found = [(choices[n], n) for n in wanted]
    _check_visible(session, found)
    return tuple(found)


def resolve_coder_ids(session: Session, project_id: int, ids: list[int]) -> tuple[tuple[int, str], ...]:
    """The same from user ids (a remembered choice, a background job); ids no longer choosable are dropped."""
    by_id = dict(_all_choices(session, project_id))
    found = [(i, by_id[i]) for i in dict.fromkeys(ids) if i in by_id]
    _check_visible(session, found)
    return tuple(found)


def _all_choices(session: Session, project_id: int) -> list[tuple[int, str]]:
    # Everyone, even in blind mode, so that naming a colleague is a clear 403, not a puzzling 404.
    hidden = session.info.pop(visibility.VISIBLE_CODERS, None)
    try:
        return coder_choices(session, project_id)
    finally:
        if hidden is not None:
            session.info[visibility.VISIBLE_CODERS] = hidden


def remembered(session: Session, user: User, project_id: int) -> list[int]:
    """The coders this user last chose for this project's analyses (empty: every coder)."""
    found = session.get(ScopePreference, (user.id, project_id))
    return list(found.coder_ids) if found is not None else []


def remember(session: Session, user: User, project_id: int, coders: tuple[tuple[int, str], ...]) -> None:
    """Keep the choice for the next page this user opens in this project (a preference: not audited)."""
    found = session.get(ScopePreference, (user.id, project_id))
    ids = [user_id for user_id, _ in coders]
    if found is None:
        session.add(ScopePreference(user_id=user.id, project_id=project_id, coder_ids=ids))
    else:
        found.coder_ids = ids
    session.flush()


def apply(session: Session, scope: Scope) -> Scope:
    """From now on this session sees only the scope's documents and what hangs on them."""
    session.info[APPLIED] = scope
    return scope


def current(session: Session, project_id: int) -> Scope:
    """The scope applied to this session (the whole project if none), so an export can name it in its file."""
    applied = session.info.get(APPLIED)
    return applied if applied is not None and applied.project_id == project_id else Scope(project_id)


def titled(session: Session, project_id: int, title: str) -> str:
    """A file's title with the scope after it: "Thematic table: Study (Documents in set: wave 1; counting: ana, ben)"."""
    return f"{title} ({current(session, project_id).statement()})"


def codebook_version(session: Session, project_id: int) -> str:
    """The codebook as a short fingerprint: changes when any code is added, renamed, moved or edited."""
    rows = session.execute(select(Code.id, Code.parent_id, Code.name, Code.version).where(Code.project_id == project_id)
                           .order_by(Code.id)).all()
    digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()[:8]
    return f"{len(rows)} codes, fingerprint {digest}"


def about(session: Session, project) -> list[tuple[str, str]]:
    """What a file says about itself (an "About" sheet, a header): project, documents, whose codings,
    the day it was made and the codebook it used. The day, not the time, so a file made twice a day
    keeps the same bytes."""
    applied = current(session, project.id)
    return [
        ("Project", project.name),
        ("Documents", applied.describe() or "all documents"),
        ("Counting", _counting_named(session, project.id, applied)),
        ("Exported on", datetime.now(timezone.utc).date().isoformat()),
        ("Codebook", codebook_version(session, project.id)),
    ]


def _counting_named(session: Session, project_id: int, applied: Scope) -> str:
    """"all coders" says nothing of whose codings a file holds, and "everyone" may include the
    consensus layer and an AI coder's layer beside the people: name them ("all coders: ana, ben,
    consensus, ai:all-MiniLM-L6-v2"), people first. Only codings this session can see, in the
    scope's documents, are asked about (blind coding and document sets apply)."""
    if not applied.all_coders:
        return applied.counting()
    names = set(session.scalars(select(User.username).join(Coding, Coding.coder_id == User.id)
                                .join(Document, Document.id == Coding.document_id)
                                .where(Document.project_id == project_id).distinct()))
    if not names:
        return applied.counting()
    people = sorted((n for n in names if not is_layer_account(n)), key=str.lower)
    layers = sorted((n for n in names if is_layer_account(n)), key=lambda n: (n.casefold() != CONSENSUS_CODER, n))
    return f"{applied.counting()}: {', '.join(people + layers)}"


@event.listens_for(Session, "do_orm_execute")
def _only_scoped_coders(state: ORMExecuteState) -> None:
    applied = state.session.info.get(APPLIED)
    if applied is None or applied.all_coders or not state.is_select or state.execution_options.get(visibility.ALL_CODERS):
        return
    ids = sorted(applied.coder_ids)
    state.statement = state.statement.options(
        with_loader_criteria(Coding, Coding.coder_id.in_(ids), include_aliases=True),
        # A memo on a coding goes with it; memos on documents, codes and the project stay.
        with_loader_criteria(Memo, or_(Memo.coding_id.is_(None), Memo.coding_id.in_(select(Coding.id).where(Coding.coder_id.in_(ids)))),
                             include_aliases=True),
    )


@event.listens_for(Session, "do_orm_execute")
def _only_scoped_documents(state: ORMExecuteState) -> None:
    applied = state.session.info.get(APPLIED)
    if applied is None or applied.whole_project or not state.is_select:
        return
    ids = sorted(applied.document_ids)
    state.statement = state.statement.options(
        with_loader_criteria(Document, Document.id.in_(ids), include_aliases=True),
        with_loader_criteria(Utterance, Utterance.document_id.in_(ids), include_aliases=True),
        with_loader_criteria(Coding, Coding.document_id.in_(ids), include_aliases=True),
        with_loader_criteria(Adjudication, Adjudication.document_id.in_(ids), include_aliases=True),
        with_loader_criteria(Case, Case.id.in_(select(Document.case_id).where(Document.id.in_(ids))), include_aliases=True),
        # Memos on the project or a code stay; memos on a document or a coding follow it.
        with_loader_criteria(Memo, or_(Memo.document_id.is_(None), Memo.document_id.in_(ids)) & or_(
            Memo.coding_id.is_(None), Memo.coding_id.in_(select(Coding.id).where(Coding.document_id.in_(ids)))),
            include_aliases=True),
    )
