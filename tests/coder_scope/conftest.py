"""The hand-worked scope study (tests/coder_scope/study.py) on each backend."""
import pytest

from tests.coder_scope.study import build


@pytest.fixture
def study(session):
    return build(session)
