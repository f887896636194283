"""`workbench serve`: the production server (gunicorn, threaded workers), never demo data."""
from __future__ import annotations

import ipaddress
import os
import socket

import click
from flask import current_app
from gunicorn.app.base import BaseApplication

from workbench.cli import main


PLACEHOLDER_KEYS = {"change-me", "change-me-secret-key", "changeme", "secret"}  # never a team server's key


def is_loopback(host: str) -> bool:
    """Whether `host` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
    except (OSError, ValueError):
        return False


def refuse_unmigrated(url: str) -> None:
    """Stop before serving a database whose schema this version does not know (exit status 1)."""
    from workbench.db import schema_behind

    reason = schema_behind(url)
    if reason:
        raise click.ClickException(reason)


class _Server(BaseApplication):
    """gunicorn, configured in code; each worker process builds its own app (own engine and pool)."""

    def __init__(self, make_app, options: dict):
        self._make_app, self._options = make_app, options
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        # One torch thread per request: the request threads are the parallelism. With two threads
        # each, concurrent encodes spin against one another (on 2 busy cores, 4 texts took 0.6-1.0 s
        # instead of 0.1-0.14 s). Read by torch when it is first imported, which is after this.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        return self._make_app()


def run_server(settings, host: str, port: int, workers: int, threads: int) -> None:
    from workbench.app import serving_app

    # Each process builds the app as a server runs it: with in-process jobs, its one worker thread.
    _Server(lambda: serving_app(settings), {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 300,  # a big XLSX export may take a minute on a slow disk
        "graceful_timeout": 30,
        "accesslog": "-",
        # X-Forwarded-* are trusted in one place only: WORKBENCH_TRUSTED_PROXIES (ProxyFix).
        "forwarded_allow_ips": "127.0.0.1" if settings.trusted_proxies else "",
        "secure_scheme_headers": {},
    }).run()


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="Server processes.")
@click.option("--threads", default=8, show_default=True, help="Threads per process.")
def serve_command(host: str, port: int, workers: int, threads: int):
    """Serve the app for a team (no demo data; the demo account cannot sign in)."""
    settings = current_app.config["WORKBENCH_SETTINGS"]
    if settings.secret_key.strip().lower() in PLACEHOLDER_KEYS:
        raise click.ClickException(
            "WORKBENCH_SECRET_KEY is still the placeholder from deploy/workbench.env: anyone who has read it "
            "could sign session cookies. Set it to the output of: python3 -c \"import secrets; print(secrets.token_hex(32))\"")
    refuse_unmigrated(settings.database_url)
    settings.demo_sign_in = False
    click.echo(f"Serving workbench on http://{host}:{port}/ with {workers} process(es) × {threads} threads "
               f"({settings.database_url.split('://')[0]} database).")
    run_server(settings, host, port, workers, threads)
