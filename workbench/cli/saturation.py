"""`workbench saturation`: thematic saturation after Guest, Namey & Chen (2020), as a table or JSON."""
from __future__ import annotations

import json
from pathlib import Path

import click

from workbench.cli import main, transaction
from workbench.cli.sets import coders_option, scoped, set_option
from workbench.services import projects, saturation


def _order(value: str) -> tuple[str, list[str] | None]:
    """imported | name | attribute:NAME, or else the path of a file listing document names one per line."""
    if value in saturation.ORDERS or value.startswith("attribute:"):
        return value, None
    path = Path(value)
    if not path.is_file():
        raise click.ClickException(f"--order {value!r}: use imported, name, attribute:NAME or the path of a file "
                                   "listing the documents one per line (no such file).")
    return "list", path.read_text(encoding="utf-8-sig").splitlines()


@main.command("saturation")
@click.argument("project")
@click.option("--base", type=int, default=4, show_default=True, help="Base size: the first interviews.")
@click.option("--run", "run_length", type=int, default=2, show_default=True, help="Run length: interviews compared at a time.")
@click.option("--threshold", type=float, default=0.05, show_default=True, help="New information at or under this share (0.05 = 5%) is saturation.")
@click.option("--order", default="imported", show_default=True, metavar="imported|name|attribute:NAME|FILE",
              help="The interviews' order: import order, document name, a case attribute's value, or a file of document names.")
@coders_option
@set_option
@click.option("--json", "as_json", is_flag=True, help='Print {"base_codes", "saturated_at", "runs": [...], "curve": [...], ...}.')
def saturation_command(project: str, base: int, run_length: int, threshold: float, order: str, coders: str | None,
                       sets: tuple[str, ...], as_json: bool):
    """Whether and where PROJECT's interviews reach thematic saturation."""
    chosen_order, listed = _order(order)
    with transaction(writes=False) as session:
        target = projects.find_project(session, project)
        chosen = scoped(session, target, sets, coders)
        result = saturation.saturation(session, target, base, run_length, threshold, chosen_order, listed)
    if as_json:
        click.echo(json.dumps(result.as_json(chosen.statement()), indent=2, ensure_ascii=False))
        return
    click.echo(f"{len(result.interviews)} coded interview(s), {result.order_words()}; {result.base_codes} code(s) in the base.")
    for k, r in enumerate(result.runs, start=1):
        mark = "  <- saturation" if r.saturating else ""
        click.echo(f"run {k}: interviews {r.start}-{r.end}  new codes {r.new_codes}  new information {100 * r.new_information:.1f}%{mark}")
    if result.left_out:
        click.echo(f"Left out (no codings counted): {', '.join(result.left_out)}.")
    click.echo(result.sentence())
