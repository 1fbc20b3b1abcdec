"""The public attendee list promised by the registration form and the privacy page
(issue 12 item 19)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastpath.core.extensions import db
from fastpath.registration.models import Registration, RegistrationStatus
from tests.helpers.forms import post, registration_fields


def register(client, name: str, email: str, *, listed: bool) -> None:
    fields = registration_fields(name=name, email=email)
    if listed:
        fields.append(("public_listing", "y"))
    assert post(client, "/register", fields).status_code == 303


def test_attendee_list_shows_only_opted_in_names_and_affiliations(app, client):
    register(client, "Grace Hopper", "grace@example.org", listed=True)
    register(client, "Alan Turing", "alan@example.org", listed=False)
    register(client, "Ada Lovelace", "ada@example.org", listed=True)
    register(client, "Cancelled Person", "gone@example.org", listed=True)
    with app.app_context():
        db.session.execute(
            db.update(Registration)
            .where(Registration.email == "gone@example.org")
            .values(status=RegistrationStatus.CANCELLED, active_email=None)
        )
        db.session.commit()

    response = client.get("/attendees")

    page = response.text
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    start = page.index('<ul class="attendee-list">')
    listed = page[start : page.index("</ul>", start)]
    # Each typed value isolated (<bdi>), so a right-to-left name cannot reorder the line.
    items = [re.sub(r"</?bdi>", "", item) for item in re.findall(r"<li>(.*?)</li>", listed)]
    assert items == [
        "Ada Lovelace, Analytical Engines Ltd",
        "Grace Hopper, Analytical Engines Ltd",
    ]
    assert "Alan Turing" not in page and "Cancelled Person" not in page
    assert "@example.org" not in page  # no addresses, nothing else about anyone


def test_attendee_list_follows_the_site_clock(app, client):
    register(client, "Ada Lovelace", "ada@example.org", listed=True)
    with app.app_context():
        registered_at = db.session.scalars(db.select(Registration.created_at)).one()

    app.config["NOW"] = datetime(2019, 12, 1, tzinfo=UTC)  # before anyone registered
    before = client.get("/attendees").text
    app.config["NOW"] = registered_at.replace(tzinfo=UTC)
    after = client.get("/attendees").text

    assert "Ada Lovelace" not in before and "Nobody is listed yet." in before
    assert "Ada Lovelace" in after


def test_privacy_page_links_to_the_attendee_list(client):
    page = client.get("/privacy").text
    assert '<a href="/attendees">public attendee list</a>' in page
    assert client.get("/attendees").status_code == 200


def test_attendee_list_offers_registration_only_while_it_is_open(app, client):
    from datetime import datetime

    assert 'href="/register"' in client.get("/attendees").get_data(as_text=True)
    app.config["NOW"] = datetime.fromisoformat("2020-04-06T00:00:00+00:00")
    page = client.get("/attendees").get_data(as_text=True)
    assert "Register to attend" not in page
