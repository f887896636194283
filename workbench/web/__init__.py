"""The web layer: one request, one database session, one commit; domain errors become pages."""
from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint, Flask, g, jsonify, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from workbench.config import Settings
from workbench.db import make_engine, session_factory
from workbench.models import User
from workbench.services.errors import DomainError, Invalid
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
    engine = make_engine(settings.database_url)
    app.extensions["workbench.engine"] = engine
    app.extensions["workbench.sessions"] = session_factory(engine)
    # Views queue jobs; after the request commits, the ids go to RQ or wake the in-process worker.
    app.extensions["workbench.jobs"] = dispatch.Backends(settings)
    dispatch.install(app.extensions["workbench.sessions"], app.extensions["workbench.jobs"])
    csrf.init_app(app)
    login_manager.init_app(app)

    @login_manager.unauthorized_handler
    def unauthorized():
        # Pages send people to the sign-in form; scripts calling the API get a plain 401.
        if request.path.startswith("/api/"):
            return error_response(401, "Sign in first: this API needs a signed-in session.")
        from flask import redirect, url_for

        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db().get(User, int(user_id)) if user_id.isdigit() else None
        return LoginUser(user) if user else None

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
        return jsonify(error=message, status=status), status
    return render_template("error.html", status=status, message=message), status


class LoginUser:
    """Flask-Login's view of a workbench user."""

    def __init__(self, user: User):
        self.user = user
        self.id = user.id
        self.username = user.username
        self.display_name = user.display_name

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)
