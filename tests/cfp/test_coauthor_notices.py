"""The submission form is no spam relay: co-author notices are few, fixed and unlinked, and a
client can have only so many mails sent to addresses it typed (issue 18 item 5)."""

from __future__ import annotations

import re

import pytest

from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail
from tests.helpers.forms import latest_token, post, registration_fields, submission_fields

SPAM_TITLE = "WIN A PRIZE at http://x.example and www.prize.example"


def with_authors(fields: list, addresses: list[str], **values: str) -> list:
    """The valid post with these authors (the first is the contact) and other values."""
    kept = [f for f in fields if not f[0].startswith("authors-") and f[0] not in values]
    rows = []
    for index, address in enumerate(addresses):
        name = values.get("name", f"Author {index}")
        rows += [(f"authors-{index}-name", name), (f"authors-{index}-email", address)]
        rows.append((f"authors-{index}-affiliation", "Somewhere"))
    return kept + rows + [(key, value) for key, value in values.items() if key != "name"]


def coauthor_notices(app) -> list[str]:
    with app.app_context():
        query = db.select(OutboxMail.recipients).where(OutboxMail.template == "submission_coauthor")
        return [line for text in db.session.scalars(query) for line in text.splitlines()]


def edit(client, app, addresses: list[str], version: int) -> int:
    token = latest_token(app, "submission")
    fields = [f for f in submission_fields() if f[0] not in ("form_nonce", "consent", "pdf")]
    fields = with_authors(fields, addresses) + [("version", str(version))]
    return post(client, f"/submission/{token}/edit", fields, files=True).status_code


def test_coauthor_notices_once_per_address_and_20_per_submission(app, client):
    first = [f"victim{i}@example.org" for i in range(19)]
    second = [f"other{i}@example.org" for i in range(19)]
    contact = ["ada@example.org"]
    fields = with_authors(submission_fields(), contact + first)
    assert post(client, "/submit", fields, files=True).status_code == 303
    assert edit(client, app, contact + second, 1) == 303
    assert edit(client, app, contact + first, 2) == 303
    assert edit(client, app, contact + second, 3) == 303
    notices = coauthor_notices(app)
    assert len(notices) == 20
    assert sorted(notices) == sorted(first + second[:1])


def test_coauthor_notice_quotes_only_the_title_with_links_defanged(mail_app, smtp):
    client = mail_app.test_client()
    fields = with_authors(
        submission_fields(), ["ada@example.org", "grace@example.org"], name="Visit www.spam.example"
    )
    fields = [(k, SPAM_TITLE if k == "title" else v) for k, v in fields]
    assert post(client, "/submit", fields, files=True).status_code == 303
    with mail_app.app_context():
        assert deliver_pending() == 2
    [notice] = smtp.recorder.to("grace@example.org")
    assert "spam" not in notice.text and "spam" not in notice.html  # no name, no free text
    [receipt] = smtp.recorder.to("ada@example.org")
    for mail in (notice, receipt):
        for body in (mail.text, mail.html):
            assert "http[:]//x[.]example" in body
            assert "www[.]prize[.]example" in body
            assert not re.search(r"http://x\.example|www\.prize\.example", body)
        assert not re.search(r"<a [^>]*x\.example", mail.html)


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_VISITOR_MAILS="5 per day")
def test_visitor_mails_are_capped_per_client(app, client):
    addresses = ["ada@example.org", "grace@example.org", "alan@example.org"]
    assert post(client, "/submit", with_authors(submission_fields(), addresses), files=True)
    assert len(coauthor_notices(app)) == 2
    refused = post(client, "/submit", with_authors(submission_fields(), addresses), files=True)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Too many mails to the authors of submissions" in html
    assert 'value="alan@example.org"' in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMail)) == 3


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_VISITOR_MAILS="5 per day")
def test_visitor_mail_allowance_is_shared_by_submission_and_registration(app, client):
    addresses = ["ada@example.org", "grace@example.org", "alan@example.org"]
    assert post(client, "/submit", with_authors(submission_fields(), addresses), files=True)
    for n in (1, 2):
        fields = registration_fields(email=f"person{n}@example.org")
        assert post(client, "/register", fields).status_code == 303
    refused = post(client, "/register", registration_fields(email="person3@example.org"))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Too many confirmation mails were sent from your network" in html
    assert 'value="person3@example.org"' in html
    with app.app_context():
        recipients = list(db.session.scalars(db.select(OutboxMail.recipients)))
    assert len(recipients) == 5 and not any("person3" in r for r in recipients)


def mails(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id))
        return [(row.recipients, row.template, row.body_text) for row in rows]


def test_contact_swaps_send_the_edit_text_only_to_the_link_owner(app, client):
    spam = "BUY CHEAP PILLS call 555-0199"
    owner = "eve@example.org"
    fields = with_authors(submission_fields(), [owner])
    assert post(client, "/submit", fields, files=True).status_code == 303
    token = latest_token(app, "submission")
    base = [f for f in submission_fields() if f[0] not in ("form_nonce", "consent", "pdf")]
    before = len(mails(app))
    for version, target in enumerate(["t1@victim.example", "t2@victim.example"] * 2, start=1):
        fields = [(k, v) for k, v in with_authors(base, [target, owner]) if k != "abstract"]
        fields += [("abstract", f"{spam} round {version}"), ("version", str(version))]
        assert post(client, f"/submission/{token}/edit", fields, files=True).status_code == 303

    sent = mails(app)[before:]
    to_targets = [(to, template) for to, template, _ in sent if "victim" in to]
    assert to_targets == [
        ("t1@victim.example", "submission_new_contact"),
        ("t2@victim.example", "submission_new_contact"),
    ]
    assert not any(spam in body for to, _, body in sent if to != owner)
    assert [template for to, template, _ in sent if to == owner] == ["submission_edited"] * 4
