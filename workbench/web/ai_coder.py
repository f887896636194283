"""The AI coder's page (choose documents, codes and thresholds; the run is a job) and accepting its
codings from the disagreement review into the reviewer's own layer."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workbench.export import svg
from workbench.services import ai_calibration, ai_coder, codebook, documents, fine_tuning, learning_curve, project_models, projects
from workbench.services.errors import Invalid
from workbench.web import db

bp = Blueprint("ai_coder", __name__)


@bp.get("/projects/<int:project_id>/ai-coder")
@login_required
def show(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    return render_template("ai_coder.html", project=project, nodes=codebook.codebook(db(), project.id),
                           documents=documents.list_documents(db(), project.id), layers=ai_coder.layers(db(), project),
                           default=ai_coder.DEFAULT_THRESHOLD, precision=ai_calibration.DEFAULT_PRECISION,
                           calibrated={t.code_id: t for t in ai_calibration.thresholds(db(), project)},
                           curve=_curve(learning_curve.latest(db(), project)),
                           tuned=project_models.versions(db(), project), tuning=fine_tuning)


def _curve(curve: dict | None) -> dict | None:
    """The stored learning curve with its points labelled and drawn."""
    if curve is None:
        return None
    for p in curve["points"]:
        p["label"] = "all" if p["examples"] is None else str(p["examples"])
    points = curve["points"]
    curve["svg"] = svg.learning_curve([p["label"] for p in points], [p["precision_at_1"] for p in points],
                                      [p["spread"] for p in points], "Precision@1 of the suggestions")
    return curve


def _ids(name: str) -> list[int]:
    try:
        return [int(v) for v in request.form.getlist(name)]
    except ValueError:
        raise Invalid(f"The {name} chosen are not ids: reload the page and choose again.") from None


@bp.post("/projects/<int:project_id>/ai-coder")
@login_required
def run(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    per_code = {k.removeprefix("threshold-"): v for k, v in request.form.items() if k.startswith("threshold-")}
    job = ai_coder.start(db(), project, current_user.user, _ids("documents"), _ids("codes"),
                         request.form.get("threshold", ai_coder.DEFAULT_THRESHOLD), per_code, request.form.get("calibrated") == "1")
    flash(f"The AI coder is running on {len(job.arguments['documents'])} document(s) and {len(job.arguments['codes'])} "
          "code(s): its progress is under Background work.", "ok")
    return redirect(url_for("projects.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/ai-coder/calibrate")
@login_required
def calibrate(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    ai_calibration.start(db(), project, current_user.user, request.form.get("precision", ai_calibration.DEFAULT_PRECISION))
    flash("Calibrating the AI coder's thresholds on the coded documents: its progress is under Background work.", "ok")
    return redirect(url_for("ai_coder.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/ai-coder/learning-curve")
@login_required
def measure_curve(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    learning_curve.start(db(), project, current_user.user)
    flash("Measuring the suggestions' learning curve on the coded documents: its progress is under Background work.", "ok")
    return redirect(url_for("ai_coder.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/ai-coder/fine-tune")
@login_required
def fine_tune(project_id: int):
    project = projects.require(db(), current_user.user, project_id, "owner")
    form = request.form
    fine_tuning.start(db(), project, current_user.user, form.get("seed", 0), form.get("max_pairs", fine_tuning.DEFAULT_MAX_PAIRS),
                      form.get("max_seconds", fine_tuning.DEFAULT_MAX_SECONDS))
    flash("Fine-tuning the suggestion model on the team's codings: its progress is under Background work. "
          "Suggestions use the new version only if it ranks the held-out documents better.", "ok")
    return redirect(url_for("ai_coder.show", project_id=project.id))


def _back(project_id: int, code_id: int, form):
    return redirect(url_for("agreement.disagreements", project_id=project_id, code=code_id, unit=form.get("unit", "utterance"),
                            coders=form.getlist("coders"), set=form.getlist("set")))


@bp.post("/projects/<int:project_id>/disagreements/accept-ai")
@login_required
def accept(project_id: int):
    """Accept the AI coder's coding of one unit (or, with `all`, of every unit of the review)."""
    project = projects.require(db(), current_user.user, project_id, "coder")
    form = request.form
    try:
        code_id = int(form.get("code", ""))
        place = None if form.get("all") else tuple(int(form.get(k, "")) for k in ("document", "start", "end"))
    except ValueError:
        raise Invalid("The form is incomplete: reload the page and try again.") from None
    layer = form.get("layer", "")
    if place is None:
        made = ai_coder.accept_all(db(), project, current_user.user, layer, code_id, form.get("unit", "utterance"))
    else:
        made = ai_coder.accept(db(), project, current_user.user, layer, code_id, *place)
    flash(f"{len(made)} coding(s) of the AI coder accepted into your layer (origin: suggestion). Undo takes them back.", "ok")
    return _back(project.id, code_id, form)
