"""Updating one's details through the private link."""

from __future__ import annotations

from sqlalchemy import select

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from fastpath.registration.models import RegistrationEvent
from tests.helpers.registrations import (
    LINK,
    deliver,
    events,
    field_error,
    form_data,
    html_of,
    link_in,
    register,
    registrations,
)


def test_update_details_through_the_private_link(mail_app, smtp):
    client = mail_app.test_client()
    register(client)
    deliver(mail_app)
    link = link_in(smtp.recorder.wait_for(1)[0])

    form = html_of(client.get(link))
    assert 'value="Ada Lovelace"' in form
    response = client.post(
        link,
        data={
            "name": "Ada King",
            "affiliation": "Analytical Engines Ltd",
            "position": "industry",
            "dietary": "vegan",
            "accessibility": "",
            "public_listing": "y",
            # Not editable here: ignored if posted by hand.
            "email": "mallory@example.org",
            "status": "registered",
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"] == link
    (row,) = registrations(mail_app)
    assert (row.name, row.position, row.dietary, row.public_listing, row.email) == (
        "Ada King",
        "industry",
        "vegan",
        True,
        "ada@example.org",
    )
    assert events(mail_app, row.id) == ["registered", "updated"]
    with mail_app.app_context():
        details = db.session.scalars(
            select(RegistrationEvent.details).where(RegistrationEvent.kind == "updated")
        ).one()
    assert details == "changed: name, position, dietary, public_listing"
    page = html_of(client.get(link))
    assert "Your details are saved." in page
    assert "Industry" in page


def test_update_with_bad_input_keeps_it_and_changes_nothing(mail_app, smtp):
    client = mail_app.test_client()
    register(client)
    deliver(mail_app)
    link = link_in(smtp.recorder.wait_for(1)[0])

    response = client.post(
        link,
        data={"name": "", "affiliation": "New Affiliation", "position": "boss", "dietary": ""},
    )

    html = html_of(response)
    assert response.status_code == 422  # a form shown again to correct, as everywhere
    assert "Please enter your name." in field_error(html, "name")
    assert "Please choose one of the listed positions." in field_error(html, "position")
    assert 'value="New Affiliation"' in html
    (row,) = registrations(mail_app)
    assert (row.name, row.affiliation, row.position) == (
        "Ada Lovelace",
        "Analytical Engines Ltd",
        "academia",
    )


def test_cancelled_registration_cannot_be_updated(client, app):
    register(client)
    with app.app_context():
        text = db.session.scalars(select(OutboxMail.body_text)).one()
    link = LINK.search(text).group(1)
    client.post(f"{link}/cancel")

    response = client.post(link, data=form_data(name="Changed"))

    assert response.headers["Location"] == link
    assert registrations(app)[0].name == "Ada Lovelace"
    assert "Update your details" not in html_of(client.get(link))
