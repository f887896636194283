"""`workbench import` commits each file: killed halfway, it keeps every file it reported imported,
and a re-run imports the rest and skips the others, duplicating nothing."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from workbench.models import Document, Utterance
from workbench.services import projects

FILES = 50
TURNS = 300  # enough that the import is still running when the test kills it


def _transcripts(folder: Path) -> list[str]:
    folder.mkdir()
    names = []
    for n in range(1, FILES + 1):
        name = f"P{n:02d}_interview.txt"
        turns = (f"Interviewer: Question {i} for participant {n}?\nP{n:02d}: Answer {i}, about trust and time." for i in range(TURNS))
        (folder / name).write_text("\n".join(turns), encoding="utf-8")
        names.append(name)
    return names


def _workbench(database_url: str, instance: Path, *args: str) -> subprocess.Popen:
    env = os.environ | {"WORKBENCH_DATABASE_URL": database_url, "WORKBENCH_INSTANCE": str(instance), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([str(Path(sys.executable).with_name("workbench")), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _reported(output: bytes, what: str) -> set[str]:
    return set(re.findall(rf"(?:^|[\r\n]){re.escape(what)}: (\S+)", output.decode()))


def test_a_killed_import_keeps_what_it_reported(app, database_url, tmp_path):
    with app.extensions["workbench.sessions"]() as session:
        projects.create_project(session, "Killed study", projects.get_or_create_user(session, "owner"))
        session.commit()
    names = _transcripts(tmp_path / "transcripts")

    first = _workbench(database_url, tmp_path, "import", "Killed study", str(tmp_path / "transcripts"))
    seen = b""
    while len(_reported(seen, "imported")) < 5:
        chunk = os.read(first.stderr.fileno(), 65536)
        assert chunk, f"the import ended before it could be killed: {seen.decode()[-2000:]}"
        seen += chunk
    first.send_signal(signal.SIGKILL)
    seen += first.stderr.read()  # lines already written before the kill count as reported
    assert first.wait(30) == -signal.SIGKILL
    reported = _reported(seen, "imported")
    assert 5 <= len(reported) < FILES, "the kill came too late to test anything"

    with app.extensions["workbench.sessions"]() as session:
        stored = set(session.scalars(select(Document.source_filename)))
    assert reported <= stored  # everything reported as imported survived the kill
    assert len(stored) <= len(reported) + 1  # at most the file being committed when it died

    second = _workbench(database_url, tmp_path, "import", "Killed study", str(tmp_path / "transcripts"))
    _, output = second.communicate(timeout=300)
    assert second.returncode == 0, output.decode()[-2000:]
    assert _reported(output, "skipped (already imported)") == stored
    assert _reported(output, "imported") == set(names) - stored

    with app.extensions["workbench.sessions"]() as session:
        counted = dict(session.execute(select(Document.source_filename, func.count(Utterance.id))
                                       .join(Utterance).group_by(Document.source_filename)).all())
    assert sorted(counted) == sorted(names) and set(counted.values()) == {2 * TURNS}
