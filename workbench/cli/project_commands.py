"""Commands for projects, accounts, imports, the codebook, codings, exports and the demo."""
from __future__ import annotations

import sys
from pathlib import Path

import click
import waitress
from flask import current_app
from tqdm import tqdm

from workbench.cli import main, transaction
from workbench.db import upgrade
from workbench.importers import SUPPORTED_EXTENSIONS
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
    """Import transcript files, or every transcript in a folder. Each file is all or nothing."""
    failures = 0
    settings = current_app.config["WORKBENCH_SETTINGS"]
    with transaction() as session:
        target = projects.find_project(session, project)
        for path in tqdm(_transcript_files(paths), unit="file", desc="Importing", file=sys.stderr):
            try:
                with session.begin_nested():
                    document, created = documents.import_document(session, target, path.name, path.read_bytes(), settings.max_upload_bytes)
                tqdm.write(f"{'imported' if created else 'unchanged'}: {path.name} ({len(document.utterances)} turns)", file=sys.stderr)
            except DomainError as exc:
                failures += 1
                tqdm.write(f"skipped: {exc}", file=sys.stderr)
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
    with transaction() as session:
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
def export_command(kind: str, project: str, output: Path):
    """Export KIND of PROJECT (matrix, frequency, ...) to a file; the extension (.csv, .xlsx, ...) picks the format."""
    with transaction() as session:
        data = exports.export(session, projects.find_project(session, project), kind, output.suffix.lower().lstrip("."))
    output.write_bytes(data)
    click.echo(f"Wrote {output} ({len(data):,} bytes).")


@main.command("demo")
@click.option("--serve/--no-serve", default=False, help="Start the web app afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def demo_command(serve: bool, host: str, port: int):
    """Migrate, load the demo project (once) and optionally serve the app."""
    upgrade(current_app.config["WORKBENCH_SETTINGS"].database_url)
    with transaction() as session:
        project, created = demo.load_demo(session)
        click.echo(f"{'Loaded' if created else 'Found'} demo project {project.name!r}.")
    if serve:
        click.echo(f"\n  Open http://{host}:{port}/  and sign in as {demo.DEMO_USER!r} with password {demo.DEMO_PASSWORD!r}.\n")
        # A production WSGI server (Flask refuses app.run() inside its own CLI anyway); the served
        # app starts its job worker when jobs run in process.
        from workbench.app import serving_app

        waitress.serve(serving_app(current_app.config["WORKBENCH_SETTINGS"]), host=host, port=port, threads=8)
