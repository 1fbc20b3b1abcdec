"""The one clock every "is it open yet / still open" decision reads.

`FASTPATH_NOW` (ISO 8601) pins it for previews and tests; production leaves it unset.
"""

from datetime import UTC, datetime

from flask import current_app


def parse_moment(value: str | datetime) -> datetime:
    """An ISO 8601 string (or datetime) as an aware datetime; no zone means UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def pinned_now() -> datetime | None:
    """The moment the site is shown as of, or None when it runs on real time."""
    return current_app.config.get("NOW") or None


def now() -> datetime:
    """The current moment (aware, UTC) as the site sees it."""
    pinned = pinned_now()
    return pinned.astimezone(UTC) if pinned else datetime.now(UTC)
