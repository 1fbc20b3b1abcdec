"""The one clock: every time the site shows or stores, and every "is it open yet" decision.

`FASTPATH_NOW` (ISO 8601) pins `now()` for previews and tests; production leaves it unset.
Timers that must run in real time whatever the site is shown as of (organizer lockouts,
session and token expiry, rate limits, mail retry backoff and claims) call `real_now()`
instead, and README lists them.
"""

from datetime import UTC, datetime

from flask import current_app, has_app_context


def parse_moment(value: str | datetime) -> datetime:
    """An ISO 8601 string (or datetime) as an aware datetime; no zone means UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime. SQLite hands back naive datetimes; every time stored is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def pinned_now() -> datetime | None:
    """The moment the site is shown as of, or None when it runs on real time."""
    if not has_app_context():
        return None
    return current_app.config.get("NOW") or None


def now() -> datetime:
    """The current moment (aware, UTC) as the site sees it: what it shows and stores."""
    pinned = pinned_now()
    return pinned.astimezone(UTC) if pinned else datetime.now(UTC)


def real_now() -> datetime:
    """The real current moment (aware, UTC), for timers that must run in real time."""
    return datetime.now(UTC)
