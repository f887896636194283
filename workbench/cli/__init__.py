"""The `workbench` command: the same services as the web app, for scripts and long jobs.

Each area adds its commands in its own module below; importing them registers them on `main`."""
from __future__ import annotations

import contextlib
import getpass

import click
from flask import current_app
from flask.cli import FlaskGroup
from sqlalchemy.exc import DBAPIError

from workbench.app import create_app
from workbench.db import expect_writes, failure
from workbench.services.errors import DomainError


@contextlib.contextmanager
def command_session(writes: bool = True):
    """A session for one unit of a command's work: committed on success, rolled back on any error.

    `writes=False` for commands that only read: on SQLite they then never wait for the write lock."""
    session = current_app.extensions["workbench.sessions"]()
    session.info["actor"] = (None, f"command line ({getpass.getuser()})")
    with expect_writes(writes):
        try:
            yield session
            session.commit()
        finally:
            session.close()  # rolls back whatever was not committed


@contextlib.contextmanager
def transaction(writes: bool = True):
    """One session per command: commit on success, roll back and explain on a domain error."""
    try:
        with command_session(writes) as session:
            yield session
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None


class WorkbenchGroup(FlaskGroup):
    """A busy or unreachable database is one clear line and exit status 1, not a traceback.

    An unreachable one also gives the driver's reason: "down or restarting" alone sends whoever
    installs a server looking in the wrong place when it is a refused password or a missing role."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DBAPIError as exc:
            found = failure(exc)
            if found is None:
                raise
            kind, message = found
            reason = " ".join(str(exc.orig or "").split())[:300]
            raise click.ClickException(f"{message} ({reason})" if kind == "unreachable" and reason else message) from None


@click.group(cls=WorkbenchGroup, create_app=lambda: create_app(), add_default_commands=True)
def main():
    """workbench: code qualitative interview transcripts as a team."""


def _register_areas() -> None:
    """Importing each module of this package registers its commands on `main`."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


_register_areas()
