"""The web layer: one request, one database session, one commit; domain errors become pages."""
from __future__ import annotations

import importlib
import pkgutil

from datetime import timedelta

from flask import Blueprint, Flask, g, jsonify, make_response, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from workbench.config import Settings
from workbench.db import make_engine, session_factory
from workbench.models import User
from workbench.services.errors import DomainError, Invalid
from workbench.web import database_errors, write_lock
from workbench.worker import dispatch

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to open your projects."


def db() -> Session:
    """The request's session; created on first use, committed once after a successful request."""
    if "db" not in g:
        from flask import current_app

        g.db = current_app.extensions["workbench.sessions"]()
        g.db.info["actor"] = _signed_in_actor
    return g.db


def _signed_in_actor() -> tuple[int | None, str]:
    """Who the audit log names for changes made in this request."""
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, "anonymous"


def init_app(app: Flask, settings: Settings) -> None:
    from workbench.web import security, sign_in_limits

    engine = make_engine(settings.database_url, settings.sqlite_busy_seconds)
    app.extensions["workbench.engine"] = engine
    app.extensions["workbench.sessions"] = session_factory(engine)
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=settings.session_max_hours))
    # The CSRF token lives exactly as long as the session it belongs to (an open coding screen
    # must not start failing after an hour).
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    security.init_app(app, settings)  # before the blueprints: it bounds every <int:...> in their routes
    sign_in_limits.init_app(app, engine)
    # Views queue jobs; after the request commits, the ids go to RQ or wake the in-process worker.
    app.extensions["workbench.jobs"] = dispatch.Backends(settings)
    dispatch.install(app.extensions["workbench.sessions"], app.extensions["workbench.jobs"])
    csrf.init_app(app)
    login_manager.init_app(app)
    database_errors.register(app)
    write_lock.register(app)

    @login_manager.unauthorized_handler
    def unauthorized():
        # Pages send people to the sign-in form; scripts calling the API get a plain 401.
        if request.path.startswith("/api/"):
            return error_response(401, "Sign in first: this API needs a signed-in session.")
        from flask import redirect, url_for

        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db().get(User, int(user_id)) if user_id.isdigit() and int(user_id) <= security.MAX_ID else None
        # A session ends with sign-out, a password change or removal from the last project (the
        # account's session version moves on), after the idle time, and after the maximum age.
        if user is None or not security.session_is_current(user.session_version, settings):
            return None
        if user.is_demo and not settings.demo_sign_in:
            return None
        return LoginUser(user)

    # Every module of this package that defines a blueprint `bp` is an area of the app.
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if isinstance(getattr(module, "bp", None), Blueprint):
            app.register_blueprint(module.bp)

    @app.after_request
    def commit(response):
        session = g.pop("db", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        return response

    @app.teardown_request
    def rollback(_exc):
        session = g.pop("db", None)
        if session is not None:  # the request failed before after_request could commit
            session.rollback()
            session.close()

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return error_response(exc.status, str(exc))

    @app.errorhandler(StaleDataError)
    def stale(_exc):
        return error_response(409, "Someone else changed this while you were working on it: reload the page and try again.")

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def out_of_range(_exc):
        # A number in a JSON body or query string beyond what the database stores (ids are 32-bit).
        return error_response(400, "A number in this request is out of range (ids and offsets are below 2,147,483,648). Nothing was changed.")

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc):
        limit = settings.max_upload_bytes / 1024 / 1024
        return error_response(413, f"That upload is larger than the limit of {limit:g} MB. Split the file or ask an administrator to raise WORKBENCH_MAX_UPLOAD_MB.")

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, f"The form had expired or came from elsewhere ({exc.description}). Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error_response(exc.code or 500, exc.description or exc.name)


def uploaded_files(field: str, what: str) -> list:
    """The files sent in form field `field`; a clear 400 naming `what` when there are none."""
    files = [f for f in request.files.getlist(field) if f and f.filename]
    if not files:
        raise Invalid(f"Choose {what} to upload first.")
    return files


def json_object(example: str = "") -> dict:
    """The request's JSON body, which must be an object; a clear 400 otherwise."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("Send a JSON object" + (f" such as {example}." if example else "."))
    return data


def error_response(status: int, message: str):
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return make_response(jsonify(error=message, status=status), status)
    return make_response(render_template("error.html", status=status, message=message), status)


class LoginUser:
    """Flask-Login's view of a workbench user."""

    def __init__(self, user: User):
        self.user = user
        self.id = user.id
        self.username = user.username
        self.display_name = user.display_name
        self.session_version = user.session_version  # read now: the login view ends its transaction

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)
