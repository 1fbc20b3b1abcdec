"""The one time-window type: when something (submissions, registration, changes) is open.

One rule for every window: it opens at `opens` (inclusive) and ends at `ends` (exclusive).
A closing time as people write it ("deadline 23:59:59") names the last moment that still
counts, down to its whole second, so `end_after` turns it into the exclusive end at the next
whole minute: 23:59:59 ends at 00:00:00, and 23:59:59.4 is still open.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta


class Window(enum.StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"


def end_after(last: datetime) -> datetime:
    """The exclusive end of a window whose last counted moment is `last`: the next whole
    minute (the same moment when `last` already is one, e.g. a closing time of 09:00)."""
    whole = last.replace(second=0, microsecond=0)
    return whole if whole == last else whole + timedelta(minutes=1)


@dataclass(frozen=True)
class TimeWindow:
    """From `opens` (inclusive; None = always was open) to `ends` (exclusive), aware UTC."""

    opens: datetime | None
    ends: datetime

    def at(self, moment: datetime) -> Window:
        if self.opens is not None and moment < self.opens:
            return Window.NOT_YET
        if moment >= self.ends:
            return Window.CLOSED
        return Window.OPEN
