"""`workbench import-refi` and `workbench export-refi`: REFI-QDA exchange with NVivo, ATLAS.ti, MAXQDA."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select
from tqdm import tqdm

from workbench.cli import main, transaction
from workbench.cli.sets import coders_option, scoped, set_option
from workbench.models import Project
from workbench.services import projects, refi, refi_users
from workbench.services.errors import Invalid


def _bar(desc: str):
    return lambda items: tqdm(items, desc=desc, unit="source", file=sys.stderr)


def _free_name(session, name: str) -> str:
    candidate, n = name, 1
    while session.scalar(select(Project.id).where(Project.name == candidate)) is not None:
        n += 1
        candidate = f"{name} (imported{'' if n == 2 else f' {n - 1}'})"
    return candidate


@main.command("import-refi")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--project", help="Import into this project (name or id); a .qdpx creates a new project if it does not exist.")
@click.option("--coder", default="imported", show_default=True, help="User name for codings and notes that name no user.")
@click.option("--map-user", "map_users", multiple=True, metavar="NAME=ACCOUNT",
              help="Attach the codings of the file's user NAME to ACCOUNT (a project member, or 'consensus'); repeatable. "
                   "Unmapped users become placeholder coders 'NAME (REFI import)'.")
def import_refi_command(file: Path, project: str | None, coder: str, map_users: tuple[str, ...]):
    """Import a REFI-QDA project (.qdpx) or codebook (.qdc) made by NVivo, ATLAS.ti, MAXQDA or workbench."""
    data = file.read_bytes()
    limits = current_app.config["WORKBENCH_SETTINGS"].import_limits()
    with transaction() as session:
        importer = projects.get_or_create_user(session, coder)
        if file.suffix.lower() == ".qdc":
            if not project:
                raise Invalid("A codebook (.qdc) goes into an existing project: add --project NAME.")
            summary = refi.import_codebook(session, projects.find_project(session, project), data)
        else:
            target = None
            if project:
                try:
                    target = projects.find_project(session, project)
                except Exception:
                    target = None
            if target is None:
                from workbench.refi import RefiError, read_project

                try:
                    name = project or read_project(data).name
                except RefiError as exc:
                    raise Invalid(str(exc)) from None
                target = projects.create_project(session, _free_name(session, name), importer)
            summary = refi.import_project(session, target, data, importer, progress=_bar("Reading"), limits=limits,
                                          user_map=refi_users.parse_user_map(map_users))
        click.echo(f"Imported into {summary.project.name!r} (id {summary.project.id}): {summary.describe()}.")
        for warning in summary.warnings:
            click.echo(f"  skipped/changed: {warning}", err=True)


@main.command("export-refi")
@click.argument("project")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The .qdpx file to write.")
@set_option
@coders_option
def export_refi_command(project: str, output: Path, sets: tuple[str, ...], coders: str | None):
    """Export PROJECT as a REFI-QDA .qdpx, with a progress bar over its sources."""
    with transaction(writes=False) as session:
        target = projects.find_project(session, project)
        scoped(session, target, sets, coders)
        data = refi.export_qdpx(session, target, progress=_bar("Writing"))
    output.write_bytes(data)
    click.echo(f"Wrote {output} ({len(data):,} bytes).")
