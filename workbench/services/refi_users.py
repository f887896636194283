"""Who the users named in a REFI-QDA file become in the importing project.

A file is not proof of identity: anyone can write `<User name="alice">` or `consensus` into one.
So each user of the file becomes a placeholder coder of the project — display name as in the file,
a user name that no account can already have (`alice (REFI import)`, made unique), no password,
role coder — unless the owner maps them explicitly at import (`--map-user alice=alice`). A mapping
may point at a member of the project, or, for an owner only, at the consensus layer."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.models import CONSENSUS_CODER, Project, ProjectMember, User
from workbench.services.consensus import consensus_coder
from workbench.services.errors import Forbidden, Invalid
from workbench.services.projects import has_role

SUFFIX = "REFI import"
_USERNAME_LENGTH = 80  # user.username is String(80)


def parse_user_map(pairs) -> dict[str, str]:
    """"alice=alice, bob=consensus" (or a list of such pairs) as {name in the file: account}."""
    if isinstance(pairs, str):
        pairs = re.split(r"[,\n]", pairs)
    mapping: dict[str, str] = {}
    for pair in pairs or []:
        if not pair.strip():
            continue
        name, sep, account = pair.partition("=")
        if not sep or not name.strip() or not account.strip():
            raise Invalid(f"A user mapping is written NAME_IN_FILE=ACCOUNT (e.g. alice=alice), not {pair.strip()!r}.")
        mapping[name.strip()] = account.strip()
    return mapping


def _placeholder(session: Session, project: Project, name: str, display_name: str) -> User:
    """This project's placeholder for `name` from an earlier import of a file, or a new one."""
    base = f"{name[:_USERNAME_LENGTH - len(SUFFIX) - 8]} ({SUFFIX}"
    n = 1
    while True:
        username = f"{base})" if n == 1 else f"{base} {n})"
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, display_name=display_name or name, password_hash=None)
            session.add(user)
            session.flush()
            return user
        # Re-importing the same file reuses the placeholder instead of adding "alice (REFI import 2)".
        member = session.get(ProjectMember, (project.id, user.id))
        if user.password_hash is None and member is not None and user.display_name == (display_name or name):
            return user
        n += 1


def _mapped(session: Session, project: Project, name: str, account: str, mapped_by: User | None) -> User:
    if account == CONSENSUS_CODER:
        # mapped_by None is the command line, run by whoever administers the server.
        if mapped_by is not None and not has_role(session, project, mapped_by, "owner"):
            raise Forbidden("Only an owner of the project may import codings into the consensus layer.")
        return consensus_coder(session)
    user = session.scalar(select(User).where(User.username == account))
    if user is None or session.get(ProjectMember, (project.id, user.id)) is None:
        raise Invalid(f"User {name!r} of the file can only be mapped to a member of this project, and {account!r} is not one: "
                      "add them on the Team page first, or leave them out to import them as a placeholder coder.")
    return user


def project_users(session: Session, project: Project, file_users, user_map: dict[str, str] | None = None,
                  mapped_by: User | None = None) -> tuple[dict[str, User], int]:
    """{guid of the file's user: the account their codings and notes go to}, and how many members were added."""
    user_map = dict(user_map or {})
    names = {item.name for item in file_users}
    unknown = sorted(set(user_map) - names)
    if unknown:
        listing = ", ".join(sorted(names)) or "none"
        raise Invalid(f"The file has no user {', '.join(map(repr, unknown))} to map (its users: {listing}).")
    users, added = {}, 0
    for item in file_users:
        if item.name in user_map:
            user = _mapped(session, project, item.name, user_map[item.name], mapped_by)
        else:
            user = _placeholder(session, project, item.name, item.display_name)
        users[item.guid] = user
        if user.username != CONSENSUS_CODER and session.get(ProjectMember, (project.id, user.id)) is None:
            session.add(ProjectMember(project_id=project.id, user_id=user.id, role="coder"))
            added += 1
    session.flush()
    return users, added
