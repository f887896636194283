"""Failed sign-ins slow guessing down with the `limits` library (the engine of Flask-Limiter), in
storage every server process shares: Redis when WORKBENCH_REDIS_URL is set, else the database.

Only failures count. The wait grows in steps (seconds, then minutes, then an hour) instead of a
lock: the tightest tiers are per account *and* address, so someone guessing elsewhere cannot shut
the real researcher out of their own account from their own machine for long."""
from __future__ import annotations

import math
import time

from flask import Flask, current_app
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

import workbench.services.rate_limit_storage  # noqa: F401  registers the workbench+sql:// scheme

TIERS = {
    "pair": parse_many("3 per 30 seconds; 6 per 5 minutes; 10 per hour; 20 per day"),
    "address": parse_many("30 per 5 minutes; 200 per day"),
    "account": parse_many("50 per hour; 200 per day"),
}


def init_app(app: Flask, engine) -> None:
    url = app.config["WORKBENCH_SETTINGS"].redis_url
    storage = storage_from_string(url) if url else storage_from_string("workbench+sql://", engine=engine)
    app.extensions["workbench.sign_in_limiter"] = FixedWindowRateLimiter(storage)


def _keys(address: str, username: str) -> dict[str, tuple[str, ...]]:
    account = username.strip().casefold()
    return {"pair": ("sign-in", account, address), "address": ("sign-in", address), "account": ("sign-in", account)}


def wait_seconds(address: str, username: str) -> int:
    """Seconds until this address may try this account again (0: now)."""
    limiter = current_app.extensions["workbench.sign_in_limiter"]
    waits = [0.0]
    for tier, identifiers in _keys(address, username).items():
        for item in TIERS[tier]:
            if not limiter.test(item, *identifiers):
                waits.append(limiter.get_window_stats(item, *identifiers).reset_time - time.time())
    return math.ceil(max(waits))


def record_failure(address: str, username: str) -> None:
    limiter = current_app.extensions["workbench.sign_in_limiter"]
    for tier, identifiers in _keys(address, username).items():
        for item in TIERS[tier]:
            limiter.hit(item, *identifiers)


def forgive(address: str, username: str) -> None:
    """A correct password from this address clears its own failures for the account."""
    limiter = current_app.extensions["workbench.sign_in_limiter"]
    identifiers = _keys(address, username)["pair"]
    for item in TIERS["pair"]:
        limiter.clear(item, *identifiers)


def describe(seconds: int) -> str:
    return f"{seconds} second{'s' * (seconds != 1)}" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"
