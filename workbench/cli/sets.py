"""Document sets on the command line: list them, and the --set option every export and analysis command takes."""
from __future__ import annotations

import click

from workbench.cli import main, transaction
from workbench.models import Project
from workbench.services import document_sets, projects, scope

# Repeat it for documents in every one of the sets: --set "wave 1" --set GPs.
set_option = click.option("--set", "sets", multiple=True, metavar="NAME",
                          help="Only documents in this document set (repeat: in every one of the sets).")


# Whose codings count: --coders ana,ben or --coders consensus (consensus only); absent: every coder.
coders_option = click.option("--coders", metavar="NAME,NAME|consensus",
                             help="Count only these coders' codings (comma-separated; 'consensus' for the agreed codings only).")


def coder_names(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def scoped(session, project: Project, sets: tuple[str, ...], coders: str | None = None) -> scope.Scope:
    """Apply the named sets and coders to the command's session and say so on stderr, so the output's
    scope is never a surprise."""
    chosen = scope.apply(session, scope.resolve_names(session, project.id, list(sets), coder_names(coders)))
    if chosen.sets:
        click.echo(f"{chosen.describe()} ({len(chosen.document_ids)} document(s)).", err=True)
    click.echo(f"Counting: {chosen.counting()}.", err=True)
    return chosen


@main.command("sets")
@click.argument("project")
def sets_command(project: str):
    """List PROJECT's document sets with their numbers of documents."""
    with transaction(writes=False) as session:
        found = document_sets.list_sets(session, projects.find_project(session, project).id)
        for chosen, count in found:
            click.echo(f"{chosen.name}\t{count} document(s)")
        if not found:
            click.echo("No document sets: create them on the project page.")
