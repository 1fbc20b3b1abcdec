"""The dashboard's per-day chart: even y ticks, two equal series both visible, a single day
drawn as a week, and a drawing of its own for phones."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from fastpath.organizer.dashboard import even_ticks, per_day_chart
from tests.helpers.organizers import add_registration, add_submission, make_organizer, sign_in


def _moments(per_day: dict[int, int]) -> list[datetime]:
    """`count` moments on each day of January 2020."""
    return [
        datetime(2020, 1, day, 9, tzinfo=UTC) + timedelta(minutes=i)
        for day, count in per_day.items()
        for i in range(count)
    ]


@pytest.mark.parametrize(
    ("top", "ticks"),
    [(1, [0, 1]), (3, [0, 1, 2, 3]), (5, [0, 1, 2, 3, 4, 5]), (7, [0, 2, 4, 6, 8]),
     (13, [0, 5, 10, 15]), (40, [0, 10, 20, 30, 40]), (999, [0, 200, 400, 600, 800, 1000])],
)  # fmt: skip
def test_even_ticks_step_evenly_to_the_top(top, ticks):
    assert even_ticks(top, 5) == ticks


def test_chart_ticks_are_even_in_every_drawing(app):
    with app.app_context():
        chart = per_day_chart([("submissions", "Submissions", _moments({10: 1, 11: 3}))])

    assert [[value for _, value in layout.y_ticks] for layout in chart.layouts] == [
        [0, 1, 2, 3],
        [0, 1, 2, 3],
    ]
    for layout in chart.layouts:
        ys = [y for y, _ in layout.y_ticks]
        gaps = {round(b - a, 6) for a, b in zip(ys, ys[1:], strict=False)}
        assert len(gaps) == 1  # evenly spaced on the drawing too


def test_chart_of_one_day_shows_the_week_up_to_it(app):
    with app.app_context():
        chart = per_day_chart([("registrations", "Registrations", _moments({12: 2}))])

    assert chart.days == [date(2020, 1, 6) + timedelta(days=i) for i in range(7)]
    assert chart.series[0].counts == [0, 0, 0, 0, 0, 0, 2]
    assert chart.description.startswith("From 2020-01-12 to 2020-01-12 (UTC days): 2 ")
    assert all(len(drawn.points) == 7 for layout in chart.layouts for drawn in layout.drawn)


def test_dashboard_chart_shows_two_equal_series_apart(app, client):
    make_organizer(app)
    for day, count in {10: 1, 11: 3, 13: 2}.items():
        for i in range(count):
            moment = datetime(2020, 1, day, 9, i, tzinfo=UTC)
            add_registration(app, f"Person {day} {i}", created_at=moment)
            add_submission(app, f"Paper {day} {i}", created_at=moment)
    assert sign_in(client).status_code == 302

    page = client.get("/organizer/").get_data(as_text=True)

    svgs = re.findall(r'<svg viewBox="0 0 (\d+) \d+" role="img".*?</svg>', page, re.S)
    assert svgs == ["720", "340"]  # the wide drawing and the phone's
    drawings = re.findall(r'<svg viewBox="0 0 \d+ \d+" role="img".*?</svg>', page, re.S)
    for svg in drawings:
        submissions = re.search(r'series-submissions".*?</g>', svg, re.S).group(0)
        registrations = re.search(r'series-registrations".*?</g>', svg, re.S).group(0)
        # Same numbers: the same points, but round markers under square ones.
        assert submissions.count("<circle") == registrations.count("<rect") == 3
        assert "<rect" not in submissions and "<circle" not in registrations
        points = re.compile(r'points="([^"]+)"')
        assert points.search(submissions).group(1) == points.search(registrations).group(1)
    ids = re.findall(r'aria-labelledby="([^"]+)"', "".join(drawings))
    assert ids == ["activity-chart-title activity-chart-desc",
                   "activity-chart-narrow-title activity-chart-narrow-desc"]  # fmt: skip
