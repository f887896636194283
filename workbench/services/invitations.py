"""Invitations and claim links: single-use, expiring, revocable links an owner makes.

A *join* invitation names a user name. If no account has it, the link creates the account with the
password its holder chooses. If an account has it, the link only grants membership once that
person is signed in with their own password; so a placeholder coder (no password) can never be
taken over by inviting its name. A *claim* link is how an owner turns such a placeholder, which
codes only in projects they own, into a real account. Only a token's sha256 is stored."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.models import Coding, Document, Invitation, Project, ProjectMember, User, as_utc, is_layer_account, now
from workbench.services import projects
from workbench.services.errors import Forbidden, Invalid, NotFound

JOIN_MAX_AGE = timedelta(days=7)
CLAIM_MAX_AGE = timedelta(days=3)
DEAD_LINK = "This invitation link is not valid any more: it was used, revoked or has expired. Ask the project owner for a new one."


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new(session: Session, project: Project, inviter: User, kind: str, username: str, role: str,
         user: User | None, max_age: timedelta) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(32)
    invitation = Invitation(project_id=project.id, kind=kind, token_sha256=_digest(token), username=username,
                            role=role, user_id=user.id if user else None, created_by_id=inviter.id,
                            expires_at=now() + max_age)
    session.add(invitation)
    session.flush()
    return invitation, token


def create_invitation(session: Session, project: Project, inviter: User, username: str, role: str) -> str:
    """A join link for `username`; the same answer whether or not such an account exists."""
    projects.require(session, inviter, project.id, "owner")
    username = username.strip()
    if not username or len(username) > 80:
        raise Invalid("Give the new member a user name (up to 80 characters).")
    if role not in projects.RANK:
        raise Invalid(f"Unknown role {role!r}: use one of owner, coder, viewer.")
    if is_layer_account(username):
        raise Invalid(f"{username!r} names a coding layer (consensus or an AI coder), not a person: choose another user name.")
    return _new(session, project, inviter, "join", username, role, None, JOIN_MAX_AGE)[1]


def claimable(session: Session, owner: User, user: User) -> bool:
    """A placeholder coder an owner may turn into an account: no password, and every project it is
    in or has codings in is one `owner` owns (so nobody can claim another team's coder)."""
    if user.password_hash or user.is_demo or is_layer_account(user.username):
        return False
    project_ids = set(session.scalars(select(ProjectMember.project_id).where(ProjectMember.user_id == user.id)))
    project_ids |= set(session.scalars(
        select(Document.project_id).join(Coding, Coding.document_id == Document.id).where(Coding.coder_id == user.id).distinct()
    ))
    owned = set(session.scalars(select(ProjectMember.project_id).where(
        ProjectMember.user_id == owner.id, ProjectMember.role == "owner")))
    return bool(project_ids) and project_ids <= owned


def create_claim(session: Session, project: Project, owner: User, user_id: int) -> str:
    """A claim link for a placeholder coder of `project`: whoever opens it sets its password."""
    projects.require(session, owner, project.id, "owner")
    user = session.get(User, user_id)
    if user is None or projects.role_of(session, project, user) is None:
        raise NotFound("No such member.")
    if not claimable(session, owner, user):
        raise Invalid(f"{user.username} cannot be claimed: only a placeholder coder (no password) that codes "
                      "only in projects you own can be turned into an account.")
    return _new(session, project, owner, "claim", user.username, projects.role_of(session, project, user), user, CLAIM_MAX_AGE)[1]


def pending(session: Session, project: Project) -> list[Invitation]:
    """Invitations and claim links that can still be used, newest first."""
    rows = session.scalars(select(Invitation).where(
        Invitation.project_id == project.id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None),
    ).order_by(Invitation.created_at.desc(), Invitation.id.desc()))
    return [i for i in rows if as_utc(i.expires_at) > now()]


def revoke(session: Session, project: Project, owner: User, invitation_id: int) -> None:
    projects.require(session, owner, project.id, "owner")
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.project_id != project.id:
        raise NotFound("No such invitation.")
    if invitation.used_at is None and invitation.revoked_at is None:
        invitation.revoked_at = now()
        session.flush()


def open_invitation(session: Session, token: str) -> Invitation:
    """The usable invitation behind `token`, or one clear refusal for every dead link."""
    invitation = session.scalar(select(Invitation).where(Invitation.token_sha256 == _digest(token)))
    if (invitation is None or invitation.used_at is not None or invitation.revoked_at is not None
            or as_utc(invitation.expires_at) <= now()):
        raise Invalid(DEAD_LINK)
    project = session.get(Project, invitation.project_id)
    inviter = session.get(User, invitation.created_by_id)
    # An invitation is only as good as its inviter's authority: it dies when they stop being owner.
    if project is None or inviter is None or not projects.has_role(session, project, inviter, "owner"):
        raise Invalid(DEAD_LINK)
    return invitation


def account_for(session: Session, invitation: Invitation) -> User | None:
    """The existing account a join invitation names (None: accepting it creates the account)."""
    if invitation.kind == "claim":
        return session.get(User, invitation.user_id)
    return session.scalar(select(User).where(User.username == invitation.username))


def _use(session: Session, invitation: Invitation, user: User) -> None:
    invitation.used_at = now()
    invitation.used_by_id = user.id
    project = session.get(Project, invitation.project_id)
    if invitation.kind == "join" or projects.role_of(session, project, user) is None:
        projects.add_member(session, project, user, invitation.role)
    session.flush()


def accept_new_account(session: Session, token: str, password: str) -> User:
    """Create the invited account with the chosen password, and add it to the project."""
    invitation = open_invitation(session, token)
    if invitation.kind != "join" or account_for(session, invitation) is not None:
        raise Forbidden(f"An account called {invitation.username!r} already exists: sign in as "
                        f"{invitation.username} with your own password to accept this invitation.")
    user = projects.get_or_create_user(session, invitation.username)
    projects.set_password(user, password)
    _use(session, invitation, user)
    return user


def accept_signed_in(session: Session, token: str, user: User | None) -> Project:
    """Grant the membership to the signed-in account the invitation names (it proved its password)."""
    invitation = open_invitation(session, token)
    account = account_for(session, invitation)
    if invitation.kind != "join" or account is None or user is None or account.id != user.id:
        raise Forbidden(f"This invitation is for {invitation.username!r}: sign in as that account to accept it.")
    _use(session, invitation, user)
    return session.get(Project, invitation.project_id)


def claim(session: Session, token: str, password: str) -> User:
    """Give the placeholder coder of a claim link its password: it becomes a real account."""
    invitation = open_invitation(session, token)
    user = account_for(session, invitation) if invitation.kind == "claim" else None
    inviter = session.get(User, invitation.created_by_id)
    # Re-check at use: the placeholder may have gained a password or codings elsewhere meanwhile.
    if user is None or not claimable(session, inviter, user):
        raise Invalid(DEAD_LINK)
    projects.set_password(user, password)
    projects.end_sessions(user)
    _use(session, invitation, user)
    return user
