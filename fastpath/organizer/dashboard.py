"""The dashboard's numbers and its chart (SVG drawn on the server: no JavaScript needed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func

from ..cfp.models import Submission, SubmissionStatus, SubmissionTopic
from ..clock import as_utc
from ..extensions import db
from ..registration.models import Registration, RegistrationStatus

# The chart's drawing area, in SVG user units (the SVG scales to the page width).
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 40
MAX_DAYS = 120  # a longer period is shown as its last MAX_DAYS days


def submission_counts() -> dict[str, object]:
    """Submissions by status, and (not withdrawn ones) by topic."""
    by_status = dict.fromkeys([s.value for s in SubmissionStatus], 0)
    for status, count in db.session.execute(
        db.select(Submission.status, func.count()).group_by(Submission.status)
    ):
        by_status[str(status)] = count
    by_topic: dict[str, int] = {}
    for topic, count in db.session.execute(
        db.select(SubmissionTopic.topic_key, func.count())
        .join(Submission)
        .where(Submission.status != SubmissionStatus.WITHDRAWN)
        .group_by(SubmissionTopic.topic_key)
    ):
        by_topic[topic] = count
    return {"by_status": by_status, "by_topic": by_topic, "total": sum(by_status.values())}


def submission_times() -> list[datetime]:
    """When each submission was made."""
    return list(db.session.scalars(db.select(Submission.created_at)))


def registration_counts() -> dict[str, object]:
    """Registrations by status and (active ones) by position, and the waiting list length."""
    by_status = dict.fromkeys([s.value for s in RegistrationStatus], 0)
    for status, count in db.session.execute(
        db.select(Registration.status, func.count()).group_by(Registration.status)
    ):
        by_status[str(status)] = count
    by_position: dict[str, int] = {}
    for position, count in db.session.execute(
        db.select(Registration.position, func.count())
        .where(Registration.status != RegistrationStatus.CANCELLED)
        .group_by(Registration.position)
    ):
        by_position[position] = count
    return {
        "by_status": by_status,
        "by_position": by_position,
        "waiting": by_status[RegistrationStatus.WAITING.value],
        "total": sum(by_status.values()),
    }


def registration_times() -> list[datetime]:
    """When each registration was made."""
    return list(db.session.scalars(db.select(Registration.created_at)))


@dataclass
class Series:
    key: str  # also the CSS class of its line and points
    label: str
    counts: list[int]
    points: list[tuple[float, float]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass
class Chart:
    days: list[date]
    series: list[Series]
    y_max: int
    y_ticks: list[tuple[float, int]]  # (y, value)
    x_labels: list[tuple[float, str, str]]  # (x, text, text-anchor)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM
    top: int = TOP

    @property
    def description(self) -> str:
        """The chart in words, for screen readers and anyone without the picture."""
        if not self.days:
            return "Nothing submitted or registered yet."
        span = f"From {self.days[0].isoformat()} to {self.days[-1].isoformat()} (UTC days)"
        parts = []
        for s in self.series:
            if s.total:
                peak = max(range(len(s.counts)), key=lambda i: s.counts[i])
                parts.append(
                    f"{s.total} {s.label.lower()} in all, most on {self.days[peak].isoformat()} "
                    f"({s.counts[peak]})"
                )
            else:
                parts.append(f"no {s.label.lower()}")
        return f"{span}: " + "; ".join(parts) + "."


def _days(moments: Iterable[datetime]) -> list[date]:
    return [as_utc(moment).date() for moment in moments]


def per_day_chart(named_series: Sequence[tuple[str, str, Iterable[datetime]]]) -> Chart:
    """A line chart of events per UTC day; `named_series` is (key, label, moments)."""
    day_lists = [(key, label, _days(moments)) for key, label, moments in named_series]
    every_day = [d for _, _, days in day_lists for d in days]
    if not every_day:
        return Chart(days=[], series=[], y_max=0, y_ticks=[], x_labels=[])
    first, last = min(every_day), max(every_day)
    if (last - first).days >= MAX_DAYS:
        first = last - timedelta(days=MAX_DAYS - 1)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    series = []
    for key, label, day_list in day_lists:
        counter = Counter(day_list)
        series.append(Series(key, label, [counter.get(d, 0) for d in days]))
    y_max = max(1, *(max(s.counts) for s in series))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x_of(i: int) -> float:
        return LEFT + (plot_w * i / (len(days) - 1) if len(days) > 1 else plot_w / 2)

    def y_of(value: int) -> float:
        return TOP + plot_h * (1 - value / y_max)

    for s in series:
        s.points = [(x_of(i), y_of(v)) for i, v in enumerate(s.counts)]
    tick_values = sorted({0, y_max // 2, y_max}) if y_max > 1 else [0, 1]
    y_ticks = [(y_of(v), v) for v in tick_values]
    label_at = sorted({0, len(days) // 2, len(days) - 1})
    # The first and last labels hang inwards, so they are not cut off at the edges.
    anchors = {0: "start", len(days) - 1: "end"} if len(days) > 1 else {}
    x_labels = [
        (x_of(i), f"{days[i]:%b} {days[i].day}", anchors.get(i, "middle")) for i in label_at
    ]
    return Chart(days=days, series=series, y_max=y_max, y_ticks=y_ticks, x_labels=x_labels)
