"""De-identification on the command line: find, decide, apply, check, and the map (as a project owner)."""
from __future__ import annotations

import click
from sqlalchemy import select

from workbench.cli import main, transaction
from workbench.models import User
from workbench.deid import finders
from workbench.services import deid, deid_copy, documents, projects
from workbench.services.errors import NotFound

as_option = click.option("--as", "username", required=True, metavar="OWNER", help="The project owner acting.")


def _owner(session, project: str, username: str):
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"No user {username!r}.")
    return projects.find_project(session, project), user


@main.group("deid")
def deid_group():
    """De-identify a project for sharing: find, decide, apply (a new copy), check."""


@deid_group.command("find")
@click.argument("project")
@click.option("--document", "document_names", multiple=True, metavar="NAME",
              help="Only this document (repeat for several); the copy will hold just these.")
@as_option
def find_command(project: str, document_names: tuple[str, ...], username: str):
    """Find identifiers in PROJECT (decisions already taken are kept)."""
    with transaction() as session:
        chosen, user = _owner(session, project, username)
        ids = [documents.find_document(session, chosen.id, name).id for name in document_names] or None
        review = deid.find(session, chosen, user, ids)
        progress = deid.progress(session, review)
        click.echo(f"{progress.words()}: " + ", ".join(f"{n} {k}" for k, n in progress.by_type.items()))


@deid_group.command("decide")
@click.argument("project")
@click.argument("decision", type=click.Choice(deid.DECISIONS))
@click.option("--type", "type_", help="All findings of this type.")
@click.option("--term", help="All findings of this term.")
@as_option
def decide_command(project: str, decision: str, type_: str | None, term: str | None, username: str):
    """Accept or reject findings of a type or a term."""
    with transaction() as session:
        chosen, user = _owner(session, project, username)
        click.echo(f"{deid.decide(session, chosen, user, decision, type_=type_, term=term)} finding(s) {decision}.")


@deid_group.command("type")
@click.argument("project")
@click.argument("term")
@click.argument("type_", metavar="TYPE", type=click.Choice(finders.TYPES))
@click.option("--role", help="A person's role, for the pseudonym (\"[GP 2]\").")
@as_option
def type_command(project: str, term: str, type_: str, role: str | None, username: str):
    """Change the type of every finding of TERM (it gets the next pseudonym of that type)."""
    with transaction() as session:
        chosen, user = _owner(session, project, username)
        entry = deid.set_type(session, chosen, user, term, type_, role)
        click.echo(f"Every finding of that term is now a {entry.type}, replaced by {entry.pseudonym}.")


@deid_group.command("apply")
@click.argument("project")
@as_option
def apply_command(project: str, username: str):
    """Make the de-identified copy of PROJECT (every finding must be decided)."""
    with transaction() as session:
        chosen, user = _owner(session, project, username)
        copy = deid_copy.apply_review(session, chosen, user)
        click.echo(f"De-identified copy: project #{copy.id} ‘{copy.name}’.")


@deid_group.command("check")
@click.argument("project")
@as_option
def check_command(project: str, username: str):
    """Scan PROJECT's de-identified copy for any accepted identifier; exit 1 if one remains."""
    with transaction() as session:
        chosen, user = _owner(session, project, username)
        report = deid_copy.check(session, chosen, user)
    click.echo(report.words())
    if not report.clean:
        raise SystemExit(1)


@deid_group.command("map")
@click.argument("project")
@as_option
def map_command(project: str, username: str):
    """Print the pseudonym map (original, type, pseudonym): only when asked, never in an export."""
    with transaction(writes=False) as session:
        chosen, user = _owner(session, project, username)
        for p in deid.pseudonym_map(session, chosen, user):
            click.echo(f"{p.original}\t{p.type}\t{p.pseudonym}")
