"""Bad input on the registration form: explained next to the field, input kept, markup shown
as text, the honeypot and the rate limit."""

from __future__ import annotations

import pytest

from tests.helpers.registrations import (
    deliver,
    field_error,
    html_of,
    link_in,
    outbox,
    register,
    registrations,
)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Please enter your name."),
        ({"name": "   "}, "name", "Please enter your name."),
        ({"name": "Ada\nBcc: x@example.org"}, "name", "single line"),
        ({"name": "A" * 201}, "name", "200 characters or fewer (it has 201)"),
        ({"email": ""}, "email", "Please enter your email address."),
        ({"email": "Ann <ann@example.org>"}, "email", "without a name or angle brackets"),
        ({"email": '"Ann" ann@example.org'}, "email", "without a name or angle brackets"),
        ({"email": "ann@example.org\nBcc: x@example.org"}, "email", "on a single line"),
        ({"email": "ann@example.org\r\nBcc: x@example.org"}, "email", "on a single line"),
        (
            {"email": "not-an-address"},
            "email",
            "Enter a valid email address, like name@example.org.",
        ),
        (
            {"email": "ann@localhost"},
            "email",
            "Enter a valid email address, like name@example.org.",
        ),
        ({"email": "a" * 250 + "@example.org"}, "email", "at most 254 characters"),
        ({"affiliation": ""}, "affiliation", "Please enter your affiliation"),
        ({"affiliation": "X" * 201}, "affiliation", "200 characters or fewer"),
        ({"position": ""}, "position", "Please choose your position."),
        ({"position": "ceo"}, "position", "Please choose one of the listed positions."),
        ({"position": "<script>"}, "position", "Please choose one of the listed positions."),
        ({"dietary": "x" * 1001}, "dietary", "1000 characters or fewer (it has 1001)"),
        ({"accessibility": "x" * 5000}, "accessibility", "1000 characters or fewer"),
        ({"dietary": "nuts\x00"}, "dietary", "control characters"),
        ({"consent": None}, "consent", "Please agree to this"),
    ],
)
def test_bad_input_explained_next_to_field_with_input_kept(client, app, overrides, field, message):
    kept = {"name": "Grace Hopper", "dietary": "gluten-free", "accessibility": "captions"}
    if field in kept:
        kept.pop(field)
    response = register(client, **{**kept, **overrides})

    html = html_of(response)
    assert response.status_code == 422  # a form shown again to correct, as everywhere
    assert message in field_error(html, field)
    assert "Please correct the marked fields below." in html
    if "name" in kept:
        assert 'value="Grace Hopper"' in html
    if "dietary" in kept:
        assert "\ngluten-free</textarea>" in html
    assert registrations(app) == []


def test_script_in_fields_is_shown_as_text_everywhere(mail_app, smtp):
    client = mail_app.test_client()
    script = "<script>alert(1)</script>"
    register(
        client,
        name=f"Eve {script}",
        affiliation='<img src=x onerror="alert(2)">',
        dietary="<b>bold</b>",
    )

    thanks = html_of(client.get("/register/thanks"))
    assert "Thank you, <bdi>Eve &lt;script&gt;alert(1)&lt;/script&gt;</bdi>" in thanks
    assert "<script>alert" not in thanks
    deliver(mail_app)
    (mail,) = smtp.recorder.wait_for(1)
    assert f"Dear Eve {script}," in mail.text  # plain text shows it as typed
    assert "Eve &lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert "<script>" not in mail.html and "<img src=x" not in mail.html
    assert "&lt;b&gt;bold&lt;/b&gt;" in mail.html
    page = html_of(client.get(link_in(mail)))
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page


def test_honeypot_filled_answers_like_success_and_keeps_nothing(client, app):
    response = register(client, website="http://spam.example")

    assert response.headers["Location"] == "/register/thanks"
    assert "Thank you, <bdi>Ada Lovelace</bdi>" in html_of(client.get("/register/thanks"))
    assert registrations(app) == []
    assert outbox(app) == []


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_FORM_POSTS="2 per hour")
def test_too_many_posts_from_one_address_are_refused_with_input_kept(client, app):
    assert register(client, email="a@example.org").status_code == 303
    assert register(client, email="b@example.org").status_code == 303

    response = register(client, email="c@example.org", name="Third Person")

    html = html_of(response)
    assert response.status_code == 429
    assert "Too many forms were sent from your network" in html
    assert 'value="Third Person"' in html
    assert 'value="c@example.org"' in html
    assert [r.email for r in registrations(app)] == ["a@example.org", "b@example.org"]
    assert client.get("/register").status_code == 200  # reading is never limited
