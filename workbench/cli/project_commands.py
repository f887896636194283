"""Commands for projects, accounts, imports, the codebook, codings, exports and the demo."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from tqdm import tqdm

from workbench.cli import command_session, main, transaction
from workbench.cli.sets import coders_option, scoped, set_option
from workbench.db import upgrade
from workbench.importers import SUPPORTED_EXTENSIONS
from workbench.models import Project
from workbench.services import cases, codebook, coding, demo, documents, exports, projects
from workbench.services.errors import DomainError


@main.command("migrate")
def migrate_command():
    """Create or upgrade the database schema."""
    upgrade(current_app.config["WORKBENCH_SETTINGS"].database_url)
    click.echo("Database is up to date.")


@main.command("create-project")
@click.argument("name")
@click.option("--owner", help="User name of the project owner (created if new).")
def create_project_command(name: str, owner: str | None):
    """Create a project."""
    with transaction() as session:
        user = projects.get_or_create_user(session, owner) if owner else None
        project = projects.create_project(session, name, user)
        click.echo(f"Created project {project.name!r} (id {project.id}).")


@main.command("delete-project")
@click.argument("project")
@click.option("--yes", is_flag=True, help="Really delete: without it the command only says what would go.")
def delete_project_command(project: str, yes: bool):
    """Delete a project and everything in it (documents, codebook, codings, memos); the audit log keeps one entry."""
    from workbench.services import project_deletion

    with transaction() as session:
        found = projects.find_project(session, project)
        if not yes:
            click.echo(f"This would delete project {found.name!r} (id {found.id}) and everything in it. Run again with --yes to delete it.")
            return
        models = current_app.config["WORKBENCH_SETTINGS"].models_path  # its fine-tuned models' files go after the commit
        click.echo(project_deletion.delete_project(session, found, models=models).removeprefix("system ") + ".")


@main.group("user")
def user_group():
    """Accounts: create one, or reset a password."""


@user_group.command("create")
@click.argument("username")
@click.password_option()
@click.option("--project", help="Add the user to this project.")
@click.option("--role", type=click.Choice(["owner", "coder", "viewer"]), default="coder")
def create_user_command(username: str, password: str, project: str | None, role: str):
    """Create an account (or reset its password), optionally adding it to a project."""
    with transaction() as session:
        user = projects.get_or_create_user(session, username)
        projects.set_password(user, password)
        projects.end_sessions(user)  # a reset password signs the account out everywhere
        if project:
            projects.add_member(session, projects.find_project(session, project), user, role)
        click.echo(f"Account {username!r} is ready.")


def _transcript_files(paths: tuple[Path, ...]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in SUPPORTED_EXTENSIONS)
        else:
            files.append(path)
    return files


@main.command("import")
@click.argument("project")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def import_command(project: str, paths: tuple[Path, ...]):
    """Import transcript files, or every transcript in a folder. Each file is committed on its own,
    so an interrupted import keeps every file it reported; run it again to import the rest."""
    failures = 0
    settings = current_app.config["WORKBENCH_SETTINGS"]
    with transaction(writes=False) as session:
        project_id = projects.find_project(session, project).id
    for path in tqdm(_transcript_files(paths), unit="file", desc="Importing", file=sys.stderr):
        try:
            # One transaction per file, short enough that web requests never wait long for it.
            with command_session() as session:
                target = session.get(Project, project_id)
                imported = documents.import_transcript(session, target, path.name, path.read_bytes(), settings.import_limits())
                created, turns = imported.created, len(imported.document.utterances)
        except DomainError as exc:
            failures += 1
            tqdm.write(f"not imported: {path.name}: {exc}", file=sys.stderr)
            continue
        # Reported only after the commit: what the screen calls imported is in the database.
        tqdm.write(f"imported: {path.name} ({turns} turns)" if created else f"skipped (already imported): {path.name}", file=sys.stderr)
        for warning in imported.warnings:
            tqdm.write(f"  warning: {warning}", file=sys.stderr)
    if failures:
        raise click.ClickException(f"{failures} file(s) were not imported (see above); the others were.")


@main.command("import-cases")
@click.argument("project")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_cases_command(project: str, csv_file: Path):
    """Load case attributes from a CSV with one row per participant."""
    with transaction() as session:
        count = cases.import_cases_csv(session, projects.find_project(session, project), csv_file.read_bytes(), csv_file.name)
        click.echo(f"Read {count} case(s).")


@main.group("codebook")
def codebook_group():
    """Import or export a project's codebook as YAML."""


@codebook_group.command("import")
@click.argument("project")
@click.argument("yaml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def codebook_import(project: str, yaml_file: Path):
    with transaction() as session:
        created, updated = codebook.import_yaml(session, projects.find_project(session, project), yaml_file.read_bytes())
        click.echo(f"{created} code(s) created, {updated} updated.")


@codebook_group.command("export")
@click.argument("project")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: standard output).")
def codebook_export(project: str, output: Path | None):
    with transaction(writes=False) as session:
        text = codebook.export_yaml(session, projects.find_project(session, project))
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.command("apply-codings")
@click.argument("project")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def apply_codings_command(project: str, csv_file: Path):
    """Apply codings from a CSV (document, coder, code, and quote or start/end). All or nothing."""
    with transaction() as session:
        count = coding.apply_codings_file(session, projects.find_project(session, project), csv_file.read_bytes(), csv_file.name)
        click.echo(f"Applied {count} coding(s).")


@main.command("export")
@click.argument("kind", type=click.Choice(sorted(exports.KINDS)))
@click.argument("project")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The file to write; its extension picks the format.")
@click.option("--raw-csv", is_flag=True, help="CSV cells exactly as stored: no ' before text starting with = + - @ (for data pipelines, not spreadsheets).")
@set_option
@coders_option
def export_command(kind: str, project: str, output: Path, raw_csv: bool, sets: tuple[str, ...], coders: str | None):
    """Export KIND of PROJECT (matrix, coded-segments, frequency, ...) to a file; the extension (.csv, .xlsx, ...) picks the format."""
    with transaction(writes=False) as session:
        target = projects.find_project(session, project)
        scoped(session, target, sets, coders)
        data = exports.export(session, target, kind, output.suffix.lower().lstrip("."), raw=raw_csv)
    output.write_bytes(data)
    click.echo(f"Wrote {output} ({len(data):,} bytes).")


@main.command("demo")
@click.option("--serve/--no-serve", default=False, help="Start the web app afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def demo_command(serve: bool, host: str, port: int):
    """Migrate, load the demo project (once) and optionally serve the app on this machine."""
    from workbench.cli.serve import is_loopback, run_server

    settings = current_app.config["WORKBENCH_SETTINGS"]
    upgrade(settings.database_url)
    with transaction() as session:
        project, created = demo.load_demo(session)
        click.echo(f"{'Loaded' if created else 'Found'} demo project {project.name!r}.")
    if not serve:
        return
    # The demo password is printed in the README: it must never open a server others can reach.
    settings.demo_sign_in = is_loopback(host)
    if settings.demo_sign_in:
        click.echo(f"\n  Open http://{host}:{port}/  and sign in as {demo.DEMO_USER!r} with password {demo.DEMO_PASSWORD!r}.\n")
    else:
        click.echo(f"\n  WARNING: serving on {host}, which other machines can reach: the demo account "
                   f"{demo.DEMO_USER!r} CANNOT sign in here (its password is public).\n"
                   "  Create your own account with `workbench user create NAME --project ... --role owner`,\n"
                   "  or serve the demo on 127.0.0.1 only. For a team server use `workbench serve`.\n")
    run_server(settings, host, port, workers=1, threads=8)
