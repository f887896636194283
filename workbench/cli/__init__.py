"""The `workbench` command: the same services as the web app, for scripts and long jobs.

Each area adds its commands in its own module below; importing them registers them on `main`."""
from __future__ import annotations

import contextlib
import getpass

import click
from flask import current_app
from flask.cli import FlaskGroup

from workbench.app import create_app
from workbench.services.errors import DomainError


@contextlib.contextmanager
def transaction():
    """One session per command: commit on success, roll back and explain on a domain error."""
    session = current_app.extensions["workbench.sessions"]()
    session.info["actor"] = (None, f"command line ({getpass.getuser()})")
    try:
        yield session
        session.commit()
    except DomainError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    finally:
        session.close()


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_default_commands=True)
def main():
    """workbench: code qualitative interview transcripts as a team."""


def _register_areas() -> None:
    """Importing each module of this package registers its commands on `main`."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


_register_areas()
