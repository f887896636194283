"""The team page: members and roles, invitations, blind coding and reveal (owners only)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from workbench.models import User
from workbench.services import invitations, projects
from workbench.services.errors import NotFound
from workbench.web import LoginUser, db

bp = Blueprint("team", __name__)


def _member_user(project_id: int, user_id: int) -> User:
    user = db().get(User, user_id)
    if user is None:
        raise NotFound("No such member.")
    return user


@bp.get("/projects/<int:project_id>/team")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    return render_template("team.html", project=project, members=projects.members(db(), project),
                           invitation=request.args.get("invitation"))


@bp.post("/projects/<int:project_id>/team/invite")
@login_required
def invite(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    token = invitations.create_invitation(current_app.secret_key, project, request.form.get("username", ""), request.form.get("role", "coder"))
    link = url_for("team.accept", token=token, _external=True)
    return redirect(url_for("team.show", project_id=project.id, invitation=link))


@bp.post("/projects/<int:project_id>/team/<int:user_id>/role")
@login_required
def change_role(project_id: int, user_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    projects.change_role(db(), project, _member_user(project_id, user_id), request.form.get("role", ""))
    return redirect(url_for("team.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/team/<int:user_id>/remove")
@login_required
def remove(project_id: int, user_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    projects.remove_member(db(), project, _member_user(project_id, user_id))
    return redirect(url_for("team.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/blind")
@login_required
def blind(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    turn_on = request.form.get("blind") == "on"
    projects.set_blind(db(), project, turn_on)
    flash("Blind coding started: each coder now sees only their own codings." if turn_on
          else "Codings revealed: everyone sees every coder's work again.", "ok")
    return redirect(url_for("team.show", project_id=project.id))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept(token: str):
    invitation = invitations.read_invitation(current_app.secret_key, token)
    if request.method == "POST":
        if request.form.get("password") != request.form.get("confirm"):
            flash("The two passwords differ.", "error")
            return render_template("invite.html", invitation=invitation), 400
        user = invitations.accept_invitation(db(), current_app.secret_key, token, request.form.get("password", ""))
        login_user(LoginUser(user))
        return redirect(url_for("projects.show", project_id=invitation["project"]))
    return render_template("invite.html", invitation=invitation)
