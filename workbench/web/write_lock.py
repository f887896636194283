"""Which requests write: on SQLite they begin with the write lock; the others read and never wait.

Unsafe methods (POST, PUT, PATCH, DELETE) write, unless their view is marked `@reads_before_writing`
and writes inside `db.write_phase`. GET and HEAD only read, unless their view is marked
`@writes_on_get` because it must store something: a write after reads in a deferred transaction
fails at once whenever another request committed in between. (The suggestion GET is not marked: it
only caches embeddings, best-effort, so it never holds the lock while the model works; see
services/embeddings.py `_store`.)"""
from __future__ import annotations

import contextlib

from flask import Flask, current_app, g, request

from workbench.db import expect_writes

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def writes_on_get(view):
    """Mark a GET view that writes, so its transaction takes the write lock first."""
    view.writes_on_get = True
    return view


def reads_before_writing(view):
    """Mark a writing view that reads without the write lock and writes inside `db.write_phase`
    (the coding screen's busiest requests): on SQLite the lock is held only for the writes."""
    view.reads_before_writing = True
    return view


def request_writes() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, "reads_before_writing", False):
        return False
    return request.method not in READ_ONLY_METHODS or getattr(view, "writes_on_get", False)


def register(app: Flask) -> None:
    def choose():
        stack = contextlib.ExitStack()
        stack.enter_context(expect_writes(request_writes()))
        g.workbench_write_lock = stack

    def release(_exc):
        stack = g.pop("workbench_write_lock", None)
        if stack is not None:
            stack.close()

    # First of all hooks: anything that reads the database before the view must already know.
    app.before_request_funcs.setdefault(None, []).insert(0, choose)
    app.teardown_request(release)
