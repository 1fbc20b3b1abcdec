"""Double clicks, the back button, replayed and expired forms on the registration form."""

from __future__ import annotations

import re

import pytest

from tests.helpers.registrations import deliver, events, form_data, html_of, outbox, registrations


def test_double_click_creates_one_registration_and_one_mail(mail_app, smtp):
    client = mail_app.test_client()
    data = form_data()

    first = client.post("/register", data=data)
    second = client.post("/register", data=data)

    assert first.headers["Location"] == second.headers["Location"] == "/register/thanks"
    assert "You have a place at the workshop." in html_of(client.get("/register/thanks"))
    (row,) = registrations(mail_app)
    assert row.form_nonce == data["nonce"]
    assert events(mail_app, row.id) == ["registered"]
    assert deliver(mail_app) == 1
    (mail,) = smtp.recorder.wait_for(1)
    assert mail.subject == "[FastPath 2020] Registration confirmed"


def test_back_button_with_another_address_registers_a_second_person(client, app):
    data = form_data()
    client.post("/register", data=data)

    response = client.post("/register", data={**data, "email": "grace@example.org"})

    assert response.headers["Location"] == "/register/thanks"
    first, second = registrations(app)
    assert (first.email, first.form_nonce) == ("ada@example.org", data["nonce"])
    assert (second.email, second.form_nonce) == ("grace@example.org", None)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_replayed_form_with_csrf_gives_same_answer_and_one_row(client, app):
    html = html_of(client.get("/register"))
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    nonce = re.search(r'id="nonce" name="nonce" type="hidden" value="([^"]+)"', html).group(1)
    data = form_data(csrf_token=csrf, nonce=nonce)

    assert client.post("/register", data=data).headers["Location"] == "/register/thanks"
    assert client.post("/register", data=data).headers["Location"] == "/register/thanks"
    assert len(registrations(app)) == 1
    assert [t for _, t, _ in outbox(app)] == ["registration_confirmed"]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_form_with_expired_csrf_token_keeps_input_and_explains(client, app):
    client.get("/register")
    response = client.post(
        "/register", data=form_data(csrf_token="stale", name="Grace Hopper", dietary="vegan")
    )

    html = html_of(response)
    assert response.status_code == 400
    assert "This form had expired" in html
    assert 'value="Grace Hopper"' in html
    assert "vegan</textarea>" in html
    assert registrations(app) == []


def test_form_without_nonce_is_refused_with_a_message(client, app):
    data = form_data()
    del data["nonce"]
    response = client.post("/register", data=data)

    html = html_of(response)
    assert response.status_code == 422  # a form shown again to correct, as everywhere
    assert "This form was incomplete" in html
    assert 'value="Ada Lovelace"' in html
    assert re.search(r'name="nonce" type="hidden" value="[A-Za-z0-9_-]{16,}"', html)
    assert registrations(app) == []
