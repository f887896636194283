"""Deleting a project removes its fine-tuned versions' folders and ONNX exports from the instance's
models folder, once the deletion has committed; a deletion rolled back keeps them."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.fine_tuning.conftest import stored_version
from workbench.models import Project, ProjectModel
from workbench.services import project_deletion, projects


def _project_with_a_version(app, name: str):
    """A project and its version 1: a folder holding a weight file, its ONNX export and its int8 one."""
    models = app.config["WORKBENCH_SETTINGS"].models_path
    with app.extensions["workbench.sessions"]() as session:
        project = projects.create_project(session, name, projects.get_or_create_user(session, "olivia"))
        row = stored_version(session, project, "base@000000000000", models, copy_model=False)
        session.commit()
        folder, version = models / row.path, row.name
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"weights")
    files = [folder / "model.safetensors", models / f"{version}.onnx", models / f"{version}+int8.onnx"]
    for graph in files[1:]:
        graph.write_bytes(b"graph")
    return project.id, folder, files


def test_the_command_removes_the_versions_files_and_rows(app, cli):
    pid, folder, files = _project_with_a_version(app, "Closing study")
    _, kept_folder, kept = _project_with_a_version(app, "Other study")
    done = cli(["delete-project", "Closing study", "--yes"])
    assert done.exit_code == 0, done.output
    assert not folder.exists() and not any(f.exists() for f in files)
    assert all(f.exists() for f in kept)  # another project's version stays
    with app.extensions["workbench.sessions"]() as session:
        assert session.get(Project, pid) is None
        assert session.scalar(select(func.count()).select_from(ProjectModel).where(ProjectModel.project_id == pid)) == 0


def test_a_rolled_back_deletion_keeps_them(app):
    """Rolled back, the deletion leaves rows and files; a later commit of the same session removes nothing."""
    pid, folder, files = _project_with_a_version(app, "Closing study")
    models = app.config["WORKBENCH_SETTINGS"].models_path
    with app.extensions["workbench.sessions"]() as session:
        project_deletion.delete_project(session, session.get(Project, pid), models=models)
        assert all(f.exists() for f in files)  # not before the commit
        session.rollback()
        projects.create_project(session, "Another study", projects.get_or_create_user(session, "olivia"))
        session.commit()
    assert all(f.exists() for f in files)
    with app.extensions["workbench.sessions"]() as session:
        assert session.get(Project, pid) is not None and session.scalar(select(ProjectModel.path)) == folder.name
