"""Invitations: an owner invites a researcher by a signed, expiring link; they choose their password."""
from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from workbench.models import Project, User
from workbench.services import projects
from workbench.services.errors import Invalid

MAX_AGE = 7 * 24 * 3600
SALT = "workbench-invitation"


def create_invitation(secret_key: str, project: Project, username: str, role: str) -> str:
    username = username.strip()
    if not username or len(username) > 80:
        raise Invalid("Give the new member a user name (up to 80 characters).")
    if role not in projects.RANK:
        raise Invalid(f"Unknown role {role!r}.")
    return URLSafeTimedSerializer(secret_key, salt=SALT).dumps({"project": project.id, "username": username, "role": role})


def read_invitation(secret_key: str, token: str) -> dict:
    try:
        return URLSafeTimedSerializer(secret_key, salt=SALT).loads(token, max_age=MAX_AGE)
    except SignatureExpired:
        raise Invalid("This invitation has expired: ask the project owner for a new one.") from None
    except BadSignature:
        raise Invalid("This invitation link is not valid: check you copied all of it.") from None


def accept_invitation(session: Session, secret_key: str, token: str, password: str) -> User:
    """Create the account (once) with the chosen password and add it to the project."""
    invitation = read_invitation(secret_key, token)
    project = session.get(Project, invitation["project"])
    if project is None:
        raise Invalid("The project of this invitation no longer exists.")
    user = projects.get_or_create_user(session, invitation["username"])
    if user.password_hash:
        raise Invalid("This invitation has already been used: sign in with your password instead.")
    projects.set_password(user, password)
    projects.add_member(session, project, user, invitation["role"])
    return user
