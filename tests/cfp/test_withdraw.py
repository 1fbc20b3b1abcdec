"""Withdrawing a submission through its private link."""

from __future__ import annotations

import pytest

from fastpath.cfp.models import SubmissionStatus
from tests.helpers.submissions import (
    all_submissions,
    deliver,
    submit_and_get_link,
    submit_with_csrf_and_take_its_token,
    text_of,
)


def test_withdraw_asks_first_then_withdraws_and_mails(mail_app, smtp):
    client = mail_app.test_client()
    path = submit_and_get_link(mail_app, client)
    confirm = text_of(client.get(f"{path}/withdraw"))
    assert "Withdraw submission FP20-001?" in confirm
    assert "Yes, withdraw FP20-001" in confirm
    assert all_submissions(mail_app)[0].status == SubmissionStatus.SUBMITTED

    response = client.post(f"{path}/withdraw")
    assert response.status_code == 303
    assert response.headers["Location"] == path
    [row] = all_submissions(mail_app)
    assert row.status == SubmissionStatus.WITHDRAWN
    assert row.withdrawn_at is not None
    assert [e.kind for e in row.events] == ["submitted", "withdrawn"]

    page = text_of(client.get(path))
    assert "Status: <strong>Withdrawn</strong>" in page
    assert f'href="{path}/edit"' not in page
    edit = client.get(f"{path}/edit")
    assert edit.status_code == 303
    assert "withdrawn and can no longer be changed" in text_of(client.get(path))

    deliver(mail_app, smtp, 4)
    [mail] = [m for m in smtp.recorder.to("ada@example.org") if "withdrawn" in m.subject]
    assert mail.subject == "[FastPath 2020] Submission FP20-001 withdrawn"
    assert '"Tail latency of recommendation inference on shared GPUs"' in mail.text
    assert f"http://fastpath.test{path}" in mail.text


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_withdraw_without_csrf_token_does_nothing(app, client):
    token = submit_with_csrf_and_take_its_token(app, client)
    response = client.post(f"/submission/{token}/withdraw")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/submission/{token}/withdraw"
    assert "Your session ran out" in text_of(client.get(f"/submission/{token}"))
    assert all_submissions(app)[0].status == SubmissionStatus.SUBMITTED
