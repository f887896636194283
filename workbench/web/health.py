"""/healthz for load balancers and monitoring: can this process reach its database (and queue)?"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

bp = Blueprint("health", __name__)


def _database() -> str:
    try:
        with current_app.extensions["workbench.engine"].connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError as exc:
        return f"unreachable: {type(exc.orig or exc).__name__}"


@bp.get("/healthz")
def healthz():
    """Public, and says nothing about projects: only whether the pieces answer."""
    checks = {"database": _database()}
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if healthy else "unhealthy", **checks), 200 if healthy else 503
