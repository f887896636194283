"""Commands for code suggestions: fill the embedding cache, and evaluate the ranker against baselines."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app

from workbench.cli import main, transaction
from workbench.services import embeddings, projects, suggestions
from workbench.services.errors import DomainError
from workbench.suggest.evaluation import METRICS, evaluate_files, evaluate_fine_tuned, read_codebook, read_passages
from workbench.suggest.finetune import DEFAULT_MAX_PAIRS, DEFAULT_MAX_SECONDS

LABELS = {"embedding": "embedding ranker", "tfidf": "TF-IDF + same ranking", "logistic": "one-vs-rest logistic regression",
          "fine_tuned": "fine-tuned model + ranker", "fine_tuned_logistic": "fine-tuned model + logistic"}


def _embedder(int8: bool = False):
    settings = current_app.config["WORKBENCH_SETTINGS"]
    return embeddings.choose_embedder(current_app.extensions.get("workbench.embedder"), settings, int8)


@main.command("embed")
@click.argument("project")
def embed_command(project: str):
    """Embed every segment (utterance) of PROJECT; only texts not yet cached are encoded."""
    with transaction() as session:
        found = projects.find_project(session, project)
        embedder = _embedder()
        count = embeddings.embed_project(session, embedder, found, progress=True)
        click.echo(f"{count} segment(s) of {found.name!r} are embedded with {embedder.name}.")


@main.command("prepare-model")
@click.option("--force", is_flag=True, help="Export again even when the export is there.")
@click.option("--int8", is_flag=True, help="Also quantise the export to int8 (used with WORKBENCH_ENCODER=onnx-int8).")
def prepare_model_command(force: bool, int8: bool):
    """Export the embedding model for ONNX Runtime (into <instance>/models), so server processes
    encode without torch: the same vectors in about half the memory. Safe to run at every start.
    With --int8, its int8 quantisation too: faster, with vectors (and a cache) of its own."""
    settings = current_app.config["WORKBENCH_SETTINGS"]
    try:
        graph, made = embeddings.prepare_onnx(settings, force, int8)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    used = settings.encoder == "onnx-int8" if int8 else settings.encoder in ("auto", "onnx")
    click.echo(f"{'Exported' if made else 'Already exported:'} {graph}"
               + ("" if used else f" (WORKBENCH_ENCODER={settings.encoder}: it will not be used)"))


@main.command("evaluate-suggestions")
@click.argument("project", required=False)
@click.option("--coder", help="With PROJECT: the coder whose codings are the gold standard (leave-one-document-out).")
@click.option("--codebook", "codebook_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A codebook YAML, with --passages.")
@click.option("--passages", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSONL, one {"text": ..., "codes": [...]} per line.')
@click.option("--train-fraction", type=float, default=0.5, show_default=True,
              help="Share of the passages used as coded examples (0 = definitions only).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the train/test split.")
@click.option("--int8", is_flag=True, help="Quantise the model's linear layers to int8 (dynamic).")
@click.option("--fine-tune", "tune", is_flag=True,
              help="With --codebook and --passages: also fine-tune the model on the coded examples (the training "
                   "passages only, seeded with --seed) and rank with it (keys fine_tuned, fine_tuned_logistic). Minutes.")
@click.option("--max-pairs", type=int, default=DEFAULT_MAX_PAIRS, show_default=True, help="With --fine-tune: training pairs.")
@click.option("--max-seconds", type=float, default=DEFAULT_MAX_SECONDS, show_default=True,
              help="With --fine-tune: the training's time budget.")
@click.option("--json", "as_json", is_flag=True, help='Print {"embedding": {...}, "tfidf": {...}, "logistic": ...}.')
def evaluate_command(project, coder, codebook_file, passages, train_fraction, seed, int8, tune, max_pairs, max_seconds,
                     as_json):
    """Precision@1, precision@3, recall@3 and macro-F1 of the suggestions against a baseline.

    Either PROJECT --coder NAME, or --codebook FILE.yaml --passages FILE.jsonl."""
    if bool(project) == bool(codebook_file or passages):
        raise click.UsageError("Give either PROJECT with --coder, or --codebook and --passages.")
    if tune and project:
        raise click.UsageError("--fine-tune works on --codebook and --passages (a project is fine-tuned with `workbench fine-tune`).")
    if tune and not 2 <= max_pairs <= 100_000:
        raise click.UsageError("--max-pairs must be between 2 and 100000.")
    if tune and not max_seconds > 0:
        raise click.UsageError("--max-seconds must be above 0.")
    if project:
        if not coder:
            raise click.UsageError("With a project, name the gold-standard coder: --coder NAME.")
        with transaction() as session:
            result = suggestions.evaluate_project(session, _embedder(int8), projects.find_project(session, project), coder)
    else:
        if not (codebook_file and passages):
            raise click.UsageError("--codebook and --passages go together.")
        try:
            codes = read_codebook(codebook_file.read_bytes())
            read, embedder = read_passages(passages.read_bytes(), codes), _embedder(int8)
            result = evaluate_files(embedder, codes, read, train_fraction, seed)
            if tune:
                if not getattr(embedder, "path", None):
                    raise DomainError("The suggestion model is not a local sentence-transformers folder: "
                                      "there is nothing to fine-tune.")
                # The base model's float32 weights (not its int8 or ONNX form): that is what the job trains.
                result |= evaluate_fine_tuned(embedder.path, codes, read, train_fraction, seed, max_pairs=max_pairs,
                                              max_seconds=max_seconds)
        except (ValueError, DomainError) as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"{'method':34} " + " ".join(f"{m:>12}" for m in METRICS) + "  passages")
    for key, row in result.items():
        if row is None:
            click.echo(f"{LABELS[key]:34} " + " ".join(f"{'n/a':>12}" for _ in METRICS) + "  (no coded examples)")
        else:
            click.echo(f"{LABELS[key]:34} " + " ".join(f"{row[m]:12.3f}" for m in METRICS) + f"  {row['passages']}")
