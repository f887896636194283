"""Projects, accounts and who may do what in a project."""
from __future__ import annotations

import functools
import re

from sqlalchemy import and_, inspect, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from workbench.models import ROLES, Project, ProjectMember, User, is_layer_account
from workbench.services import visibility
from workbench.services.errors import Forbidden, Invalid, NotFound

# A viewer may read and export, a coder may also code, an owner may also manage.
RANK = {"viewer": 0, "coder": 1, "owner": 2}


def get_or_create_user(session: Session, username: str, display_name: str = "") -> User:
    username = username.strip()
    if not username:
        raise Invalid("A coder needs a user name.")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name=display_name or username)
        session.add(user)
        session.flush()
    return user


def set_password(user: User, password: str) -> None:
    if is_layer_account(user.username):
        raise Invalid(f"{user.username!r} is a coding layer (consensus or an AI coder), not a person: it cannot sign in.")
    if len(password) < 8:
        raise Invalid("Choose a password of at least 8 characters.")
    user.password_hash = generate_password_hash(password, method="scrypt")


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("not a password anybody has", method="scrypt")


def authenticate(session: Session, username: str, password: str, allow_demo: bool = False) -> User | None:
    """The account whose password this is, else None. Unknown names and placeholders cost the same
    scrypt work as a wrong password, so timing tells an outsider nothing about which names exist."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    if user.is_demo and not allow_demo:
        return None
    return user


def end_sessions(user: User) -> None:
    """Sign the account out everywhere: every session cookie issued before now stops working."""
    user.session_version = (user.session_version or 0) + 1


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise Invalid("Your current password is not right: nothing was changed.")
    if user.is_demo:
        raise Invalid("The demo account's password cannot be changed.")
    set_password(user, new)
    end_sessions(user)
    session.flush()


def create_project(session: Session, name: str, owner: User | None = None, description: str = "") -> Project:
    name = name.strip()
    if not name:
        raise Invalid("A project needs a name.")
    # Only the creator's own projects are compared: another team's project names stay unknown.
    if owner is not None and any(p.name.casefold() == name.casefold() for p, _ in projects_for(session, owner)):
        raise Invalid(f"You already have a project called {name!r}: choose another name.")
    project = Project(name=name, description=description)
    session.add(project)
    session.flush()
    if owner is not None:
        add_member(session, project, owner, "owner")
    return project


def find_project(session: Session, name_or_id: str | int) -> Project:
    """Look a project up by id or by name (the CLI accepts either)."""
    project = None
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        project = session.get(Project, int(name_or_id))
    if project is None:
        named = list(session.scalars(select(Project).where(Project.name == str(name_or_id)).order_by(Project.id)))
        if len(named) > 1:
            raise Invalid(f"Several projects are called {name_or_id!r} (ids {', '.join(str(p.id) for p in named)}): give the id.")
        project = named[0] if named else None
    if project is None:
        raise NotFound(f"No project {name_or_id!r}.")
    return project


def add_member(session: Session, project: Project, user: User, role: str) -> ProjectMember:
    if role not in ROLES:
        raise Invalid(f"Unknown role {role!r}: use one of {', '.join(ROLES)}.")
    member = session.get(ProjectMember, (project.id, user.id))
    if member is None:
        member = ProjectMember(project_id=project.id, user_id=user.id, role=role)
        session.add(member)
    else:
        member.role = role
    session.flush()
    return member


def projects_for(session: Session, user: User) -> list[tuple[Project, str]]:
    rows = session.execute(
        select(Project, ProjectMember.role)
        .join(ProjectMember, ProjectMember.project_id == Project.id)
        .where(ProjectMember.user_id == user.id)
        .order_by(Project.name)
    )
    return [(project, role) for project, role in rows]


def role_of(session: Session, project: Project, user: User) -> str | None:
    member = session.get(ProjectMember, (project.id, user.id))
    return member.role if member else None


MEMBERS = "workbench.members"  # session.info: the memberships this request looked up, held


def _member(session: Session, project_id: int, user_id: int) -> ProjectMember | None:
    """The membership, looked up once per session: the identity map holds rows only while something
    else does, so `require` and each later `has_role` would otherwise each ask the database."""
    held = session.info.setdefault(MEMBERS, {})
    member = held.get((project_id, user_id))
    if member is None or not inspect(member).persistent or member in session.deleted:
        member = held[(project_id, user_id)] = session.get(ProjectMember, (project_id, user_id))
    return member


def has_role(session: Session, project: Project, user: User, role: str) -> bool:
    member = _member(session, project.id, user.id)
    return member is not None and RANK[member.role] >= RANK[role]


def require(session: Session, user: User | None, project_id: int, role: str = "viewer") -> Project:
    """The project, if `user` holds at least `role` in it. Non-members learn nothing: 404.
    The first time in a session, the project and the membership come in one query (every request
    about a project asks this); later, both are the ones held."""
    held = session.info.setdefault(MEMBERS, {})
    project = held.get(("project", project_id))
    if project is not None and not inspect(project).persistent:  # deleted since: ask again
        project = None
    if project is None and user is not None:
        found = session.execute(select(Project, ProjectMember).outerjoin(ProjectMember, and_(
            ProjectMember.project_id == Project.id, ProjectMember.user_id == user.id)).where(Project.id == project_id)).first()
        project, member = found if found is not None else (None, None)
        if member is not None:
            held[(project_id, user.id)] = member
    member = _member(session, project_id, user.id) if (project and user) else None
    if project is None or member is None:
        raise NotFound("No such project.")
    if RANK[member.role] < RANK[role]:
        raise Forbidden(f"You are a {member.role} in this project; this needs a {role}.")
    held[("project", project_id)] = project  # held: `document.project` later needs no query
    if project.blind:
        visibility.scope_to(session, {user.id})
    return project


def remove_member(session: Session, project: Project, user: User) -> None:
    member = session.get(ProjectMember, (project.id, user.id))
    if member is None:
        raise NotFound(f"{user.username} is not a member of this project.")
    owners = [m for m in project.members if m.role == "owner"]
    if member.role == "owner" and len(owners) == 1:
        raise Invalid("A project needs at least one owner: make someone else owner first.")
    session.delete(member)
    session.flush()
    if session.scalar(select(ProjectMember.project_id).where(ProjectMember.user_id == user.id).limit(1)) is None:
        end_sessions(user)  # removed from their last project: nothing left to be signed in for
        session.flush()


def change_role(session: Session, project: Project, user: User, role: str) -> ProjectMember:
    member = session.get(ProjectMember, (project.id, user.id))
    if member is None:
        raise NotFound(f"{user.username} is not a member of this project.")
    if member.role == "owner" and role != "owner" and sum(m.role == "owner" for m in project.members) == 1:
        raise Invalid("A project needs at least one owner: make someone else owner first.")
    return add_member(session, project, user, role)


def members(session: Session, project: Project) -> list[ProjectMember]:
    return sorted(project.members, key=lambda m: (-RANK[m.role], m.user.username))


def set_blind(session: Session, project: Project, blind: bool) -> None:
    """Start blind coding, or reveal everyone's codings to everyone (recorded in the audit log)."""
    project.blind = blind
    session.flush()


