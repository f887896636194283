"""The hand-worked coded project for the export tests."""
import pytest

from tests.exports.coded_project import build


@pytest.fixture
def coded(session, small_project):
    return build(session, small_project)
