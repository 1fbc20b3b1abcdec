"""A registration's private link: what it shows, the calendar download, unknown tokens."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.helpers.registrations import (
    NEW_YORK,
    deliver,
    html_of,
    link_in,
    parse_calendar,
    register,
    registrations,
)


def test_private_link_shows_registration_and_calendar_download(mail_app, smtp):
    client = mail_app.test_client()
    register(client, public_listing="y")
    deliver(mail_app)
    path = link_in(smtp.recorder.wait_for(1)[0])

    page = client.get(path)
    html = html_of(page)
    assert page.status_code == 200
    assert "You have a place at the workshop." in html
    assert "Analytical Engines Ltd" in html
    assert "Yes, you may list me" in html
    assert f'href="{path}/calendar.ics"' in html
    assert f'href="{path}/cancel"' in html

    download = client.get(f"{path}/calendar.ics")
    assert download.status_code == 200
    assert download.mimetype == "text/calendar"
    assert download.headers["Content-Disposition"] == 'attachment; filename="fastpath-2020.ics"'
    _, event = parse_calendar(download.data)
    assert event.decoded("DTSTART") == datetime(2020, 4, 5, 9, 0, tzinfo=NEW_YORK)
    (row,) = registrations(mail_app)
    assert str(event["UID"]) == f"{row.calendar_uid}@fastpath.test"


@pytest.mark.parametrize(
    "path",
    [
        "/registration/not-a-token",
        "/registration/" + "A" * 43,
        "/registration/" + "A" * 500,
        "/registration/" + "A" * 43 + "/cancel",
        "/registration/" + "A" * 43 + "/calendar.ics",
    ],
)
def test_private_link_unknown_token_is_404(client, path):
    register(client)
    assert client.get(path).status_code == 404
    if not path.endswith(".ics"):  # the calendar is GET only (405 for a POST)
        assert client.post(path, data={"name": "x"}).status_code == 404
