"""PostgreSQL's planner statistics are refreshed as imports grow the tables, so a search right after
a bulk import uses the plan for the real size (bench/search.py: 2.1 s with stale statistics, 1 ms after)."""
import pytest
from sqlalchemy import text

from workbench.db import refresh_statistics, statistics_due
from workbench.services import documents, projects


def test_statistics_are_due_at_powers_of_two_then_every_256th():
    due = [n for n in range(1, 1100) if statistics_due(n)]
    assert due == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 768, 1024]
    assert not statistics_due(0)


def test_refreshing_counts_the_rows_an_import_added(session):
    """ANALYZE inside the importing transaction sees its own new turns: pg_class.reltuples, what the
    planner believes, covers them. On SQLite there is nothing to refresh."""
    if session.get_bind().dialect.name != "postgresql":
        assert refresh_statistics(session) is False
        return
    owner = projects.get_or_create_user(session, "stats-owner")
    project = projects.create_project(session, "Statistics", owner)
    text_ = "\n".join(f"P{n:02d}: turn {n} of the interview about trust." for n in range(400))
    documents.import_document(session, project, "Long.txt", text_.encode())
    assert refresh_statistics(session) is True
    believed = session.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'utterance'")).scalar()
    actual = session.execute(text("SELECT count(*) FROM utterance")).scalar()
    assert actual >= 400 and believed >= 0.9 * actual
