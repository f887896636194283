"""A `limits` storage in the workbench database, so Flask-Limiter's counters are shared by every
server process even without Redis (`workbench+sql://`; with WORKBENCH_REDIS_URL, Redis is used).

Fixed windows only: one row per key with its count and the moment its window ends. Each call is
its own short transaction on the engine, never the request's session: a refused sign-in rolls the
request back, but its failure must still count."""
from __future__ import annotations

import time

from limits.storage import Storage
from sqlalchemy import Engine, case, delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from workbench.db import insert_with_conflicts
from workbench.models import RateLimitCounter

TABLE = RateLimitCounter.__table__
SWEEP_EVERY = 500


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["workbench+sql"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, engine: Engine | None = None, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if engine is None:
            raise ValueError("DatabaseStorage needs the app's engine (storage_options={'engine': ...}).")
        self.engine = engine
        self._increments = 0
        self._insert = insert_with_conflicts(engine)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        statement = self._insert(TABLE).values(key=key, count=amount, expires_at=now + expiry)
        expired = TABLE.c.expires_at <= now
        statement = statement.on_conflict_do_update(
            index_elements=[TABLE.c.key],
            set_={
                "count": case((expired, amount), else_=TABLE.c.count + amount),
                "expires_at": case((expired, now + expiry), else_=TABLE.c.expires_at),
            },
        ).returning(TABLE.c.count)
        with self.engine.begin() as connection:
            self._increments += 1
            if self._increments % SWEEP_EVERY == 0:  # windows that ended are dead weight
                connection.execute(delete(TABLE).where(TABLE.c.expires_at < now))
            return connection.execute(statement).scalar_one()

    def _row(self, key: str):
        with self.engine.connect() as connection:
            return connection.execute(select(TABLE.c.count, TABLE.c.expires_at).where(TABLE.c.key == key)).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(delete(TABLE)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(TABLE).where(TABLE.c.key == key))
