"""The dashboard's numbers and its chart (SVG drawn on the server: no JavaScript needed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func

from ..cfp.models import Submission, SubmissionStatus, SubmissionTopic
from ..clock import as_utc
from ..core.extensions import db
from ..registration.models import Registration, RegistrationStatus

MAX_DAYS = 120  # a longer period is shown as its last MAX_DAYS days
# A shorter one is drawn as its last MIN_DAYS days, so one busy day is a peak, not a dot.
MIN_DAYS = 7


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
    key: str  # also the CSS class of its line and markers
    label: str
    counts: list[int]
    # Each series has its own marker shape, and the second line is dashed over the first:
    # two series with the same numbers stay visible as two.
    marker: str = "circle"

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class Drawn:
    """One series in one layout: its points (x, y, count)."""

    series: Series
    points: list[tuple[float, float, int]]

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in self.points)


@dataclass(frozen=True)
class Size:
    """A drawing size. SVG text scales with the drawing, so a phone gets a drawing of its own
    (about its width) instead of the wide one shrunk to half, with 6 px labels."""

    name: str  # the CSS class that shows it at its screen widths
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_labels: int  # how many days are labelled
    y_steps: int  # at most this many steps between the y ticks


# Labels are 13 units (organizer.css), about 13 CSS px at the widths each drawing is shown.
WIDE = Size("chart-wide", 720, 260, 48, 20, 16, 40, x_labels=5, y_steps=5)
NARROW = Size("chart-narrow", 340, 240, 36, 20, 14, 40, x_labels=3, y_steps=4)


# Markers need this much room per day (drawing units); closer, they would pile up into a
# band, and the lines alone show the shape.
MARKER_SPACING = 10


@dataclass
class Layout:
    size: Size
    drawn: list[Drawn]
    y_ticks: list[tuple[float, int]]  # (y, value)
    x_labels: list[tuple[float, str, str]]  # (x, text, text-anchor)
    markers: bool

    @property
    def right_edge(self) -> int:
        return self.size.width - self.size.right

    @property
    def bottom_edge(self) -> int:
        return self.size.height - self.size.bottom


@dataclass
class Chart:
    days: list[date]
    series: list[Series]
    layouts: list[Layout] = field(default_factory=list)

    @property
    def description(self) -> str:
        """The chart in words, for screen readers and anyone without the picture."""
        active = [i for i, _ in enumerate(self.days) if any(s.counts[i] for s in self.series)]
        if not active:
            return "Nothing submitted or registered yet."
        first, last = self.days[active[0]], self.days[active[-1]]
        span = f"From {first.isoformat()} to {last.isoformat()} (UTC days)"
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


def even_ticks(top: int, most_steps: int) -> list[int]:
    """Ticks 0, s, 2s, ... up to the first at or above `top`, with a step s of 1, 2 or 5
    times a power of ten and at most `most_steps` steps: 3 gives 0 1 2 3, 7 gives 0 2 4 6 8."""
    scale = 1
    while True:
        for step in (scale, 2 * scale, 5 * scale):
            steps = max(1, -(-top // step))
            if steps <= most_steps:
                return [step * i for i in range(steps + 1)]
        scale *= 10


def _layout(size: Size, days: list[date], series: list[Series]) -> Layout:
    ticks = even_ticks(max(max(s.counts) for s in series), size.y_steps)
    plot_w = size.width - size.left - size.right
    plot_h = size.height - size.top - size.bottom

    def x_of(i: int) -> float:
        return size.left + plot_w * i / (len(days) - 1)

    def y_of(value: int) -> float:
        return size.top + plot_h * (1 - value / ticks[-1])

    drawn = [Drawn(s, [(x_of(i), y_of(v), v) for i, v in enumerate(s.counts)]) for s in series]
    # Evenly spaced day labels, and the last day; one that would crowd it gives way.
    step = -(-(len(days) - 1) // (size.x_labels - 1))
    label_at = list(range(0, len(days) - 1, step))
    if len(days) - 1 - label_at[-1] < step / 2:
        label_at.pop()
    label_at.append(len(days) - 1)
    # The first and last labels hang inwards, so they are not cut off at the edges.
    anchors = {0: "start", len(days) - 1: "end"}
    x_labels = [
        (x_of(i), f"{days[i]:%b} {days[i].day}", anchors.get(i, "middle")) for i in label_at
    ]
    markers = plot_w / (len(days) - 1) >= MARKER_SPACING
    return Layout(size, drawn, [(y_of(v), v) for v in ticks], x_labels, markers)


def per_day_chart(named_series: Sequence[tuple[str, str, Iterable[datetime]]]) -> Chart:
    """A line chart of events per UTC day; `named_series` is (key, label, moments)."""
    day_lists = [(key, label, _days(moments)) for key, label, moments in named_series]
    every_day = [d for _, _, days in day_lists for d in days]
    if not every_day:
        return Chart(days=[], series=[])
    first, last = min(every_day), max(every_day)
    span = (last - first).days + 1
    if span > MAX_DAYS:
        first = last - timedelta(days=MAX_DAYS - 1)
    elif span < MIN_DAYS:
        first = last - timedelta(days=MIN_DAYS - 1)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    series = []
    for index, (key, label, day_list) in enumerate(day_lists):
        counter = Counter(day_list)
        marker = ("circle", "square")[index % 2]
        series.append(Series(key, label, [counter.get(d, 0) for d in days], marker))
    layouts = [_layout(size, days, series) for size in (WIDE, NARROW)]
    return Chart(days=days, series=series, layouts=layouts)
