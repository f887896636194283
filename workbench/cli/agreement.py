"""`workbench agreement` (the per-code table) and `workbench disagreements` (units to review)."""
from __future__ import annotations

from pathlib import Path

import click

from workbench.cli import main, transaction
from workbench.cli.sets import scoped, set_option
from workbench.export.agreement_table import format_figure
from workbench.services import agreement, codebook, consensus, projects, scope


def _names(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] or None if value else None


def _render(head: list[str], rows: list[list]) -> str:
    """A plain fixed-width table; undefined figures as a dash, as on the web page."""
    cells = [[format_figure(v) if isinstance(v, float) or v is None else str(v) for v in row[:-1]] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(head[:-1])]
    widths[0] = min(widths[0], 48)
    lines = ["  ".join(h[:w].ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(head, widths)))]
    for row, original in zip(cells, rows):
        line = "  ".join(c[:w].ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
        lines.append(line + (f"  [{original[-1]}]" if original[-1] else ""))
    return "\n".join(lines)


@main.command("agreement")
@click.argument("project")
@click.option("--coders", help="Comma-separated user names, 'consensus' for the consensus layer (default: everyone who "
                                "coded the chosen documents but the consensus layer).")
@click.option("--documents", help="Comma-separated document names (default: all).")
@click.option("--unit", type=click.Choice(["utterance", "sentence", "character"]), default="utterance", show_default=True)
@click.option("--roll-up", is_flag=True, help="Count a subcode's codings for its parents too.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the table (.csv or .xlsx).")
@click.option("--raw-csv", is_flag=True, help="CSV cells exactly as stored (no ' before text starting with = + - @).")
@set_option
def agreement_command(project: str, coders: str | None, documents: str | None, unit: str, roll_up: bool, output: Path | None,
                      raw_csv: bool, sets: tuple[str, ...]):
    """Per-code agreement between coders: percent agreement, kappa, alpha, AC1."""
    with transaction(writes=False) as session:
        target = projects.find_project(session, project)
        scoped(session, target, sets, coders)
        report = agreement.compute_agreement(session, target, _names(coders), _names(documents), unit, roll_up)
        data = (agreement.export_agreement(report, output.suffix.lower().lstrip("."), raw=raw_csv, about=scope.about(session, target))
                if output else None)
    head, rows = report.table()
    click.echo(f"{', '.join(report.coders)} · {len(report.documents)} document(s) · unit: {unit}" + (" · rolled up" if roll_up else ""))
    click.echo(_render(head, rows))
    if output:
        output.write_bytes(data)
        click.echo(f"Wrote {output} ({len(data):,} bytes).")


@main.command("disagreements")
@click.argument("project")
@click.option("--code", "code_path", required=True, help="The code's full path, e.g. 'Trust/Between sectors'.")
@click.option("--coders", help="Comma-separated user names (default: every coder but the consensus layer).")
@click.option("--documents", help="Comma-separated document names (default: all).")
@click.option("--unit", type=click.Choice(["utterance", "sentence"]), default="utterance", show_default=True)
def disagreements_command(project: str, code_path: str, coders: str | None, documents: str | None, unit: str):
    """List the units where coders differ on a code, with each coder's coded spans."""
    with transaction(writes=False) as session:
        target = projects.find_project(session, project)
        code = codebook.find_code(session, target.id, code_path)
        found = consensus.disagreements(session, target, code, unit, _names(coders), _names(documents))
        for d in found:
            decided = f"  (decided: {d.decided})" if d.decision else ""
            click.echo(f"\n{d.place} · {d.document.name} [{d.start}, {d.end}){decided}")
            click.echo(f"  {d.text}")
            for v in d.versions:
                spans = "; ".join(f"[{s}, {e}) {quote!r}" for s, e, quote in v.spans)
                click.echo(f"  {v.coder}: {'applied' if v.applied else 'not applied'}{' — ' + spans if spans else ''}")
        click.echo(f"\n{len(found)} unit(s) where the coders differ on {code_path}; {found.progress()}.")
