"""Fixtures for the AI coder: the suggestion study (two interviews, coders ana and ben) and a tiny
hand-coded project whose agreement figures the tests work out by hand."""
from __future__ import annotations

import pytest

from tests.suggest.conftest import build
from workbench.services import ai_coder, codebook, coding, documents, projects
from workbench.suggest import FakeEmbedder

PASSWORD = "correct horse battery"


@pytest.fixture
def fake():
    return FakeEmbedder()


@pytest.fixture
def study(session):
    """tests/suggest's study: owner olivia, coders ana and ben, viewer vic; P01 and P02; ana and ben coded P02."""
    return build(session)


TINY = "P01: First point.\nP01: Second point.\nP01: Third point.\nP01: Fourth point."


def tiny(session) -> dict:
    """Four participant turns u1..u4 coded with Alpha and Beta by hannah, tom and the AI layer:

            Alpha        Beta
    hannah  u1 u2        u4
    tom     u1 u2        u3 u4
    AI      u1 u3        u4
    """
    owner = projects.get_or_create_user(session, "olivia")
    project = projects.create_project(session, "Tiny AI study", owner)
    users = {name: projects.get_or_create_user(session, name) for name in ("hannah", "tom")}
    for user in users.values():
        projects.add_member(session, project, user, "coder")
    codebook.import_yaml(session, project, "codes:\n  - name: Alpha\n  - name: Beta\n")
    document, _ = documents.import_document(session, project, "P01.txt", TINY.encode())
    turns = [(u.start, u.end) for u in document.utterances]
    layer = ai_coder.ai_coder(session, "ai:fake-bow-64")
    users["ai"] = layer
    alpha, beta = (codebook.find_code(session, project.id, n) for n in ("Alpha", "Beta"))
    plan = {"hannah": {alpha: (1, 2), beta: (4,)}, "tom": {alpha: (1, 2), beta: (3, 4)}, "ai": {alpha: (1, 3), beta: (4,)}}
    for who, codes in plan.items():
        for code, units in codes.items():
            for u in units:
                coding.apply_code(session, document, code, users[who], *turns[u - 1], origin="suggestion" if who == "ai" else "manual")
    session.flush()
    return {"project": project, "document": document, "users": users, "alpha": alpha, "beta": beta, "turns": turns,
            "owner": owner}
