"""deploy/backup.sh, the nightly backup the README's team server runs from a systemd timer: a dated
database backup that restores, a copy of the fine-tuned models' folders, and old backups removed."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from workbench.config import REPO_ROOT
from workbench.db import upgrade

SCRIPT = REPO_ROOT / "deploy" / "backup.sh"
WORKBENCH = str(Path(sys.executable).with_name("workbench"))


def nightly(instance: Path, to: Path, **extra: str) -> subprocess.CompletedProcess:
    env = os.environ | {"WORKBENCH_DATABASE_URL": f"sqlite:///{instance / 'workbench.db'}", "WORKBENCH_INSTANCE": str(instance),
                        "WORKBENCH_SECRET_KEY": "backup-test", "WORKBENCH_BACKUP_DIR": str(to), "WORKBENCH_BIN": WORKBENCH} | extra
    return subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)


def test_the_nightly_backup_keeps_the_database_and_the_models_and_drops_old_files(tmp_path):
    instance, to = tmp_path / "instance", tmp_path / "backups"
    (instance / "models" / "project-1-v1").mkdir(parents=True)
    (instance / "models" / "project-1-v1" / "model.safetensors").write_bytes(b"weights v1")
    upgrade(f"sqlite:///{instance / 'workbench.db'}")
    to.mkdir()
    old = to / "workbench-2026-01-01.backup"
    old.write_bytes(b"an old night")
    os.utime(old, (time.time() - 30 * 86400,) * 2)
    recent = to / "workbench-2026-12-01.backup"
    recent.write_bytes(b"last week")
    os.utime(recent, (time.time() - 5 * 86400,) * 2)

    done = nightly(instance, to)
    assert done.returncode == 0, done.stderr
    today = to / f"workbench-{time.strftime('%Y-%m-%d')}.backup"
    with sqlite3.connect(today) as copy:  # a whole SQLite database, schema included
        assert copy.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    assert (to / "models" / "project-1-v1" / "model.safetensors").read_bytes() == b"weights v1"
    assert not old.exists() and recent.exists()  # older than 14 days: gone; within: kept

    # The next night: a version deleted since is gone from the copy too, a new one is in it.
    (instance / "models" / "project-1-v1" / "model.safetensors").unlink()
    (instance / "models" / "project-1-v1").rmdir()
    (instance / "models" / "project-1-v2").mkdir()
    assert nightly(instance, to, WORKBENCH_BACKUP_KEEP_DAYS="3").returncode == 0
    assert sorted(p.name for p in (to / "models").iterdir()) == ["project-1-v2"]
    assert not recent.exists()  # five days old, kept for three


def test_a_failed_backup_fails_the_unit_and_keeps_the_earlier_files(tmp_path):
    instance, to = tmp_path / "instance", tmp_path / "backups"
    instance.mkdir()
    to.mkdir()
    earlier = to / "workbench-2026-12-01.backup"
    earlier.write_bytes(b"last night")
    done = nightly(instance, to)  # no database there: nothing to back up
    assert done.returncode != 0
    assert "nothing to back up" in done.stderr
    assert earlier.read_bytes() == b"last night"
