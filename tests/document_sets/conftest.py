"""A project with three documents, two sets and two coders, for document sets, scope, rename and delete."""
import pytest

from tests.sample_data import SMALL_CODEBOOK
from workbench.models import Memo
from workbench.services import codebook, coding, document_sets, documents, projects

TEXTS = {
    "P01_gp": "Interviewer: Trust?\nP01: We trust the charity with our patients.",
    "P02_gp": "Interviewer: Time?\nP02: Workload is brutal every winter.",
    "P03_vcs": "Interviewer: Trust?\nP03: We trust the surgery now.",
}


@pytest.fixture
def study(session):
    owner = projects.get_or_create_user(session, "olivia")
    tom = projects.get_or_create_user(session, "tom")
    zoe = projects.get_or_create_user(session, "zoe")
    project = projects.create_project(session, "Sets study", owner)
    projects.add_member(session, project, tom, "coder")
    projects.add_member(session, project, zoe, "coder")
    codebook.import_yaml(session, project, SMALL_CODEBOOK)
    docs = {name: documents.import_document(session, project, f"{name}.txt", text.encode())[0] for name, text in TEXTS.items()}
    trust = codebook.find_code(session, project.id, "Trust")
    for name, doc in docs.items():
        at = doc.text.index("We") if "We" in doc.text else doc.text.index("Workload")
        made = coding.apply_code(session, doc, trust, tom, at, at + 8)
        session.add(Memo(project_id=project.id, author_id=tom.id, coding_id=made.id, text=f"tom on {name}"))
    gps = document_sets.create_set(session, project, "GPs")
    wave = document_sets.create_set(session, project, "wave 1")
    document_sets.add_documents(session, gps, [docs["P01_gp"].id, docs["P02_gp"].id])
    document_sets.add_documents(session, wave, [docs["P01_gp"].id, docs["P03_vcs"].id])
    session.flush()
    return {"project": project, "owner": owner, "tom": tom, "zoe": zoe, "docs": docs, "trust": trust, "gps": gps, "wave": wave}
