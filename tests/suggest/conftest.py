"""Fixtures for suggestion tests: a small coded project and the deterministic fake embedder."""
from __future__ import annotations

import pytest

from workbench.suggest import FakeEmbedder

CODEBOOK = """
codes:
  - name: Trust
    colour: "#80b1d3"
    definition: Confidence between people and organisations.
    example: "We know the charity will never drop our patients."
    children:
      - name: Between sectors
        definition: Trust between general practice and the voluntary sector.
  - name: Time and resources
    children:
      - name: Workload and capacity
        colour: "#fb8072"
        definition: Staff stretched by caseload and lack of time.
        example: "My caseload is far too big and there is never enough time."
      - name: Funding
        colour: "#b3de69"
        definition: Money, grants and commissioning for community groups.
        example: "The grant ran out and the council did not renew the contract."
"""

# Turn 2 carries an emoji before the last words, so UTF-16 and code-point offsets differ there.
INTERVIEW = (
    "Interviewer: How is the caseload?\n"
    "P01: Honestly my caseload is far too big, there is never enough time in the week.\n"
    "Interviewer: And the money?\n"
    "P01: The grant ran out 😞 and the council did not renew the contract.\n"
    "Interviewer: Do you rely on them?\n"
    "P01: We know the charity will not drop our patients, we trust them completely."
)
SECOND = (
    "Interviewer: Tell me about time.\n"
    "P02: The caseload keeps growing and there is no time for anything.\n"
    "Interviewer: And funding?\n"
    "P02: The council grant ran out again this year.\n"
)


@pytest.fixture
def fake():
    return FakeEmbedder()


def build(session):
    """Owner olivia; coders ana and ben; viewer vic; two documents; ana and ben coded the second one."""
    from workbench.services import codebook, coding, documents, projects

    users = {name: projects.get_or_create_user(session, name) for name in ("olivia", "ana", "ben", "vic", "nadia")}
    project = projects.create_project(session, "Suggest study", users["olivia"])
    for name, role in (("ana", "coder"), ("ben", "coder"), ("vic", "viewer")):
        projects.add_member(session, project, users[name], role)
    codebook.import_yaml(session, project, CODEBOOK)
    interview, _ = documents.import_document(session, project, "P01_interview.txt", INTERVIEW.encode())
    second, _ = documents.import_document(session, project, "P02_interview.txt", SECOND.encode())

    def code(path, coder, quote, document=second):
        start = document.text.index(quote)
        coding.apply_code(session, document, codebook.find_code(session, project.id, path), users[coder],
                          start, start + len(quote))

    code("Time and resources/Workload and capacity", "ana", "The caseload keeps growing and there is no time for anything.")
    code("Time and resources/Funding", "ben", "The council grant ran out again this year.")
    return {"project": project, "interview": interview, "second": second, "users": users,
            "code": lambda path: codebook.find_code(session, project.id, path)}


@pytest.fixture
def study(session):
    return build(session)
