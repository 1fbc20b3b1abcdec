"""Issue 18, "keep holding": the probe's 21 `next=` payloads never lead off the site, through
every place that follows one (the sign-in post, the sign-in page when already signed in, the
decision preview's and the mail retry's way back); and session fixation."""

from __future__ import annotations

from flask import Flask

from fastpath.mail.models import OutboxStatus
from fastpath.organizer.auth import SESSION_KEY
from tests.helpers.organizers import EMAIL, PASSWORD, add_mail, make_organizer, sign_in

OFF_SITE = [
    "//evil.example/",
    "///evil.example",
    "////evil.example/",
    "/\\evil.example/",
    "/\\/evil.example",
    "\\\\evil.example",
    "https://evil.example/organizer/",
    "HTTPS://evil.example",
    "https:/evil.example",
    "http:evil.example",
    "//evil.example@fastpath.test/",
    "//evil.example:443/",
    "https://fastpath.test.evil.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\t/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "evil.example",
    "\u2215\u2215evil.example",
]


def test_next_payloads_are_the_probes_twenty_one():
    assert len(set(OFF_SITE)) == 21


def test_next_off_site_is_never_followed(app: Flask, client):
    make_organizer(app)
    mail_id = add_mail(app, status=OutboxStatus.FAILED)
    for target in OFF_SITE:
        client.post("/organizer/logout")
        query = {"next": target}
        form = client.get("/organizer/login", query_string=query).get_data(as_text=True)
        assert 'name="next" type="hidden" value=""' in form, target

        signed_in = sign_in(client, next=target)
        assert (signed_in.status_code, signed_in.location) == (302, "/organizer/"), target

        again = client.get("/organizer/login", query_string=query)
        assert (again.status_code, again.location) == (302, "/organizer/"), target

        preview = client.get("/organizer/decisions/preview", query_string={"back": target})
        assert (preview.status_code, preview.location) == (302, "/organizer/submissions"), target

        retried = client.post(f"/organizer/mail/{mail_id}/retry", data={"back": target})
        assert retried.location == f"/organizer/mail/{mail_id}", target
        assert retried.status_code == 303


def test_next_inside_the_site_is_still_followed(app: Flask, client):
    """The refusals above are the check's doing: a path on the site is followed."""
    make_organizer(app)
    assert sign_in(client, next="/organizer/registrations").location == "/organizer/registrations"
    back = client.get("/organizer/decisions/preview", query_string={"back": "/organizer/mail"})
    assert back.location == "/organizer/mail"


def test_session_fixation_planted_cookie_is_useless_after_sign_in(app: Flask, client):
    make_organizer(app)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session[SESSION_KEY] = "a token the attacker chose"
    planted = client.get_cookie("session").value

    sign_in(client)
    first = client.get_cookie("session").value
    with client.session_transaction() as session:
        token = session[SESSION_KEY]
        assert "planted" not in session

    assert first != planted
    assert client.get("/organizer/").status_code == 200
    # The attacker still holds the cookie they planted: it opens nothing.
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/organizer/").location == "/organizer/login?next=/organizer/"
    # Signing in again (say, in another tab) gives yet another session id.
    sign_in(client, email=EMAIL, password=PASSWORD)
    with client.session_transaction() as session:
        assert session[SESSION_KEY] not in (token, "a token the attacker chose")
