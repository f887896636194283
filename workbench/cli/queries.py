"""Coding queries on the command line: run one (or a saved one), save it, list and delete saved queries."""
from __future__ import annotations

import json
from pathlib import Path

import click

from workbench.cli import main, transaction
from workbench.cli.sets import coders_option, scoped, set_option
from workbench.services import projects, queries, saved_queries
from workbench.services.query_combine import WITHIN


@main.command("query")
@click.argument("project")
@click.argument("expression", required=False)
@click.option("--within", type=click.Choice(WITHIN), help="How AND and NOT meet: overlapping passages (default) or the same turn.")
@click.option("--where", multiple=True, metavar="ATTRIBUTE=VALUE", help="Only cases with this attribute value (repeat; one name "
              "repeated: any of its values).")
@click.option("--subcodes", is_flag=True, help="Each code named stands for it and every code below it.")
@click.option("--speaker", "speakers", multiple=True, help="Only passages starting in this speaker's turns (repeat for several).")
@click.option("--saved", metavar="NAME", help="Run this saved query (its filters, unless given here).")
@click.option("--save", metavar="NAME", help="Save the query under this name (with --replace, over one of that name).")
@click.option("--replace", is_flag=True, help="With --save: replace a saved query of the same name.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the passages to a .csv, .xlsx or .docx file.")
@click.option("--json", "as_json", is_flag=True, help="Print the passages as JSON: document, start, end, text, codes, coders, turn.")
@set_option
@coders_option
def query_command(project, expression, within, where, subcodes, speakers, saved, save, replace, output, as_json, sets, coders):
    """Passages of PROJECT where codes combine: "Trust AND Operational systems/Information sharing",
    "Trust NOT Funding", "Trust NEAR/2 Time", "Funding FOLLOWED BY Trust", brackets, "quoted names"."""
    if bool(expression) == bool(saved):
        raise click.UsageError("Give an EXPRESSION or --saved NAME (one of them).")
    with transaction(writes=bool(save)) as session:
        target = projects.find_project(session, project)
        scoped(session, target, sets, coders)
        stored = saved_queries.find_saved(session, target, saved) if saved else None
        base = saved_queries.filters_of(stored) if stored else queries.Filters()
        filters = queries.Filters(within or base.within, queries.parse_where(list(where)) if where else base.attributes, base.cases,
                                  tuple(speakers) or base.speakers, subcodes or base.subcodes)
        if stored:
            result = saved_queries.run_saved(session, target, stored, filters)
        else:
            result = queries.run(session, target, expression, filters)
        if save:
            saved_queries.save(session, target, None, save, stored.expression if stored else expression, filters, replace)
        found = queries.passages(session, target, result)
        data = queries.export_results(session, target, result, output.suffix.lower().lstrip("."), name=saved) if output else None
    click.echo(f"{result.expression} ({result.filters.describe()}): {len(found)} passage(s) in {result.document_count} document(s).",
               err=True)
    if save:
        click.echo(f"Saved as {save!r}.", err=True)
    if output:
        output.write_bytes(data)
        click.echo(f"Wrote {output} ({len(data):,} bytes).", err=True)
    elif as_json:
        click.echo(json.dumps(queries.as_json(found), ensure_ascii=False, indent=1))
    else:
        for p in found:
            turn = "" if p.turn is None else p.turn + 1
            click.echo(f"{p.document}\t{turn}\t{p.speaker}\t{p.code_path}\t{' '.join(p.text.split())}")


@main.command("saved-queries")
@click.argument("project")
@click.option("--delete", "to_delete", metavar="NAME", help="Delete this saved query.")
def saved_queries_command(project: str, to_delete: str | None):
    """List PROJECT's saved queries (name, expression, filters), or delete one."""
    with transaction(writes=bool(to_delete)) as session:
        target = projects.find_project(session, project)
        if to_delete:
            saved_queries.delete(session, target, None, saved_queries.find_saved(session, target, to_delete))
            click.echo(f"Deleted saved query {to_delete!r}.")
            return
        found = saved_queries.list_saved(session, target)
        for saved in found:
            click.echo(f"{saved.name}\t{saved.expression}\t{saved_queries.filters_of(saved).describe()}")
        if not found:
            click.echo("No saved queries: save one with `workbench query PROJECT EXPRESSION --save NAME`.")

