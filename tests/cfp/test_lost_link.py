"""A lost submission link: new links mailed, the same answer for any address."""

from __future__ import annotations

import re

from tests.helpers.submissions import (
    all_submissions,
    deliver,
    outbox,
    submit_and_get_link,
    submit_ok,
    text_of,
)


def test_lost_link_mails_new_links_and_old_ones_stop_working(mail_app, smtp):
    client = mail_app.test_client()
    old_path = submit_and_get_link(mail_app, client)
    submit_ok(client, form_nonce="e" * 43, title="Second abstract")
    submit_ok(  # someone else's
        client,
        form_nonce="f" * 43,
        **{"authors-0-email": "other@example.org", "authors-1-email": "x@example.org"},
    )
    deliver(mail_app, smtp, 9)

    response = client.post("/submission/lost", data={"email": " ADA@Example.org "})
    response.close()  # the look-up runs once the answer is sent
    assert response.status_code == 303
    assert response.headers["Location"] == "/submission/lost"
    assert "Links sent earlier work until you open the new one." in text_of(
        client.get("/submission/lost")
    )

    [mail] = deliver(mail_app, smtp, 10)[9:]
    assert mail.envelope_to == ["ada@example.org"]
    assert mail.subject == "[FastPath 2020] Your private submission links"
    paths = re.findall(r"http://fastpath\.test(/submission/[A-Za-z0-9_-]{43})", mail.text)
    assert len(paths) == 2
    assert "FP20-001: Tail latency of recommendation" in mail.text
    assert "FP20-002: Second abstract" in mail.text
    assert "FP20-003" not in mail.text
    assert "Second abstract" in text_of(client.get(paths[1]))
    assert client.get(old_path).status_code == 200  # until the new link is used
    assert client.get(paths[0]).status_code == 200
    assert client.get(old_path).status_code == 404
    assert [e.kind for e in all_submissions(mail_app)[0].events] == ["submitted", "link_reissued"]


def test_lost_link_answers_the_same_for_an_unknown_address(app, client):
    submit_ok(client)
    known = client.post("/submission/lost", data={"email": "ada@example.org"})
    known.close()  # the look-up runs once the answer is sent
    known_page = text_of(client.get("/submission/lost")).replace("ada@example.org", "ADDRESS")
    mails_before = len(outbox(app))
    unknown = client.post("/submission/lost", data={"email": "nobody@example.org"})
    unknown.close()
    unknown_page = text_of(client.get("/submission/lost")).replace("nobody@example.org", "ADDRESS")
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    assert known_page == unknown_page
    assert "If ADDRESS is the contact address of a submission" in known_page
    assert len(outbox(app)) == mails_before  # nothing sent for the unknown address


def test_lost_link_page_says_earlier_links_keep_working(client):
    html = text_of(client.get("/submission/lost"))
    assert "links sent earlier keep working until you open the new ones" in html


def test_lost_link_with_malformed_address_gets_a_message(client):
    response = client.post("/submission/lost", data={"email": "not-an-address"})
    assert response.status_code == 422
    assert "Enter a valid email address" in text_of(response)
    assert 'value="not-an-address"' in text_of(response)
