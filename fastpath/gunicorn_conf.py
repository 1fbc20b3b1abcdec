"""gunicorn settings for production: `gunicorn -c python:fastpath.gunicorn_conf app:app`.

Threads per worker keep slow clients from tying up a process; several workers share the
database (SQLite with WAL and BEGIN IMMEDIATE, or PostgreSQL). Each setting can be
overridden with a FASTPATH_GUNICORN_* environment variable.
"""

import errno
import gc
import os
import socket
import subprocess
import sys

from gunicorn.arbiter import Arbiter

_cores = os.cpu_count() or 1

bind = os.environ.get("FASTPATH_GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("FASTPATH_GUNICORN_WORKERS", 2 * _cores))
worker_class = "gthread"
threads = int(os.environ.get("FASTPATH_GUNICORN_THREADS", 4))
timeout = int(os.environ.get("FASTPATH_GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never build up. Not too often: a new
# worker spends about a second of CPU importing the app, and at a deadline-day peak of
# ~1000 requests/s per worker, 5000 meant a restart every 5 s (a fifth of a core, and the
# connections it held were dropped).
max_requests = int(os.environ.get("FASTPATH_GUNICORN_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("FASTPATH_GUNICORN_ACCESSLOG", "-") or None  # "" turns it off
errorlog = "-"
# Only the local reverse proxy may set X-Forwarded-* (the app's ProxyFix is opt-in too).
forwarded_allow_ips = os.environ.get("FASTPATH_GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Request size limits at the server too (the app answers 413 with a friendly page).
limit_request_line = 8190
limit_request_fields = 100
# gunicorn 27's control socket sits at one path per user (~/.gunicorn/gunicorn.ctl): two
# servers on a machine would take it from each other. Nothing here uses it.
control_socket_disable = True
# Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new
# connections evenly over them. On one shared socket the worker that wakes first accepts a
# burst of them, and kept-alive connections stay where they landed: in `make bench` one run in
# four or so had 14 of 16 connections on one worker and served a third of the requests.
reuse_port = os.environ.get("FASTPATH_GUNICORN_REUSE_PORT", "true").lower() not in {"0", "false"}
# SO_REUSEPORT would just as gladly let a second server (another instance folder, another
# database) take a share of the connections on the same port: on_starting refuses that
# unless it is meant, e.g. to start a new server before stopping the old one.
share_port = os.environ.get("FASTPATH_GUNICORN_SHARE_PORT", "false").lower() in {"1", "true"}


def post_worker_init(worker: object) -> None:
    freeze_startup_objects()


def freeze_startup_objects() -> None:
    """Once the app is loaded: its objects (modules, templates, the URL map, ~140,000) leave
    the garbage collector's generations for good. A request that makes many objects (the
    chairs' table at 500 submissions) otherwise sets off full collections that walk them all
    every few requests. `make bench-reviews`: table p50 67 → 66 ms, p95 195 → 85 ms."""
    gc.freeze()


def on_starting(server: Arbiter) -> None:
    _refuse_a_port_in_use(server)
    _refuse_an_app_that_cannot_start(server)


def _refuse_a_port_in_use(server: Arbiter) -> None:
    """Stop if another server already listens on a TCP address this one is to bind.

    A probe bind without SO_REUSEPORT fails on a port where anyone listens (SO_REUSEADDR
    only lets it past connections still closing). Skipped when sharing is asked for, and for
    a re-executed master (USR2) or systemd's sockets, where the listener is ours already.
    """
    if share_port or server.master_pid or os.environ.get("LISTEN_FDS"):
        return
    for address in server.cfg.address:
        if not isinstance(address, tuple):  # a unix socket or a file descriptor
            continue
        host, port = address
        for family, kind, proto, _, sockaddr in socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        ):
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind(sockaddr)
                except OSError as error:
                    if error.errno != errno.EADDRINUSE:
                        raise
                    print(
                        f"fastpath cannot start: another server already listens on "
                        f"{host}:{port}. Stop it or bind to another port "
                        "(FASTPATH_GUNICORN_BIND); FASTPATH_GUNICORN_SHARE_PORT=true shares "
                        "the port on purpose.",
                        file=sys.stderr,
                        flush=True,
                    )
                    server.halt("The port is in use (the reason is above).", 1)


def _refuse_an_app_that_cannot_start(server: Arbiter) -> None:
    """Load the app once in a child process before any worker starts.

    A start-up refusal (app.py prints its one-line reason and exits with gunicorn's boot-error
    status) then stops gunicorn with that line alone. Left to the workers, each would print
    it, and two failing in the same instant make the arbiter stop with a traceback of its own
    (it reaps the second while halting for the first). The master itself never imports the
    app, so a HUP still loads new code into new workers.
    """
    check = f"from gunicorn.util import import_app; import_app({server.app.app_uri!r})"
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=server.cfg.chdir,
        env={**os.environ, **server.cfg.env},
        check=False,
    )
    if result.returncode != 0:
        server.halt("The app cannot start (the reason is above).", result.returncode)
