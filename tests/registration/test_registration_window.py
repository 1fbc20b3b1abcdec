"""The registration window: when it opens and when it closes."""

from __future__ import annotations

import pytest

from tests.helpers.registrations import html_of, register, registrations


def test_before_opening_the_page_says_when_and_refuses_posts(content_app):
    app = content_app("opens = 2020-02-01T09:00:00")
    client = app.test_client()

    html = html_of(client.get("/register"))
    assert "Registration is not open yet." in html
    assert "Saturday, February 1, 2020, 09:00 EST" in html
    assert "(14:00 UTC)" in html
    assert 'name="email"' not in html

    response = register(client)
    assert response.status_code == 403
    assert "Registration is not open yet." in html_of(response)
    assert registrations(app) == []


@pytest.mark.app_config(NOW="2020-04-05T13:00:00+00:00")
def test_when_the_workshop_starts_registration_is_closed(client, app):
    html = html_of(client.get("/register"))
    assert "Registration is closed." in html
    assert "Sunday, April 5, 2020, 09:00 EDT" in html
    assert register(client).status_code == 403
    assert registrations(app) == []


def test_closing_time_from_content_is_used(content_app):
    app = content_app("closes = 2020-01-20T06:59:00")  # 11:59 UTC; the test clock is 12:00
    html = html_of(app.test_client().get("/register"))
    assert "Registration is closed." in html
    assert "Monday, January 20, 2020, 06:59 EST" in html
