"""The hand-worked query project (tests/queries/project.py) on each backend."""
import pytest

from tests.queries.project import build


@pytest.fixture
def study(session):
    return build(session)
