"""`workbench backup` and `workbench restore`: the whole database to one file and back."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from workbench import backups
from workbench.cli import main


def _url() -> str:
    return current_app.config["WORKBENCH_SETTINGS"].database_url


@main.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The backup file to write.")
def backup_command(output: Path):
    """Copy the whole database to a file; safe while the app runs (SQLite: online backup; PostgreSQL: pg_dump)."""
    url = _url()
    try:
        backups.backup(url, output)
    except backups.BackupRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up {backups.describe(url)} to {output} ({output.stat().st_size:,} bytes).")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the data without asking first.")
def restore_command(file: Path, yes: bool):
    """Replace everything in the database with a backup made by `workbench backup`."""
    url = _url()
    try:
        backups.check_restore(url, file)
        if not yes:
            click.confirm(f"Replace everything in {backups.describe(url)} with {file}? Changes made since that backup are lost", abort=True)
        backups.restore(url, file)
    except backups.BackupRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {backups.describe(url)} from {file}. Run `workbench migrate` if the backup is from an older version.")
