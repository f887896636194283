"""Background work yields the cores to requests on PostgreSQL: the job thread runs at a lower priority
(Linux nice, per thread), the request threads keep theirs. On SQLite it keeps its priority."""
import os
import threading

import pytest

from workbench.worker.loop import BACKGROUND_NICE, yield_to_requests


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="Unix nice")
def test_only_the_job_thread_is_lowered():
    seen = {}

    def job_thread():
        me = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, me)
        yield_to_requests("sqlite:///kept.db")  # SQLite: unchanged (a lowered writer would hold the lock)
        seen["sqlite"] = os.getpriority(os.PRIO_PROCESS, me)
        yield_to_requests("postgresql+psycopg://db/workbench")
        seen["job"] = (before, os.getpriority(os.PRIO_PROCESS, me))

    request_thread = threading.get_native_id()
    mine = os.getpriority(os.PRIO_PROCESS, request_thread)
    thread = threading.Thread(target=job_thread)
    thread.start()
    thread.join()
    before, after = seen["job"]
    assert seen["sqlite"] == before
    assert after == min(19, before + BACKGROUND_NICE) and after > before
    assert os.getpriority(os.PRIO_PROCESS, request_thread) == mine
