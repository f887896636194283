"""The Flask application factory."""
from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

from flask import Flask

from workbench.config import Settings


def _secret_key(settings: Settings) -> str:
    """A stable secret per installation, kept beside the SQLite file, unless one is configured.

    Made readable by its owner only from the first byte, and put in place whole (written to a file of
    its own, then linked under its name, which fails if another process got there first): two server
    processes starting at once end up with the same key, and nobody ever reads half of one."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        draft = path.with_name(f".secret_key.{os.getpid()}.{threading.get_ident()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it a moment ago: use theirs
        except OSError:  # a file system without hard links: put it in place whole all the same
            if not path.exists():
                os.replace(draft, path)
        finally:
            draft.unlink(missing_ok=True)
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

    few_malloc_arenas()  # before this process starts any thread
    app = create_app(settings)
    one_blas_thread()
    if app.config["WORKBENCH_SETTINGS"].preload_model:
        threading.Thread(target=_load_model, args=(app,), name="workbench-model-load", daemon=True).start()
    if app.config["WORKBENCH_SETTINGS"].worker == "inprocess":
        worker = InProcessWorker(Runtime.of_app(app, name="web")).start()
        app.extensions["workbench.jobs"].add(worker)
        app.extensions["workbench.worker"] = worker
    return app


def one_blas_thread() -> None:
    """Numerical work in a server runs on many request threads at once: each BLAS call on one core.
    (OpenBLAS's own threads on top of them made a classifier fit 25 times slower on 2 busy cores.)"""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


MALLOC_ARENAS = 2


def few_malloc_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """glibc gives each new thread a malloc arena of its own (up to 8 per core): eight request threads
    each keep what they freed in their own arena, and a process that needs 450 MB holds 750. Capping
    the arenas (M_ARENA_MAX, what MALLOC_ARENA_MAX sets) before the threads start keeps it near what
    it uses. Only glibc has it; elsewhere nothing changes."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def _load_model(app: Flask) -> None:
    """Process start-up, not a request: load the embedding model (shared with every request and the
    job thread of this process) and run it once, so the first suggestion finds it warm."""
    from workbench.services import embeddings

    app.extensions["workbench.model"] = "loading"
    try:
        settings = app.config["WORKBENCH_SETTINGS"]
        embeddings.choose_embedder(app.extensions.get("workbench.embedder"), settings).encode(["warm-up"])
        app.extensions["workbench.model"] = "ready"
    except Exception as exc:  # suggestions will say what is wrong when someone asks for one
        app.extensions["workbench.model"] = "not loaded"
        app.logger.warning("The embedding model did not load at start-up: %s", exc)
