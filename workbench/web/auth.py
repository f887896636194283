"""Sign in and out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from workbench.services import projects
from workbench.web import LoginUser, db

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        user = projects.authenticate(db(), request.form.get("username", ""), request.form.get("password", ""))
        if user is None:
            flash("That user name and password do not match an account.", "error")
            return render_template("login.html"), 401
        login_user(LoginUser(user))
        target = request.args.get("next", "")
        # Only follow local paths, so a crafted link cannot bounce a researcher to another site.
        if not target.startswith("/") or urlsplit(target).netloc or target.startswith("//"):
            target = url_for("projects.index")
        return redirect(target)
    return render_template("login.html")


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
