"""Sign in and out, with failed attempts rate-limited per address and per account."""
from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from workbench.services import projects
from workbench.web import LoginUser, db, error_response

bp = Blueprint("auth", __name__)

WINDOW_SECONDS = 300
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


class FailedSignIns:
    """Recent failures in this process. One server process is the supported deployment; behind
    several workers each counts on its own, which still bounds guessing."""

    def __init__(self):
        self._lock = threading.Lock()
        self._times: dict[str, deque] = defaultdict(deque)

    def _recent(self, key: str, now: float) -> deque:
        times = self._times[key]
        while times and now - times[0] > WINDOW_SECONDS:
            times.popleft()
        return times

    def blocked_for(self, address: str, username: str) -> int:
        """Seconds until another attempt is allowed (0 = allowed now)."""
        now = time.monotonic()
        with self._lock:
            waits = []
            for key, limit in ((f"account:{username.casefold()}", MAX_FAILURES_PER_ACCOUNT), (f"address:{address}", MAX_FAILURES_PER_ADDRESS)):
                times = self._recent(key, now)
                if len(times) >= limit:
                    waits.append(int(WINDOW_SECONDS - (now - times[0])) + 1)
            return max(waits, default=0)

    def record(self, address: str, username: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._times[f"account:{username.casefold()}"].append(now)
            self._times[f"address:{address}"].append(now)


def _failures() -> FailedSignIns:
    return current_app.extensions.setdefault("workbench.failed_sign_ins", FailedSignIns())


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        address = request.remote_addr or "unknown"
        wait = _failures().blocked_for(address, username)
        if wait:
            return error_response(429, f"Too many failed sign-ins. Wait {wait // 60 + 1} minute(s) and try again.")
        user = projects.authenticate(db(), username, request.form.get("password", ""))
        if user is None:
            _failures().record(address, username)
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
