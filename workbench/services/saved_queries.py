"""Coding queries saved by name per project: the expression and its filters, never their results.

Running a saved query (`run_saved`) computes it again from the codings as they are, so it is never
stale. With the expression the query keeps the code ids its names meant when it was saved, so
renaming or moving a code does not break it. Saving, changing and deleting are audited (the audit
log's `saved query` rows); the scope (document sets, coders) is the page's or command's, not saved."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.models import Project, SavedQuery, User
from workbench.services import queries, query_expression
from workbench.services.errors import Conflict, Forbidden, Invalid, NotFound
from workbench.services.projects import has_role

MAX_NAME = 100


def list_saved(session: Session, project: Project) -> list[SavedQuery]:
    return list(session.scalars(select(SavedQuery).where(SavedQuery.project_id == project.id).order_by(SavedQuery.name)))


def get_saved(session: Session, project: Project, query_id: int) -> SavedQuery:
    found = session.get(SavedQuery, query_id)
    if found is None or found.project_id != project.id:
        raise NotFound(f"No saved query with id {query_id} in this project.")
    return found


def find_saved(session: Session, project: Project, name: str) -> SavedQuery:
    found = session.scalar(select(SavedQuery).where(SavedQuery.project_id == project.id, SavedQuery.name == name))
    if found is None:
        names = ", ".join(q.name for q in list_saved(session, project)) or "none yet"
        raise NotFound(f"No saved query called {name!r} in this project (saved: {names}).")
    return found


def _clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise Invalid("Give the query a name to save it under.")
    if len(name) > MAX_NAME:
        raise Invalid(f"Query names are limited to {MAX_NAME} characters.")
    return name


def save(session: Session, project: Project, user: User | None, name: str, expression: str, filters: queries.Filters,
         replace: bool = False) -> SavedQuery:
    """Save (or, with `replace`, overwrite) a query under `name`, after checking it runs: its codes
    exist and its filters name real attributes and speakers. `user` None: the operator, on the command line."""
    name = _clean_name(name)
    tree = query_expression.parse(expression)
    queries.check_filters(session, project, filters)
    codes = queries.resolve_codes(session, project.id, tree)
    options = filters.to_json() | {"codes": {ref.name.casefold(): code_id for ref, code_id in codes.items()}}
    existing = session.scalar(select(SavedQuery).where(SavedQuery.project_id == project.id, SavedQuery.name == name))
    if existing is not None:
        if not replace:
            raise Conflict(f"A query called {name!r} is already saved: choose another name, or replace it.")
        _check_may_change(session, project, user, existing)
        existing.expression, existing.options = str(expression).strip(), options
        session.flush()
        return existing
    saved = SavedQuery(project_id=project.id, name=name, expression=str(expression).strip(), options=options,
                       created_by_id=user.id if user else None)
    session.add(saved)
    session.flush()
    return saved


def _check_may_change(session: Session, project: Project, user: User | None, saved: SavedQuery) -> None:
    if user is not None and saved.created_by_id != user.id and not has_role(session, project, user, "owner"):
        raise Forbidden("Only the person who saved this query, or a project owner, may change or delete it.")


def delete(session: Session, project: Project, user: User | None, saved: SavedQuery) -> None:
    _check_may_change(session, project, user, saved)
    session.delete(saved)
    session.flush()


def filters_of(saved: SavedQuery) -> queries.Filters:
    return queries.Filters.from_json(saved.options)


def run_saved(session: Session, project: Project, saved: SavedQuery, filters: queries.Filters | None = None) -> queries.QueryResult:
    """Run it on the codings as they are now (with its own filters, or `filters` in their place)."""
    return queries.run(session, project, saved.expression, filters or filters_of(saved), known=(saved.options or {}).get("codes"))
