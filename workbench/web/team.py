"""The team page (owners): members and roles, invitations and claim links, blind coding; and the
page an invitation link opens."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from workbench.models import User
from workbench.services import invitations, projects
from workbench.services.errors import NotFound
from workbench.web import LoginUser, db
from workbench.web.auth import sign_in

bp = Blueprint("team", __name__)


def _member_user(project, user_id: int) -> User:
    """A member of `project`; anyone else is "no such member", so ids of other teams reveal nothing."""
    user = db().get(User, user_id)
    if user is None or projects.role_of(db(), project, user) is None:
        raise NotFound("No such member.")
    return user


def _back(project_id: int, **args):
    return redirect(url_for("team.show", project_id=project_id, **args))


@bp.get("/projects/<int:project_id>/team")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    members = projects.members(db(), project)
    claimable = {m.user_id for m in members if invitations.claimable(db(), current_user.user, m.user)}
    return render_template("team.html", project=project, members=members, claimable=claimable,
                           pending=invitations.pending(db(), project), link=request.args.get("link"),
                           link_for=request.args.get("link_for"))


@bp.post("/projects/<int:project_id>/team/invite")
@login_required
def invite(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    username = request.form.get("username", "")
    token = invitations.create_invitation(db(), project, current_user.user, username, request.form.get("role", "coder"))
    return _back(project.id, link=url_for("team.accept", token=token, _external=True), link_for=username.strip())


@bp.post("/projects/<int:project_id>/team/<int:user_id>/claim")
@login_required
def claim_link(project_id: int, user_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    user = _member_user(project, user_id)
    token = invitations.create_claim(db(), project, current_user.user, user.id)
    return _back(project.id, link=url_for("team.accept", token=token, _external=True), link_for=user.username)


@bp.post("/projects/<int:project_id>/team/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(project_id: int, invitation_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    invitations.revoke(db(), project, current_user.user, invitation_id)
    flash("Invitation revoked: its link no longer works.", "ok")
    return _back(project.id)


@bp.post("/projects/<int:project_id>/team/<int:user_id>/role")
@login_required
def change_role(project_id: int, user_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    projects.change_role(db(), project, _member_user(project, user_id), request.form.get("role", ""))
    return _back(project.id)


@bp.post("/projects/<int:project_id>/team/<int:user_id>/remove")
@login_required
def remove(project_id: int, user_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    projects.remove_member(db(), project, _member_user(project, user_id))
    return _back(project.id)


@bp.post("/projects/<int:project_id>/blind")
@login_required
def blind(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    turn_on = request.form.get("blind") == "on"
    projects.set_blind(db(), project, turn_on)
    flash("Blind coding started: each coder now sees only their own codings." if turn_on
          else "Codings revealed: everyone sees every coder's work again.", "ok")
    return _back(project.id)


@bp.post("/projects/<int:project_id>/interviewers")
@login_required
def interviewers(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    named = projects.set_interviewer_speakers(db(), project, request.form.get("speakers", ""))
    flash(f"Suggestions for a whole document now skip turns by {', '.join(named)}, and lines without a speaker."
          if named else "Suggestions for a whole document now skip only lines without a speaker.", "ok")
    return _back(project.id)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept(token: str):
    invitation = invitations.open_invitation(db(), token)
    account = invitations.account_for(db(), invitation)
    signed_in_as = current_user.user if current_user.is_authenticated else None
    if request.method == "GET":
        return render_template("invite.html", invitation=invitation, project=invitation.project,
                               exists=account is not None, signed_in_as=signed_in_as)
    if account is not None and invitation.kind == "join":
        # An existing account joins only by proving its own password: being signed in as it.
        project = invitations.accept_signed_in(db(), token, signed_in_as)
        flash(f"You joined {project.name} as {invitation.role}.", "ok")
        return redirect(url_for("projects.show", project_id=project.id))
    if request.form.get("password") != request.form.get("confirm"):
        flash("The two passwords differ.", "error")
        return render_template("invite.html", invitation=invitation, project=invitation.project,
                               exists=account is not None, signed_in_as=signed_in_as), 400
    password = request.form.get("password", "")
    if invitation.kind == "claim":
        user = invitations.claim(db(), token, password)
    else:
        user = invitations.accept_new_account(db(), token, password)
    if signed_in_as is not None:
        logout_user()
    sign_in(LoginUser(user))
    return redirect(url_for("projects.show", project_id=invitation.project_id))
