"""The dashboard: counts by status and position, and the activity chart."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastpath.mail.models import OutboxStatus
from fastpath.registration.models import RegistrationStatus
from tests.helpers.organizers import add_mail, add_registration


def test_dashboard_counts_and_chart(app, organizer_client):
    add_registration(app, "A One", created_at=datetime(2020, 1, 10, 9, tzinfo=UTC))
    add_registration(app, "B Two", created_at=datetime(2020, 1, 12, 9, tzinfo=UTC))
    add_registration(
        app,
        "C Three",
        created_at=datetime(2020, 1, 12, 18, tzinfo=UTC),
        status=RegistrationStatus.WAITING,
        position="student",
    )
    add_mail(app, status=OutboxStatus.FAILED, error="boom")
    add_mail(app, status=OutboxStatus.QUEUED)

    page = organizer_client.get("/organizer/").get_data(as_text=True)

    assert '<p class="big-number">2 <span class="unit">registered</span></p>' in page
    assert "Waiting list: <strong>1</strong>" in page
    assert re.search(r'status=failed">Failed</a></th><td class="alert-number">1</td>', page)
    assert re.search(r'status=queued">Queued</a></th><td>1</td>', page)
    assert re.search(r'position=student">Student</a></th><td>1</td>', page)
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg
    assert '<title id="activity-chart-title">' in svg
    assert (
        "From 2020-01-10 to 2020-01-12 (UTC days): no submissions; "
        "3 registrations in all, most on 2020-01-12 (2)." in svg
    )
    assert (
        '<th scope="row"><time datetime="2020-01-12">2020-01-12</time></th><td>0</td><td>2</td>'
        in page
    )
    assert "sign in" in page  # the recent activity shows this organizer's sign-in
