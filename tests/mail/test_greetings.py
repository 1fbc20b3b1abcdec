"""Every mail greets its own recipient: the former contact author is not greeted as the new one."""

from __future__ import annotations

import re

from flask import Flask

from fastpath.core.extensions import db
from fastpath.mail import deliver_pending
from fastpath.mail.models import OutboxMail
from tests.conftest import SmtpServer
from tests.helpers.submissions import edit_data, link_in, post_submit, submission_data, text_of

AUTHORS = {
    "authors-0-name": "Ada Lovelace",
    "authors-1-name": "José Martí",
    "authors-1-email": "jose@example.org",
    "authors-2-name": "李明",
    "authors-2-email": "li@example.cn",
}


def test_changed_mail_to_the_former_contact_greets_her_not_the_new_one(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    client = mail_app.test_client()
    assert post_submit(client, submission_data(**AUTHORS)).status_code == 303
    with mail_app.app_context():
        path = link_in(db.session.scalars(db.select(OutboxMail.body_text)).first())
    html = text_of(client.get(f"{path}/edit"))
    data = edit_data(html, contact="2", **AUTHORS)
    response = client.post(f"{path}/edit", data=data, content_type="multipart/form-data")
    assert response.status_code == 303

    with mail_app.app_context():
        deliver_pending()

    # The owner of the link (Ada) is told what changed, greeted as herself; the new contact
    # gets the fixed notice, which quotes no typed text but the title (issue 18 item 5).
    changed = [m for m in smtp.recorder.received if m.subject.endswith("changed")]
    assert [(m.envelope_to[0], m.text.splitlines()[0]) for m in changed] == [
        ("ada@example.org", "Dear Ada Lovelace,")
    ]
    assert re.findall(r"<p>(Dear .*?)</p>", changed[0].html) == ["Dear <bdi>Ada Lovelace</bdi>,"]
    [notice] = smtp.recorder.to("li@example.cn")[-1:]
    assert notice.subject.endswith("You are now the contact author of submission FP20-001")
    assert notice.text.splitlines()[0] == "Hello,"
