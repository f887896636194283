"""The generated secret key: owner-only from the start, one key however many processes start at once;
and the team server refuses the settings file's placeholder key."""
import os
import stat
import subprocess
import sys
import threading

from workbench.app import _secret_key
from workbench.config import Settings

WORKBENCH = os.path.join(os.path.dirname(sys.executable), "workbench")


def test_the_generated_key_is_private_stable_and_one_for_all(tmp_path):
    settings = Settings(instance_path=tmp_path)
    keys, start = [], threading.Barrier(8)

    def make():
        start.wait()
        keys.append(_secret_key(settings))

    threads = [threading.Thread(target=make) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _secret_key(settings) == keys[0]
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no drafts left behind
    assert _secret_key(Settings(instance_path=tmp_path, secret_key="configured")) == "configured"


def test_serve_refuses_the_placeholder_key(tmp_path):
    env = os.environ | {"WORKBENCH_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "WORKBENCH_INSTANCE": str(tmp_path),
                        "WORKBENCH_SECRET_KEY": "change-me-secret-key"}
    done = subprocess.run([WORKBENCH, "serve", "--port", "0"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "placeholder" in done.stderr and "Traceback" not in done.stderr
