"""Code defaults. No secrets here: the deployment's own values come from
instance/config.py or FASTPATH_* environment variables (see README)."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT_DIR = PACKAGE_DIR.parent


class Defaults:
    # Set by the deployment; create_app refuses to serve without one outside debug/tests.
    SECRET_KEY: str | None = None

    # None means "instance/fastpath.sqlite3"; create_app fills it in.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 15_000

    # The workshop edition the site shows.
    CONTENT_DIR = str(PACKAGE_DIR / "editions" / "fastpath2020")

    # The clock: an ISO 8601 moment to show the site as of (previews, tests, make run).
    NOW: str | None = None

    # Public address used for links in mail; never taken from the request's Host header.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"

    # Mail (Flask-Mail names). No MAIL_SERVER means mail goes to instance/mail/*.eml.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    # The From address; without a display name ("desk@example.org") the name is the edition's
    # short name from its content folder ("FastPath 2021 <desk@example.org>").
    MAIL_DEFAULT_SENDER = "fastpath@localhost"
    MAIL_REPLY_TO: str | None = None
    # Whether the deployment's mail server takes SMTPUTF8 (addresses with non-ASCII before
    # the @, RFC 6531). The forms refuse such addresses unless True; delivery uses SMTPUTF8
    # whenever the server offers it, and fails such a mail at once (no retries) when not.
    MAIL_SMTPUTF8 = False
    MAIL_SUPPRESS_SEND = False  # Flask-Mail would silently drop all mail when TESTING
    MAIL_TIMEOUT_SECONDS = 20  # every SMTP connect, read and write
    # Retries: 30 s after the first failure, then doubling up to an hour; 12 attempts span
    # about five hours of outage before a mail is marked failed.
    MAIL_MAX_ATTEMPTS = 12
    MAIL_RETRY_BASE_SECONDS = 30
    MAIL_RETRY_MAX_SECONDS = 3600
    # A mail left "sending" this long (its sender died on another host) is claimed and sent
    # again. Each claim is renewed just before its mail is sent and the outcome saved just
    # after, so this only has to outlast one send (its connect, MAIL, RCPT and DATA steps,
    # each up to MAIL_TIMEOUT_SECONDS); a sender on the same host that is gone is noticed at
    # once.
    MAIL_CLAIM_TIMEOUT_SECONDS = 300
    MAIL_BACKGROUND_SENDER = True
    # The background sender (and `flask mail worker`) also looks for due mail this often.
    MAIL_SENDER_INTERVAL_SECONDS = 30
    MAIL_SPOOL_DIR: str | None = None  # None means instance/mail

    # Uploads (abstract PDFs) live under the instance folder, never under static/.
    UPLOAD_DIR: str | None = None  # None means instance/uploads
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    # PDFs kept for a form shown again but not sent yet: at most this many (and bytes) per
    # client, the client's oldest deleted first; and at most this many bytes in all, where
    # only files older than the grace period may be deleted to make room (else the upload is
    # refused). Files of submissions are never counted nor deleted.
    UPLOAD_KEPT_PER_CLIENT = 5
    UPLOAD_KEPT_BYTES_PER_CLIENT = 50 * 1024 * 1024
    UPLOAD_KEPT_TOTAL_BYTES = 1024 * 1024 * 1024
    UPLOAD_KEPT_GRACE_SECONDS = 600
    # A client's own kept file is deleted only once it is older than this: longer than a
    # request may run (gunicorn's timeout is 30 s), so a file a submit from the same address
    # is saving right now is never taken from under it. Younger ones are bounded by the
    # rate limit on posts that carry a file.
    UPLOAD_KEPT_MIN_AGE_SECONDS = 120

    # Another worker's publish of the program shows on this worker's pages within this many
    # seconds (real time); the worker that published shows it at once (program/public.py).
    PROGRAM_VERSION_CHECK_SECONDS = 1.0

    # Spam control (Flask-Limiter).
    RATELIMIT_ENABLED = True
    # None: a SQLite file in instance/ that all workers share (fastpath/ratelimit.py); a
    # deployment with Redis (pip install 'fastpath[redis]') sets "redis://host:6379/0".
    RATELIMIT_STORAGE_URI: str | None = None
    # Counters that cannot be reached or written (a full disk, Redis down) are logged and let
    # the request through, so the site answers as it would without limits, never a 500.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_FORM_POSTS = "20 per hour"
    # Mails to addresses a visitor typed (authors of a submission, new authors of an edit)
    # per client: a submission with 20 authors takes 20.
    RATELIMIT_VISITOR_MAILS = "40 per hour; 100 per day"
    # Mails anyone can trigger for an address that is already known (lost links, "already
    # registered"), per address, from all clients together.
    RATELIMIT_RECIPIENT_MAILS = "5 per hour; 20 per day"

    # With a capacity, a registration holds a place (or a waiting-list number) only once its
    # address is confirmed through the mailed link, within this many hours (real time), so
    # made-up addresses cannot take the places. False: at once, for a site whose form only
    # trusted people can reach. Unlimited capacity never asks.
    REGISTRATION_CONFIRM_ADDRESS = True
    REGISTRATION_CONFIRM_HOURS = 24

    # The organizers' area.
    ORGANIZER_SESSION_HOURS = 8  # a sign-in lasts at most this long
    ORGANIZER_LOCKOUT_ATTEMPTS = 5  # wrong passwords that pause an account for one client...
    ORGANIZER_LOCKOUT_CLIENT_ATTEMPTS = 20  # ...failures that pause a client for every account
    ORGANIZER_LOCKOUT_MINUTES = 15  # ...for this long (and failures count over this long)
    ORGANIZER_SIGN_IN_LIMIT = "10 per minute; 50 per hour"  # sign-in posts per address
    ORGANIZER_PAGE_SIZE = 50  # rows per page of the lists

    # Attendee data is anonymised this many days after the workshop (`flask privacy retention`).
    RETENTION_DAYS_AFTER_WORKSHOP = 180

    # Request size limits (a friendly page answers 413).
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    MAX_FORM_PARTS = 200

    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto/-Host (0 = none).
    PROXY_FIX_X_FOR = 0
    # Host names the site answers to; None derives them from PUBLIC_BASE_URL outside tests.
    TRUSTED_HOSTS: list[str] | None = None
    SESSION_COOKIE_SECURE: bool | None = None  # None: on when PUBLIC_BASE_URL is https

    # Over HTTPS Flask-WTF would also demand a same-site Referer; the private-link pages send
    # none (Referrer-Policy: no-referrer keeps their tokens private), so their forms would
    # fail. The CSRF token and SameSite=Lax cookies protect every form without it.
    WTF_CSRF_SSL_STRICT = False
    WTF_CSRF_TIME_LIMIT = None  # a form left open for hours must still post
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
