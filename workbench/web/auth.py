"""Sign in and out, and the account page: failed attempts slowed down, every session ended at once."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from workbench.services import projects
from workbench.web import LoginUser, db, error_response, sign_in_limits
from workbench.web.security import start_session

bp = Blueprint("auth", __name__)


def _local(target: str) -> str:
    """Only follow local paths, so a crafted link cannot bounce a researcher to another site."""
    if not target.startswith("/") or urlsplit(target).netloc or target.startswith("//") or "\\" in target:
        return url_for("projects.index")
    return target


def sign_in(user: LoginUser) -> None:
    """Start a new session for `user` (the old session's contents and CSRF token are dropped)."""
    start_session(user.session_version)
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        username = request.form.get("username", "").strip()[:200]
        address = request.remote_addr or "unknown"
        wait = sign_in_limits.wait_seconds(address, username)
        if wait:
            response = error_response(429, f"Too many failed sign-ins for this account from here. Wait {sign_in_limits.describe(wait)} and try again.")
            response.headers["Retry-After"] = str(wait)
            return response
        settings = current_app.config["WORKBENCH_SETTINGS"]
        user = projects.authenticate(db(), username, request.form.get("password", ""), allow_demo=settings.demo_sign_in)
        signed_in = LoginUser(user) if user else None
        # The limiter writes in its own transaction: end this request's first, so that on SQLite
        # the two never wait for each other's write lock.
        db().rollback()
        if signed_in is None:
            sign_in_limits.record_failure(address, username)
            flash("That user name and password do not match an account.", "error")
            return render_template("login.html"), 401
        sign_in_limits.forgive(address, username)
        sign_in(signed_in)
        return redirect(_local(request.args.get("next", "")))
    return render_template("login.html", demo_server=current_app.config["WORKBENCH_SETTINGS"].demo_sign_in)


@bp.post("/logout")
@login_required
def logout():
    # Sign-out ends every session of the account, so a copied cookie stops working too.
    projects.end_sessions(current_user.user)
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    if request.method == "POST":
        if request.form.get("new_password") != request.form.get("confirm"):
            flash("The two new passwords differ.", "error")
            return render_template("account.html"), 400
        user = current_user.user
        projects.change_password(db(), user, request.form.get("current_password", ""), request.form.get("new_password", ""))
        sign_in(LoginUser(user))  # this browser stays signed in; every other session has ended
        flash("Password changed. You were signed out everywhere else.", "ok")
        return redirect(url_for("auth.account"))
    return render_template("account.html")
