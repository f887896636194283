"""What every request and response goes through: sessions that end, same-origin writes, bounded
ids in URLs, the trusted proxy, and the security headers."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Flask, request, session
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from workbench.config import Settings
from workbench.services.errors import Invalid

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Inline styles stay allowed (colour swatches, indentation); scripts only from our own files.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SEEN_EVERY = 60  # seconds between refreshes of a session's last-seen time (each one re-sends the cookie)


MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32 bits on PostgreSQL


class DatabaseId(IntegerConverter):
    """`<int:...>` in every route, bounded to what a database id can be: 2^31 is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def database_ids(values: list[str], what: str) -> list[int]:
    """Ids from a query string or form (`?set=3&set=5`, ticked boxes): whole numbers a database id can be, else a 400."""
    for value in values:
        if not value.isdigit() or int(value) > MAX_ID:
            raise Invalid(f"{what} are chosen by their ids (whole numbers), not {value!r}.")
    return [int(value) for value in values]


def start_session(user_session_version: int) -> None:
    """A fresh session at sign-in: nothing of the old one (nor its CSRF token) survives."""
    session.clear()
    session.permanent = True
    moment = time.time()
    session.update(sv=user_session_version, since=moment, seen=moment)


def session_is_current(user_session_version: int, settings: Settings) -> bool:
    """Whether the signed-in session may go on: same session version, neither idle nor too old."""
    moment = time.time()
    current = (
        session.get("sv") == user_session_version
        and moment - session.get("since", 0) <= settings.session_max_hours * 3600
        and moment - session.get("seen", 0) <= settings.session_idle_minutes * 60
    )
    if not current:
        session.clear()
    elif moment - session["seen"] > SEEN_EVERY:
        session["seen"] = moment
    return current


def _origin(value: str) -> str:
    parts = urlsplit(value)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "null"


def init_app(app: Flask, settings: Settings) -> None:
    app.url_map.converters["int"] = DatabaseId
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)

    @app.before_request
    def same_origin_writes():
        # Cookies ride along on cross-site requests; a write must come from one of our own pages.
        if request.method not in UNSAFE_METHODS:
            return None
        claimed = request.headers.get("Origin") or (request.headers.get("Referer") and _origin(request.headers["Referer"]))
        if claimed and claimed != request.host_url.rstrip("/"):
            from workbench.web import error_response

            return error_response(403, "This request came from another site, so it was refused. Use the workbench's own pages.")
        return None

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if not request.path.startswith("/static/"):
            # Transcripts, codings and exports must not linger in browser or proxy caches.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response
