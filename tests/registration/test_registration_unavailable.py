"""A registration form posted while the database refuses writes comes back filled in with a
503 and what to do (issue 18 item 14), as the submission forms do."""

from __future__ import annotations

import pytest

from fastpath.core.extensions import db
from fastpath.registration.models import Registration
from tests.helpers.faults import locked
from tests.helpers.forms import latest_token, post, registration_fields

NAME = "Zoë Łukasiewicz"


def names(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(Registration.name)))


@pytest.mark.sqlite_only
@pytest.mark.app_config(SQLITE_BUSY_TIMEOUT_MS=100)
def test_register_while_database_locked_shows_the_form_again(app, client):
    fields = registration_fields(name=NAME, email="zoe@example.org")
    with locked(app):
        refused = post(client, "/register", fields)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 503
    assert "Our database is not accepting changes at the moment." in html
    assert f'value="{NAME}"' in html and 'value="zoe@example.org"' in html
    assert names(app) == []
    assert post(client, "/register", fields).location == "/register/thanks"
    assert names(app) == [NAME]


@pytest.mark.sqlite_only
@pytest.mark.app_config(SQLITE_BUSY_TIMEOUT_MS=100)
def test_details_update_while_database_locked_shows_the_form_again(app, client):
    assert post(client, "/register", registration_fields(name=NAME)).status_code == 303
    token = latest_token(app, "registration")
    changed = [
        (k, "Difference Engines Inc" if k == "affiliation" else v)
        for k, v in registration_fields(name=NAME)
        if k not in ("email", "consent", "nonce")
    ]
    with locked(app):
        refused = post(client, f"/registration/{token}", changed)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 503
    assert "Nothing from this form was saved" in html
    assert 'value="Difference Engines Inc"' in html
    with app.app_context():
        [row] = db.session.scalars(db.select(Registration)).all()
        assert row.affiliation != "Difference Engines Inc"
