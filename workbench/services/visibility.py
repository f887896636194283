"""Blind coding: a session scoped to some coders sees only their codings, whatever query asks.

`projects.require` scopes the session when the project is blind, so every page, API call, search,
suggestion and export built on it sees the signed-in coder's own work only, with no per-query care.
The few writes that must see every coding (merging or deleting codes, collapsing a duplicate
coding) ask for it explicitly with the execution option ALL_CODERS."""
from __future__ import annotations

from sqlalchemy import event, or_
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from workbench.models import AuditEntry, Coding, Memo, Project
from workbench.services.errors import Forbidden

VISIBLE_CODERS = "workbench.visible_coders"
ALL_CODERS = "workbench_all_coders"
# Audit entries about someone's coding work would show what they coded.
PRIVATE_AUDIT = ("coding", "suggestion", "memo", "exemplar", "consensus decision")


def scope_to(session: Session, coder_ids: set[int]) -> None:
    session.info[VISIBLE_CODERS] = frozenset(coder_ids)


def require_revealed(project: Project) -> None:
    if project.blind:
        raise Forbidden("This project is in blind coding: coders are compared only after an owner reveals the codings.")


@event.listens_for(Session, "do_orm_execute")
def _only_visible_coders(state: ORMExecuteState) -> None:
    ids = state.session.info.get(VISIBLE_CODERS)
    if ids is None or not state.is_select or state.execution_options.get(ALL_CODERS):
        return
    state.statement = state.statement.options(
        with_loader_criteria(Coding, Coding.coder_id.in_(ids), include_aliases=True),
        with_loader_criteria(Memo, Memo.author_id.in_(ids), include_aliases=True),
        with_loader_criteria(AuditEntry, or_(AuditEntry.target_type.not_in(PRIVATE_AUDIT), AuditEntry.user_id.in_(ids)), include_aliases=True),
    )
