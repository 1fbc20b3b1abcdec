"""Waiting-list words only where there is a waiting list: the cancel page, the manage page and
the cancellation mail follow the configured capacity."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from fastpath.mail import deliver_pending
from tests.conftest import SmtpServer, make_app
from tests.helpers.editions import edition_with, edition_with_capacity
from tests.helpers.forms import latest_token, post, registration_fields


def content_with(tmp_path: Path, capacity: int | None) -> Path:
    if capacity is None:
        return edition_with(tmp_path, "# capacity = 120", "# capacity = 120")
    return edition_with_capacity(tmp_path, capacity)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(("capacity", "mentioned"), [(None, False), (50, True)])
def test_cancel_words_mention_the_waiting_list_only_with_a_capacity(
    tmp_path: Path, smtp: SmtpServer, capacity: int | None, mentioned: bool
) -> None:
    content = content_with(tmp_path, capacity)
    # A registered person's words (places at once, no address to confirm first).
    app: Flask = make_app(
        tmp_path, CONTENT_DIR=str(content), REGISTRATION_CONFIRM_ADDRESS=False, **smtp.app_config()
    )
    client = app.test_client()
    assert post(client, "/register", registration_fields()).status_code == 303
    token = latest_token(app, "registration")

    manage = words(client.get(f"/registration/{token}").get_data(as_text=True))
    cancel_page = words(client.get(f"/registration/{token}/cancel").get_data(as_text=True))
    assert client.post(f"/registration/{token}/cancel").status_code == 303
    with app.app_context():
        deliver_pending()
    cancelled = smtp.recorder.received[-1]

    assert cancelled.subject == "[FastPath 2020] Registration cancelled"
    for text in (manage, cancel_page, cancelled.text, words(cancelled.html)):
        assert ("waiting list" in text) is mentioned, text
    assert "Please remove the workshop" in cancelled.text
