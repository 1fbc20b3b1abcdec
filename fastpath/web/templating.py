"""Jinja filters and the values every template can use."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request

from ..clock import now, pinned_now
from ..content import Deadline, current_workshop
from ..core.text import file_size
from .state import site_state


def long_date(value: date | datetime) -> str:
    """'Sunday, April 5, 2020'."""
    return f"{value:%A, %B} {value.day}, {value.year}"


def short_date(value: date | datetime) -> str:
    """'April 5, 2020'."""
    return f"{value:%B} {value.day}, {value.year}"


def clock(value: datetime) -> str:
    """'9:00' (24-hour, as the program announces times)."""
    return f"{value.hour}:{value.minute:02d}"


def deadline_text(deadline: Deadline) -> str:
    """The deadline in its own zone and in UTC, in one line of plain text (also for mail)."""
    at, utc = deadline.at, deadline.utc
    return (
        f"{short_date(at)}, {at:%H:%M} {deadline.zone_label} = {short_date(utc)}, {utc:%H:%M} UTC"
    )


def iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.add_template_filter(long_date)
    app.add_template_filter(short_date)
    app.add_template_filter(clock)
    app.add_template_filter(deadline_text)
    app.add_template_filter(iso)
    app.add_template_filter(file_size)

    @app.context_processor
    def site_values() -> dict:
        return {
            "workshop": current_workshop(),
            "site_now": now(),
            "pinned_now": pinned_now(),
            # A function, so only pages that say something time-dependent read it.
            "site_state": site_state,
            "current_endpoint": request.endpoint if request else None,
        }
