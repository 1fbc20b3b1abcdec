"""Fields and positions of the registration form come from the content folder."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from fastpath import ContentError
from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from tests.conftest import make_app
from tests.helpers.registrations import content_copy, field_error, html_of, register, registrations


def test_content_can_adjust_fields_and_positions(content_app):
    app = content_app(
        'fields = { affiliation = "optional", dietary = "off" }\n'
        'positions = [{ key = "member", label = "ISPASS member" }, '
        '{ key = "guest", label = "Guest" }]'
    )
    client = app.test_client()
    html = html_of(client.get("/register"))
    assert 'name="dietary"' not in html
    assert re.findall(r'<option value="([^"]*)"', html) == ["", "member", "guest"]
    assert 'class="required"' not in re.search(
        r'<label for="affiliation">(.*?)</label>', html
    ).group(1)

    refused = register(client, position="academia")
    assert "Please choose one of the listed positions." in field_error(html_of(refused), "position")

    response = register(client, affiliation="", position="guest", dietary="ignored")
    assert response.status_code == 303
    (row,) = registrations(app)
    assert (row.affiliation, row.position, row.dietary) == ("", "guest", "")
    with app.app_context():
        (text,) = db.session.scalars(select(OutboxMail.body_text)).all()
    assert "Position:    Guest" in text
    assert "Dietary needs" not in text


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ('fields = { hobby = "optional" }', "registration.fields.hobby: unknown field"),
        ('fields = { dietary = "maybe" }', "use required or optional or off, got 'maybe'"),
        ('fields = { public_listing = "required" }', "use optional or off"),
    ],
)
def test_content_field_mistakes_stop_start_up(tmp_path, lines, problem):
    folder = content_copy(tmp_path, lines)
    with pytest.raises(ContentError, match=re.escape(problem)):
        make_app(tmp_path / "site", CONTENT_DIR=str(folder))
