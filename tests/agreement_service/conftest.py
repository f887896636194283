"""A two-document, two-coder project whose agreement figures are worked out by hand in the tests."""
import pytest

from tests.sample_data import SMALL_CODEBOOK, SMALL_TRANSCRIPT
from workbench.services import codebook, coding, documents, projects

SECOND = "P02: We trust them.\nInterviewer: Thanks."


def build(session) -> dict:
    """P01 (four turns) coded by hannah and tom; P02 (two turns) coded by hannah only, so tom is missing there."""
    owner = projects.get_or_create_user(session, "olivia")
    projects.set_password(owner, "correct horse battery")
    project = projects.create_project(session, "Agreement study", owner)
    users = {}
    for name, role in (("hannah", "coder"), ("tom", "coder"), ("vic", "viewer"), ("nadia", None)):
        users[name] = projects.get_or_create_user(session, name)
        projects.set_password(users[name], "correct horse battery")
        if role:
            projects.add_member(session, project, users[name], role)
    codebook.import_yaml(session, project, SMALL_CODEBOOK)
    p01, _ = documents.import_document(session, project, "P01_gp.txt", SMALL_TRANSCRIPT.encode())
    p02, _ = documents.import_document(session, project, "P02_vcs.txt", SECOND.encode())
    between = codebook.find_code(session, project.id, "Trust/Between sectors")
    workload = codebook.find_code(session, project.id, "Workload and capacity")

    def code(document, who, code_, quote):
        start = document.text.index(quote)
        return coding.apply_code(session, document, code_, users[who], start, start + len(quote))

    code(p01, "hannah", between, "I trusted them")  # turn 2
    code(p01, "hannah", workload, "stretched")  # turn 4
    code(p02, "hannah", between, "We trust them")  # turn 1 of P02
    code(p01, "tom", between, "How did the link with the charity start?")  # turn 1
    code(p01, "tom", between, "We met them at a PCN event. I trusted them from the start.")  # turn 2
    session.flush()
    return {"project": project, "p01": p01, "p02": p02, "between": between, "workload": workload, "users": users}


@pytest.fixture
def study(session):
    return build(session)
