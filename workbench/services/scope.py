"""What an analysis looks at: the project's documents, or only those in chosen document sets.

A `Scope` is resolved once (set ids -> document ids, one query) and applied to the session like blind
coding (`visibility.py`): loader criteria on documents, turns, codings, memos, cases and consensus
decisions, so retrieval, agreement and every export see the same documents without a filter of their
own. It is the one object analyses take; issue 14 adds the coders it looks at beside the sets."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from workbench.models import Adjudication, Case, Coding, Document, DocumentSet, DocumentSetMember, Memo, Utterance
from workbench.services.errors import NotFound

APPLIED = "workbench.scope"


@dataclass(frozen=True)
class Scope:
    project_id: int
    sets: tuple[tuple[int, str], ...] = ()  # (id, name) of the chosen sets, in the order asked
    document_ids: frozenset[int] | None = None  # None: the whole project

    @property
    def whole_project(self) -> bool:
        return self.document_ids is None

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

    def file_label(self) -> str:
        """A short part of a file name: "set wave 1", "sets wave 1 + GPs"."""
        if self.whole_project:
            return ""
        names = [name for _, name in self.sets]
        return ("set " if len(names) == 1 else "sets ") + " + ".join(names)

    def query_args(self) -> dict:
        """For links that keep the filter: url_for(..., **scope.query_args())."""
        return {"set": self.set_ids} if self.sets else {}


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


def resolve_names(session: Session, project_id: int, names: list[str]) -> Scope:
    """The same from set names, as the command line gives them."""
    ids = dict(session.execute(select(DocumentSet.name, DocumentSet.id).where(DocumentSet.project_id == project_id)).all())
    for name in names:
        if name not in ids:
            raise NotFound(f"No document set called {name!r} in this project: `workbench sets` lists them.")
    return resolve(session, project_id, [ids[name] for name in names])


def apply(session: Session, scope: Scope) -> Scope:
    """From now on this session sees only the scope's documents and what hangs on them."""
    session.info[APPLIED] = scope
    return scope


def current(session: Session, project_id: int) -> Scope:
    """The scope applied to this session (the whole project if none), so an export can name it in its file."""
    applied = session.info.get(APPLIED)
    return applied if applied is not None and applied.project_id == project_id else Scope(project_id)


def titled(session: Session, project_id: int, title: str) -> str:
    """A file's title with the scope after it: "Thematic table: Study (Documents in set: wave 1)"."""
    described = current(session, project_id).describe()
    return f"{title} ({described})" if described else title


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
