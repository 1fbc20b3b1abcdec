"""gunicorn settings for production: `gunicorn -c python:fastpath.gunicorn_conf app:app`.

Threads per worker keep slow clients from tying up a process; several workers share the
database (SQLite with WAL and BEGIN IMMEDIATE, or PostgreSQL). Each setting can be
overridden with a FASTPATH_GUNICORN_* environment variable.
"""

import os

_cores = os.cpu_count() or 1

bind = os.environ.get("FASTPATH_GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("FASTPATH_GUNICORN_WORKERS", 2 * _cores))
worker_class = "gthread"
threads = int(os.environ.get("FASTPATH_GUNICORN_THREADS", 4))
timeout = int(os.environ.get("FASTPATH_GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never build up.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("FASTPATH_GUNICORN_ACCESSLOG", "-") or None  # "" turns it off
errorlog = "-"
# Only the local reverse proxy may set X-Forwarded-* (the app's ProxyFix is opt-in too).
forwarded_allow_ips = os.environ.get("FASTPATH_GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Request size limits at the server too (the app answers 413 with a friendly page).
limit_request_line = 8190
limit_request_fields = 100
