"""The Flask application factory."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask

from workbench.config import Settings


def _secret_key(settings: Settings) -> str:
    """A stable secret per installation, kept beside the SQLite file, unless one is configured."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(settings: Settings | None = None, **config) -> Flask:
    from workbench import web

    settings = settings or Settings.from_env()
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 64 * 1024,  # room for the form fields around a file
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        # Served over HTTPS (directly or behind a proxy), cookies must never travel in clear text.
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        WORKBENCH_SETTINGS=settings,
    )
    app.config.update(config)
    web.init_app(app, settings)
    return app


def serving_app(settings: Settings | None = None) -> Flask:
    """The app as a server runs it: with the in-process default, its one job worker thread starts here
    (never in a view). `workbench serve` builds it in each of its processes."""
    from workbench.worker.loop import InProcessWorker
    from workbench.worker.runner import Runtime

    app = create_app(settings)
    if app.config["WORKBENCH_SETTINGS"].worker == "inprocess":
        worker = InProcessWorker(Runtime.of_app(app, name="web")).start()
        app.extensions["workbench.jobs"].add(worker)
        app.extensions["workbench.worker"] = worker
    return app
