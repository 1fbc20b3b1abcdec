"""The dashboard chart as a browser draws it: at 360 px its labels are readable and the
table of numbers is not cut; at 1200 px the wide drawing shows; one drawing at a time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import make_app, start_live_server
from tests.e2e.conftest import PHONE
from tests.e2e.test_organizer_flow import assert_clean, sign_in
from tests.helpers.organizers import add_registration, add_submission, make_organizer

VISIBLE_CHART = """() => [...document.querySelectorAll('figure.chart svg[role=img]')]
    .filter(svg => svg.getBoundingClientRect().width > 0)
    .map(svg => ({
        name: svg.getAttribute('class'),
        label: Math.min(...[...svg.querySelectorAll('.chart-label')]
            .map(t => t.getBoundingClientRect().height)),
    }))"""


@pytest.fixture
def chart_site(tmp_path):
    app = make_app(tmp_path)
    make_organizer(app)
    for day, count in {10: 1, 11: 3, 13: 2}.items():
        for i in range(count):
            moment = datetime(2020, 1, day, 9, i, tzinfo=UTC)
            add_registration(app, f"Person {day} {i}", created_at=moment)
            add_submission(app, f"Paper {day} {i}", created_at=moment)
    server = start_live_server(app)
    yield server
    server.stop()


@pytest.mark.parametrize(("width", "drawing"), [(360, "chart-narrow"), (1200, "chart-wide")])
def test_dashboard_chart_is_readable_at_phone_and_desktop_width(
    chart_site, page_factory, width, drawing
):
    page = page_factory({**PHONE, "width": width})
    sign_in(page, chart_site.url)
    page.goto(chart_site.url + "/organizer/")
    page.get_by_text("The numbers per day").click()

    [shown] = page.evaluate(VISIBLE_CHART)
    assert shown["name"] == f"chart-svg {drawing}"
    assert shown["label"] >= 11  # px: the axis labels, as drawn on the screen
    table = page.locator("figure.chart .table-scroll")
    assert table.evaluate("el => el.scrollWidth - el.clientWidth") <= 0  # nothing cut off
    assert page.get_by_role("columnheader", name="Registrations").is_visible()
    assert_clean(page)