def set_interviewer_speakers(session: Session, project: Project, labels: str) -> list[str]:
    """Name whose turns are not coded (one speaker label per line); audited like any project change."""
    cleaned = list(dict.fromkeys(" ".join(line.split()) for line in labels.splitlines() if line.strip()))
    if any(len(label) > 100 for label in cleaned):
        raise Invalid("A speaker label has at most 100 characters.")
    if len(cleaned) > 50:
        raise Invalid("Name at most 50 speaker labels.")
    project.interviewer_speakers = "\n".join(cleaned)
    session.flush()
    return cleaned


_NUMBERED = re.compile(r"[\s_#.-]*\d+$")


def is_interviewer(project: Project, speaker: str | None) -> bool:
    """Whether a turn by `speaker` is an interviewer's: "Interviewer 2" and "int." count as "Interviewer"
    and "Int" when those are named; no speaker (a title line) counts as not coded too."""
    if not speaker or not speaker.strip():
        return True
    labels = {label.casefold() for label in (project.interviewer_speakers or "").splitlines()}
    name = speaker.strip().rstrip(".:").casefold()
    return name in labels or _NUMBERED.sub("", name) in labels


def coders_shown_to(project: Project, user: User) -> list[User]:
    """The coders `user` may choose between in filters: the team, or in blind mode only themself."""
    if project.blind:
        return [user]
    return sorted((m.user for m in project.members if m.role != "viewer"), key=lambda u: u.username)
