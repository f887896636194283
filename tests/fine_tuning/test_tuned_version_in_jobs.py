"""Jobs use the project's active fine-tuned version as suggestions do: the AI coder's run and its
calibration name the version (layer, provenance, thresholds); blind projects keep the base model."""
from __future__ import annotations

from types import SimpleNamespace

from tests.fine_tuning.conftest import stored_version
from workbench.models import Project
from workbench.services import jobs, project_models, projects
from workbench.suggest import FakeEmbedder


def test_a_job_loads_the_tuned_version_with_no_transaction_open(app, monkeypatch):
    """Loading a version takes seconds: on SQLite a job's first statement takes the write lock, so the
    read that finds the version is ended before the folder loads."""
    fake = FakeEmbedder()
    settings = app.config["WORKBENCH_SETTINGS"]
    with app.extensions["workbench.sessions"]() as session:
        project = projects.create_project(session, "Tuned study", projects.get_or_create_user(session, "olivia"))
        row = stored_version(session, project, fake.name, settings.models_path, copy_model=False)
        session.commit()
        project_id, name, digest = project.id, row.name, row.weights_sha256
    seen = []

    def load(path, graph=""):
        seen.append(session.in_transaction())
        return SimpleNamespace(name=name, weights_sha256=digest)

    monkeypatch.setattr(project_models, "_load", load)
    with app.extensions["workbench.sessions"]() as session:
        run = jobs.JobRun(session, None, lambda: fake, settings=settings)
        chosen = project_models.for_job(run, session.get(Project, project_id))
    assert chosen.name == name and seen == [False]
