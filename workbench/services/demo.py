"""The demo project: sample transcripts, cases, the GP–VCS codebook and two coders' codings."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.config import REPO_ROOT
from workbench.importers import SUPPORTED_EXTENSIONS
from workbench.models import Project
from workbench.services import cases, codebook, coding, documents, projects

DEMO_PROJECT = "GP and voluntary sector collaboration (demo)"
DEMO_USER, DEMO_PASSWORD = "demo", "demo-password"
DEMO_CODERS = ("hannah", "tom")


def load_demo(session: Session, root: Path = REPO_ROOT) -> tuple[Project, bool]:
    """Create the demo project once; returns (project, created)."""
    existing = session.scalar(select(Project).where(Project.name == DEMO_PROJECT))
    if existing is not None:
        return existing, False
    owner = projects.get_or_create_user(session, DEMO_USER, "Demo researcher")
    if not owner.password_hash:
        projects.set_password(owner, DEMO_PASSWORD)
        # Its password is public: it signs in only on `workbench demo --serve` bound to loopback.
        owner.is_demo = True
    project = projects.create_project(
        session, DEMO_PROJECT, owner,
        description="Nine interviews with GPs, link workers, voluntary sector staff, a practice manager and patients, coded by two researchers.",
    )
    for name in DEMO_CODERS:
        projects.add_member(session, project, projects.get_or_create_user(session, name, name.title()), "coder")
    codebook.import_yaml(session, project, (root / "codebooks" / "gp-vcs-collaboration.yaml").read_bytes())
    samples = root / "transcripts_sample"
    for path in sorted(samples.iterdir()):
        if path.suffix.lower() in SUPPORTED_EXTENSIONS:
            documents.import_document(session, project, path.name, path.read_bytes())
    cases.import_cases_csv(session, project, (samples / "cases.csv").read_bytes(), "cases.csv")
    for path in sorted((samples / "codings").glob("*.csv")):
        coding.apply_codings_file(session, project, path.read_bytes(), path.name)
    return project, True
