"""One person, one registration: the same address again creates nothing and mails a link."""

from __future__ import annotations

from fastpath.registration.models import RegistrationStatus
from tests.helpers.registrations import deliver, events, html_of, link_in, register, registrations


def test_same_address_again_creates_nothing_and_mails_a_fresh_link(mail_app, smtp):
    client = mail_app.test_client()
    first = register(client, email="Ada@Example.org")
    first_page = html_of(client.get("/register/thanks"))
    deliver(mail_app)
    old_link = link_in(smtp.recorder.wait_for(1)[0])

    again = register(client, email="Ada@Example.org", name="Ada Lovelace", affiliation="Other")
    again_page = html_of(client.get("/register/thanks"))
    register(client, email="  ada@EXAMPLE.ORG ")

    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] == "/register/thanks"
    assert first_page == again_page  # the page reveals nothing
    (row,) = registrations(mail_app)
    assert row.affiliation == "Analytical Engines Ltd"  # the second form changed nothing
    assert events(mail_app, row.id) == ["registered", "duplicate_attempt", "duplicate_attempt"]

    assert deliver(mail_app) == 2
    mails = smtp.recorder.wait_for(3)
    assert [m.envelope_to for m in mails] == [["Ada@Example.org"]] * 3
    already = mails[1]
    assert already.subject == "[FastPath 2020] You are already registered"
    assert "You were already registered, so nothing new was created." in already.text
    assert "It is a new link: links sent earlier stop working once you open it." in already.text
    newest = link_in(mails[2])
    assert client.get(old_link).status_code == 200  # until the owner opens a new link
    assert client.get(newest).status_code == 200
    assert client.get(old_link).status_code == 404
    assert client.get(link_in(already)).status_code == 404  # replaced by the third mail's


def test_repeated_address_gets_the_answer_a_newcomer_would_when_full(content_app):
    app = content_app("capacity = 1")
    client = app.test_client()
    register(client, email="a@example.org", name="Same Name")
    register(client, email="b@example.org", name="Same Name")

    register(client, email="a@example.org", name="Same Name")
    repeated = html_of(client.get("/register/thanks"))
    assert "you are number 2 on the waiting list" in repeated

    register(client, email="c@example.org", name="Same Name")
    newcomer = html_of(client.get("/register/thanks"))
    assert newcomer == repeated.replace("a@example.org", "c@example.org")


def test_register_again_after_cancelling(mail_app, smtp):
    client = mail_app.test_client()
    register(client)
    deliver(mail_app)
    link = link_in(smtp.recorder.wait_for(1)[0])
    client.post(f"{link}/cancel")

    response = register(client, name="Ada L.")

    assert response.headers["Location"] == "/register/thanks"
    old, new = registrations(mail_app)
    assert (old.status, old.active_email) == (RegistrationStatus.CANCELLED, None)
    assert (new.status, new.active_email, new.name) == (
        RegistrationStatus.REGISTERED,
        "ada@example.org",
        "Ada L.",
    )
    assert new.arrival > old.arrival
    deliver(mail_app)
    assert smtp.recorder.wait_for(3)[-1].subject == "[FastPath 2020] Registration confirmed"
