"""The number keys 1-9 of the coding screen: the codes a coder pinned (else the codebook's first nine).

Keys are stable: a pin keeps its key until it is unpinned, and nothing reorders them by recency."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.models import Code, CodeShortcut, User
from workbench.services.errors import Invalid

KEYS = range(1, 10)


def pins(session: Session, project_id: int, user: User) -> dict[int, int]:
    """key -> code id of the coder's pins. (With none, the screen numbers the codebook's first nine.)"""
    return dict(session.execute(
        select(CodeShortcut.shortcut, CodeShortcut.code_id)
        .where(CodeShortcut.project_id == project_id, CodeShortcut.user_id == user.id)
        .order_by(CodeShortcut.shortcut)
    ).all())


def pin(session: Session, code: Code, user: User) -> int:
    """Give `code` the lowest free key; a code already pinned keeps its key. Returns the key."""
    taken = dict(session.execute(
        select(CodeShortcut.code_id, CodeShortcut.shortcut)
        .where(CodeShortcut.project_id == code.project_id, CodeShortcut.user_id == user.id)
    ).all())
    if code.id in taken:
        return taken[code.id]
    free = [k for k in KEYS if k not in taken.values()]
    if not free:
        raise Invalid("All nine number keys are pinned: unpin a code first.")
    session.add(CodeShortcut(user_id=user.id, code_id=code.id, project_id=code.project_id, shortcut=free[0]))
    session.flush()
    return free[0]


def unpin(session: Session, code: Code, user: User) -> None:
    """Free the code's key; the other pins keep theirs."""
    found = session.get(CodeShortcut, (user.id, code.id))
    if found is not None:
        session.delete(found)
        session.flush()

