"""A database that is busy or cannot be reached answers 503 saying so (JSON under /api/), not 500."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import InternalServerError

from workbench.db import failure

# Seconds a client should wait before trying again: a busy SQLite frees up in moments, a
# PostgreSQL server that is down or restarting takes longer.
RETRY_AFTER = {"busy": 2, "unreachable": 30}


def register(app: Flask) -> None:
    @app.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError):
        answer = unavailable(exc)
        if answer is None:
            raise exc  # a real bug: the ordinary 500
        return answer

    @app.errorhandler(InternalServerError)
    def internal_error(exc: InternalServerError):
        # A failure after the view (the commit in after_request) arrives here wrapped.
        answer = unavailable(exc.original_exception) if exc.original_exception else None
        if answer is not None:
            return answer
        from workbench.web import error_response

        return error_response(500, exc.description)


def unavailable(exc: BaseException):
    """The 503 page or JSON for a busy or unreachable database; None for any other error."""
    found = failure(exc)
    if found is None:
        return None
    kind, message = found
    from workbench.web import error_response

    current_app.logger.warning("Database %s: %s", kind, exc)
    if "_login_user" not in g:
        # The page header shows who is signed in; loading them would ask the database again.
        g._login_user = current_app.login_manager.anonymous_user()
    response = error_response(503, message)
    response.headers["Retry-After"] = str(RETRY_AFTER[kind])
    return response
